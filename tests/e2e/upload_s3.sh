#!/bin/sh
# Uploads to a local S3-compatible server (s3rver from npm, installed by
# `make deps` into .deps/npm) over TLS on loopback, signed with libcurl's
# AWS SigV4: normal upload (objects byte-identical, ETag = MD5 confirmed),
# unknown access key refused and audited, remote delete, and an S3 region
# outside the EU/EEA refused at config load.
# Note: s3rver checks the access key id and the SigV4 header format, not
# the signature's value.
if [ -z "${RG_NETNS:-}" ]; then
    exec env RG_NETNS=1 unshare -n sh "$0" "$@"
fi
. "$TOP/tests/e2e/lib/e2e.sh"
# Installed by `make deps` outside this network namespace (none here).
S3RVER="$TOP/.deps/npm/node_modules/.bin/s3rver"
[ -x "$S3RVER" ] || { echo "  FAIL: s3rver is not installed: run make deps"; exit 1; }
ip link set lo up
S3=
at_exit '[ -n "$S3" ] && kill "$S3" 2>/dev/null; [ -n "${KEEP:-}" ] && cp -r "$T" /tmp/keep-s3'
. "$TOP/tests/e2e/upload/lib.sh"
umask 077
make_pki || { echo "openssl failed"; exit 1; }
"$RECGATE" keygen -o "$T/org.key" >/dev/null 2>&1
ORG=$(grep -o 'age1[0-9a-z]*' "$T/org.key")
"$RECGATE" audit keygen -o "$T/audit.key" >/dev/null
make_scenario "$T/sc.json" 16
mkdir -p "$T/s3"
"$S3RVER" -d "$T/s3" -a 127.0.0.1 -p 9443 --key "$T/srv.key" --cert "$T/srv.pem" \
    --configure-bucket recs --no-vhost-buckets --silent > "$T/s3.log" 2>&1 &
S3=$!
i=0
until curl -s -o /dev/null --cacert "$T/ca.pem" https://localhost:9443/recs; do
    sleep 0.2; i=$((i + 1)); [ $i -gt 75 ] && { echo "  FAIL: s3rver did not start"; cat "$T/s3.log"; exit 1; }
done
printf 'S3RVER\n' > "$T/s3.secret"
DEST='{"name":"se-s3","type":"s3","url":"https://localhost:9443/recs","s3_region":"eu-north-1","ca_file":"'"$T"'/ca.pem","access_key_id":"S3RVER","secret_key_file":"'"$T"'/s3.secret"}'

# ---- 1. normal upload
make_policy "$T/p1.json" "[$DEST]"
"$RECGATE" run --config "$T/p1.json" --scenario "$T/sc.json" --out "$T/r1" --json --quiet > "$T/s1.json" 2>"$T/e1" ||
    bad "run failed: $(cat "$T/e1")"
REC=$(ls -d "$T"/r1/rec-* | head -1)
[ "$(jq .upload.pending "$T/s1.json")" = 0 ] && ok "S3: nothing pending ($(jq -c .upload "$T/s1.json"))" ||
    bad "S3 summary: $(jq -c .upload "$T/s1.json")"
root="$T/s3/recs/$(basename "$REC")"; n=0; m=0
for f in "$REC"/tracks/*/[0-9]*.age "$REC"/manifest.json.age "$REC"/recording.json "$REC"/audit.log; do
    rel=${f#"$REC"/}
    if cmp -s "$f" "$root/$rel._S3rver_object"; then n=$((n + 1)); else m=$((m + 1)); echo "    differs: $rel"; fi
done
[ "$n" -gt 3 ] && [ "$m" = 0 ] && ok "S3: $n objects byte-identical" || bad "S3: $n identical, $m not"
ls "$root/keyring" >/dev/null 2>&1 && bad "S3: keyring uploaded" || ok "S3: keyring stayed home"
grep -q '"event":"upload".*"region":"SE".*"ok":true' "$REC/audit.log" && ok "S3: uploads audited with region SE" ||
    bad "S3: no upload event"

# ---- 2. unknown access key: refused by the server, audited, nothing done
BADKEY=$(printf '%s' "$DEST" | jq -c '.access_key_id = "NOSUCHKEY"')
make_policy "$T/p2.json" "[$BADKEY]" '{"wait_at_end_s":1}'
"$RECGATE" run --config "$T/p2.json" --scenario "$T/sc.json" --out "$T/r2" --json --quiet > "$T/s2.json" 2>/dev/null ||
    bad "run with a bad key must still record"
R2=$(ls -d "$T"/r2/rec-* | head -1)
grep -q '"ok":false.*HTTP 403' "$R2/audit.log" && ok "S3: unknown access key -> HTTP 403, audited" ||
    bad "S3: bad key not audited as 403"
[ "$(jq '.upload.pending > 0' "$T/s2.json")" = true ] && ok "S3: uploads stay pending in the journal" || bad "S3: bad key"

# ---- 3. remote delete
"$RECGATE" upload "$REC" --config "$T/p1.json" --delete --max-seconds 10 --quiet > "$T/u3" 2>&1 ||
    bad "S3 delete failed: $(cat "$T/u3")"
left=$(find "$root" -name '*._S3rver_object' 2>/dev/null | wc -l)
[ "$left" = 0 ] && ok "S3: whole recording deleted remotely" || bad "S3: $left objects left"

# ---- 4. transfer guard via the bucket region
US=$(printf '%s' "$DEST" | jq -c '.s3_region = "us-east-1"')
make_policy "$T/p4.json" "[$US]"
if "$RECGATE" run --config "$T/p4.json" --scenario "$T/sc.json" --out "$T/r4" --quiet 2>"$T/e4"; then
    bad "S3: us-east-1 accepted"
else
    grep -q 'upload.destinations\[0\].s3_region: expected an EU/EEA or adequacy country (allowed_regions), got "us-east-1 (US)"' "$T/e4" &&
        ok "S3 refused: $(head -1 "$T/e4")" || bad "S3 message: $(cat "$T/e4")"
fi

# ---- 5. recgate doctor: the S3 destination takes a test object (then
# deleted); an unknown access key is a failure naming the credentials
"$RECGATE" doctor --config "$T/p1.json" --json > "$T/d1" 2>&1
if jq -e '.checks[] | select(.check == "upload" and .status == "ok") | .message | test("se-s3 \\(s3, SE\\).*deleted")' "$T/d1" >/dev/null; then
    ok "doctor: S3 destination ok ($(jq -r '.checks[] | select(.check == "upload") | .message' "$T/d1" | cut -c1-80))"
else bad "doctor S3: $(cat "$T/d1")"; fi
[ -z "$(find "$T/s3/recs" -name 'recgate-doctor-*' 2>/dev/null)" ] || bad "doctor left its S3 test object"
"$RECGATE" doctor --config "$T/p2.json" > "$T/d2" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q '^fail  upload     se-s3 (s3, SE): PUT .*HTTP 403.*fix: check access_key_id, secret_key_file and s3_region' "$T/d2" &&
    ok "doctor: unknown S3 access key: $(grep '^fail  upload' "$T/d2" | cut -c1-100)" || bad "doctor S3 bad key: rc $rc: $(cat "$T/d2")"
finish
