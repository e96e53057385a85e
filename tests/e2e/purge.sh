#!/bin/sh
# recgate purge: with --now 40 days ahead, exactly the expired, unheld
# recordings are destroyed (keys first), each logged in DIR/purge.log with
# the head of its own audit log; held ones stay until released; a
# recording.json edited to live longer is still purged (the audit log's
# session_start caps it); non-recordings and damaged recordings are left
# alone; a SIGKILL mid-purge is finished by the next run; --dry-run
# changes nothing. Also hold/release and the shipped systemd units.
. "$TOP/tests/e2e/lib/common.sh"
DIR="$T/recs"
cfg() { jq ".meeting_types[\"case-meeting\"].retention_days = $1" "$TOP/config/recgate.json" >"$T/cfg$1.json"; }
cfg 10; cfg 30; cfg 365
A=$(make_rec "$DIR" "$T/cfg10.json") && B=$(make_rec "$DIR" "$T/cfg30.json") &&
C=$(make_rec "$DIR" "$T/cfg365.json") && D=$(make_rec "$DIR" "$T/cfg10.json") || exit 1
mkdir "$DIR/notes" && echo hi >"$DIR/notes/x" && echo hi >"$DIR/README"
NOW=$(date -u -d '+40 days' +%Y-%m-%dT%H:%M:%SZ)
P() { "$RECGATE" purge "$DIR" --now "$NOW" --audit-key "$AUDIT_KEY" --by retention-test "$@"; }

"$RECGATE" hold "$D" --reason "Sag 2026-17: anke verserer" --audit-key "$AUDIT_KEY" >"$T/out" &&
    jq -e '.reason == "Sag 2026-17: anke verserer" and (.since | length > 0)' "$D/hold.json" >/dev/null &&
    grep -q '"event":"hold".*"reason":"Sag 2026-17: anke verserer"' "$D/audit.log" &&
    ok "hold: $(cat "$T/out")" || bad "hold"
jq '.expires_at = "2099-01-01T00:00:00Z"' "$B/recording.json" >"$T/b.json" && cp "$T/b.json" "$B/recording.json"

before=$(find "$DIR" | wc -l)
P --dry-run >"$T/dry" || bad "dry run failed: $(cat "$T/dry")"
[ "$(find "$DIR" | wc -l)" = "$before" ] && [ ! -e "$DIR/purge.log" ] && ok "dry run changed nothing" ||
    bad "dry run changed something"
grep -q "^purge *$(basename "$A")" "$T/dry" && grep -q "^purge *$(basename "$B")" "$T/dry" &&
    grep -q "^keep *$(basename "$C")" "$T/dry" && grep -q "^held *$(basename "$D").*anke verserer" "$T/dry" &&
    grep -q "^skip *notes" "$T/dry" && ok "dry run lists: $(tail -1 "$T/dry")" || { bad "dry run list"; cat "$T/dry"; }

(RECGATE=$RECGATE_TESTHOOKS RG_TEST_CRASH_AT=purge_keys; export RG_TEST_CRASH_AT; P) >/dev/null 2>&1
st=$?
# purge goes in name order; A and B may be made in the same second, so the
# random part of the name decides which expired one comes first
FIRST=$(printf '%s\n%s\n' "$A" "$B" | sort | head -1)
[ $st -eq 137 ] && [ -d "$FIRST" ] && [ -z "$(ls "$FIRST/keyring")" ] && [ ! -e "$FIRST/manifest.json.age" ] &&
    ok "killed mid-purge: keys of the first recording already gone" || bad "crash step"
P >"$T/out" || bad "purge failed: $(cat "$T/out")"
[ ! -e "$A" ] && [ ! -e "$B" ] && [ -d "$C" ] && [ -d "$D" ] && [ -f "$DIR/notes/x" ] && [ -f "$DIR/README" ] &&
    ok "purged exactly the expired, unheld ones (B despite its edited expires_at): $(tail -1 "$T/out")" ||
    { bad "wrong set purged"; cat "$T/out"; }
[ -z "$(ls -A "$DIR" | grep '^\.purge-')" ] || bad "leftover .purge- folder"
"$RECGATE" audit verify "$DIR/purge.log" --key-file "$AUDIT_KEY" >/dev/null && ok "purge.log verifies" ||
    bad "purge.log broken"
[ "$(grep -c '"event":"purge"' "$DIR/purge.log")" = 2 ] &&
    grep -q "\"recording\":\"$(basename "$A")\".*\"reason\":\"retention\".*\"key_destroyed\":true.*\"by\":\"retention-test\".*\"audit_head\":\"[0-9a-f]\{64\}\",\"audit_verdict\":\"ok\"" "$DIR/purge.log" &&
    ok "each purge logged once with its audit log's head" || { bad "purge.log contents"; cat "$DIR/purge.log"; }

"$RECGATE" release "$D" --audit-key "$AUDIT_KEY" >"$T/out" && [ ! -e "$D/hold.json" ] &&
    grep -q '"event":"release"' "$D/audit.log" && ok "release: $(cat "$T/out")" || bad "release"
"$RECGATE" release "$D" --audit-key "$AUDIT_KEY" | grep -q "nothing to release" && ok "release twice: no-op" ||
    bad "second release"
mkdir "$DIR/.purge-rec-interrupted" && echo x >"$DIR/.purge-rec-interrupted/audit.log"
P >"$T/out" && [ ! -e "$D" ] && [ ! -e "$DIR/.purge-rec-interrupted" ] && [ -d "$C" ] &&
    grep -q '"recording":"rec-interrupted".*"resumed":true' "$DIR/purge.log" &&
    ok "after release: purged; an interrupted purge finished and logged" || { bad "second purge"; cat "$T/out"; }
"$RECGATE" audit verify "$DIR/purge.log" --key-file "$AUDIT_KEY" >/dev/null || bad "purge.log broken"

# Damage and bad input.
E="$DIR/rec-damaged"; mkdir "$E"; echo '{"format":' >"$E/recording.json"
P >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && [ -d "$E" ] && [ -d "$C" ] && grep -q "FAILED *rec-damaged.*invalid JSON" "$T/out" &&
    ok "damaged recording.json: left alone, exit 1: $(grep FAILED "$T/out")" || { bad "damaged"; cat "$T/out" "$T/err"; }
rm -rf "$E"
"$RECGATE" purge "$DIR" --now yesterday --audit-key "$AUDIT_KEY" 2>"$T/err"; [ $? -eq 2 ] &&
    ok "bad --now: $(cat "$T/err")" || bad "bad --now"
"$RECGATE" purge "$DIR" --now "$NOW" 2>"$T/err"; [ $? -eq 1 ] && grep -q "must log" "$T/err" &&
    ok "no audit key: refused" || bad "no audit key"
"$RECGATE" purge "$T/nowhere" --audit-key "$AUDIT_KEY" 2>"$T/err"; [ $? -eq 1 ] &&
    ok "missing DIR: $(cat "$T/err")" || bad "missing DIR"
"$RECGATE" hold "$C" --audit-key "$AUDIT_KEY" 2>/dev/null; [ $? -eq 2 ] && ok "hold without --reason: usage" ||
    bad "hold without reason"
"$RECGATE" hold "$C" --reason x --until someday --audit-key "$AUDIT_KEY" 2>"$T/err" && bad "bad --until" ||
    ok "bad --until: $(cat "$T/err")"
"$RECGATE" hold "$DIR/notes" --reason x --audit-key "$AUDIT_KEY" 2>"$T/err" && bad "hold on a non-recording" ||
    ok "hold on a non-recording: $(cat "$T/err")"
F=$(make_rec "$DIR" "$T/cfg10.json") || exit 1
sed -i '2s/"purge"/"purgE"/' "$DIR/purge.log"
P >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && [ -e "$F/keyring/t1.age" ] && grep -q "nothing destroyed" "$T/out" &&
    ok "tampered purge.log: nothing destroyed" || { bad "tampered purge.log"; cat "$T/out" "$T/err"; }

# The shipped systemd units run it daily.
grep -q '^ExecStart=.*recgate purge ' "$TOP/config/recgate-purge.service" &&
    grep -q '^OnCalendar=daily' "$TOP/config/recgate-purge.timer" &&
    grep -q '^Unit=recgate-purge.service' "$TOP/config/recgate-purge.timer" &&
    ok "systemd service + daily timer shipped" || bad "systemd units"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify "$TOP/config/recgate-purge.timer" "$TOP/config/recgate-purge.service" \
        >"$T/sa" 2>&1 && ok "systemd-analyze verify" || echo "  note: systemd-analyze: $(head -2 "$T/sa")"
fi
exit $fail
