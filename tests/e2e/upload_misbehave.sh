#!/bin/sh
# Upload against servers that lie or stall (issue 18), in a private network
# namespace: an S3 server that stores half the body but returns the ETag of
# the whole (caught by the read-back; local segments kept), a server that
# trickles 2 bytes/s (wait_at_end_s and --max-seconds are hard limits, each
# request has an overall deadline, the recording ends cleanly and the
# upload resumes later), a redirect ("redirect to HOST refused"), and a
# password file others can read (refused).
if [ -z "${RG_NETNS:-}" ]; then
    exec env RG_NETNS=1 unshare -n sh "$0" "$@"
fi
. "$TOP/tests/e2e/lib/e2e.sh"
ip link set lo up
NGINX= BAD1= BAD2=
at_exit 'stop_nginx; for p in $BAD1 $BAD2; do kill "$p" 2>/dev/null; done'
. "$TOP/tests/e2e/upload/lib.sh"
umask 077
make_pki || { echo "openssl failed"; exit 1; }
"$RECGATE" keygen -o "$T/org.key" >/dev/null 2>&1
ORG=$(grep -o 'age1[0-9a-z]*' "$T/org.key")
"$RECGATE" audit keygen -o "$T/audit.key" >/dev/null
make_scenario "$T/sc.json" 16
start_nginx || exit 1
node "$TOP/tests/e2e/upload/badserver.js" 9444 "$T/srv.key" "$T/srv.pem" truncate 2>"$T/bad1.log" & BAD1=$!
node "$TOP/tests/e2e/upload/badserver.js" 9445 "$T/srv.key" "$T/srv.pem" trickle 2>"$T/bad2.log" & BAD2=$!
for port in 9444 9445; do   # listening: anything but "connection refused"
    i=0
    while curl -s -o /dev/null -m 1 --cacert "$T/ca.pem" "https://localhost:$port/x"; [ $? = 7 ]; do
        sleep 0.2; i=$((i + 1)); [ $i -gt 50 ] && { echo "  FAIL: badserver $port did not start"; exit 1; }
    done
done
printf 'S3KEY\n' > "$T/s3.secret"

# ---- 1. S3 server keeps half the bytes, answers with the full body's ETag
S3='{"name":"se-s3","type":"s3","url":"https://localhost:9444/recs","s3_region":"eu-north-1","ca_file":"'"$T"'/ca.pem","access_key_id":"K","secret_key_file":"'"$T"'/s3.secret","delete_local_after_upload":true}'
make_policy "$T/p1.json" "[$S3]" '{"wait_at_end_s":3}'
"$RECGATE" run --config "$T/p1.json" --scenario "$T/sc.json" --out "$T/r1" --json --quiet > "$T/s1.json" 2>"$T/e1" ||
    bad "run failed: $(cat "$T/e1")"
R1=$(ls -d "$T"/r1/rec-* | head -1)
grep -q '"op":"done"' "$R1/upload.journal" && bad "a truncated S3 upload was journaled as done" ||
    ok "truncated S3 upload not confirmed ($(jq -c .upload "$T/s1.json"))"
grep -q '"op":"local_removed"' "$R1/upload.journal" && bad "local segments deleted after a truncated upload" ||
    ok "every local segment kept ($(ls "$R1"/tracks/*/[0-9]*.age | wc -l) files)"
grep -q '"ok":false.*remote copy differs' "$R1/audit.log" &&
    ok "audited: $(grep -o 'remote copy differs ([^)]*)' "$R1/audit.log" | head -1)" || bad "no 'remote copy differs' in the audit log"

# ---- 2. a server that trickles 2 bytes/s
TR='{"name":"dk-dav","type":"webdav","url":"https://localhost:9445/dav","region":"DK","ca_file":"'"$T"'/ca.pem"}'
make_policy "$T/p2.json" "[$TR]" '{"wait_at_end_s":4}'
t0=$(date +%s)
timeout 120 "$RECGATE" run --config "$T/p2.json" --scenario "$T/sc.json" --out "$T/r2" --json --quiet > "$T/s2.json" 2>"$T/e2"
rc=$?; dt=$(( $(date +%s) - t0 ))
R2=$(ls -d "$T"/r2/rec-* | head -1)
[ "$rc" = 0 ] && [ "$dt" -le 30 ] && ok "trickling server: run ended in $dt s (wait_at_end_s 4), exit 0" ||
    bad "trickling server: run took $dt s, exit $rc"
[ "$(jq '.upload.pending > 0' "$T/s2.json" 2>/dev/null)" = true ] && ok "summary written, uploads pending ($(jq -c .upload "$T/s2.json"))" ||
    bad "no summary: $(head -c 300 "$T/s2.json")"
"$RECGATE" audit verify "$R2/audit.log" --key-file "$T/audit.key" >/dev/null 2>&1 &&
    ok "audit log closed and verifies" || bad "audit log does not verify"
t0=$(date +%s)
timeout 120 "$RECGATE" upload "$R2" --config "$T/p2.json" --max-seconds 5 --quiet > "$T/u2" 2>&1
rc=$?; dt=$(( $(date +%s) - t0 ))
[ "$rc" = 1 ] && [ "$dt" -le 12 ] && ok "recgate upload --max-seconds 5: stopped after $dt s, exit 1 (pending)" ||
    bad "recgate upload --max-seconds 5: $dt s, exit $rc"
# each request has its own overall deadline (timeout_s 2 + 1 s per 16 KiB)
TR2=$(printf '%s' "$TR" | jq -c '.timeout_s = 2')
make_policy "$T/p2b.json" "[$TR2]"
timeout 120 "$RECGATE" upload "$R2" --config "$T/p2b.json" --max-seconds 4 > "$T/u2b" 2>&1
grep -q "no complete answer within" "$T/u2b" && ok "per-request deadline: $(grep -o 'no complete answer within [0-9.]* s' "$T/u2b" | head -1)" ||
    bad "no per-request deadline: $(head -3 "$T/u2b")"
# the same destination back at a working server: the upload resumes
OKD=$(printf '%s' "$TR" | jq -c '.url = "https://localhost:8443/dav/" | .username = "recgate" | .password_file = "'"$T"'/dav.pw"')
make_policy "$T/p2c.json" "[$OKD]"
"$RECGATE" upload "$R2" --config "$T/p2c.json" --max-seconds 30 --quiet > "$T/u2c" 2>&1 &&
    check_remote "$R2" "$T/www/dav" && ok "upload resumed later: $(tail -1 "$T/u2c")" || bad "resume: $(cat "$T/u2c")"

# ---- 3. a redirect is refused and says where it pointed
RD=$(printf '%s' "$TR" | jq -c '.url = "https://localhost:8443/redir"')
make_policy "$T/p3.json" "[$RD]"
"$RECGATE" upload "$R1" --config "$T/p3.json" --max-seconds 3 > "$T/u3" 2>&1 && bad "redirect: exit 0"
grep -q "redirect to elsewhere.example refused" "$T/u3" && ok "$(grep -o 'redirect to [^)]*)' "$T/u3" | head -1)" ||
    bad "redirect message: $(head -2 "$T/u3")"

# ---- 4. a password file group/others can read is refused, like the audit key
chmod 644 "$T/dav.pw"
"$RECGATE" upload "$R2" --config "$T/p2c.json" --max-seconds 3 > "$T/u4" 2>&1 && bad "world-readable password file accepted"
grep -q "dav.pw: secret file has mode 0644: group/others may read it; run chmod 600" "$T/u4" &&
    ok "refused: $(grep -o 'dav.pw: secret file has mode [^;]*' "$T/u4" | head -1)" || bad "perm message: $(cat "$T/u4")"
chmod 600 "$T/dav.pw"
finish
