#!/bin/sh
# Every scenario in tests/e2e/scenarios/ through `recgate run --json`: the
# summary must hold every field of NAME.expect with exactly that value.
# Scenarios named testpolicy_*.json run with tests/e2e/policy-test.json,
# the others with the shipped config/recgate.json. demo.expect checks the
# shipped demo, config/scenarios/demo.json.
. "$TOP/tests/e2e/lib/e2e.sh"
dir="$TOP/tests/e2e/scenarios"
n=0
for expect in "$dir"/*.expect; do
    name=$(basename "$expect" .expect)
    scenario="$dir/$name.json"
    [ "$name" = demo ] && scenario="$TOP/config/scenarios/demo.json"
    config="$TOP/config/recgate.json"
    case "$name" in testpolicy_*) config="$TOP/tests/e2e/policy-test.json" ;; esac
    n=$((n + 1))
    if ! got=$("$RECGATE" run --config "$config" --scenario "$scenario" --json --quiet); then
        bad "$name: recgate run exited non-zero"; continue
    fi
    if ! printf '%s' "$got" | jq -e --slurpfile want "$expect" \
        '. as $got | $want[0] | to_entries | all(.value == $got[.key])' >/dev/null; then
        bad "$name"
        echo "      want: $(cat "$expect")"
        echo "      got:  $got"
    else
        ok "$name"
    fi
done
[ "$n" -gt 0 ] || { bad "no scenarios found"; finish; }
echo "$n scenarios run"
finish
