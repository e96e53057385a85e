#!/bin/sh
# The fleet on loopback (inside unshare -n): a real nats-server with
# JetStream, `recgate serve --nats`, 3 `recgate worker`s (--max-meetings 4).
#   latency  N sequential requests, each waited for: POST -> the bot
#            "joining" (a worker took it) and -> "announced" (the bot is in
#            the meeting and its notice was delivered); p50 / p99
#   drain    M requests queued at once, drained by the 3 workers: wall
#            time, meetings per second
# Sim meetings in virtual time (`"realtime": false`), recorded for real.
# BENCH_FLEET_LATENCY (default 50) and BENCH_FLEET_DRAIN (default 1000).
set -u
BUILD=${BUILD:-build}
TOP=${TOP:-$(pwd)}
RECGATE=${RECGATE:-$TOP/$BUILD/recgate}
if [ "${1:-}" != inside ]; then
    command -v nats-server >/dev/null || { echo "bench_fleet: nats-server missing (make deps)"; exit 1; }
    exec unshare -n sh "$0" inside
fi
ip link set lo up
N=${BENCH_FLEET_LATENCY:-50}
M=${BENCH_FLEET_DRAIN:-1000}
W=$(mktemp -d); PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"' EXIT
umask 077
"$RECGATE" keygen -o "$W/org.key" >"$W/org.pub"
"$RECGATE" audit keygen -o "$W/audit.key" >/dev/null
jq --arg r "$(grep -o 'age1[0-9a-z]*' "$W/org.pub")" --arg k "$W/audit.key" \
   '.vault = {recipients: [$r]} | .audit = {key_file: $k}' "$TOP/config/recgate.json" >"$W/policy.json"
openssl rand -hex 24 >"$W/token"; TOK=$(cat "$W/token")
nats-server -js -a 127.0.0.1 -p 4222 -sd "$W/js" >"$W/nats.log" 2>&1 & PIDS="$PIDS $!"
sleep 0.5
for w in 1 2 3; do
    "$RECGATE" worker --nats nats://127.0.0.1:4222 --config "$W/policy.json" --out "$W/recs" \
        --max-meetings 4 --name "w$w" 2>"$W/w$w.log" & PIDS="$PIDS $!"
done
"$RECGATE" serve --nats nats://127.0.0.1:4222 --config "$W/policy.json" --token-file "$W/token" \
    --listen 127.0.0.1:0 --port-file "$W/port" 2>"$W/serve.log" & PIDS="$PIDS $!"
i=0; while [ ! -s "$W/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
URL="http://127.0.0.1:$(cat "$W/port")/v1/meetings"
REQ='{"platform":"sim","meeting_type":"case-meeting","settings":{"realtime":false,"scenario":{"meeting":{"id":"b","type":"case-meeting"},"events":[{"at":0,"join":"a","name":"A","role":"host"},{"at":0,"join":"b","name":"B"},{"at":90,"end":true}]}}}'
post() { curl -s -H "Authorization: Bearer $TOK" --data-binary "$REQ" "$URL" | jq -r .id; }
ms() { date -d "$1" +%s%3N; }

: >"$W/lat"
for i in $(seq 1 "$N"); do
    t0=$(date +%s%3N)
    id=$(post)
    while :; do
        st=$(curl -s -H "Authorization: Bearer $TOK" "$URL/$id")
        a=$(echo "$st" | jq -r '.states.announced // empty')
        [ -n "$a" ] && break
        echo "$st" | jq -e '.state | test("failed|refused")' >/dev/null && { echo "bench_fleet: $st"; exit 1; }
        sleep 0.02
    done
    j=$(echo "$st" | jq -r .states.joining)
    echo "$(( $(ms "$j") - t0 )) $(( $(ms "$a") - t0 ))" >>"$W/lat"
done
pct() { sort -n | awk -v p="$1" '{v[NR]=$1} END {i=int((NR-1)*p/100)+1; print v[i]}'; }
echo "fleet latency over $N requests (POST -> state, ms): " \
     "joining p50 $(cut -d' ' -f1 "$W/lat" | pct 50) p99 $(cut -d' ' -f1 "$W/lat" | pct 99);" \
     "announced p50 $(cut -d' ' -f2 "$W/lat" | pct 50) p99 $(cut -d' ' -f2 "$W/lat" | pct 99)"

t0=$(date +%s%3N)
for i in $(seq 1 "$M"); do post >/dev/null; done
t1=$(date +%s%3N)
while :; do
    n=$(curl -s -H "Authorization: Bearer $TOK" "$URL?state=ended" | jq '.meetings | length')
    [ "$n" -ge $((N + M)) ] && break
    sleep 1
done
t2=$(date +%s%3N)
f=$(curl -s -H "Authorization: Bearer $TOK" "$URL?state=failed" | jq '.meetings | length')
echo "fleet drain: $M requests queued in $(( (t1 - t0) / 1000 )) s, drained by 3 workers x 4 bots in" \
     "$(( (t2 - t0) / 1000 )) s: $(awk "BEGIN{printf \"%.1f\", $M * 1000 / ($t2 - $t0)}") meetings/s, $f failed"
