#!/bin/sh
# The shim conformance suite (tests/helpers/shimcheck.c) over the Janus
# module against a real Janus, inside a network namespace with only
# loopback. Participants are tests/helpers/janus_participant.
#   room 1001: join/leave, public and private chat, a notice everyone hears
#              (delivered = the participants really got it), a private
#              notice to someone not in the chat (refused), media before
#              the gate, the session leaving;
#   room 1002: Janus killed mid-meeting: a lost connection, reported.
# (Before lib/e2e.sh: exec would leak its temp dir.)
if [ "${1:-}" != inside ]; then
    unshare -n true 2>/dev/null ||
        { echo "  SKIP: cannot create a network namespace (unshare -n needs root)"; exit 77; }
    command -v janus >/dev/null || { echo "  FAIL: janus is not installed (make deps)"; exit 1; }
    exec unshare -n sh "$0" inside
fi
. "$TOP/tests/e2e/lib/e2e.sh"
[ -f "$TOP/$BUILD/shims/janus.so" ] || { bad "no $BUILD/shims/janus.so"; finish; }
. "$TOP/tests/e2e/janus/lib.sh"
ip link set lo up
only_loopback || exit 1
PIDS=
at_exit 'janus_stop; for p in $PIDS; do kill "$p" 2>/dev/null; done'
janus_start "$T/janus" || exit 1
CHECK="$TOP/$BUILD/tests/shimcheck"
part() { # ROOM NAME TONE [ARGS...]
    room=$1 name=$2 tone=$3; shift 3
    : >"$T/$room-$name.log" # exists before wait_logs globs for it
    "$PART" --url "$JANUS_URL" --room "$room" --name "$name" --tone "$tone" "$@" \
        2> "$T/$room-$name.log" &
    PIDS="$PIDS $!"
}
part 1001 leder 440 --leave +16
part 1001 anna 660 --say +2:hello --whisper +3:nej --leave +7
part 1001 carl 550 --no-chat --leave +16
part 1002 leder 440 --leave +30
wait_logs published "$T"/100*-*.log || exit 1
sleep 1 # let Janus tell the room about its publishers

set1='{"url":"'$JANUS_URL'","room":1001,"hosts":["leder"],"timeout_s":10,"duration_s":30}'
if "$CHECK" --case janus-meeting --timeout 90 --platform janus --settings "$set1" \
    --expect-join leder --expect-join anna --expect-join carl --expect-left anna \
    --expect-chat anna:hello --expect-chat anna:nej:private \
    --notice 1000:ok --notice 4000:carl:fail --gate-at 3000 \
    --expect-media leder --expect-media anna --leave-at 11000 >"$T/m.log" 2>&1; then
    ok "janus-meeting: $(grep -c '^ok:' "$T/m.log") checks"
else
    bad "janus-meeting"; grep -E '^(FAIL|ok)' "$T/m.log" | sed 's/^/      /'
fi
# Delivered means delivered: everyone in the chat got notice 1.
for p in leder anna; do
    grep -q 'heard "shimcheck notice 1"' "$T/1001-$p.log" && ok "$p heard the notice" ||
        bad "$p never got the notice send_chat said was delivered"
done
grep -q 'heard "shimcheck notice' "$T/1001-carl.log" && bad "carl (not in the chat) heard a notice"

set2='{"url":"'$JANUS_URL'","room":1002,"hosts":["leder"],"timeout_s":5,"duration_s":60}'
"$CHECK" --case janus-lost --timeout 60 --platform janus --settings "$set2" \
    --expect-join leder --expect-lost >"$T/l.log" 2>&1 &
chk=$!
wait_logs "event: joined" "$T/l.log" || exit 1
sleep 1
janus_stop
if wait $chk; then ok "janus-lost: $(grep '^ok: lost' "$T/l.log")"; else
    bad "janus-lost"; grep -E '^(FAIL|ok)' "$T/l.log" | sed 's/^/      /'; fi

"$CHECK" --case janus-settings --platform janus --settings "$set1" --bad-settings >"$T/s.log" 2>&1 &&
    ok "janus-settings: $(grep '^ok' "$T/s.log")" || { bad "janus-settings"; cat "$T/s.log"; }
finish
