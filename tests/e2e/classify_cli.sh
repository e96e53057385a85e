#!/bin/sh
# recgate classify: one label per TEXT on stdout, exit codes for bad usage
# and invalid UTF-8.
. "$TOP/tests/e2e/lib/e2e.sh"
tmp=$T

# expect EXIT_STATUS EXPECTED_STDOUT -- ARGS...
expect() {
    want_rc=$1; want_out=$2; shift 2
    "$RECGATE" classify "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq "$want_rc" ] || bad "classify $*: exit $rc, want $want_rc ($(cat "$tmp/err"))"
    printf '%s' "$want_out" >"$tmp/want"
    [ -z "$want_out" ] || printf '\n' >>"$tmp/want"
    cmp -s "$tmp/out" "$tmp/want" || bad "classify $*: got '$(cat "$tmp/out")', want '$want_out'"
}

nl='
'
expect 0 "objection" nej
expect 0 "objection${nl}consent${nl}none" "NEJ!!" "ja tak" "hej alle"
expect 0 "consent${nl}none" --lang da "jeg samtykker" "I consent"
expect 0 "none${nl}consent" --lang en "jeg samtykker" "I consent"
expect 0 "consent" --lang=en "I agree"
expect 0 "objection${nl}objection${nl}objection${nl}none${nl}none" \
    "ja?" "ikke ok" "👎" "👍" "can you hear me"
expect 0 "objection${nl}none" -- "--nej" "--lang"
expect 0 "none" ""
expect 0 "objection" "ｎｅｅｅｊ"

# invalid UTF-8: still labelled objection, exit 1, message on stderr
expect 1 "objection${nl}consent" "$(printf 'ja\377')" ok
grep -q "TEXT 1: not valid UTF-8" "$tmp/err" || bad "no UTF-8 message: $(cat "$tmp/err")"

# usage errors: exit 2, nothing on stdout, message naming the problem
expect 2 "" --lang fr nej
grep -q "unknown language 'fr'" "$tmp/err" || bad "bad --lang not named: $(cat "$tmp/err")"
expect 2 "" --lang=xx nej
grep -q "'xx'" "$tmp/err" || bad "bad --lang= not named: $(cat "$tmp/err")"
expect 2 "" --lang
expect 2 ""
grep -q "no TEXT" "$tmp/err" || bad "missing TEXT not reported: $(cat "$tmp/err")"
expect 2 "" --lang en
expect 2 "" --frobnicate nej
grep -q "unknown option '--frobnicate'" "$tmp/err" || bad "bad option not named"
"$RECGATE" classify --help >"$tmp/out" 2>&1 || bad "--help failed"
grep -q "usage: recgate classify" "$tmp/out" || bad "--help prints no usage"

# many messages in one call keep their order
set -- ; i=0; want=""
while [ $i -lt 200 ]; do
    set -- "$@" "nej" "ok" "god morgen"
    want="${want}objection${nl}consent${nl}none${nl}"
    i=$((i + 1))
done
"$RECGATE" classify --lang en "$@" >"$tmp/out" || bad "600 messages: exit $?"
printf '%s' "$want" | cmp -s - "$tmp/out" || bad "600 messages: wrong output"

# --config adds the policy's extra words; a bad policy is a clear error
jq '.classifier = {"da": {"objection": ["sluk for båndet"], "consent": ["helt fint med mig"]}}' \
    "$TOP/config/recgate.json" >"$tmp/policy.json"
"$RECGATE" classify --config "$tmp/policy.json" "Sluk for båndet!" "helt fint med mig" \
    >"$tmp/out" || bad "--config: exit $?"
printf 'objection\nconsent\n' | cmp -s - "$tmp/out" || bad "--config extra words not used"
"$RECGATE" classify "Sluk for båndet!" >"$tmp/out"
[ "$(cat "$tmp/out")" = none ] || bad "extra words leaked without --config"
echo '{"controller": 1}' >"$tmp/bad.json"
if "$RECGATE" classify --config "$tmp/bad.json" nej >"$tmp/out" 2>"$tmp/err"; then
    bad "--config with a bad policy exited 0"
fi
grep -q "bad.json: controller: expected" "$tmp/err" || bad "--config bad policy: unclear error: $(cat "$tmp/err")"

[ $fail -eq 0 ] && echo "classify_cli: ok"
finish
