# Shared by tests/e2e/janus_*.sh; sourced INSIDE the test's own network
# namespace (unshare -n), where only loopback exists.
#   janus_start DIR     config from tests/e2e/janus/ into DIR, start Janus
#                       (plus a VideoRoom and a TextRoom for each number in
#                       $JANUS_ROOMS, e.g. for benchmarks)
#   janus_stop          SIGTERM our Janus (by its pid) and wait for it
#   participant ARGS    start tests/helpers/janus_participant in background
# Environment: TOP, BUILD, RECGATE (as for every e2e test).
JANUS_URL=http://127.0.0.1:8088/janus
PART="$TOP/$BUILD/tests/janus_participant"
PRELOAD="$TOP/$BUILD/tests/libjanus_lo.so"
POLICY="$TOP/tests/e2e/janus/policy.json"

janus_start() {
    jdir=$1
    mkdir -p "$jdir"
    sed "s|@DIR@|$jdir|" "$TOP/tests/e2e/janus/janus.jcfg" > "$jdir/janus.jcfg"
    cp "$TOP"/tests/e2e/janus/janus.*.jcfg "$jdir/"
    for r in ${JANUS_ROOMS:-}; do
        printf 'room-%s: {\n\tdescription = "room %s"\n\tpublishers = 16\n\taudiocodec = "opus"\n\trecord = false\n}\n' \
            "$r" "$r" >> "$jdir/janus.plugin.videoroom.jcfg"
        printf 'room-%s: {\n\tdescription = "chat %s"\n}\n' "$r" "$r" \
            >> "$jdir/janus.plugin.textroom.jcfg"
    done
    LD_PRELOAD="$PRELOAD" janus -F "$jdir" -C "$jdir/janus.jcfg" -L "$jdir/janus.log" \
        >/dev/null 2>&1 &
    JANUS_PID=$!
    i=0
    while [ $i -lt 100 ]; do
        if curl -s -m 1 -o /dev/null -X POST -d '{"janus":"info","transaction":"t"}' \
            "$JANUS_URL"; then return 0; fi
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL: Janus did not start (log: $jdir/janus.log)"; tail -20 "$jdir/janus.log"
    return 1
}

janus_stop() {
    [ -n "$JANUS_PID" ] || return 0
    kill "$JANUS_PID" 2>/dev/null
    wait "$JANUS_PID" 2>/dev/null
    JANUS_PID=
}

# Only loopback may exist in here: refuse to run otherwise.
only_loopback() {
    n=$(ip -o link show | grep -vc ': lo:')
    [ "$n" -eq 0 ] || { echo "FAIL: the test namespace has non-loopback links"; return 1; }
}

# Wait until every log file given has a line matching PATTERN (or 30 s).
wait_logs() {
    pat=$1; shift
    i=0
    while [ $i -lt 300 ]; do
        ok=1
        for f in "$@"; do grep -q "$pat" "$f" 2>/dev/null || ok=0; done
        [ $ok -eq 1 ] && return 0
        sleep 0.1; i=$((i + 1))
    done
    echo "FAIL: timed out waiting for '$pat' in $*"
    for f in "$@"; do echo "--- $f"; tail -5 "$f"; done
    return 1
}

# The participant id the bot reported for display NAME (from its stderr).
pid_of() {
    sed -n "s/^recgate: janus: participant \([0-9]*\) ($2):.*/\1/p" "$1" | head -1
}
frames_passed() {
    sed -n "s/^recgate: janus: participant [0-9]* ($2): .* \([0-9]*\) passed the gate/\1/p" "$1" | head -1
}
