#!/bin/sh
# recgate against a real Janus that fails: unreachable, no such room, a Janus
# that stops answering, and a Janus killed mid-recording (the bot must stop
# capture, seal what it has, print the summary and say it was cut short).
# Runs inside its own network namespace with only loopback (unshare -n).
set -u
: "${RECGATE:?}" "${TOP:?}" "${BUILD:?}"
if [ "${1:-}" != inside ]; then
    if ! unshare -n true 2>/dev/null; then
        echo "SKIP: janus_failures: cannot create a network namespace (unshare -n needs root)"
        exit 77
    fi
    command -v janus >/dev/null || { echo "FAIL: janus is not installed (make deps)"; exit 1; }
    exec unshare -n sh "$0" inside
fi
. "$TOP/tests/e2e/janus/lib.sh"
ip link set lo up
only_loopback || exit 1
W=$(mktemp -d)
PIDS=
cleanup() { [ -n "${JANUS_PID:-}" ] && kill -CONT "$JANUS_PID" 2>/dev/null; janus_stop
            for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$W"; }
trap cleanup EXIT
fails=0
expect() { # NAME STATUS WANT-STATUS FILE PATTERN
    if [ "$2" -eq "$3" ] && grep -q "$5" "$4"; then echo "ok   $1"
    else echo "FAIL $1 (exit $2, want $3; want '$5' in:)"; sed 's/^/  /' "$4" | tail -5
         fails=$((fails + 1)); fi
}
run() { timeout 30 "$RECGATE" run --config "$POLICY" --platform janus --quiet "$@"; }

# Nothing listens: a clear error, nothing recorded.
run --url http://127.0.0.1:8099/janus --room 1001 > "$W/o1" 2> "$W/e1"; st=$?
expect "Janus unreachable" $st 1 "$W/e1" "cannot reach Janus at http://127.0.0.1:8099/janus"
grep -q "nothing was recorded" "$W/e1" || { echo "FAIL unreachable: no 'nothing was recorded'"; fails=$((fails + 1)); }

janus_start "$W/janus" || exit 1
run --room 4242 > "$W/o2" 2> "$W/e2"; st=$?
expect "no such room" $st 1 "$W/e2" "VideoRoom 4242 does not exist"

# Janus stops answering (SIGSTOP): the bot gives up after --timeout.
kill -STOP "$JANUS_PID"
start=$(date +%s)
run --room 1001 --timeout 2 > "$W/o3" 2> "$W/e3"; st=$?
kill -CONT "$JANUS_PID"
expect "Janus does not answer: times out" $st 1 "$W/e3" "cannot reach Janus.*[Tt]imeout\|timed out"
[ $(( $(date +%s) - start )) -le 10 ] || { echo "FAIL the timeout took too long"; fails=$((fails + 1)); }

# Killed mid-recording: the summary still comes out, the cut is reported.
"$PART" --url "$JANUS_URL" --room 1001 --name leder --tone 440 --leave +60 2> "$W/p1.log" &
PIDS="$PIDS $!"
"$PART" --url "$JANUS_URL" --room 1001 --name anna --tone 660 --leave +60 2> "$W/p2.log" &
PIDS="$PIDS $!"
wait_logs published "$W/p1.log" "$W/p2.log" || exit 1
sleep 1
umask 077
"$RECGATE" keygen -o "$W/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$W/audit.key" >/dev/null 2>&1
timeout 60 "$RECGATE" run --config "$POLICY" --platform janus --room 1001 --timeout 3 \
    --out "$W/out" --recipient "$(grep -o 'age1[0-9a-z]*' "$W/org.key" | head -1)" \
    --audit-key "$W/audit.key" --json > "$W/o4" 2> "$W/e4" &
BOT=$!
wait_logs "gate open" "$W/e4" || exit 1
sleep 3
kill -KILL "$JANUS_PID"; wait "$JANUS_PID" 2>/dev/null; JANUS_PID=
wait "$BOT"; st=$?
expect "Janus killed mid-recording: the bot reports the cut" $st 1 "$W/e4" "recording is cut short"
if jq -e '.decision == "recorded" and (.captured | length) == 2 and
          all(.captured[]; .to - .from >= 2.5)' "$W/o4" >/dev/null 2>&1; then
    echo "ok   Janus killed: the summary keeps what was captured before the cut"
else
    echo "FAIL Janus killed: summary $(cat "$W/o4")"; fails=$((fails + 1))
fi
# what was sealed before the cut is intact and decrypts; the log verifies
D=$(jq -r .recording.dir "$W/o4" 2>/dev/null)
if [ -d "$D" ] && "$RECGATE" verify "$D" --identity "$W/org.key" >"$W/v4" 2>&1 &&
   "$RECGATE" audit verify "$D/audit.log" --key-file "$W/audit.key" >/dev/null 2>&1 &&
   [ "$(jq '[.written[] | select(.segments >= 1)] | length' "$W/o4")" = 2 ]; then
    echo "ok   Janus killed: every sealed segment verifies ($(cat "$W/v4"))"
else
    echo "FAIL Janus killed: sealed segments: $(cat "$W/v4" 2>/dev/null)"; fails=$((fails + 1))
fi
echo "janus_failures: $fails failed"
[ "$fails" -eq 0 ]
