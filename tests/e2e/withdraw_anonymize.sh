#!/bin/sh
# recgate withdraw --mode anonymize on a real recording: Lars regrets.
# His track's key is shredded (a copy of his segments made before is
# unreadable with recgate and with plain age), the others' tracks still
# decrypt, his name, id and chat lines are gone from every clear file and
# every decrypted output, the run is audited, idempotent, and a SIGKILL
# after any step is completed by the next command (withdraw, report or
# dsr export) to exactly the same end state.
. "$TOP/tests/e2e/lib/common.sh"
REC=$(make_rec "$T/recs") || exit 1
PS_LARS=$(pseudonym lars)
cp -r "$REC" "$T/pristine"
mkdir "$T/backup" && cp -r "$REC/tracks/t2" "$T/backup/"

# The manifest maps lars to t2 (scenario: karen t1, lars t2, mette t3).
age -d -i "$ORG_KEY" "$REC/manifest.json.age" | jq -e '.tracks[1].participant == "lars"' >/dev/null ||
    { bad "expected lars on t2"; exit 1; }

W() { "$RECGATE" withdraw "$1" --participant lars --mode anonymize --identity "$ORG_KEY" \
        --audit-key "$AUDIT_KEY" --by dpo-test; }
W "$REC" >"$T/out" && ok "$(cat "$T/out")" || bad "withdraw anonymize failed: $(cat "$T/out")"

# Media: the others still decrypt (recgate and age), lars' does not.
for t in t1 t3; do
    "$RECGATE" export "$REC" --track $t --audit-key "$AUDIT_KEY" --identity "$ORG_KEY" -o "$T/$t.ogg" 2>/dev/null &&
        decrypt_track_age "$REC" $t "$T/$t.age.ogg" && cmp -s "$T/$t.ogg" "$T/$t.age.ogg" &&
        ok "track $t still decrypts (recgate and age agree)" || bad "track $t no longer decrypts"
done
"$RECGATE" export "$REC" --track t2 --audit-key "$AUDIT_KEY" --identity "$ORG_KEY" -o "$T/t2.ogg" 2>"$T/err" &&
    bad "withdrawn track t2 still exports" || ok "recgate export t2 refused: $(head -1 "$T/err")"
[ -e "$REC/keyring/t2.age" ] && bad "keyring/t2.age still there"
ls "$REC/tracks/t2/"*.age >/dev/null 2>&1 && bad "t2 segments still on disk"
: >"$T/all.keys"
for k in "$REC"/keyring/*.age; do age -d -i "$ORG_KEY" "$k" >>"$T/all.keys"; done
opened=0
for f in "$T/backup/t2/"*.age; do
    age -d -i "$T/all.keys" "$f" >/dev/null 2>&1 && opened=1
    "$RECGATE" decrypt "$f" --identity "$T/all.keys" -o "$T/x" 2>/dev/null && opened=1
done
[ $opened = 0 ] && ok "a copy of lars' segments is unreadable by age and recgate with every key left" ||
    bad "a copied t2 segment still decrypts"
rm -f "$T/all.keys"

# Names: nowhere in clear files or decrypted output.
age -d -i "$ORG_KEY" "$REC/manifest.json.age" >"$T/manifest.json"
jq -e '[.participants[] | select(.withdrawn == true and .pseudonym == "'"$PS_LARS"'")] | length == 1' \
    "$T/manifest.json" >/dev/null && ok "manifest keeps a pseudonymous placeholder" || bad "placeholder"
jq -e '[.chat[] | select(.text | test("Tak Karen"))] | length == 0' "$T/manifest.json" >/dev/null &&
    ok "lars' own chat line removed" || bad "lars' chat line still in the manifest"
jq -e '[.participants[] | select(.id == "karen" and .name == "Karen Holm")] | length == 1' \
    "$T/manifest.json" >/dev/null && ok "other participants untouched" || bad "karen changed"
"$RECGATE" report "$REC" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" -o "$T/report.html" >/dev/null ||
    bad "report after anonymize"
"$RECGATE" dsr export "$REC" --participant karen --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/dsr" >/dev/null || bad "dsr export karen after anonymize"
hits=$(grep -rilE 'lars|berg' "$REC" "$T/manifest.json" "$T/report.html" "$T/dsr" \
        --include='*.json' --include='*.log' --include='*.html' --include='*.jsonl' 2>/dev/null)
[ -z "$hits" ] && ok "no 'Lars'/'Berg'/'lars' in any clear or decrypted text" ||
    bad "name still in: $hits"

# Audited, verifiable, idempotent.
"$RECGATE" audit verify "$REC/audit.log" --key-file "$AUDIT_KEY" >/dev/null && ok "audit log verifies" ||
    bad "audit log broken"
grep '"event":"withdrawal"' "$REC/audit.log" | grep -q "\"participant\":\"$PS_LARS\".*\"by\":\"dpo-test\"" &&
    grep -q '"event":"purge","recording":"[^"]*","reason":"withdrawal","files":[1-9][0-9]*,"key_destroyed":true' "$REC/audit.log" &&
    ok "withdrawal and purge audited" || bad "audit events missing"
W "$REC" >"$T/out" && grep -q "already withdrawn" "$T/out" && ok "second run: $(cat "$T/out")" ||
    bad "not idempotent: $(cat "$T/out")"
[ "$(grep -c '"event":"withdrawal"' "$REC/audit.log")" = 1 ] || bad "second run logged again"
"$RECGATE" verify "$REC" --identity "$ORG_KEY" >/dev/null && ok "vault verify passes (t2 shredded on purpose)" ||
    bad "vault verify fails after anonymize"
age -d -i "$ORG_KEY" "$REC/manifest.json.age" | jq -S 'del(.participants[].removed)' >"$T/want.json"

# Crash after each step; the next command completes the journal.
for step in journal logged keys segments manifest metadata audited; do
    C="$T/crash-$step"; cp -r "$T/pristine" "$C"
    (RECGATE=$RECGATE_TESTHOOKS RG_TEST_CRASH_AT=$step; export RG_TEST_CRASH_AT; W "$C") \
        >/dev/null 2>&1; rc=$?
    [ $rc -eq 137 ] || { bad "$step: expected SIGKILL (137), got $rc"; continue; }
    [ -e "$C/withdraw.pending" ] || { bad "$step: no journal left"; continue; }
    grep -qiE 'lars|berg' "$C/withdraw.pending" && bad "$step: journal holds personal data"
    case $step in
    journal|keys|manifest) W "$C" >"$T/out" 2>&1 ;;
    logged|metadata) "$RECGATE" report "$C" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
                         -o "$T/r-$step.html" >"$T/out" 2>&1 ;;
    *) "$RECGATE" dsr export "$C" --participant mette --identity "$ORG_KEY" \
           --audit-key "$AUDIT_KEY" -o "$T/d-$step" >"$T/out" 2>&1 ;;
    esac || { bad "$step: resuming failed: $(cat "$T/out")"; continue; }
    age -d -i "$ORG_KEY" "$C/manifest.json.age" | jq -S 'del(.participants[].removed)' >"$T/got.json"
    if [ ! -e "$C/withdraw.pending" ] && [ ! -e "$C/keyring/t2.age" ] &&
       cmp -s "$T/want.json" "$T/got.json" &&
       [ "$(grep -c '"event":"withdrawal"' "$C/audit.log")" = 1 ] &&
       [ "$(grep -c '"event":"purge"' "$C/audit.log")" = 1 ] &&
       "$RECGATE" audit verify "$C/audit.log" --key-file "$AUDIT_KEY" >/dev/null &&
       "$RECGATE" export "$C" --track t1 --audit-key "$AUDIT_KEY" --identity "$ORG_KEY" -o "$T/c.ogg" 2>/dev/null; then
        ok "killed after '$step': completed to the same end state"
    else
        bad "killed after '$step': end state differs"
    fi
    rm -rf "$C" "$T/c.ogg"
done

# Bad input.
"$RECGATE" withdraw "$REC" --participant lars --audit-key "$AUDIT_KEY" >/dev/null 2>&1
[ $? -eq 2 ] && ok "missing --mode: usage error" || bad "missing --mode accepted"
"$RECGATE" withdraw "$T/pristine" --participant lars --mode anonymize --audit-key "$AUDIT_KEY" 2>"$T/err"
[ $? -eq 1 ] && grep -q "needs --identity" "$T/err" && ok "anonymize without identity refused" ||
    bad "anonymize without identity"
"$RECGATE" withdraw "$T/pristine" --participant nobody --mode anonymize --identity "$ORG_KEY" \
    --audit-key "$AUDIT_KEY" 2>"$T/err" && bad "unknown participant accepted" ||
    ok "unknown participant: $(cat "$T/err")"
"$RECGATE" audit keygen -o "$T/other.key" >/dev/null
"$RECGATE" withdraw "$T/pristine" --participant lars --mode anonymize --identity "$ORG_KEY" \
    --audit-key "$T/other.key" 2>"$T/err" && bad "wrong audit key accepted" ||
    ok "wrong audit key: $(cat "$T/err")"
sed -i '5s/"guest"/"gueSt"/' "$T/pristine/audit.log"
W "$T/pristine" 2>"$T/err" && bad "tampered audit log accepted" || ok "tampered log: $(cat "$T/err")"
[ -e "$T/pristine/keyring/t2.age" ] && ok "nothing destroyed on a tampered log" || bad "destroyed anyway"
exit $fail
