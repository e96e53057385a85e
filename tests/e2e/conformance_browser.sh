#!/bin/sh
# The shim conformance suite (tests/helpers/shimcheck.c) over the browser
# module (headless Chromium + the janus-demo adapter on Janus's stock demo
# pages) against a real Janus, inside a network namespace with only
# loopback. Participants are tests/helpers/janus_participant (they look for
# the bot by its chat name "recgate", so that is the bot's display_name).
#   room 1001: join/leave, public and private chat, a notice everyone hears
#              (delivered = the participants really got it), a private
#              notice to someone not in the chat (refused), media before
#              the gate, the session leaving;
#   room 1002: Janus killed mid-meeting: a lost connection, reported.
# (Before lib/e2e.sh: exec would leak its temp dir.)
if [ "${1:-}" != inside ]; then
    unshare -n true 2>/dev/null ||
        { echo "  SKIP: cannot create a network namespace (unshare -n needs root)"; exit 77; }
    for c in janus chromium nginx; do
        command -v $c >/dev/null || { echo "  FAIL: $c is not installed (make deps)"; exit 1; }
    done
    exec unshare -n sh "$0" inside
fi
. "$TOP/tests/e2e/lib/e2e.sh"
[ -f "$TOP/$BUILD/shims/browser.so" ] || { bad "no $BUILD/shims/browser.so"; finish; }
. "$TOP/tests/e2e/janus/lib.sh"
. "$TOP/tests/e2e/browser/lib.sh"
export RECGATE_ADAPTER_DIR="$TOP/sdk-shims/browser/adapters"
ip link set lo up
only_loopback || exit 1
PIDS=
at_exit 'demos_stop; janus_stop; for p in $PIDS; do kill "$p" 2>/dev/null; done'
janus_start "$T/janus" || exit 1
demos_start "$T/demos" 27080 || exit 1
CHECK="$TOP/$BUILD/tests/shimcheck"
part() { # ROOM NAME TONE [ARGS...]
    room=$1 name=$2 tone=$3; shift 3
    : > "$T/$room-$name.log" # exists before the glob of wait_logs sees it
    "$PART" --url "$JANUS_URL" --room "$room" --name "$name" --tone "$tone" "$@" \
        2> "$T/$room-$name.log" &
    PIDS="$PIDS $!"
}
settings() { # ROOM DURATION
    printf '{"url":"%s/videoroomtest.html?room=%s","adapter":"janus-demo","display_name":"recgate","hosts":["leder"],"timeout_s":40,"duration_s":%s}' \
        "$DEMOS_URL" "$1" "$2"
}
# The bot joins in a few seconds (a browser starts, two pages load): anna
# speaks once it is in, by the trigger below.
part 1001 leder 440 --leave +60
part 1001 carl 550 --no-chat --leave +60
part 1002 leder 440 --leave +90
wait_logs published "$T"/100*-*.log || exit 1
sleep 1
"$CHECK" --case browser-meeting --timeout 120 --platform browser --settings "$(settings 1001 60)" \
    --expect-join leder --expect-join anna --expect-join carl --expect-left anna \
    --expect-chat anna:hello --expect-chat anna:nej:private \
    --notice 1000:ok --notice 12000:carl:fail --gate-at 3000 \
    --expect-media leder --expect-media anna --leave-at 16000 > "$T/m.log" 2>&1 &
chk=$!
wait_logs "event: joined" "$T/m.log" || exit 1
part 1001 anna 660 --say +3:hello --whisper +4:nej --leave +8
if wait $chk; then
    ok "browser-meeting: $(grep -c '^ok:' "$T/m.log") checks"
else
    bad "browser-meeting"; grep -E '^(FAIL|ok)' "$T/m.log" | sed 's/^/      /'
fi
# Delivered means delivered: everyone in the chat got notice 1.
for p in leder anna; do
    grep -q 'heard "shimcheck notice 1"' "$T/1001-$p.log" && ok "$p heard the notice" ||
        bad "$p never got the notice send_chat said was delivered"
done
grep -q 'heard "shimcheck notice' "$T/1001-carl.log" && bad "carl (not in the chat) heard a notice"

"$CHECK" --case browser-lost --timeout 90 --platform browser --settings "$(settings 1002 80)" \
    --expect-join leder --expect-lost > "$T/l.log" 2>&1 &
chk=$!
wait_logs "event: joined" "$T/l.log" || exit 1
sleep 2
janus_stop
if wait $chk; then ok "browser-lost: $(grep '^ok: lost' "$T/l.log")"; else
    bad "browser-lost"; grep -E '^(FAIL|ok)' "$T/l.log" | sed 's/^/      /'; fi

"$CHECK" --case browser-settings --platform browser --settings "$(settings 1001 10)" \
    --bad-settings > "$T/s.log" 2>&1 &&
    ok "browser-settings: $(grep '^ok' "$T/s.log")" || { bad "browser-settings"; cat "$T/s.log"; }
finish
