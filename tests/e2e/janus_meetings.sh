#!/bin/sh
# recgate against a real Janus (VideoRoom + TextRoom), five meetings at once
# in five rooms of one Janus, all inside a network namespace with only
# loopback (unshare -n): nothing can leave the machine.
#   room 1001  nobody objects            -> recorded, both captured
#   room 1002  "nej" in the window       -> refused, nothing captured
#   room 1003  late joiner               -> informed privately, captured after his window
#   room 1004  private objection         -> refused
#   room 1005  media never arrives       -> recorded; the silent one has no span
# Participants are tests/helpers/janus_participant (webrtcbin, Opus tones).
# Everyone says "nej" once BEFORE the bot joins in room 1001: the TextRoom
# keeps a history, and a replayed history must not count.
set -u
: "${RECGATE:?}" "${TOP:?}" "${BUILD:?}"
if [ "${1:-}" != inside ]; then
    if ! unshare -n true 2>/dev/null; then
        echo "SKIP: janus_meetings: cannot create a network namespace (unshare -n needs root)"
        exit 77
    fi
    command -v janus >/dev/null || { echo "FAIL: janus is not installed (make deps)"; exit 1; }
    exec unshare -n sh "$0" inside
fi
. "$TOP/tests/e2e/janus/lib.sh"
ip link set lo up
only_loopback || exit 1
W=$(mktemp -d)
cleanup() { janus_stop; for p in $PIDS; do kill "$p" 2>/dev/null; done; [ -n "${KEEP:-}" ] || rm -rf "$W"; }
PIDS=
trap cleanup EXIT
janus_start "$W/janus" || exit 1

part() { # ROOM NAME TONE [ARGS...]
    room=$1 name=$2 tone=$3; shift 3
    "$PART" --url "$JANUS_URL" --room "$room" --name "$name" --tone "$tone" \
        --leave +28 "$@" 2> "$W/$room-$name.log" &
    PIDS="$PIDS $!"
}
part 1001 leder 440 --say 0:nej
part 1001 anna 660
part 1002 leder 440
part 1002 anna 660 --say +3:nej
part 1003 leder 440
part 1003 anna 660
part 1004 leder 440
part 1004 anna 660 --whisper +3:nej
part 1005 leder 440
part 1005 carl 550 --silent
wait_logs published "$W"/100*-*.log || exit 1
wait_logs said "$W/1001-leder.log" || exit 1
sleep 1 # let Janus tell every room about its publishers

# Rooms 1001 and 1003 record for real (encrypted tracks, audit log).
umask 077
"$RECGATE" keygen -o "$W/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$W/audit.key" >/dev/null 2>&1
REC="--recipient $(grep -o 'age1[0-9a-z]*' "$W/org.key" | head -1) --audit-key $W/audit.key"
BOTS=
for room in 1001 1002 1003 1004 1005; do
    out=; case $room in 1001|1003) out="--out $W/out-$room $REC" ;; esac
    # shellcheck disable=SC2086
    timeout 60 "$RECGATE" run --config "$POLICY" --platform janus --room "$room" $out \
        --duration 40 --json > "$W/bot-$room.json" 2> "$W/bot-$room.log" &
    BOTS="$BOTS $!"
done
wait_logs "gate open" "$W/bot-1003.log" || exit 1
part 1003 bob 880 --leave +14 # joins after the recording started
for b in $BOTS; do wait "$b" || echo "note: a bot exited with $?"; done

fails=0
check() { # NAME ROOM JQ-EXPR
    if jq -e "$3" "$W/bot-$2.json" >/dev/null 2>&1; then
        echo "ok   $1"
    else
        echo "FAIL $1"; echo "  summary: $(cat "$W/bot-$2.json")"
        grep -v '^             |' "$W/bot-$2.log" | tail -25 | sed 's/^/  bot: /'
        fails=$((fails + 1))
    fi
}
span() { # ROOM NAME: duration of NAME's first captured span
    id=$(pid_of "$W/bot-$1.log" "$2")
    jq -r --arg id "$id" '[.captured[] | select(.participant == $id)][0] | (.to - .from)' \
        "$W/bot-$1.json" 2>/dev/null
}
frames_ok() { # ROOM NAME MIN: at least MIN Opus frames passed the gate
    n=$(frames_passed "$W/bot-$1.log" "$2")
    if [ -n "$n" ] && [ "$n" -ge "$3" ]; then echo "ok   $1/$2: $n frames passed"
    else echo "FAIL $1/$2: ${n:-no} frames passed (want >= $3)"; fails=$((fails + 1)); fi
}

# 1001: nobody objects; the pre-join "nej" is history and does not count.
L=$(pid_of "$W/bot-1001.log" leder); A=$(pid_of "$W/bot-1001.log" anna)
check "1001 nobody objects: recorded, both captured from the window's end" 1001 \
  ".decision == \"recorded\" and .objections == 0 and (.captured | length) == 2 and
   ([.captured[].participant] | sort) == ([\"$L\", \"$A\"] | sort) and
   all(.captured[]; .from >= 10 and .from < 11 and .to - .from > 5)"
frames_ok 1001 leder 250
frames_ok 1001 anna 250

# Every track of 1001 decrypts (with age alone) to its participant's tone:
# Opus stored without re-encoding, per participant, behind the gate.
tone_ok() { # ROOM NAME HZ
    id=$(pid_of "$W/bot-$1.log" "$2")
    D=$(jq -r .recording.dir "$W/bot-$1.json")
    t=$(jq -r --arg id "$id" '[.written[] | select(.participant == $id)][0].track' "$W/bot-$1.json")
    if [ -z "$id" ] || [ ! -d "$D" ] || [ "$t" = null ]; then
        echo "FAIL $1/$2: no track written"; fails=$((fails + 1)); return
    fi
    age -d -i "$W/org.key" "$D/keyring/$t.age" >"$W/$t-$1.key" 2>/dev/null
    : >"$W/$1-$2.ogg"
    for s in $(ls "$D/tracks/$t/" | grep '\.age$' | sort); do
        age -d -i "$W/$t-$1.key" "$D/tracks/$t/$s" >>"$W/$1-$2.ogg" 2>/dev/null
    done
    got=$("$TOP/$BUILD/tests/media_probe" tone "$W/$1-$2.ogg" 2>/dev/null | cut -d' ' -f2)
    if [ "$got" = "$3" ]; then echo "ok   $1/$2: track $t decrypts to $3 Hz"
    else echo "FAIL $1/$2: track $t decrypts to '${got:-nothing}' Hz, want $3"; fails=$((fails + 1)); fi
}
tone_ok 1001 leder 440
tone_ok 1001 anna 660
tone_ok 1003 bob 880
D=$(jq -r .recording.dir "$W/bot-1001.json")
if "$RECGATE" verify "$D" --identity "$W/org.key" >/dev/null 2>&1 &&
   "$RECGATE" audit verify "$D/audit.log" --key-file "$W/audit.key" >/dev/null 2>&1; then
    echo "ok   1001: recording and audit log verify"
else echo "FAIL 1001: recording or audit log does not verify"; fails=$((fails + 1)); fi

check "1002 'nej' in the window: refused, nothing captured" 1002 \
  '.decision == "refused" and .objections == 1 and (.captured | length) == 0'
n=$(frames_passed "$W/bot-1002.log" anna)
if [ "${n:-x}" = 0 ]; then echo "ok   1002/anna: 0 frames passed"
else echo "FAIL 1002/anna: ${n:-unknown} frames passed (want 0)"; fails=$((fails + 1)); fi

B=$(pid_of "$W/bot-1003.log" bob)
check "1003 late joiner: told privately, captured only after his own window" 1003 \
  ".decision == \"recorded\" and .announcements == 2 and (.captured | length) == 3 and
   \"$B\" != \"\" and ([.captured[] | select(.participant == \"$B\")][0].from >= 20) and
   ([.captured[] | select(.participant == \"$B\")][0].from > ([.captured[] | select(.participant != \"$B\")][0].from + 10)) and
   ([.captured[] | select(.participant != \"$B\")] | all(.from < 11))"
frames_ok 1003 bob 50

check "1004 private objection: refused" 1004 \
  '.decision == "refused" and .objections == 1 and (.captured | length) == 0'

C=$(pid_of "$W/bot-1005.log" carl)
check "1005 media never arrives: recorded, the silent participant has no span" 1005 \
  ".decision == \"recorded\" and (.captured | length) == 1 and
   ([.captured[].participant] | index(\"$C\")) == null and \"$C\" != \"\""
frames_ok 1005 leder 250
n=$(sed -n 's/^recgate: janus: participant [0-9]* (carl): \([0-9]*\) audio frames received.*/\1/p' "$W/bot-1005.log")
if [ "${n:-x}" = 0 ]; then echo "ok   1005/carl: joined, no audio ever arrived"
else echo "FAIL 1005/carl: ${n:-not reported} frames received (want 0)"; fails=$((fails + 1)); fi

echo "janus_meetings: $fails failed"
[ "$fails" -eq 0 ]
