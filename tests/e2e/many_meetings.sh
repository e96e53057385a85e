#!/bin/sh
# Several meetings in one process (one thread each): a broken meeting
# fails alone; every other meeting is recorded completely and verifies.
. "$TOP/tests/e2e/lib/e2e.sh"
umask 077
tmp=$T
"$RECGATE" keygen -o "$tmp/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$tmp/audit.key" >/dev/null 2>&1
R=$(grep -o 'age1[0-9a-z]*' "$tmp/org.key" | head -1)
# short meetings (10 s windows): m1..m4 are recorded, m5 is refused
for i in 1 2 3 4; do
    cat >"$tmp/m$i.json" <<JSON
{ "meeting": { "id": "m$i", "type": "quick-optout" },
  "events": [ { "at": 0, "join": "host$i", "role": "host" }, { "at": 0, "join": "guest$i" },
              { "at": $((5 + i)), "join": "late$i" }, { "at": 40, "end": true } ] }
JSON
done
cat >"$tmp/m5.json" <<'JSON'
{ "meeting": { "id": "m5", "type": "quick-optout" },
  "events": [ { "at": 0, "join": "h", "role": "host" }, { "at": 0, "join": "g" },
              { "at": 3, "chat": "g", "text": "nej" }, { "at": 40, "end": true } ] }
JSON
printf '{"meeting": {"id": "broken"}, "events": [{"at": 0, "jion": "x"}]}' >"$tmp/broken.json"
"$RECGATE" run --config "$TOP/tests/e2e/policy-test.json" --quiet --json --out "$tmp/out" \
    --recipient "$R" --audit-key "$tmp/audit.key" \
    --scenario "$tmp/m1.json" --scenario "$tmp/m2.json" --scenario "$tmp/broken.json" \
    --scenario "$tmp/m3.json" --scenario "$tmp/m5.json" --scenario "$tmp/m4.json" \
    >"$tmp/summaries" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || bad "exit status $rc with one broken meeting, want 1"
grep -q 'broken.json: events\[0\]: expected one of the keys join, leave, chat, fail, end' "$tmp/err" || bad "the broken meeting's error is unclear: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/summaries")" -eq 5 ] || bad "want 5 summaries, got $(wc -l <"$tmp/summaries")"
[ "$(jq -r .decision "$tmp/summaries" | sort | tr '\n' ' ')" = "recorded recorded recorded recorded refused " ] \
    || bad "decisions: $(jq -r .decision "$tmp/summaries" | tr '\n' ' ')"
[ "$(ls "$tmp/out" | wc -l)" -eq 5 ] || bad "want 5 recording folders, got $(ls "$tmp/out" | wc -l)"
for d in "$tmp"/out/rec-*; do
    "$RECGATE" verify "$d" --identity "$tmp/org.key" >"$tmp/v" 2>&1 || bad "$(basename "$d"): $(cat "$tmp/v")"
    "$RECGATE" audit verify "$d/audit.log" --key-file "$tmp/audit.key" >/dev/null 2>&1 || bad "$(basename "$d"): audit log"
done
# each recorded meeting wrote exactly its own three tracks
for i in 1 2 3 4; do
    [ "$(jq -r "select(.meeting_id == \"m$i\") | [.written[].participant] | sort | join(\" \")" "$tmp/summaries")" = \
      "guest$i host$i late$i" ] || bad "m$i wrote: $(jq -c "select(.meeting_id == \"m$i\") | .written" "$tmp/summaries")"
done
[ $fail -eq 0 ] && echo "many_meetings: ok"
finish
