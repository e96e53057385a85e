#!/bin/sh
# SIGTERM / SIGINT to `recgate run --realtime` (sim) (docs/operations.md):
#  A. one SIGTERM mid-recording: capture stops, the end notice says the
#     operator stopped it and the recording is kept, recording.json is
#     complete and no longer "recording", the audit log verifies WITH its
#     checkpoint, the summary is printed, every track decrypts, exit 143;
#  B. SIGINT then SIGTERM in the window: nothing recorded, the end notice
#     is skipped, still sealed and verified, exit 130/143 (the first handled).
#     (Two signals of one kind may merge while pending, hence two kinds;
#     they must both land before the next 20 ms tick: tried twice.)
# Both run at once (~12 s: the 10 s window of quick-optout).
set -u
: "${RECGATE:?}" "${TOP:?}"
umask 077
tmp=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "$tmp"
pa= pb=
trap 'kill -9 $pa $pb 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
"$RECGATE" keygen -o "$tmp/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$tmp/audit.key" >/dev/null 2>&1
R=$(grep -o 'age1[0-9a-z]*' "$tmp/org.key" | head -1)
jq '.vault = {"segment_s": 1}' "$TOP/tests/e2e/policy-test.json" >"$tmp/policy.json"
cat >"$tmp/m.json" <<'JSON'
{ "meeting": { "id": "sig", "type": "quick-optout" },
  "events": [ { "at": 0, "join": "h", "role": "host" }, { "at": 0, "join": "g" },
              { "at": 600, "end": true } ] }
JSON
run() { # NAME: start a realtime meeting in the background
    : >"$tmp/$1.err"
    "$RECGATE" run --config "$tmp/policy.json" --scenario "$tmp/m.json" --realtime \
        --out "$tmp/$1" --recipient "$R" --audit-key "$tmp/audit.key" --json \
        >"$tmp/$1.json" 2>"$tmp/$1.err" &
}
waitfor() { # FILE TEXT: up to 30 s
    i=0
    while [ $i -lt 300 ] && ! grep -q "$2" "$1"; do sleep 0.1; i=$((i + 1)); done
    grep -q "$2" "$1"
}
run a; pa=$!
for try in 1 2; do
    rm -rf "$tmp/b"
    run b; pb=$!
    waitfor "$tmp/b.err" "notice to everyone delivered" || bad "B: no notice"
    kill -INT $pb; kill -TERM $pb
    wait $pb; rcb=$?; pb=
    grep -q "end notice skipped" "$tmp/b.err" && break
done
waitfor "$tmp/a.err" "capture starts: g" || bad "A: capture never started"
sleep 2
t0=$(date +%s%N)
kill -TERM $pa
wait $pa; rca=$?; pa=
ms=$(( ($(date +%s%N) - t0) / 1000000 ))

# A: one SIGTERM while recording
[ $rca -eq 143 ] || bad "A: exit $rca, want 143 (128+SIGTERM)"
jq -e '.decision == "recorded" and .end_cause == "operator" and .outcome == "kept"' \
    "$tmp/a.json" >/dev/null || bad "A: summary: $(cat "$tmp/a.json")"
jq -e '.reason | test("operator stopped the bot; the recorded part is kept")' \
    "$tmp/a.json" >/dev/null || bad "A: reason: $(jq -r .reason "$tmp/a.json")"
grep -q "stopped by its operator, so recording has ended" "$tmp/a.err" ||
    bad "A: no end notice naming the operator"
grep -q "stopped by SIGTERM" "$tmp/a.err" || bad "A: no 'stopped by SIGTERM' line"
D=$(ls -d "$tmp"/a/rec-* | head -1)
jq -e '.decision == "recorded" and .complete == true' "$D/recording.json" >/dev/null ||
    bad "A: recording.json: $(jq -c '{decision, complete}' "$D/recording.json")"
"$RECGATE" audit verify "$D/audit.log" --key-file "$tmp/audit.key" >"$tmp/av" 2>&1 ||
    bad "A: audit verify: $(cat "$tmp/av")"
grep -q '"event":"bot_ends".*"cause":"operator"' "$D/audit.log" || bad "A: no bot_ends event"
"$RECGATE" verify "$D" --identity "$tmp/org.key" >"$tmp/verify" 2>&1 ||
    bad "A: verify: $(cat "$tmp/verify")"
tracks=$(ls "$D/tracks" | wc -l)
[ "$tracks" -eq 2 ] || bad "A: $tracks tracks, want 2"

# B: two SIGINTs before capture started
# both pending at once: the kernel runs the handlers in either order
[ $rcb -eq 130 ] || [ $rcb -eq 143 ] || bad "B: exit $rcb, want 130 or 143"
jq -e '.decision == "refused" and .end_cause == "operator" and .outcome == "nothing"' \
    "$tmp/b.json" >/dev/null || bad "B: summary: $(cat "$tmp/b.json")"
grep -q "end notice skipped" "$tmp/b.err" || bad "B: end notice not skipped"
grep -q "stopped by its operator" "$tmp/b.err" && bad "B: end notice sent after a second signal"
grep -q "twice: end notice skipped" "$tmp/b.err" || bad "B: no 'twice' line"
DB=$(ls -d "$tmp"/b/rec-* | head -1)
jq -e '.decision == "refused"' "$DB/recording.json" >/dev/null ||
    bad "B: recording.json: $(jq -c '{decision, complete}' "$DB/recording.json")"
"$RECGATE" audit verify "$DB/audit.log" --key-file "$tmp/audit.key" >"$tmp/avb" 2>&1 ||
    bad "B: audit verify: $(cat "$tmp/avb")"
[ -z "$(ls "$DB/tracks" 2>/dev/null)" ] || bad "B: tracks exist though nothing was recorded"
[ $fail -eq 0 ] && echo "signal_stop: ok (SIGTERM: exit 143 after $ms ms, $tracks tracks sealed, audit verified; SIGINT+SIGTERM: exit $rcb, notice skipped)"
exit $fail
