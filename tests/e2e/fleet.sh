#!/bin/sh
# The meeting-bot service, for real, inside a network namespace with only
# loopback: `recgate serve` alone (the embedded runner), then a fleet of
# three `recgate worker`s on a real nats-server (JetStream) behind two
# `recgate serve --nats` instances.
#   serve alone  a sim meeting posted with curl is recorded and verifies;
#                401 / 400 (path-precise) / 413 / 404 / 422 / 405;
#                a token file others may read is refused;
#                DELETE on a running meeting: the bot leaves, what it
#                sealed verifies
#   fleet        30 requests (24 in virtual time, 6 in real time) over
#                3 workers with --max-meetings 3: all end, never more than
#                3 bots on one worker;
#                a worker kill -9'd mid-meeting: the request is redelivered
#                and another worker joins as a NEW bot (attempt 2), the
#                lost bot's recording is linked in the state and in the new
#                bot's audit log, and what it sealed verifies;
#                serve restarted: the state is still served;
#                nats-server restarted: queued requests are not lost.
set -u
: "${RECGATE:?}" "${TOP:?}" "${BUILD:?}"
if [ "${1:-}" != inside ]; then
    if ! unshare -n true 2>/dev/null; then
        echo "SKIP: fleet: cannot create a network namespace (unshare -n needs root)"
        exit 77
    fi
    command -v nats-server >/dev/null || { echo "FAIL: nats-server is not installed (make deps)"; exit 1; }
    exec unshare -n sh "$0" inside
fi
ip link set lo up
. "$TOP/tests/e2e/lib/e2e.sh"
W=$T
PIDS=
at_exit 'for p in $PIDS; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null'
umask 077
"$RECGATE" keygen -o "$W/org.key" >"$W/org.pub" || exit 1
"$RECGATE" audit keygen -o "$W/audit.key" >/dev/null || exit 1
ORG=$(grep -o 'age1[0-9a-z]*' "$W/org.pub")
jq --arg r "$ORG" --arg k "$W/audit.key" \
   '.vault = {recipients: [$r]} | .audit = {key_file: $k} | .meeting_types["case-meeting"].window_s = 10' \
   "$TOP/config/recgate.json" >"$W/policy.json"
openssl rand -hex 24 >"$W/token"
TOK=$(cat "$W/token")

# A meeting of LEN seconds: Karen (host) and Lars, nobody objects.
scenario() {
    printf '{"meeting":{"id":"m","type":"case-meeting"},"events":[{"at":0,"join":"karen","name":"Karen","role":"host"},{"at":0,"join":"lars","name":"Lars"},{"at":%s,"end":true}]}' "$1"
}
request() { # LEN REALTIME [EXTRA_JSON_FIELDS]
    printf '{"platform":"sim","meeting_type":"case-meeting","settings":{"realtime":%s,"scenario":%s}%s}' \
        "$2" "$(scenario "$1")" "${3:-}"
}
api() { # METHOD PATH [BODY]: prints the body, then the status code on the last line
    if [ -n "${3:-}" ]; then
        curl -s -m 10 -X "$1" -H "Authorization: Bearer $TOK" --data-binary "$3" -w '\n%{http_code}' "http://127.0.0.1:$PORT$2"
    else
        curl -s -m 10 -X "$1" -H "Authorization: Bearer $TOK" -w '\n%{http_code}' "http://127.0.0.1:$PORT$2"
    fi
}
code() { tail -n 1; }
body() { sed '$d'; }
state_of() { api GET "/v1/meetings/$1" | body | jq -r .state; }
wait_state() { # ID STATE-REGEX SECONDS
    i=0
    while [ $i -lt $(($3 * 5)) ]; do
        s=$(state_of "$1")
        echo "$s" | grep -Eq "^($2)\$" && return 0
        sleep 0.2; i=$((i + 1))
    done
    echo "  (meeting $1 is '$s', wanted $2)"
    return 1
}
start_serve() { # NAME ARGS...
    n=$1; shift
    rm -f "$W/$n.port"
    "$RECGATE" serve --config "$W/policy.json" --token-file "$W/token" --listen 127.0.0.1:0 \
        --port-file "$W/$n.port" "$@" 2>"$W/$n.log" &
    SERVE_PID=$!; PIDS="$PIDS $SERVE_PID"
    i=0; while [ ! -s "$W/$n.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    PORT=$(cat "$W/$n.port" 2>/dev/null)
    [ -n "$PORT" ] || { cat "$W/$n.log"; return 1; }
}

echo "== serve alone"
chmod 644 "$W/token"
if "$RECGATE" serve --config "$W/policy.json" --token-file "$W/token" --out "$W/recs" \
        --listen 127.0.0.1:0 2>"$W/err" </dev/null; then bad "a world-readable token file was accepted"
elif grep -q 'token file has mode 0644' "$W/err"; then ok "world-readable token refused: $(cat "$W/err")"
else bad "token refusal unclear: $(cat "$W/err")"; fi
chmod 600 "$W/token"
start_serve alone --out "$W/recs" --state-dir "$W/state" --max-meetings 2 || exit 1
r=$(api POST /v1/meetings "$(request 14 true)")
ID=$(echo "$r" | body | jq -r .id)
[ "$(echo "$r" | code)" = 201 ] && [ ${#ID} -eq 32 ] && ok "POST: 201, id $ID" || bad "POST: $r"
wait_state "$ID" window 10 && ok "announced, window" || bad "not in the window"
wait_state "$ID" ended 30 && ok "ended" || bad "did not end"
st=$(api GET "/v1/meetings/$ID" | body)
rec=$(echo "$st" | jq -r .recording_id)
[ "$(echo "$st" | jq -r .decision)" = recorded ] && [ "$(echo "$st" | jq -r '.states | has("recording")')" = true ] &&
    ok "decision recorded, states $(echo "$st" | jq -c '.states | keys')" || bad "status: $st"
"$RECGATE" verify "$W/recs/$rec" --identity "$W/org.key" >"$W/v" 2>&1 && ok "recording $rec verifies" ||
    bad "verify: $(cat "$W/v")"
[ "$(echo "$st" | jq -r .capture_seconds)" = 8 ] && ok "capture_seconds 8 (two people, 4 s each)" || bad "capture_seconds: $(echo "$st" | jq .capture_seconds)"

c=$(curl -s -o /dev/null -w '%{http_code}' -X POST --data-binary "$(request 14 false)" "http://127.0.0.1:$PORT/v1/meetings")
[ "$c" = 401 ] && ok "no token: 401" || bad "no token: $c"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer x$TOK" "http://127.0.0.1:$PORT/v1/meetings")
[ "$c" = 401 ] && ok "wrong token: 401" || bad "wrong token: $c"
expect() { # WHAT CODE MESSAGE-REGEX BODY
    r=$(api POST /v1/meetings "$4")
    if [ "$(echo "$r" | code)" = "$2" ] && echo "$r" | body | jq -r .error | grep -Eq "$3"; then
        ok "$1: $2 $(echo "$r" | body | jq -r .error)"
    else bad "$1: $r"; fi
}
expect "bad JSON" 400 'expected a JSON object' '{"platform":'
expect "unknown field" 400 '^colour: unknown field' '{"platform":"sim","colour":"red"}'
expect "bad join_at" 400 '^join_at: expected an ISO-8601' '{"platform":"sim","join_at":"tomorrow"}'
expect "bad max_duration_s" 400 '^max_duration_s: ' '{"platform":"sim","max_duration_s":-5}'
expect "reserved setting" 400 '^settings.out: set by the service' '{"platform":"sim","settings":{"out":"/etc"}}'
expect "sim without scenario" 400 '^settings.scenario: ' '{"platform":"sim"}'
expect "unknown platform" 422 "^platform: unknown platform 'teams'.*available: " '{"platform":"teams"}'
expect "platform name with a path" 400 "^platform: '../x' is not a platform name" '{"platform":"../x"}'
expect "unknown meeting type" 422 "^meeting_type: 'gossip' is not a meeting type" \
    "{\"platform\":\"sim\",\"meeting_type\":\"gossip\",\"settings\":{\"scenario\":$(scenario 5)}}"
head -c 70000 /dev/zero | tr '\0' ' ' >"$W/big"
c=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOK" --data-binary @"$W/big" "http://127.0.0.1:$PORT/v1/meetings")
[ "$c" = 413 ] && ok "oversized body: 413" || bad "oversized body: $c"
[ "$(api GET /v1/meetings/0123456789abcdef | code)" = 404 ] && ok "unknown id: 404" || bad "unknown id"
[ "$(api DELETE /v1/meetings/0123456789abcdef | code)" = 404 ] && ok "DELETE unknown id: 404" || bad "DELETE unknown id"
[ "$(api PUT /v1/meetings | code)" = 405 ] && ok "PUT: 405" || bad "PUT"
[ "$(api GET '/v1/meetings?state=sleeping' | code)" = 400 ] && ok "?state=sleeping: 400" || bad "bad state filter"
[ "$(api GET '/v1/meetings?state=ended' | body | jq '.meetings | length')" = 1 ] && ok "?state=ended lists 1" || bad "state filter"

# DELETE while recording: the bot leaves properly.
r=$(api POST /v1/meetings "$(request 300 true)")
ID2=$(echo "$r" | body | jq -r .id)
wait_state "$ID2" recording 20 && ok "long meeting recording" || bad "long meeting not recording"
sleep 7 # past the first sealed segment
[ "$(api DELETE "/v1/meetings/$ID2" | code)" = 202 ] && ok "DELETE: 202" || bad "DELETE"
wait_state "$ID2" 'ended|stopped|failed' 20 || bad "DELETE: the bot did not leave"
st=$(api GET "/v1/meetings/$ID2" | body)
rec=$(echo "$st" | jq -r .recording_id)
[ "$(echo "$st" | jq -r .stopped_by_operator)" = true ] && ok "stopped_by_operator, state $(echo "$st" | jq -r .state): $(echo "$st" | jq -r .reason)" || bad "after DELETE: $st"
sleep 0.5
"$RECGATE" verify "$W/recs/$rec" --identity "$W/org.key" >"$W/v" 2>&1; vrc=$?
if grep -Eq ' ([1-9][0-9]*) of \1 segments intact' "$W/v" && { [ $vrc -eq 0 ] || grep -q 'cut short' "$W/v"; }; then
    ok "after DELETE, what was sealed verifies (exit $vrc): $(tail -n 1 "$W/v")"
else bad "after DELETE (exit $vrc): $(cat "$W/v")"; fi
# A queued meeting (join_at in an hour) is dropped by DELETE.
later=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
ID3=$(api POST /v1/meetings "$(request 5 false ",\"join_at\":\"$later\"")" | body | jq -r .id)
sleep 0.5
[ "$(state_of "$ID3")" = queued ] && ok "join_at in an hour: queued" || bad "join_at: $(state_of "$ID3")"
api DELETE "/v1/meetings/$ID3" >/dev/null
[ "$(state_of "$ID3")" = ended ] && ok "DELETE of a queued meeting: ended before joining" || bad "DELETE queued"
curl -s "http://127.0.0.1:$PORT/metrics" >"$W/metrics"
grep -q '^recgate_meetings{state="ended"} ' "$W/metrics" && grep -q '^recgate_capture_seconds_total ' "$W/metrics" &&
    grep -q '^recgate_queue_lag_seconds ' "$W/metrics" && ok "metrics in Prometheus text format" || bad "metrics: $(cat "$W/metrics")"
[ "$(curl -s "http://127.0.0.1:$PORT/healthz")" = ok ] && ok "healthz" || bad "healthz"
kill -TERM "$SERVE_PID"; wait "$SERVE_PID"; rc=$?
[ $rc -eq 0 ] && ok "serve: SIGTERM, exit 0" || bad "serve exit $rc"

echo "== fleet on NATS JetStream"
NATS=nats://127.0.0.1:4222
nats_start() { nats-server -js -a 127.0.0.1 -p 4222 -sd "$W/js" >>"$W/nats.log" 2>&1 & NATS_PID=$!; PIDS="$PIDS $NATS_PID"; sleep 0.5; }
nats_start
worker() { # NAME
    "$RECGATE" worker --nats "$NATS" --config "$W/policy.json" --out "$W/fleet" --max-meetings 3 \
        --ack-wait 6 --name "$1" 2>"$W/$1.log" &
    eval "PID_$1=$!"; PIDS="$PIDS $!"
}
worker w1; worker w2; worker w3
start_serve s1 --nats "$NATS" || exit 1
: >"$W/ids"
for i in $(seq 1 24); do api POST /v1/meetings "$(request 30 false)" | body | jq -r .id >>"$W/ids"; done
for i in $(seq 1 6); do api POST /v1/meetings "$(request 12 true)" | body | jq -r .id >>"$W/ids"; done
[ "$(grep -c '^[0-9a-f]\{32\}$' "$W/ids")" = 30 ] && ok "30 requests accepted" || bad "requests: $(cat "$W/ids")"
# Follow until all end; note the most bots one worker ran at once.
maxrun=0; i=0
while [ $i -lt 300 ]; do
    api GET /v1/meetings | body >"$W/all"
    m=$(jq '[.meetings[] | select(.state | test("joining|announced|window|recording")) | .worker] | group_by(.) | map(length) | max // 0' "$W/all")
    [ "$m" -gt "$maxrun" ] && maxrun=$m
    [ "$(jq '[.meetings[] | select(.state == "ended")] | length' "$W/all")" -ge 30 ] && break
    sleep 0.2; i=$((i + 1))
done
n=$(jq '[.meetings[] | select(.state == "ended" and .decision == "recorded")] | length' "$W/all")
[ "$n" = 30 ] && ok "30 meetings recorded by $(jq -r '[.meetings[].worker] | unique | join(", ")' "$W/all")" ||
    bad "only $n of 30 recorded: $(jq -c '[.meetings[] | select(.decision != "recorded") | {state, decision, reason, error, attempt, worker}]' "$W/all")"
[ "$maxrun" -le 3 ] && [ "$maxrun" -ge 1 ] && ok "--max-meetings 3: at most $maxrun bots on one worker" || bad "max running $maxrun"

# Kill -9 the worker of a running meeting.
ID=$(api POST /v1/meetings "$(request 26 true)" | body | jq -r .id)
wait_state "$ID" recording 20 || bad "meeting to kill not recording"
sleep 7 # past the first sealed segment (vault.segment_s 5)
st=$(api GET "/v1/meetings/$ID" | body)
victim=$(echo "$st" | jq -r .worker); rec1=$(echo "$st" | jq -r .recording_id)
eval "vp=\$PID_$victim"
t0=$(date +%s.%N)
kill -9 "$vp"
ok "killed $victim (pid $vp) while it recorded $rec1"
i=0
while [ $i -lt 150 ]; do
    st=$(api GET "/v1/meetings/$ID" | body)
    [ "$(echo "$st" | jq -r .attempt)" = 2 ] && [ "$(echo "$st" | jq -r .state)" = recording ] && break
    sleep 0.2; i=$((i + 1))
done
t1=$(date +%s.%N)
if [ "$(echo "$st" | jq -r .attempt)" = 2 ] && [ "$(echo "$st" | jq -r .worker)" != "$victim" ] &&
   [ "$(echo "$st" | jq -r '.previous[0].recording_id')" = "$rec1" ]; then
    ok "redelivered: attempt 2 on $(echo "$st" | jq -r .worker), recording again $(awk "BEGIN{printf \"%.1f\", $t1 - $t0}") s after the kill (new notice, new window), previous attempt linked"
else bad "after the kill: $st"; fi
rec2=$(echo "$st" | jq -r .recording_id)
wait_state "$ID" ended 60 || bad "attempt 2 did not end"
"$RECGATE" audit verify "$W/fleet/$rec2/audit.log" --key-file "$W/audit.key" >/dev/null 2>&1 &&
    grep -q "\"previous_recording\":\"$rec1\"" "$W/fleet/$rec2/audit.log" &&
    grep -q "\"service_request\":\"$ID\"" "$W/fleet/$rec1/audit.log" &&
    ok "audit logs linked: $rec2 names $rec1, both name request $ID" || bad "audit link missing"
"$RECGATE" verify "$W/fleet/$rec1" --identity "$W/org.key" >"$W/v" 2>&1; vrc=$?
if grep -Eq ' ([1-9][0-9]*) of \1 segments intact' "$W/v" && { [ $vrc -eq 0 ] || grep -q 'cut short' "$W/v"; }; then
    ok "the lost bot's recording: every sealed segment intact: $(tail -n 1 "$W/v")"
else bad "lost recording (exit $vrc): $(cat "$W/v")"; fi

# serve restarted: state still served (it lives in JetStream).
kill -TERM "$SERVE_PID"; wait "$SERVE_PID" 2>/dev/null
start_serve s2 --nats "$NATS" || exit 1
[ "$(state_of "$ID")" = ended ] && [ "$(api GET /v1/meetings | body | jq '.meetings | length')" = 31 ] &&
    ok "a new serve instance answers for all 31 meetings" || bad "after serve restart"

# nats-server restarted: what was queued is not lost.
later=$(date -u -d '+6 seconds' +%Y-%m-%dT%H:%M:%SZ)
: >"$W/ids2"
for i in 1 2 3 4 5; do api POST /v1/meetings "$(request 30 false ",\"join_at\":\"$later\"")" | body | jq -r .id >>"$W/ids2"; done
kill -TERM "$NATS_PID"; wait "$NATS_PID" 2>/dev/null
sleep 1
nats_start
all_ended=0; i=0
while [ $i -lt 150 ]; do
    n=0; for id in $(cat "$W/ids2"); do [ "$(state_of "$id")" = ended ] && n=$((n + 1)); done
    [ $n -eq 5 ] && { all_ended=1; break; }
    sleep 0.2; i=$((i + 1))
done
[ $all_ended = 1 ] && ok "nats-server restarted: the 5 queued meetings ran after it came back" || bad "after NATS restart: $n of 5 ended"
# A real Janus room through the fleet: two WebRTC participants with tones.
. "$TOP/tests/e2e/janus/lib.sh"
if janus_start "$W/janus"; then
    for p in "leder 440" "anna 660"; do
        set -- $p
        "$PART" --url "$JANUS_URL" --room 1001 --name "$1" --tone "$2" --leave +45 2>"$W/part-$1.log" &
        PIDS="$PIDS $!"
    done
    sleep 3
    JID=$(api POST /v1/meetings "{\"platform\":\"janus\",\"meeting_type\":\"case-meeting\",\"max_duration_s\":16,\"settings\":{\"url\":\"$JANUS_URL\",\"room\":1001,\"hosts\":[\"leder\"]}}" | body | jq -r .id)
    wait_state "$JID" recording 30 && ok "Janus room 1001 via the fleet: recording" || bad "Janus meeting: $(api GET "/v1/meetings/$JID" | body)"
    wait_state "$JID" 'ended|stopped|failed' 40 || bad "Janus meeting did not end"
    st=$(api GET "/v1/meetings/$JID" | body)
    jrec=$(echo "$st" | jq -r .recording_id)
    if [ "$(echo "$st" | jq -r .decision)" = recorded ] && [ "$(echo "$st" | jq -r '.capture_seconds > 6')" = true ] &&
       "$RECGATE" verify "$W/fleet/$jrec" --identity "$W/org.key" >"$W/v" 2>&1; then
        ok "Janus meeting ended after max_duration_s: $(echo "$st" | jq -r .capture_seconds) s captured, $jrec verifies"
    else bad "Janus meeting: $st / $(cat "$W/v")"; fi
    janus_stop
else bad "Janus did not start"; fi
# A worker drains on SIGTERM.
kill -TERM "$PID_w2" 2>/dev/null; kill -TERM "$PID_w3" 2>/dev/null
wait "$PID_w2" 2>/dev/null; r2=$?; wait "$PID_w3" 2>/dev/null; r3=$?
[ $r2 -eq 0 ] || [ $r3 -eq 0 ] && ok "workers drain on SIGTERM and exit 0" || bad "worker exits $r2 $r3"
finish
