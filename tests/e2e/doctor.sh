#!/bin/sh
# recgate doctor against a real deployment in a private network and mount
# namespace: nginx WebDAV over TLS (tests/e2e/upload/lib.sh), a real Janus,
# keys, a recordings folder. First everything passes (exit 0, nothing left
# behind anywhere), then each check is made to fail once, and must say so
# with a clear message, the right exit status and what to do.
if [ -z "${RG_NETNS:-}" ]; then
    exec env RG_NETNS=1 unshare -n -m sh "$0" "$@"
fi
. "$TOP/tests/e2e/lib/e2e.sh"
ip link set lo up
NGINX=; JANUS_PID=
at_exit 'stop_nginx; janus_stop; umount "$T/ro" "$T/tiny" 2>/dev/null'
. "$TOP/tests/e2e/upload/lib.sh"
. "$TOP/tests/e2e/janus/lib.sh"
umask 077
make_pki || { echo "openssl failed"; exit 1; }
"$RECGATE" keygen -o "$T/org.key" >"$T/org.pub" || exit 1
ORG=$(grep -o 'age1[0-9a-z]*' "$T/org.pub")
"$RECGATE" audit keygen -o "$T/audit.key" >/dev/null || exit 1
start_nginx || exit 1
janus_start "$T/janus" || exit 1
mkdir -m 700 "$T/rec"
FAKE="$TOP/$BUILD/tests/libfakeclock.so"
[ -f "$FAKE" ] || { echo "FAIL: $FAKE not built"; exit 1; }
DAV='{"name":"dk-dav","type":"webdav","url":"https://localhost:8443/dav/","region":"DK","ca_file":"'"$T"'/ca.pem","username":"recgate","password_file":"'"$T"'/dav.pw"}'

# policy FILE [JQ-FILTER]: audit key, recipient, the WebDAV destination, Janus.
policy() {
    jq --arg key "$T/audit.key" --arg rcpt "$ORG" --argjson dav "$DAV" --arg janus "$JANUS_URL" "
      .audit = {key_file: \$key} | .vault = {recipients: [\$rcpt]} |
      .upload = {destinations: [\$dav]} | .platforms = {janus: {url: \$janus, room: 1234}} |
      ${2:-.}" "$TOP/config/recgate.json" >"$1"
}
# doc CLOCK ARGS...: run doctor with a synchronised (or not) clock; sets
# RC and OUT (stdout).
doc() {
    _clock=$1; shift
    OUT=$(LD_PRELOAD="$FAKE" RG_FAKE_CLOCK=$_clock ASAN_OPTIONS=verify_asan_link_order=0 \
          "$RECGATE" doctor "$@" 2>"$T/stderr")
    RC=$?
}
# expect RC STATUS CHECK TEXT WHAT: exit RC and a line "STATUS  CHECK ...TEXT..."
expect() {
    if [ "$RC" -eq "$1" ] && printf '%s\n' "$OUT" | grep "^$2 *$3 " | grep -qF -- "$4"; then
        ok "$5: $(printf '%s\n' "$OUT" | grep "^$2 *$3 " | grep -F -- "$4" | head -1 | cut -c1-150)"
    else
        bad "$5: exit $RC (want $1), no '$2 $3 ...$4':"; printf '%s\n' "$OUT" | sed 's/^/      /'
        cat "$T/stderr"
    fi
}
policy "$T/good.json"

# ---- 1. a sound deployment: every check ok, exit 0, nothing left behind
doc sync --config "$T/good.json" --out "$T/rec" --identity "$T/org.key"
n=$(printf '%s\n' "$OUT" | grep -c '^ok ')
if [ "$RC" -eq 0 ] && ! printf '%s\n' "$OUT" | grep -q '^warn\|^fail'; then
    ok "sound deployment: exit 0, $n checks ok"
else bad "sound deployment: exit $RC"; printf '%s\n' "$OUT"; fi
for c in policy audit-key recipients identity secret output disk upload platform clock; do
    printf '%s\n' "$OUT" | grep -q "^ok  *$c " || bad "no ok line for $c"
done
printf '%s\n' "$OUT" | grep -q '^ok  *upload .*stored, read back and deleted' &&
    ok "upload: test object stored, read back, deleted" || bad "upload line: $OUT"
printf '%s\n' "$OUT" | grep -q '^ok  *platform  *janus: .*answers' && ok "janus: /info answers" || bad "janus line"
left=$(find "$T/www/dav" "$T/rec" -type f | head -3)
[ -z "$left" ] && ok "nothing recorded, no test object left on the server or in --out" || bad "left behind: $left"
grep -q 'PUT /dav/recgate-doctor-.*\.probe' "$T/ngx/access.log" && grep -q 'DELETE /dav/recgate-doctor-' "$T/ngx/access.log" ||
    bad "nginx did not see the test object's PUT and DELETE"
doc sync --config "$T/good.json" --out "$T/rec" --json
if [ "$RC" -eq 0 ] && [ "$(printf '%s' "$OUT" | jq -r .status)" = ok ] &&
   [ "$(printf '%s' "$OUT" | jq '[.checks[] | select(.status != "ok")] | length')" = 0 ]; then
    ok "--json: status ok, $(printf '%s' "$OUT" | jq '.checks | length') checks"
else bad "--json: rc $RC: $OUT"; fi

# ---- 2. the policy
printf '{"controller": {}}' >"$T/broken.json"
doc sync --config "$T/broken.json" --out "$T/rec"
expect 1 fail policy "controller.name" "invalid policy"
chmod 666 "$T/good.json"
doc sync --config "$T/good.json" --out "$T/rec"
expect 1 fail policy "mode 0666: every user can change what is recorded; fix: chmod go-w" "world-writable policy"
chmod 600 "$T/good.json"
policy "$T/us.json" '.upload.destinations[0].region = "US"'
doc sync --config "$T/us.json" --out "$T/rec"
expect 1 fail policy "allowed_regions" "destination outside the allowed regions"

# ---- 3. the audit key
chmod 644 "$T/audit.key"
doc sync --config "$T/good.json" --out "$T/rec"
expect 1 fail audit-key "mode 0644: every user can read it; fix: chmod 600 $T/audit.key" "world-readable audit key"
chmod 640 "$T/audit.key"
doc sync --config "$T/good.json" --out "$T/rec"
expect 1 fail audit-key "its group can read it" "group-readable audit key"
chmod 600 "$T/audit.key"
chown 65534 "$T/audit.key"
doc sync --config "$T/good.json" --out "$T/rec"
expect 1 fail audit-key "is owned by" "audit key owned by another user"
chown 0 "$T/audit.key"
policy "$T/nokey.json" 'del(.audit)'
doc sync --config "$T/nokey.json" --out "$T/rec"
expect 1 fail audit-key "no audit key: audit.key_file is not set" "missing audit.key_file"
policy "$T/gone.json" ".audit.key_file = \"$T/gone.key\""
doc sync --config "$T/gone.json" --out "$T/rec"
expect 1 fail audit-key "No such file or directory; fix: recgate audit keygen -o $T/gone.key" "missing audit key file"
printf 'not a key\n' >"$T/junk.key"
doc sync --config "$T/good.json" --audit-key "$T/junk.key" --out "$T/rec"
expect 1 fail audit-key "junk.key" "audit key file that holds no key"

# ---- 4. recipients and identities
policy "$T/norcpt.json" 'del(.vault)'
doc sync --config "$T/norcpt.json" --out "$T/rec"
expect 3 warn recipients "vault.recipients is empty" "no recipients (warning only: exit 3)"
# A typo the policy's format check lets through (bech32 checksum): found
# here, not when the first meeting tries to encrypt.
case $ORG in *q) TYPO=${ORG%q}p ;; *) TYPO=${ORG%?}q ;; esac
policy "$T/typo.json" ".vault.recipients[0] = \"$TYPO\""
doc sync --config "$T/typo.json" --out "$T/rec"
expect 1 fail recipients "vault.recipients[0]: not a valid age recipient" "recipient with a broken checksum"
cp "$T/org.key" "$T/org-open.key"; chmod 644 "$T/org-open.key"
doc sync --config "$T/good.json" --out "$T/rec" --identity "$T/org-open.key"
expect 1 fail identity "mode 0644: every user can read it" "world-readable organisation key"
"$RECGATE" keygen -o "$T/other-org.key" >/dev/null
doc sync --config "$T/good.json" --out "$T/rec" --identity "$T/other-org.key"
expect 3 warn identity "no vault.recipients entry is its recipient" "identity that matches no recipient"

# ---- 5. the recordings folder
doc sync --config "$T/good.json"
expect 3 warn output "no --out DIR given" "no --out"
mkdir -m 755 "$T/open"
doc sync --config "$T/good.json" --out "$T/open"
expect 1 fail output "mode 0755: every user can list it" "world-readable output folder"
mkdir -m 700 "$T/ro" && mount --bind "$T/ro" "$T/ro" && mount -o remount,bind,ro "$T/ro" || bad "cannot make a read-only folder"
doc sync --config "$T/good.json" --out "$T/ro"
expect 1 fail output "not writable: Read-only file system" "read-only output folder"
mkdir -m 700 "$T/tiny" && mount -t tmpfs -o size=8m,mode=0700 tmpfs "$T/tiny" || bad "cannot mount a small tmpfs"
doc sync --config "$T/good.json" --out "$T/tiny"
expect 1 fail disk "under 256 MiB" "output file system almost full"
doc sync --config "$T/good.json" --out "$T/nothere/rec"
expect 1 fail output "does not exist, nor does its folder" "output folder that cannot be made"

# ---- 6. upload destinations
chmod 644 "$T/dav.pw"
doc sync --config "$T/good.json" --out "$T/rec"
expect 1 fail secret "password_file $T/dav.pw has mode 0644" "world-readable WebDAV password"
chmod 600 "$T/dav.pw"
policy "$T/badca.json" ".upload.destinations[0].ca_file = \"$T/other.pem\""
doc sync --config "$T/badca.json" --out "$T/rec"
expect 1 fail upload "certificate" "WebDAV with the wrong CA"
printf '%s\n' "$OUT" | grep '^fail *upload' | grep -q 'fix: .*ca_file' || bad "wrong CA: the fix does not name ca_file"
printf 'wrong-pw\n' >"$T/bad.pw"
policy "$T/badpw.json" ".upload.destinations[0].password_file = \"$T/bad.pw\""
doc sync --config "$T/badpw.json" --out "$T/rec"
expect 1 fail upload "HTTP 401 Unauthorized; fix: check username and password_file" "wrong WebDAV password"
policy "$T/down.json" '.upload.destinations[0].url = "https://localhost:24443/dav"'
doc sync --config "$T/down.json" --out "$T/rec"
expect 1 fail upload "check the URL's host and port" "WebDAV server down"
left=$(find "$T/www/dav" -type f | head -3)
[ -z "$left" ] || bad "a failed check left a test object: $left"

# ---- 7. the platform
policy "$T/nojanus.json" '.platforms.janus.url = "http://127.0.0.1:24088/janus"'
doc sync --config "$T/nojanus.json" --out "$T/rec"
expect 1 fail platform "janus: GET http://127.0.0.1:24088/janus/info" "nothing listens at the Janus URL"
policy "$T/wrongjanus.json" '.platforms.janus.url = "http://127.0.0.1:8088/videoroom"'
doc sync --config "$T/wrongjanus.json" --out "$T/rec"
expect 1 fail platform "not Janus's HTTP API" "Janus URL with the wrong path"

# ---- 8. the clock
doc unsync --config "$T/good.json" --out "$T/rec"
expect 3 warn clock "not synchronised (adjtimex: STA_UNSYNC)" "unsynchronised clock"

# ---- 9. --json for monitoring: the worst status and each fix
chmod 644 "$T/audit.key"
doc unsync --config "$T/good.json" --out "$T/rec" --json
chmod 600 "$T/audit.key"
if [ "$RC" -eq 1 ] && [ "$(printf '%s' "$OUT" | jq -r '.status, .exit' | tr '\n' ' ')" = "fail 1 " ] &&
   printf '%s' "$OUT" | jq -e '.checks[] | select(.check == "audit-key" and .status == "fail") | .fix | test("chmod 600")' >/dev/null &&
   printf '%s' "$OUT" | jq -e '.checks[] | select(.check == "clock" and .status == "warn")' >/dev/null; then
    ok "--json: status fail, exit 1, the audit key's fix, the clock's warning"
else bad "--json with failures: rc $RC: $OUT"; fi
"$RECGATE" doctor --out "$T/rec" 2>/dev/null; [ $? -eq 2 ] && ok "no --config: usage, exit 2" || bad "no --config"
finish
