#!/bin/sh
# SIGTERM to `recgate run --platform janus` mid-recording, against a real
# Janus with two webrtcbin participants (tests/helpers/janus_participant),
# inside a network namespace with only loopback (unshare -n):
#   exit 143; the summary is printed (end_cause operator, recorded, kept);
#   every participant reads the end notice naming the operator and sees the
#   bot leave the chat; recording.json is final and complete (not stuck at
#   "recording"); the audit log verifies with its checkpoint; each track
#   decrypts to its participant's tone.
# At the same time, in room 1002, the bot is left alone: it leaves by
# itself after leave_when_alone_s (2 s in the test policy), end_cause
# "alone" (the shim no longer ends a meeting the moment the room empties).
set -u
: "${RECGATE:?}" "${TOP:?}" "${BUILD:?}"
if [ "${1:-}" != inside ]; then
    if ! unshare -n true 2>/dev/null; then
        echo "SKIP: janus_signal: cannot create a network namespace (unshare -n needs root)"
        exit 77
    fi
    command -v janus >/dev/null || { echo "FAIL: janus is not installed (make deps)"; exit 1; }
    exec unshare -n sh "$0" inside
fi
. "$TOP/tests/e2e/janus/lib.sh"
ip link set lo up
only_loopback || exit 1
W=$(mktemp -d); [ -n "${KEEP:-}" ] && echo "kept in $W"
PIDS= BOT= ALONE=
cleanup() { janus_stop; for p in $PIDS $BOT $ALONE; do kill "$p" 2>/dev/null; done
            [ -n "${KEEP:-}" ] || rm -rf "$W"; }
trap cleanup EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
janus_start "$W/janus" || exit 1
"$PART" --url "$JANUS_URL" --room 1001 --name leder --tone 440 --leave +60 2> "$W/leder.log" &
PIDS="$PIDS $!"
"$PART" --url "$JANUS_URL" --room 1001 --name anna --tone 660 --leave +60 2> "$W/anna.log" &
PIDS="$PIDS $!"
"$PART" --url "$JANUS_URL" --room 1002 --name leder --tone 440 --leave +12 2> "$W/alone.log" &
PIDS="$PIDS $!"
wait_logs published "$W/leder.log" "$W/anna.log" "$W/alone.log" || exit 1
sleep 1
umask 077
"$RECGATE" keygen -o "$W/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$W/audit.key" >/dev/null 2>&1
# No `timeout` wrapper: it would pass our SIGTERM on to its process group
# too, a second signal (which skips the end notice). --duration bounds it.
"$RECGATE" run --config "$POLICY" --platform janus --room 1001 --duration 80 \
    --out "$W/out" --recipient "$(grep -o 'age1[0-9a-z]*' "$W/org.key" | head -1)" \
    --audit-key "$W/audit.key" --json > "$W/bot.json" 2> "$W/bot.log" &
BOT=$!
"$RECGATE" run --config "$POLICY" --platform janus --room 1002 --duration 80 --json \
    > "$W/alone.json" 2> "$W/alone-bot.log" &
ALONE=$!
wait_logs "gate open" "$W/bot.log" || exit 1
sleep 3
t0=$(date +%s%N)
kill -TERM "$BOT"
wait "$BOT"; st=$?; BOT=
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $st -eq 143 ] && ok "exit 143, ${ms} ms after SIGTERM" || bad "exit $st after SIGTERM, want 143"
grep -q "stopped by SIGTERM" "$W/bot.log" && ok "the bot says it was stopped by SIGTERM" ||
    bad "no 'stopped by SIGTERM' line"
if jq -e '.decision == "recorded" and .end_cause == "operator" and .outcome == "kept" and
          (.captured | length) == 2 and all(.captured[]; .to - .from >= 2.5)' \
          "$W/bot.json" >/dev/null 2>&1; then
    ok "summary printed: recorded, stopped by the operator, kept"
else
    bad "summary: $(cat "$W/bot.json")"
fi
# participants read the end notice and see the bot leave
wait_logs "bot left" "$W/leder.log" "$W/anna.log" >/dev/null 2>&1
for p in leder anna; do
    if grep -q "bot says: .*stopped by its operator, so recording has ended.*What was recorded is kept" \
        "$W/$p.log"; then ok "$p read the end notice"
    else bad "$p did not read the end notice: $(grep 'bot says' "$W/$p.log" | tail -1 | cut -c1-200)"; fi
    grep -q "bot left" "$W/$p.log" && ok "$p saw the bot leave the chat" ||
        bad "$p did not see the bot leave"
done
D=$(jq -r .recording.dir "$W/bot.json" 2>/dev/null)
if [ -d "$D" ] && jq -e '.decision == "recorded" and .complete == true' "$D/recording.json" >/dev/null; then
    ok "recording.json: recorded and complete"
else bad "recording.json: $(jq -c '{decision, complete}' "$D/recording.json" 2>/dev/null)"; fi
if "$RECGATE" audit verify "$D/audit.log" --key-file "$W/audit.key" >"$W/av" 2>&1; then
    ok "audit log verifies (checkpointed)"
else bad "audit verify: $(cat "$W/av")"; fi
"$RECGATE" verify "$D" --identity "$W/org.key" >"$W/v" 2>&1 && ok "recording verifies" ||
    bad "verify: $(cat "$W/v")"
tone_ok() { # NAME HZ
    id=$(pid_of "$W/bot.log" "$1")
    t=$(jq -r --arg id "$id" '[.written[] | select(.participant == $id)][0].track' "$W/bot.json")
    age -d -i "$W/org.key" "$D/keyring/$t.age" >"$W/$t.key" 2>/dev/null
    : >"$W/$1.ogg"
    for s in $(ls "$D/tracks/$t/" | grep '\.age$' | sort); do
        age -d -i "$W/$t.key" "$D/tracks/$t/$s" >>"$W/$1.ogg" 2>/dev/null
    done
    got=$("$TOP/$BUILD/tests/media_probe" tone "$W/$1.ogg" 2>/dev/null | cut -d' ' -f2)
    [ "$got" = "$2" ] && ok "$1: track decrypts to $2 Hz" ||
        bad "$1: track decrypts to '${got:-nothing}' Hz, want $2"
}
tone_ok leder 440
tone_ok anna 660
wait "$ALONE"; st=$?
left=$(sed -n 's/^leder: left at \([0-9.]*\) s.*/\1/p' "$W/alone.log")
if [ $st -eq 0 ] && jq -e '.end_cause == "alone" and .outcome == "kept" and
        .decision == "recorded" and .bot_left_at >= 13' "$W/alone.json" >/dev/null 2>&1 &&
   grep -q "ending: alone" "$W/alone-bot.log"; then
    ok "left alone: the bot leaves by itself (bot_left_at $(jq .bot_left_at "$W/alone.json") s; the last one left at ${left:-?} s)"
else
    bad "left alone (exit $st): $(cat "$W/alone.json")"
    grep -v '^             |' "$W/alone-bot.log" | tail -8 | sed 's/^/  bot: /'
fi
echo "janus_signal: $fails failed"
[ "$fails" -eq 0 ]
