#!/bin/sh
# Bad policy and scenario files: recgate run exits 1, names the file, the
# JSON path and what was expected, and records nothing.
. "$TOP/tests/e2e/lib/e2e.sh"
umask 077
tmp=$T; n=0
"$RECGATE" keygen -o "$tmp/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$tmp/audit.key" >/dev/null 2>&1
R=$(grep -o 'age1[0-9a-z]*' "$tmp/org.key" | head -1)
good_scenario="$TOP/tests/e2e/scenarios/no_host.json"
good_config="$TOP/config/recgate.json"

expect_error() { # name config scenario expected-substring [extra args]
    name=$1 cfg=$2 scn=$3 want=$4; shift 4
    n=$((n + 1))
    rm -rf "$tmp/out"
    if "$RECGATE" run --config "$cfg" --scenario "$scn" --out "$tmp/out" --quiet \
        --recipient "$R" --audit-key "$tmp/audit.key" "$@" >"$tmp/stdout" 2>"$tmp/err"; then
        bad "$name: exit 0"; return
    fi
    grep -qF -- "$want" "$tmp/err" || bad "$name: want '$want', got: $(cat "$tmp/err")"
    grep -q "nothing was recorded" "$tmp/err" || bad "$name: does not say nothing was recorded"
    [ -s "$tmp/stdout" ] && bad "$name: printed a summary"
    ls "$tmp/out"/rec-* >/dev/null 2>&1 && bad "$name: made a recording folder"
}

cfg() { jq "$1" "$good_config" >"$tmp/$2.json"; echo "$tmp/$2.json"; }
expect_error "window not a number" "$(cfg '.meeting_types["case-meeting"].window_s = "abc"' c1)" "$good_scenario" \
    'c1.json: meeting_types.case-meeting.window_s: expected seconds >= 10, got "abc"'
expect_error "unknown key" "$(cfg '.meeting_types["case-meeting"].windw_s = 5' c2)" "$good_scenario" \
    'c2.json: meeting_types.case-meeting.windw_s: unknown key'
expect_error "bad basis" "$(cfg '.meeting_types["hr-interview"].legal_basis = "vibes"' c3)" "$good_scenario" \
    'c3.json: meeting_types.hr-interview.legal_basis: expected'
expect_error "default type missing" "$(cfg '.default_meeting_type = "nope"' c4)" "$good_scenario" \
    'c4.json: default_meeting_type: expected the name of a meeting type'
printf '{"controller": {' >"$tmp/c5.json"
expect_error "broken JSON" "$tmp/c5.json" "$good_scenario" 'c5.json: line 1, column'
expect_error "missing config" "$tmp/nope.json" "$good_scenario" 'nope.json'

scn() { printf '%s' "$1" >"$tmp/$2.json"; echo "$tmp/$2.json"; }
expect_error "events out of order" "$good_config" \
    "$(scn '{"meeting":{"id":"m"},"events":[{"at":5,"join":"a"},{"at":2,"join":"b"},{"at":9,"end":true}]}' s1)" \
    's1.json: events[1].at: expected a time >= 5.000 (events must be in time order), got 2'
expect_error "chat from a stranger" "$good_config" \
    "$(scn '{"meeting":{"id":"m"},"events":[{"at":0,"join":"a"},{"at":1,"chat":"b","text":"hi"},{"at":9,"end":true}]}' s2)" \
    's2.json: events[1]: "b" chats but is not in the meeting'
expect_error "no end" "$good_config" \
    "$(scn '{"meeting":{"id":"m"},"events":[{"at":0,"join":"a"}]}' s3)" \
    's3.json: events: the last event must be {"at": T, "end": true}'
expect_error "unknown meeting type" "$good_config" \
    "$(scn '{"meeting":{"id":"m","type":"party"},"events":[{"at":0,"join":"a"},{"at":9,"end":true}]}' s4)" \
    "meeting type 'party' is not defined"
expect_error "bad role" "$good_config" \
    "$(scn '{"meeting":{"id":"m"},"events":[{"at":0,"join":"a","role":"boss"},{"at":9,"end":true}]}' s5)" \
    's5.json: events[0].role: expected "host" or "guest", got "boss"'
expect_error "not JSON" "$good_config" "$(scn 'meeting: yes' s6)" 's6.json: line 1, column 1: invalid JSON'
expect_error "empty" "$good_config" "$(scn '' s7)" 's7.json: line 1, column 1: invalid JSON (empty file)'

# recording needs an audit key and recipients: refused, clearly
n=$((n + 1))
if "$RECGATE" run --config "$good_config" --scenario "$good_scenario" --out "$tmp/out2" --quiet \
    --recipient "$R" 2>"$tmp/err" >/dev/null; then bad "no audit key: exit 0"; fi
grep -q "recording needs an audit key" "$tmp/err" || bad "no audit key: $(cat "$tmp/err")"
n=$((n + 1))
if "$RECGATE" run --config "$good_config" --scenario "$good_scenario" --out "$tmp/out3" --quiet \
    --audit-key "$tmp/audit.key" 2>"$tmp/err" >/dev/null; then bad "no recipients: exit 0"; fi
grep -q "no vault recipients" "$tmp/err" || bad "no recipients: $(cat "$tmp/err")"
n=$((n + 1))
chmod 644 "$tmp/audit.key"
if "$RECGATE" run --config "$good_config" --scenario "$good_scenario" --out "$tmp/out4" --quiet \
    --recipient "$R" --audit-key "$tmp/audit.key" 2>"$tmp/err" >/dev/null; then bad "open audit key: exit 0"; fi
grep -q "chmod 600" "$tmp/err" || bad "world-readable audit key: $(cat "$tmp/err")"
n=$((n + 1))
"$RECGATE" run --config "$good_config" >/dev/null 2>&1; [ $? -eq 2 ] || bad "missing --scenario: want exit 2"

[ $fail -eq 0 ] && echo "bad_inputs: $n cases ok"
finish
