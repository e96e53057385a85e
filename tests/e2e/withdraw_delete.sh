#!/bin/sh
# recgate withdraw --mode delete: every track key is shredded, segments and
# manifest removed, a tombstone (recording.json, audit.log, vault.json, no
# personal data) remains with the withdrawal audited; copies of segments
# are unreadable; idempotent; a SIGKILL after the key step is completed by
# the next run; no identity needed (the audit log proves participation).
. "$TOP/tests/e2e/lib/common.sh"
REC=$(make_rec "$T/recs") || exit 1
PS=$(pseudonym mette)
cp -r "$REC" "$T/pristine"
mkdir "$T/backup" && cp -r "$REC/tracks" "$T/backup/"

D() { "$RECGATE" withdraw "$1" --participant mette --mode delete --audit-key "$AUDIT_KEY"; }
D "$REC" >"$T/out" && ok "$(cat "$T/out")" || bad "withdraw delete: $(cat "$T/out")"
left=$(cd "$REC" && find . -type f | sort | tr '\n' ' ')
case "$left" in
"./audit.log ./recording.json ./tracks/t1/index.json ./tracks/t2/index.json ./tracks/t3/index.json ./vault.json ")
    ok "tombstone only: $left" ;;
*) bad "files left: $left" ;;
esac
jq -e '.deleted == true and .decision == "deleted" and ([.tracks[] | select(.destroyed)] | length == 3)
       and .withdrawals[0].participant == "'"$PS"'" and .withdrawals[0].mode == "delete"' \
    "$REC/recording.json" >/dev/null && ok "recording.json marks the deletion" || bad "recording.json"
opened=0
for f in "$T/backup/tracks/"*/*.age; do
    age -d -i "$ORG_KEY" "$f" >/dev/null 2>&1 && opened=1
done
[ $opened = 0 ] && ok "copied segments unreadable (no key left anywhere)" || bad "a copy decrypts"
"$RECGATE" audit verify "$REC/audit.log" --key-file "$AUDIT_KEY" >/dev/null &&
    grep -q '"event":"withdrawal".*"action":"delete_recording"' "$REC/audit.log" &&
    grep -q '"event":"purge".*"reason":"withdrawal".*"key_destroyed":true' "$REC/audit.log" &&
    ok "deletion audited in a verifying log" || bad "audit"
D "$REC" >"$T/out" && grep -q "already deleted" "$T/out" && ok "second run: nothing to do" ||
    bad "not idempotent: $(cat "$T/out")"
"$RECGATE" report "$REC" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" -o "$T/r.html" >/dev/null &&
    grep -q "manifest no longer exists" "$T/r.html" && ok "report on a deleted recording" ||
    bad "report on the tombstone"
if grep -rqiE 'karen|lars|mette|holm|berg|juhl' "$REC" "$T/r.html"; then bad "names left"; else
    ok "no names in the tombstone or its report"; fi

C="$T/crash"; cp -r "$T/pristine" "$C"
(RECGATE=$RECGATE_TESTHOOKS RG_TEST_CRASH_AT=keys; export RG_TEST_CRASH_AT; D "$C") >/dev/null 2>&1
[ $? -eq 137 ] && [ -e "$C/withdraw.pending" ] && [ ! -e "$C/keyring/t1.age" ] &&
    [ -e "$C/manifest.json.age" ] && ok "killed after the key step: keys gone, journal left" ||
    bad "crash step"
"$RECGATE" withdraw "$C" --participant karen --mode delete --audit-key "$AUDIT_KEY" >"$T/out" 2>&1 &&
    grep -q "interrupted withdrawal was completed" "$T/out" && [ ! -e "$C/withdraw.pending" ] &&
    [ ! -e "$C/manifest.json.age" ] && [ "$(grep -c '"event":"purge"' "$C/audit.log")" = 1 ] &&
    ok "next run completed it: $(head -1 "$T/out")" || bad "resume: $(cat "$T/out")"

"$RECGATE" withdraw "$T/pristine" --participant ghost --mode delete --audit-key "$AUDIT_KEY" 2>"$T/err" &&
    bad "unknown participant deleted the recording" || ok "unknown participant: $(cat "$T/err")"
[ -e "$T/pristine/keyring/t1.age" ] || bad "pristine copy damaged"
"$RECGATE" withdraw "$T/nowhere" --participant mette --mode delete --audit-key "$AUDIT_KEY" 2>"$T/err" &&
    bad "missing folder accepted" || ok "missing folder: $(cat "$T/err")"
echo '{"format":"recgate-recording-1","id":"x"}' >"$T/pristine/recording.json"
"$RECGATE" withdraw "$T/pristine" --participant mette --mode delete --audit-key "$AUDIT_KEY" 2>"$T/err" &&
    bad "damaged recording.json accepted" || ok "damaged recording.json: $(cat "$T/err")"
exit $fail
