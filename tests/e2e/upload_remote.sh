#!/bin/sh
# Withdrawal and purge reach every remote copy, and "deleted" is said only
# when proven (issue 18), against nginx WebDAV and s3rver in a private
# network namespace: withdraw without --config refused while copies exist;
# a lost journal and a damaged one; purge with the server down parks the
# remote deletes outside the folder, exits 1, and `recgate upload --delete`
# and the next purge finish them once the server is back; S3 deletes are
# proven by listing (ListObjectsV2) even without a journal.
if [ -z "${RG_NETNS:-}" ]; then
    exec env RG_NETNS=1 unshare -n sh "$0" "$@"
fi
. "$TOP/tests/e2e/lib/e2e.sh"
ip link set lo up
NGINX= S3=
at_exit 'stop_nginx; [ -n "$S3" ] && kill "$S3" 2>/dev/null'
. "$TOP/tests/e2e/upload/lib.sh"
umask 077
make_pki || { echo "openssl failed"; exit 1; }
"$RECGATE" keygen -o "$T/org.key" >/dev/null 2>&1
ORG=$(grep -o 'age1[0-9a-z]*' "$T/org.key")
"$RECGATE" audit keygen -o "$T/audit.key" >/dev/null
make_scenario "$T/sc.json" 16
start_nginx || exit 1
DAV='{"name":"dk-dav","type":"webdav","url":"https://localhost:8443/dav/","region":"DK","ca_file":"'"$T"'/ca.pem","username":"recgate","password_file":"'"$T"'/dav.pw","include_keyring":true}'
make_policy "$T/p.json" "[$DAV]"
rec() { # rec OUTDIR: record one meeting, print its folder
    "$RECGATE" run --config "$T/p.json" --scenario "$T/sc.json" --out "$1" --quiet >/dev/null 2>&1
    ls -d "$1"/rec-* | tail -1
}
remote_files() { find "$T/www/dav/$(basename "$1")" -type f 2>/dev/null | wc -l; }

# ---- 1. withdraw without --config while copies exist: refused, nothing done
R=$(rec "$T/r1")
n=$(remote_files "$R")
"$RECGATE" withdraw "$R" --participant bob --mode delete --audit-key "$T/audit.key" > "$T/w1" 2>&1 &&
    bad "withdraw without --config: exit 0"
grep -q "has copies on upload destinations (dk-dav).*give --config FILE" "$T/w1" &&
    ok "withdraw without --config refused: $(head -c 150 "$T/w1")..." || bad "message: $(cat "$T/w1")"
[ -f "$R/keyring/t1.age" ] && [ "$(remote_files "$R")" = "$n" ] && ok "nothing done locally or remotely ($n remote files)" ||
    bad "something was done"

# ---- 2. journal lost after a complete upload: withdraw still deletes it all
rm "$R/upload.journal"
"$RECGATE" withdraw "$R" --participant bob --mode delete --config "$T/p.json" > "$T/w2" 2>&1 ||
    bad "withdraw (lost journal) failed: $(cat "$T/w2")"
left=$(remote_files "$R")
[ "$left" = 0 ] && [ ! -d "$T/www/dav/$(basename "$R")" ] && ok "lost journal: remote folder gone ($n files, proven by the collection DELETE)" ||
    bad "lost journal: $left remote files left"
grep -q "remote copies deleted from every destination" "$T/w2" && ok "said deleted only after proof" || bad "$(cat "$T/w2")"
"$RECGATE" withdraw "$R" --participant bob --mode delete --audit-key "$T/audit.key" > "$T/w2b" 2>&1 &&
    ok "once proven gone, withdraw without --config is no longer refused: $(head -c 100 "$T/w2b")..." ||
    bad "withdraw after proven delete: $(cat "$T/w2b")"

# ---- 3. a damaged journal is reported, not silently skipped
R=$(rec "$T/r3")
sed -i '3s/.*/{"op":"done","dest":"dk-dav","fi GARBAGE/' "$R/upload.journal"
"$RECGATE" upload "$R" --config "$T/p.json" --max-seconds 10 > "$T/u3" 2>&1 && bad "damaged journal: exit 0"
grep -q "upload.journal: line 3 damaged (skipped)" "$T/u3" && ok "damaged line reported: $(grep -o 'line 3 damaged[^:]*' "$T/u3" | head -1)" ||
    bad "damaged line not reported: $(cat "$T/u3")"

# ---- 4. purge with the server down: the remote deletes outlive the folder
mkdir -p "$T/r4"
A=$(rec "$T/r4"); sleep 1; B=$(rec "$T/r4")
na=$(remote_files "$A"); nb=$(remote_files "$B")
[ -f "$T/www/dav/$(basename "$A")/keyring/t1.age" ] && ok "keyring uploaded (include_keyring): $na + $nb remote files"
stop_nginx
"$RECGATE" purge "$T/r4" --now 2099-01-01T00:00:00Z --config "$T/p.json" > "$T/u4" 2>&1 &&
    bad "purge exit 0 while remote copies stay"
[ ! -d "$A" ] && [ ! -d "$B" ] && ok "purge (server down): local folders gone, exit 1" || bad "local folders left"
[ -f "$T/r4/.remote-deletes/$(basename "$A")/upload.journal" ] && [ -f "$T/r4/.remote-deletes/$(basename "$B")/upload.journal" ] &&
    ok "pending remote deletes parked in r4/.remote-deletes/" || bad "nothing parked: $(cat "$T/u4")"
grep -q "remote copies NOT proven deleted" "$T/u4" && ok "purge says: $(grep -o 'remote copies NOT proven deleted: [^;]*' "$T/u4" | head -1 | cut -c1-120)..." ||
    bad "purge report: $(cat "$T/u4")"
[ "$(remote_files "$A")" = "$na" ] && ok "remote copies still there while the server is down ($na files)"
"$RECGATE" upload "$A" --config "$T/p.json" --delete --max-seconds 3 > "$T/u4b" 2>&1 &&
    bad "upload --delete exit 0 with the server down"
grep -q "No such file" "$T/u4b" && bad "upload --delete needs the local folder: $(cat "$T/u4b")" ||
    ok "recgate upload --delete without the local folder: exit 1, still pending"
start_nginx
"$RECGATE" upload "$A" --config "$T/p.json" --delete --max-seconds 20 > "$T/u4c" 2>&1 ||
    bad "upload --delete after restart: $(cat "$T/u4c")"
[ "$(remote_files "$A")" = 0 ] && [ ! -d "$T/www/dav/$(basename "$A")" ] && [ ! -d "$T/r4/.remote-deletes/$(basename "$A")" ] &&
    ok "recgate upload --delete: remote folder and keyring gone, pending record removed" || bad "A: $(cat "$T/u4c")"
"$RECGATE" purge "$T/r4" --now 2099-01-01T00:00:00Z --config "$T/p.json" > "$T/u4d" 2>&1 ||
    bad "second purge: $(cat "$T/u4d")"
[ "$(remote_files "$B")" = 0 ] && [ ! -d "$T/r4/.remote-deletes/$(basename "$B")" ] &&
    ok "next purge retried the parked deletes: remote folder gone, exit 0" || bad "B: $(cat "$T/u4d")"
grep -q '"event":"remote_delete".*"ok":false' "$T/r4/purge.log" && grep -q '"event":"remote_delete".*"file":"\*","ok":true' "$T/r4/purge.log" &&
    ok "failed and proven deletes audited in purge.log" || bad "purge.log lacks remote_delete events"

# ---- 5. S3: a lost journal, deletes proven by listing
S3RVER="$TOP/.deps/npm/node_modules/.bin/s3rver"
if [ -x "$S3RVER" ]; then
    mkdir -p "$T/s3"
    "$S3RVER" -d "$T/s3" -a 127.0.0.1 -p 9443 --key "$T/srv.key" --cert "$T/srv.pem" \
        --configure-bucket recs --no-vhost-buckets --silent > "$T/s3.log" 2>&1 &
    S3=$!
    i=0
    until curl -s -o /dev/null --cacert "$T/ca.pem" https://localhost:9443/recs; do
        sleep 0.2; i=$((i + 1)); [ $i -gt 75 ] && { bad "s3rver did not start"; break; }
    done
    printf 'S3RVER\n' > "$T/s3.secret"
    S3D='{"name":"se-s3","type":"s3","url":"https://localhost:9443/recs","s3_region":"eu-north-1","ca_file":"'"$T"'/ca.pem","access_key_id":"S3RVER","secret_key_file":"'"$T"'/s3.secret"}'
    make_policy "$T/ps.json" "[$S3D]"
    "$RECGATE" run --config "$T/ps.json" --scenario "$T/sc.json" --out "$T/r5" --quiet >/dev/null 2>&1
    R=$(ls -d "$T"/r5/rec-* | tail -1)
    # anonymise bob: the remote manifest object is replaced (read back)
    "$RECGATE" withdraw "$R" --participant bob --mode anonymize --identity "$T/org.key" \
        --config "$T/ps.json" > "$T/w5a" 2>&1 || bad "S3 anonymize: $(cat "$T/w5a")"
    RM="$T/s3/recs/$(basename "$R")/manifest.json.age._S3rver_object"
    if cmp -s "$RM" "$R/manifest.json.age" && age -d -i "$T/org.key" "$RM" > "$T/rm5.json" 2>/dev/null &&
       ! grep -q '"bob"' "$T/rm5.json"; then
        ok "S3: remote manifest replaced by the anonymised one (decrypts, no bob)"
    else bad "S3: remote manifest still the old one"; fi
    n=$(find "$T/s3/recs/$(basename "$R")" -name '*._S3rver_object' | wc -l)
    rm "$R/upload.journal"
    "$RECGATE" withdraw "$R" --participant bob --mode delete --config "$T/ps.json" > "$T/w5" 2>&1 ||
        bad "S3 withdraw: $(cat "$T/w5")"
    left=$(find "$T/s3/recs/$(basename "$R")" -name '*._S3rver_object' 2>/dev/null | wc -l)
    [ "$n" -gt 3 ] && [ "$left" = 0 ] && ok "S3, lost journal: all $n objects deleted (listed, deleted, listed empty)" ||
        bad "S3: $left of $n objects left"
else
    bad "s3rver is not installed: run make deps"
fi
finish
