#!/bin/sh
# Live capacity of the Janus recording bot (issue 16), inside a network
# namespace with only loopback and a real Janus.
#
# Per step N: N VideoRooms, 3 publishers each sending PRE-ENCODED Opus read
# from one Ogg file (tests/helpers/janus_participant --opus: no encoder on
# the sending side), one bot per room (`recgate run --platform janus --room
# R --out DIR`), all recording. Once every bot captures all three, CPU is
# sampled from /proc/PID/stat (utime+stime) for every bot and for Janus over
# the same window; PSS (/proc/PID/smaps_rollup) and threads (/proc/PID/status)
# per bot at the window's end; frames lost per stream from each bot's --json
# summary (RTP sequence gaps, counted per track).
#
#   bot ms/stream-s    bot CPU / recorded stream-seconds in the window
#   janus ms/stream-s  Janus CPU / forwarded stream-seconds (to the bots)
#   ratio              bot / Janus (goal <= 1)
#   lost/stream        frames lost per stream over the whole recording
#
# Knobs: BENCH_LIVE_STEPS ("1 5 10 20 30"), BENCH_LIVE_SECONDS (window, 20),
# BENCH_LIVE_PERF=1 (perf record one bot of each step; needs linux-perf),
# KEEP=1 (keep the work folder). Environment: TOP, BUILD, RECGATE.
set -u
TOP=${TOP:-$PWD}
BUILD=${BUILD:-build}
RECGATE=${RECGATE:-$TOP/$BUILD/recgate}
RECGATE_SHIM_DIR=${RECGATE_SHIM_DIR:-$TOP/$BUILD/shims} # this build's janus.so
export TOP BUILD RECGATE RECGATE_SHIM_DIR
if [ "${1:-}" != inside ]; then
    if ! unshare -n true 2>/dev/null; then
        echo "SKIP: janus_live: cannot create a network namespace (unshare -n needs root)"
        exit 0
    fi
    command -v janus >/dev/null || { echo "SKIP: janus_live: janus is not installed"; exit 0; }
    exec unshare -n sh "$0" inside
fi
. "$TOP/tests/e2e/janus/lib.sh"
ip link set lo up
only_loopback || exit 1
STEPS=${BENCH_LIVE_STEPS:-"1 5 10 20 30"}
WIN=${BENCH_LIVE_SECONDS:-20}
HZ=$(getconf CLK_TCK)
W=$(mktemp -d /tmp/janus_live.XXXXXX)
PIDS=
BOTS=
stopall() {
    for p in $PIDS $BOTS; do kill "$p" 2>/dev/null; done
    for p in $PIDS $BOTS; do wait "$p" 2>/dev/null; done
    PIDS= BOTS=
    janus_stop
}
cleanup() {
    stopall
    [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
umask 077

# Pre-encoded Opus: encoded once, long enough for the longest step.
maxn=0; for n in $STEPS; do [ "$n" -gt "$maxn" ] && maxn=$n; done
secs=$((WIN + 60 + maxn * 2))
gst-launch-1.0 -q audiotestsrc num-buffers=$((secs * 50)) samplesperbuffer=960 wave=sine \
    freq=440 volume=0.3 ! audio/x-raw,rate=48000,channels=1 ! opusenc bitrate=32000 \
    frame-size=20 ! oggmux ! filesink location="$W/voice.ogg" ||
    { echo "FAIL: cannot make the Opus file"; exit 1; }
"$RECGATE" keygen -o "$W/org.key" >/dev/null 2>&1
"$RECGATE" audit keygen -o "$W/audit.key" >/dev/null 2>&1
REC="--recipient $(grep -o 'age1[0-9a-z]*' "$W/org.key" | head -1) --audit-key $W/audit.key"
cp "$POLICY" "$W/policy.json" # opt-out, 10 s window

# One pass over /proc: uptime (centiseconds), machine busy ticks, then the
# utime+stime ticks of each group of PIDs ("bots", "pubs", "janus"), so the
# window is the same for all of them.
sample() { # -> "uptime_cs busy bots pubs janus"
    awk -v bots="$BOTS" -v pubs="$PIDS" -v jan="$JANUS_PID" '
    function ticks(list,   n, a, i, f, line, t) {
        t = 0; n = split(list, a, " ")
        for (i = 1; i <= n; i++) {
            f = "/proc/" a[i] "/stat"; line = ""
            if ((getline line < f) > 0) { sub(/^.*\) /, "", line); split(line, x, " "); t += x[12] + x[13] }
            close(f)
        }
        return t
    }
    BEGIN {
        getline up < "/proc/uptime"; split(up, u, " ")
        while ((getline l < "/proc/stat") > 0) if (l ~ /^cpu /) { split(l, c, " "); break }
        printf "%d %d %d %d %d\n", u[1] * 100, c[2] + c[3] + c[4] + c[7] + c[8],
            ticks(bots), ticks(pubs), ticks(jan)
    }'
}
pss() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
threads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

printf '%s\n' "machine: $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-5s %-7s %8s %8s %6s %8s %8s %7s %10s %8s %6s\n' N streams "bot ms/s" \
    "jan ms/s" ratio "PSS/bot" "PSS/str" threads "lost/str" "pub CPU" "busy"
best=0
for N in $STEPS; do
    S="$W/n$N"; mkdir -p "$S"
    rooms=; i=1
    while [ $i -le "$N" ]; do rooms="$rooms $((5000 + i))"; i=$((i + 1)); done
    JANUS_ROOMS=$rooms janus_start "$S/janus" || exit 1
    PIDS=
    for r in $rooms; do
        for who in a b c; do
            "$PART" --url "$JANUS_URL" --room "$r" --name "$who$r" \
                --opus "$W/voice.ogg" --leave 100000 2> "$S/p-$r-$who.log" &
            PIDS="$PIDS $!"
        done
    done
    # shellcheck disable=SC2046
    if ! wait_logs published $(for r in $rooms; do echo "$S/p-$r-a.log $S/p-$r-b.log $S/p-$r-c.log"; done) >"$S/setup.log"; then
        # The machine cannot even set the meetings up: that is the limit.
        echo "$N: not every publisher could join within 30 s (machine saturated); stopping"
        stopall; break
    fi
    BOTS=
    for r in $rooms; do
        # shellcheck disable=SC2086
        "$RECGATE" run --config "$W/policy.json" --platform janus --room "$r" --host "a$r" \
            --out "$S/out" $REC --duration 900 --json > "$S/bot-$r.json" 2> "$S/bot-$r.log" &
        BOTS="$BOTS $!"
    done
    # Every bot captures all three before the window opens.
    i=0
    while [ $i -lt 600 ]; do
        ok=1
        for r in $rooms; do
            [ "$(grep -c 'capture starts' "$S/bot-$r.log" 2>/dev/null)" -ge 3 ] || ok=0
        done
        [ $ok -eq 1 ] && break
        sleep 0.2; i=$((i + 1))
    done
    if [ $ok -eq 1 ]; then :; else
        echo "$N: not every bot captured three streams within 120 s (machine saturated); stopping"
        stopall; break
    fi
    sleep 2
    set -- $(sample); u0=$1 m0=$2 b0=$3 pb=$4 jb=$5
    if [ -n "${BENCH_LIVE_PERF:-}" ]; then
        set -- $BOTS
        perf record -g -o "$S/perf.data" -p "$1" -- sleep "$WIN" >/dev/null 2>&1
    else
        sleep "$WIN"
    fi
    set -- $(sample); u1=$1 m1=$2 b1=$3 pe=$4 je=$5
    ps=0; th=0
    for p in $BOTS; do ps=$((ps + $(pss "$p"))); th=$((th + $(threads "$p"))); done
    # Publishers leave; every bot sees the room empty, seals and exits.
    for p in $PIDS; do kill -TERM "$p" 2>/dev/null; done
    for p in $BOTS; do wait "$p" 2>/dev/null; done
    BOTS=
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    PIDS=
    janus_stop
    lost=0; tracks=0
    for r in $rooms; do
        l=$(jq 'if any(.written[]?; has("frames_lost")) then [.written[].frames_lost] | add
                else empty end' "$S/bot-$r.json" 2>/dev/null)
        [ -n "$l" ] || l=$(sed -n 's/.* \([0-9]*\) audio frame(s) lost$/\1/p' "$S/bot-$r.log" |
                           awk '{ s += $1 } END { print s + 0 }')
        t=$(jq '[.written[]?] | length' "$S/bot-$r.json" 2>/dev/null || echo 0)
        lost=$((lost + l)); tracks=$((tracks + t))
    done
    streams=$((3 * N))
    awk -v n="$N" -v st="$streams" -v w="$(((u1 - u0)))" -v hz="$HZ" -v bot=$((b1 - b0)) \
        -v jan=$((je - jb)) -v ps="$ps" -v th="$th" -v lost="$lost" -v pub=$((pe - pb)) \
        -v busy=$((m1 - m0)) -v tr="$tracks" 'BEGIN {
        w = w / 100 # the window as it really ran (uptime), seconds
        bms = bot * 1000 / hz / (st * w); jms = jan * 1000 / hz / (st * w)
        printf "%-5d %-7d %8.2f %8.2f %6.2f %7.0fK %7.0fK %7.1f %10.2f %7.0f%% %5.0f%%\n",
            n, st, bms, jms, (jms > 0 ? bms / jms : 0), ps / n, ps / st, th / n,
            tr ? lost / tr : lost / st, pub * 100 / hz / w, busy * 100 / hz / w
    }'
    [ "$lost" -eq 0 ] && best=$N
    [ "$tracks" -ge "$streams" ] || echo "  note: N=$N: $tracks tracks written for $streams streams"
    if [ -n "${BENCH_LIVE_PERF:-}" ] && [ -f "$S/perf.data" ]; then
        perf report -i "$S/perf.data" --stdio --no-children --sort symbol 2>/dev/null |
            grep -E '^ +[0-9.]+%' | head -15 > "$S/perf.top"
        echo "  perf, one bot at N=$N (self time, top frames):"; sed 's/^/    /' "$S/perf.top"
    fi
done
echo "largest N with no frame lost: $best  (window ${WIN} s; pub CPU = all publishers, % of one core;"
echo "busy = whole machine, % of one core, $(nproc) cores; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
