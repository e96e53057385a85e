#!/bin/sh
# kill -9 of `recgate run` mid-recording: every sealed segment still
# decrypts (with the real age), `recgate verify` says the recording was cut
# short and by how much, recording.json says it is not complete, and the
# audit log verifies up to the crash without a checkpoint.
. "$TOP/tests/e2e/lib/e2e.sh"
umask 077
tmp=$T; pid=
at_exit '[ -n "$pid" ] && kill -9 $pid 2>/dev/null'
"$RECGATE" keygen -o "$tmp/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$tmp/audit.key" >/dev/null 2>&1
R=$(grep -o 'age1[0-9a-z]*' "$tmp/org.key" | head -1)
jq '.vault = {"segment_s": 1}' "$TOP/tests/e2e/policy-test.json" >"$tmp/policy.json"
cat >"$tmp/m.json" <<'JSON'
{ "meeting": { "id": "crash", "type": "quick-optout" },
  "events": [ { "at": 0, "join": "h", "role": "host" }, { "at": 0, "join": "g" },
              { "at": 120, "end": true } ] }
JSON
: >"$tmp/timeline"
"$RECGATE" run --config "$tmp/policy.json" --scenario "$tmp/m.json" --realtime \
    --out "$tmp/out" --recipient "$R" --audit-key "$tmp/audit.key" 2>"$tmp/timeline" &
pid=$!
# wait until capture has run ~3.5 s past the 10 s window, then kill -9
i=0
while [ $i -lt 300 ] && ! grep -q "capture starts: g" "$tmp/timeline"; do sleep 0.1; i=$((i + 1)); done
grep -q "capture starts: g" "$tmp/timeline" || { echo "FAIL: capture never started"; cat "$tmp/timeline"; exit 1; }
sleep 3.5
kill -9 $pid; wait $pid 2>/dev/null; pid=
D=$(ls -d "$tmp"/out/rec-* | head -1)
[ "$(jq -r .complete "$D/recording.json")" = false ] || bad "recording.json claims complete"
if "$RECGATE" verify "$D" --identity "$tmp/org.key" >"$tmp/verify" 2>&1; then
    bad "verify exits 0 on a cut-short recording"
fi
grep -q "cut short" "$tmp/verify" || bad "verify does not say cut short: $(cat "$tmp/verify")"
grep -q "missing" "$tmp/verify" || bad "verify does not say how much is missing: $(cat "$tmp/verify")"
sealed=0
for t in "$D"/tracks/*; do
    tid=$(basename "$t")
    age -d -i "$tmp/org.key" "$D/keyring/$tid.age" >"$tmp/$tid.key" || { bad "$tid: keyring entry"; continue; }
    for s in "$t"/*.age; do
        [ -e "$s" ] || continue
        age -d -i "$tmp/$tid.key" "$s" >>"$tmp/$tid.ogg" || bad "$tid: sealed segment $(basename "$s") does not decrypt"
        sealed=$((sealed + 1))
    done
    ffprobe -v error "$tmp/$tid.ogg" || bad "$tid: sealed segments do not form a valid stream"
done
[ $sealed -ge 4 ] || bad "only $sealed sealed segments after ~3.5 s with segment_s 1"
"$RECGATE" audit verify "$D/audit.log" --key-file "$tmp/audit.key" >"$tmp/av" 2>&1 && bad "audit verify accepts a log without checkpoint"
"$RECGATE" audit verify "$D/audit.log" --key-file "$tmp/audit.key" --allow-open >"$tmp/av" 2>&1 || bad "audit log broken by the crash: $(cat "$tmp/av")"
[ $fail -eq 0 ] && echo "crash_run: ok ($sealed sealed segments; $(grep -o '[^:]*cut short[^;]*' "$tmp/verify" | head -1))"
finish
