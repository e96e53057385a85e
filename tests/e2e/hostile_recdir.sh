#!/bin/sh
# A recording folder edited by someone with write access to it (issue 12):
# retention cannot be extended unnoticed, segments cannot be forged from
# public data or reordered, symlinks and FIFOs are neither followed nor
# waited on, and verify rejects garbage metadata. Each case is checked
# through the CLI on copies of one real recording.
. "$TOP/tests/e2e/lib/common.sh"
REC=$(make_rec "$T/recs") || exit 1
cp -r "$REC" "$T/pristine"
fresh() { rm -rf "$T/c"; cp -r "$T/pristine" "$T/c"; }
ID="--identity $ORG_KEY"
AK="--audit-key $AUDIT_KEY"
TO=60   # a hang is a failure, not a stuck suite

# ---- 3. a segment forged from public data -------------------------------
fresh
RCPT=$(jq -r .recipient "$T/c/tracks/t1/index.json")
head -c 3000 /dev/urandom | age -r "$RCPT" >"$T/c/tracks/t1/000001.age"
SHA=$(sha256sum "$T/c/tracks/t1/000001.age" | cut -d' ' -f1)
SZ=$(stat -c %s "$T/c/tracks/t1/000001.age")
jq --arg s "$SHA" --argjson b "$SZ" '.segments[1].sha256 = $s | .segments[1].bytes = $b' \
    "$T/c/tracks/t1/index.json" >"$T/idx" && mv "$T/idx" "$T/c/tracks/t1/index.json"
# plain_bytes would differ: fix it too, so only the seal can tell.
jq '.segments[1].plain_bytes = 3000' "$T/c/tracks/t1/index.json" >"$T/idx" &&
    mv "$T/idx" "$T/c/tracks/t1/index.json"
timeout $TO "$RECGATE" verify "$T/c" $ID >"$T/v" 2>&1 && grep -q "every tag checked" "$T/v" &&
    ok "without the audit key the forgery passes the tag check (documented limit)" ||
    bad "forgery setup: $(cat "$T/v")"
if timeout $TO "$RECGATE" verify "$T/c" $ID $AK >"$T/v" 2>&1; then
    bad "verify --audit-key accepts a forged segment: $(cat "$T/v")"
else
    grep -q "000001.age: its index does not match what the recorder sealed" "$T/v" &&
        ok "verify --audit-key: $(grep 000001 "$T/v" | head -1 | cut -c1-110)..." ||
        bad "verify --audit-key message: $(cat "$T/v")"
fi
timeout $TO "$RECGATE" export "$T/c" --track t1 $ID $AK -o "$T/f.ogg" 2>"$T/err" &&
    bad "export --track played the forgery" ||
    { grep -q "recorder sealed" "$T/err" && ok "export --track refuses the forgery"; } ||
    bad "export --track message: $(cat "$T/err")"
timeout $TO "$RECGATE" export "$T/c" $ID $AK -o "$T/f.ogg" 2>"$T/err" &&
    bad "mixed export played the forgery" ||
    { grep -q "recorder sealed" "$T/err" && ok "mixed export refuses the forgery"; } ||
    bad "mixed export message: $(cat "$T/err")"
[ -e "$T/f.ogg" ] && bad "output left behind"
"$RECGATE" audit verify "$T/c/audit.log" --key-file "$AUDIT_KEY" >/dev/null &&
    ok "the audit log still verifies (the seals are in it)" || bad "audit log"
grep -c '"event":"seal"' "$T/pristine/audit.log" | grep -qv '^0$' &&
    ok "$(grep -c '"event":"seal"' "$T/pristine/audit.log") seal lines in the recording's audit log" ||
    bad "no seal lines"
# A tail segment dropped from index and disk: the seal still says it existed.
fresh
last=$(jq '.segments | length - 1' "$T/c/tracks/t1/index.json")
f=$(jq -r ".segments[$last].file" "$T/c/tracks/t1/index.json")
rm "$T/c/tracks/t1/$f"
jq "del(.segments[$last])" "$T/c/tracks/t1/index.json" >"$T/idx" && mv "$T/idx" "$T/c/tracks/t1/index.json"
timeout $TO "$RECGATE" verify "$T/c" $AK >"$T/v" 2>&1 && bad "verify misses a removed tail segment" ||
    { grep -q "sealed (audit log) but is not in the index" "$T/v" && ok "removed tail segment reported"; } ||
    bad "tail removal message: $(cat "$T/v")"

# ---- 4. reordered segments: --track refuses like the mixed export ------
fresh
mv "$T/c/tracks/t1/000001.age" "$T/x"; mv "$T/c/tracks/t1/000002.age" "$T/c/tracks/t1/000001.age"
mv "$T/x" "$T/c/tracks/t1/000002.age"
for mode in "--track t1" ""; do
    # shellcheck disable=SC2086
    timeout $TO "$RECGATE" export "$T/c" $mode $ID $AK -o "$T/r.ogg" 2>"$T/err" &&
        bad "export ${mode:-mixed} accepted swapped segments" ||
        { grep -q "SHA-256 differs\|bytes, its index says" "$T/err" &&
          ok "export ${mode:-(mixed)} refuses swapped segments: $(head -1 "$T/err" | cut -c1-100)"; } ||
        bad "export ${mode:-mixed} message: $(cat "$T/err")"
done

# ---- 5. symlinks and FIFOs ----------------------------------------------
fresh
mkdir -p "$T/victim"; echo keep >"$T/victim/000000.age"; echo keep >"$T/victim/x.age.part"
mv "$T/c/tracks/t2" "$T/t2.real"; ln -s "$T/victim" "$T/c/tracks/t2"
timeout $TO "$RECGATE" withdraw "$T/c" --participant lars --mode delete $AK --by t >"$T/out" 2>&1
[ -e "$T/victim/000000.age" ] && [ -e "$T/victim/x.age.part" ] &&
    ok "withdraw --mode delete did not follow the symlinked tracks/t2" ||
    bad "withdraw deleted files outside the recording: $(cat "$T/out")"
fresh
rm "$T/c/tracks/t1/000001.age"; mkfifo "$T/c/tracks/t1/000001.age"
timeout $TO "$RECGATE" verify "$T/c" $ID >"$T/v" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "000001.age: not a regular file" "$T/v" &&
    ok "verify with a FIFO segment: exit 1, $(grep 000001 "$T/v" | head -1 | cut -c1-100)" ||
    bad "verify with a FIFO segment: exit $rc: $(cat "$T/v")"
for mode in "--track t1" ""; do
    # shellcheck disable=SC2086
    timeout $TO "$RECGATE" export "$T/c" $mode $ID $AK -o "$T/p.ogg" 2>"$T/err"; rc=$?
    [ $rc = 1 ] && grep -q "not a regular file" "$T/err" &&
        ok "export ${mode:-(mixed)} with a FIFO segment: exit 1" ||
        bad "export ${mode:-mixed} with a FIFO: exit $rc: $(cat "$T/err")"
done
fresh
ln -s "$T/pristine/tracks/t1/index.json" "$T/x.json"; rm "$T/c/tracks/t1/index.json"
mv "$T/x.json" "$T/c/tracks/t1/index.json"
timeout $TO "$RECGATE" verify "$T/c" >"$T/v" 2>&1 && bad "verify follows a symlinked index.json" ||
    { grep -q "symlink" "$T/v" && ok "symlinked index.json refused"; } || bad "symlinked index: $(cat "$T/v")"
# (A planted folder or symlink where a recording goes: tests/unit/test_vault.c.)

# ---- 6. verify checks every field ---------------------------------------
fresh
jq '.segment_s = -1 | .org_recipients = [1, {}]' "$T/c/vault.json" >"$T/vj" && mv "$T/vj" "$T/c/vault.json"
"$RECGATE" verify "$T/c" >"$T/v" 2>&1 && bad "verify accepts garbage vault.json" || {
    grep -q "segment_s" "$T/v" && grep -q "org_recipients\[0\]" "$T/v" &&
        ok "garbage vault.json: $(grep -c vault.json "$T/v") problems"; } || bad "vault.json: $(cat "$T/v")"
fresh
jq '.segments = [] | .closed = true' "$T/c/tracks/t3/index.json" >"$T/idx" && mv "$T/idx" "$T/c/tracks/t3/index.json"
"$RECGATE" verify "$T/c" >"$T/v" 2>&1 && bad "verify accepts an index with no segments" ||
    { grep -q "t3/index.json: malformed index: segments" "$T/v" && ok "empty index reported"; } ||
    bad "empty index: $(cat "$T/v")"
fresh
jq '.closed = false | .open = {"seq": 99, "file": "../../../etc/passwd", "from_ms": 0}' \
    "$T/c/tracks/t3/index.json" >"$T/idx" && mv "$T/idx" "$T/c/tracks/t3/index.json"
"$RECGATE" verify "$T/c" >"$T/v" 2>&1 && bad "verify accepts a bogus open.file" ||
    { grep -q "open.file" "$T/v" && ok "bogus open.file reported"; } || bad "open.file: $(cat "$T/v")"

# ---- 2. retention cannot be extended unnoticed --------------------------
NOW=$(date -u -d '+100 days' +%Y-%m-%dT%H:%M:%SZ)
for how in delete-log break-mac; do
    rm -rf "$T/dir"; mkdir "$T/dir"; cp -r "$T/pristine" "$T/dir/rec"
    jq '.expires_at = "2099-01-01T00:00:00Z"' "$T/dir/rec/recording.json" >"$T/m" &&
        mv "$T/m" "$T/dir/rec/recording.json"
    if [ $how = delete-log ]; then
        rm "$T/dir/rec/audit.log"
    else
        sed -i '1s/"retention_days":90/"retention_days":9999/' "$T/dir/rec/audit.log"
    fi
    "$RECGATE" purge "$T/dir" --now "$NOW" $AK --by t --config "$TOP/config/recgate.json" \
        >"$T/out" 2>&1; rc=$?
    [ $rc = 1 ] && [ ! -e "$T/dir/rec" ] &&
        ok "$how + expires_at 2099: purged anyway (created + policy retention), exit 1" ||
        bad "$how: exit $rc, folder $( [ -e "$T/dir/rec" ] && echo kept || echo gone): $(cat "$T/out")"
    grep -q "cannot be authenticated" "$T/out" || bad "$how: no message: $(cat "$T/out")"
    grep -q '"event":"expiry_unverified"' "$T/dir/purge.log" &&
        "$RECGATE" audit verify "$T/dir/purge.log" --key-file "$AUDIT_KEY" >/dev/null &&
        ok "$how: logged as expiry_unverified in purge.log" || bad "$how: not audited"
done
# A symlinked keyring/: purge shreds inside the recording, never through it.
rm -rf "$T/dir"; mkdir "$T/dir"; cp -r "$T/pristine" "$T/dir/rec"
mkdir -p "$T/victim2"; echo precious >"$T/victim2/t1.age"
rm -rf "$T/dir/rec/keyring"; ln -s "$T/victim2" "$T/dir/rec/keyring"
"$RECGATE" purge "$T/dir" --now "$NOW" $AK --by t >"$T/out" 2>&1
[ "$(cat "$T/victim2/t1.age" 2>/dev/null)" = precious ] &&
    ok "purge did not shred through a symlinked keyring/" ||
    bad "purge overwrote a file outside the recording: $(cat "$T/out")"
# Intact log: the edit alone is capped by the log (as before), exit 0.
rm -rf "$T/dir"; mkdir "$T/dir"; cp -r "$T/pristine" "$T/dir/rec"
jq '.expires_at = "2099-01-01T00:00:00Z"' "$T/dir/rec/recording.json" >"$T/m" && mv "$T/m" "$T/dir/rec/recording.json"
"$RECGATE" purge "$T/dir" --now "$NOW" $AK --by t >"$T/out" 2>&1 && [ ! -e "$T/dir/rec" ] &&
    ok "intact log: expiry from the log, exit 0" || bad "intact log: $(cat "$T/out")"
exit $fail
