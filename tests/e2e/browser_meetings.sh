#!/bin/sh
# The browser shim end to end: `recgate run --platform browser --adapter
# janus-demo` joins Janus's stock demo pages (videoroomtest.html +
# textroomtest.html, served by nginx on 127.0.0.1) in headless Chromium.
# Participants are headless Chromium on the same stock pages, each with its
# own fake microphone tone (tests/e2e/browser/actor.mjs). Everything inside
# a network namespace with only loopback (unshare -n).
#   room 1001  nobody objects: every track decrypts to its tone and length;
#              carl's browser dies mid-meeting; bob joins late
#   room 1002  "nej" in public in the window     -> refused
#   room 1003  "nej" in private in the window    -> refused
#   room 1004  "nej" after the start             -> recording deleted
#   room 1005  the bot's meeting page dies       -> cut short, what was sealed verifies
#   room 1006  SIGTERM to the bot                -> what was sealed verifies
#   room 1234  mixed audio (janus-demo's test mode): a remove_participant
#              type is refused at start; otherwise one mixed track is recorded
# (Before lib/e2e.sh: exec would leak its temp dir.)
if [ "${1:-}" != inside ]; then
    unshare -n true 2>/dev/null ||
        { echo "  SKIP: cannot create a network namespace (unshare -n needs root)"; exit 77; }
    for c in janus chromium node nginx; do
        command -v $c >/dev/null || { echo "  FAIL: $c is not installed (make deps)"; exit 1; }
    done
    exec unshare -n sh "$0" inside
fi
. "$TOP/tests/e2e/lib/e2e.sh"
[ -f "$TOP/$BUILD/shims/browser.so" ] || { bad "no $BUILD/shims/browser.so"; finish; }
. "$TOP/tests/e2e/janus/lib.sh"
. "$TOP/tests/e2e/browser/lib.sh"
ip link set lo up
only_loopback || exit 1
W=$T
PIDS= BOTS=
at_exit 'touch "$W/stop"; for p in $BOTS $PIDS; do kill "$p" 2>/dev/null; done; sleep 0.5;
         for p in $BOTS $PIDS; do kill -9 "$p" 2>/dev/null; done; demos_stop; janus_stop'
janus_start "$W/janus" || exit 1
demos_start "$W/demos" 27080 || exit 1
export RECGATE_ADAPTER_DIR="$TOP/sdk-shims/browser/adapters"
BTMP="$W/tmp" # the bots' browser profiles: checked below
mkdir -p "$BTMP"
umask 077
"$RECGATE" keygen -o "$W/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$W/audit.key" >/dev/null 2>&1
REC="--recipient $(grep -o 'age1[0-9a-z]*' "$W/org.key" | head -1) --audit-key $W/audit.key"

actor() { # ROOM NAME TONE [--on FILE:ACTION...]: a browser in both rooms
    room=$1 name=$2 tone=$3; shift 3
    mkdir -p "$W/p-$room-$name"
    : > "$W/p-$room-$name/out" # exists before any glob of wait_ready
    node "$TOP/tests/e2e/browser/actor.mjs" --base "$DEMOS_URL" --dir "$W/p-$room-$name" \
        --name "$name" --tone "$tone" --room "$room" --video "$name" --chat "$name" "$@" \
        > "$W/p-$room-$name/out" 2> "$W/p-$room-$name/err" &
    PIDS="$PIDS $!"
}
trigger() { for d in "$W"/p-"$1"-*; do touch "$d/$2"; done; } # ROOM FILE
bot() { # ROOM OUT? ARGS...: the bot, in the background
    room=$1 out=; shift
    case "$1" in out) out="--out $W/out-$room $REC"; shift ;; esac
    # shellcheck disable=SC2086
    TMPDIR="$BTMP" timeout -s KILL 120 "$RECGATE" run --config "${BOTPOLICY:-$POLICY}" --platform browser --adapter janus-demo \
        --url "$DEMOS_URL/videoroomtest.html?room=$room" --timeout 90 $out --json "$@" \
        > "$W/bot-$room.json" 2> "$W/bot-$room.log" &
    eval "BOT_$room=\$!"
    BOTS="$BOTS $!"
}
rgpid() { pgrep -P "$1" | head -1; } # the recgate under `timeout` PID
# Like wait_logs, with room for a loaded machine (browsers start slowly).
wait_for() { # SECONDS PATTERN FILE...
    secs=$1 pat=$2; shift 2; i=0
    while [ $i -lt $((secs * 10)) ]; do
        all=1; for f in "$@"; do grep -q "$pat" "$f" 2>/dev/null || all=0; done
        [ $all -eq 1 ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL: timed out ($secs s) waiting for '$pat' in $*"
    for f in "$@"; do echo "--- $f"; grep -v '^  ' "$f" | tail -5; done
    return 1
}
wait_ready() { wait_for 120 ready "$@" || { for f in "$@"; do tail -5 "${f%out}err"; done; exit 1; }; }
bpid() { # ROOM NAME: the participant id the bot reported for NAME
    sed -n "s/^recgate: browser: participant \([0-9]*\) ($2):.*/\1/p" "$W/bot-$1.log" | head -1
}
bstat() { # ROOM NAME FIELD(received|lost|passed)
    l=$(grep "^recgate: browser: participant [0-9]* ($2):" "$W/bot-$1.log" | head -1)
    case $3 in
    received) echo "$l" | sed -n 's/.*: \([0-9]*\) audio frames received.*/\1/p' ;;
    lost) echo "$l" | sed -n 's/.* \([0-9]*\) lost,.*/\1/p' ;;
    passed) echo "$l" | sed -n 's/.* \([0-9]*\) passed the gate/\1/p' ;;
    esac
}
check() { # NAME ROOM JQ-EXPR
    if jq -e "$3" "$W/bot-$2.json" >/dev/null 2>&1; then ok "$1"
    else
        bad "$1"; echo "  summary: $(cat "$W/bot-$2.json")"
        grep -v '^             |' "$W/bot-$2.log" | tail -20 | sed 's/^/  bot: /'
    fi
}
# ROOM NAME HZ: NAME's track decrypts (age alone) to HZ, as long as its span.
tone_ok() {
    id=$(bpid "$1" "$2")
    D=$(jq -r .recording.dir "$W/bot-$1.json")
    t=$(jq -r --arg id "$id" '[.written[] | select(.participant == $id)][0].track' "$W/bot-$1.json")
    span=$(jq -r --arg id "$id" '[.written[] | select(.participant == $id)][0] | (.to - .from)' "$W/bot-$1.json")
    if [ -z "$id" ] || [ ! -d "$D" ] || [ "$t" = null ]; then bad "$1/$2: no track written"; return; fi
    age -d -i "$W/org.key" "$D/keyring/$t.age" > "$W/$t-$1.key" 2>/dev/null
    : > "$W/$1-$2.ogg"
    for s in $(ls "$D/tracks/$t/" | grep '\.age$' | sort); do
        age -d -i "$W/$t-$1.key" "$D/tracks/$t/$s" >> "$W/$1-$2.ogg" 2>/dev/null
    done
    set -- "$1" "$2" "$3" $("$TOP/$BUILD/tests/media_probe" tone "$W/$1-$2.ogg" 2>/dev/null)
    if [ "${5:-}" = "$3" ] && awk -v d="${4:-0}" -v s="$span" 'BEGIN { exit !(d > s - 1.5 && d < s + 1.5) }'; then
        ok "$1/$2: track $t decrypts to $3 Hz, ${4}s for a ${span}s span"
    else bad "$1/$2: track $t decrypts to '${5:-nothing}' Hz, ${4:-?}s (want $3 Hz, ${span}s)"; fi
}
no_loss() { # ROOM NAME MIN: at least MIN frames, none lost
    n=$(bstat "$1" "$2" received); l=$(bstat "$1" "$2" lost)
    if [ -n "$n" ] && [ "$n" -ge "$3" ] && [ "$l" = 0 ]; then ok "$1/$2: $n frames, 0 lost"
    else bad "$1/$2: ${n:-no} frames, ${l:-?} lost (want >= $3, 0 lost)"; fi
}
verifies() { # ROOM [cut]: the recording (and its audit log) verify
    D=$(ls -d "$W/out-$1"/rec-* 2>/dev/null | head -1)
    if [ -z "$D" ] || [ ! -d "$D" ]; then bad "$1: no recording folder"; return; fi
    "$RECGATE" verify "$D" --identity "$W/org.key" > "$W/verify-$1" 2>&1; v=$?
    if [ "${2:-}" = cut ]; then
        if grep -q "cut short" "$W/verify-$1" || [ $v -eq 0 ]; then ok "$1: recording verifies ($(head -c 120 "$W/verify-$1" | tr '\n' ' '))"
        else bad "$1: recording does not verify: $(cat "$W/verify-$1")"; fi
    elif [ $v -eq 0 ] && "$RECGATE" audit verify "$D/audit.log" --key-file "$W/audit.key" >/dev/null 2>&1; then
        ok "$1: recording and audit log verify"
    else bad "$1: recording or audit log does not verify: $(cat "$W/verify-$1")"; fi
}

# BATCHES="1 2 3 4" (default: all) runs only some of the parts.
want() { case " ${BATCHES:-1 2 3 4} " in *" $1 "*) return 0 ;; esac; return 1; }

# ---------- 1001: nobody objects; a browser dies; a late joiner ----------
if want 1; then
actor 1001 leder 440
actor 1001 anna 660
actor 1001 carl 550 --on kill-carl:kill
wait_ready "$W"/p-1001-*/out
bot 1001 out --host leder --duration 40
wait_for 120 "gate open" "$W/bot-1001.log" || exit 1
actor 1001 bob 880 # joins after the recording started
sleep 4; trigger 1001 kill-carl
wait "$BOT_1001"; echo "bot 1001 exit $?"
trigger 1001 stop
L=$(bpid 1001 leder); A=$(bpid 1001 anna); C=$(bpid 1001 carl); B=$(bpid 1001 bob)
check "1001 nobody objects: recorded, leder and anna captured from the window's end" 1001 \
  ".decision == \"recorded\" and .objections == 0 and \"$L\" != \"\" and \"$A\" != \"\" and
   ([.captured[] | select(.participant == \"$L\" or .participant == \"$A\")] | length) == 2 and
   all(.captured[] | select(.participant == \"$L\" or .participant == \"$A\"); .from >= 10 and .from < 14 and .to - .from > 15)"
check "1001 carl's browser died: his span ends early" 1001 \
  "\"$C\" != \"\" and ([.captured[] | select(.participant == \"$C\")][0] | .to < 36)"
check "1001 late joiner bob: captured only after his own window" 1001 \
  "\"$B\" != \"\" and ([.captured[] | select(.participant == \"$B\")][0].from >= 20)"
tone_ok 1001 leder 440
tone_ok 1001 anna 660
tone_ok 1001 carl 550
tone_ok 1001 bob 880
no_loss 1001 leder 1200
no_loss 1001 anna 1200
verifies 1001
grep -q "chat: .*recording bot:.*\[Dansk\]" "$W/p-1001-anna/out" 2>/dev/null && ok "1001: anna's page shows the bot's notice" ||
    { sleep 2; grep -q "chat: .*recording bot:.*\[Dansk\]" "$W/p-1001-anna/out" && ok "1001: anna's page shows the bot's notice" || bad "1001: the notice is not in anna's chat"; }

fi

# ---------- 1002-1004: objections ----------
if want 2; then
# 1002/1003: no host is present, so the window runs its full length.
actor 1002 anna 660 --on objection:say:nej
actor 1003 anna 660 --on "objection:whisper:recording bot:nej"
actor 1004 anna 660 --on objection:say:nej
wait_ready "$W"/p-1002-anna/out "$W"/p-1003-anna/out "$W"/p-1004-anna/out
bot 1002 out --host leder --duration 40
bot 1003 out --host leder --duration 40
bot 1004 out --host anna --duration 40
wait_for 120 "notice to everyone delivered" "$W/bot-1002.log" "$W/bot-1003.log" || exit 1
trigger 1002 objection; trigger 1003 objection
wait_for 120 "gate open" "$W/bot-1004.log" || exit 1
sleep 3; trigger 1004 objection
for r in 1002 1003 1004; do eval "wait \$BOT_$r"; done
trigger 1002 stop; trigger 1003 stop; trigger 1004 stop
check "1002 public 'nej' in the window: refused, nothing captured" 1002 \
  '.decision == "refused" and .objections == 1 and (.captured | length) == 0'
check "1003 private 'nej' in the window: refused, nothing captured" 1003 \
  '.decision == "refused" and .objections == 1 and (.captured | length) == 0'
[ "$(bstat 1002 anna passed)" = 0 ] && ok "1002/anna: 0 frames passed" || bad "1002/anna: $(bstat 1002 anna passed) frames passed"
check "1004 'nej' after the start: the recording is deleted" 1004 \
  '.decision == "deleted" and .objections == 1'

if [ -z "$(ls "$BTMP" | grep recgate-browser)" ]; then ok "1001-1004: every browser profile was removed"
else bad "browser profiles left behind: $(ls "$BTMP")"; fi

fi

# ---------- 1005-1006: the bot's page dies; SIGTERM ----------
if want 3; then
actor 1005 leder 440
actor 1006 leder 440
wait_ready "$W"/p-1005-leder/out "$W"/p-1006-leder/out
bot 1005 out --host leder --duration 60
bot 1006 out --host leder --duration 60
wait_for 120 "gate open" "$W/bot-1005.log" "$W/bot-1006.log" || exit 1
sleep 7 # past the first sealed segment (5 s)
# Every renderer of the bot's Chromium (its own process group) dies.
cpid=$(pgrep -P "$(rgpid "$BOT_1005")" | head -1)
for p in $(ps -eo pid=,pgid=,args= | awk -v g="$cpid" '$2 == g && /--type=renderer/ {print $1}'); do
    kill -9 "$p"
done
kill -TERM "$(rgpid "$BOT_1006")"
wait "$BOT_1005"; s5=$?; wait "$BOT_1006"; s6=$?
trigger 1005 stop; trigger 1006 stop
if [ $s5 -eq 1 ] && grep -q "cut short" "$W/bot-1005.log"; then ok "1005 the meeting page died: exit 1, cut short"
else bad "1005 the meeting page died: exit $s5"; grep -v '^             |' "$W/bot-1005.log" | tail -8; fi
check "1005 what was captured before is in the summary" 1005 \
  '.decision == "recorded" and (.captured | length) == 1 and .captured[0].to < 30'
verifies 1005
verifies 1006 cut
# SIGTERM left 1006's browser profile behind (no handler in `recgate run`);
# the next bot removes profiles whose owner is gone, and a bot that cannot
# open its meeting says so and records nothing.
TMPDIR="$BTMP" "$RECGATE" run --config "$POLICY" --platform browser --adapter janus-demo \
    --url "http://127.0.0.1:27999/videoroomtest.html" --timeout 5 > "$W/bad.json" 2> "$W/bad.log"
s=$?
if [ $s -ne 0 ] && grep -q "nothing was recorded" "$W/bad.log"; then ok "unreachable meeting page: exit $s, nothing recorded ($(grep -o 'browser: .*' "$W/bad.log" | head -1 | cut -c1-90))"
else bad "unreachable meeting page: exit $s: $(tail -2 "$W/bad.log")"; fi
if [ -z "$(ls "$BTMP" | grep recgate-browser)" ]; then ok "stale browser profiles removed"
else bad "browser profiles left behind: $(ls "$BTMP")"; fi
fi

# ---------- 1234: mixed audio ----------
if want 4; then
jq '.meeting_types["e2e-remove"] = (.meeting_types["e2e-optout"] + {"on_withdrawal": "remove_participant"})' \
    "$POLICY" > "$W/policy-mixed.json"
actor 1234 leder 440
actor 1234 anna 660
wait_ready "$W"/p-1234-*/out
MIXED='adapter_settings={"mixed":true}'
BOTPOLICY="$W/policy-mixed.json"
bot 1234 out --host leder --duration 30 --type e2e-remove --set "$MIXED"
wait "$BOT_1234"; s=$?
if [ $s -ne 0 ] && grep -q "remove_participant, but this platform gives one mixed audio track" "$W/bot-1234.log" &&
   grep -q "nothing was recorded" "$W/bot-1234.log"; then
    ok "1234 mixed audio + remove_participant: refused at start, nothing recorded"
else bad "1234 mixed audio + remove_participant: exit $s: $(grep -v '^  ' "$W/bot-1234.log" | tail -3)"; fi
bot 1234 out --host leder --duration 28 --set "$MIXED"
wait "$BOT_1234"
BOTPOLICY=
trigger 1234 stop
check "1234 mixed audio: one mixed track recorded, nobody's own" 1234 \
  '.decision == "recorded" and (.written | length) == 1 and .written[0].participant == "mixed-audio" and
   (.captured | length) == 1 and .captured[0].from >= 10'
M=$(jq -r '[.written[] | select(.participant == "mixed-audio")][0].track' "$W/bot-1234.json" 2>/dev/null)
D=$(ls -d "$W/out-1234"/rec-* 2>/dev/null | tail -1)
age -d -i "$W/org.key" "$D/keyring/$M.age" > "$W/mix.key" 2>/dev/null
for s in $(ls "$D/tracks/$M/" 2>/dev/null | grep '\.age$' | sort); do
    age -d -i "$W/mix.key" "$D/tracks/$M/$s" 2>/dev/null
done > "$W/mix.ogg"
hz=$("$TOP/$BUILD/tests/media_probe" tone "$W/mix.ogg" 2>/dev/null | cut -d' ' -f2)
case $hz in 440|660) ok "1234 the mixed track decrypts to a participant's tone ($hz Hz)" ;;
*) bad "1234 the mixed track decrypts to '${hz:-nothing}'" ;; esac
# Who spoke in the mix is in the encrypted manifest only.
if age -d -i "$W/org.key" "$D/manifest.json.age" 2>/dev/null |
   jq -e '[.speakers[].label] | any(. == "leder" or . == "anna")' >/dev/null 2>&1; then
    ok "1234 active-speaker labels are in the encrypted manifest"
else bad "1234 no active-speaker labels in the manifest"; fi
grep -q '"speakers"\|leder\|anna' "$D/audit.log" && bad "1234 a speaker label leaked into the audit log"
fi

finish
