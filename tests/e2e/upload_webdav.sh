#!/bin/sh
# Uploads to a real nginx WebDAV server over TLS on loopback, in a private
# network namespace: normal upload (hashes match), wrong CA refused, 507 and
# 503 answers retried with back-off and finished later by `recgate upload`,
# slow server, local copies removed after confirmation, remote delete, and a
# destination outside the EU/EEA refused at config load.
if [ -z "${RG_NETNS:-}" ]; then
    exec env RG_NETNS=1 unshare -n sh "$0" "$@"
fi
. "$TOP/tests/e2e/lib/e2e.sh"
ip link set lo up
NGINX=
at_exit stop_nginx
. "$TOP/tests/e2e/upload/lib.sh"
umask 077
make_pki || { echo "openssl failed"; exit 1; }
"$RECGATE" keygen -o "$T/org.key" >/dev/null 2>&1
ORG=$(grep -o 'age1[0-9a-z]*' "$T/org.key")
"$RECGATE" audit keygen -o "$T/audit.key" >/dev/null
make_scenario "$T/sc.json" 16
start_nginx || exit 1
DAV='{"name":"dk-dav","type":"webdav","url":"https://localhost:8443/dav/","region":"DK","ca_file":"'"$T"'/ca.pem","username":"recgate","password_file":"'"$T"'/dav.pw"}'

# ---- 1. normal upload while recording
make_policy "$T/p1.json" "[$DAV]"
if "$RECGATE" run --config "$T/p1.json" --scenario "$T/sc.json" --out "$T/r1" --json --quiet > "$T/s1.json" 2>"$T/e1"; then
    ok "recorded with a WebDAV destination"
else bad "run failed: $(cat "$T/e1")"; fi
REC=$(ls -d "$T"/r1/rec-* | head -1)
[ "$(jq .upload.pending "$T/s1.json")" = 0 ] && ok "summary: nothing pending ($(jq -c .upload "$T/s1.json"))" ||
    bad "summary upload: $(jq -c .upload "$T/s1.json")"
check_remote "$REC" "$T/www/dav" && ok "every sealed file is on the server, byte-identical; keyring stayed home" ||
    bad "remote copies do not match"
"$RECGATE" audit verify "$REC/audit.log" --key-file "$T/audit.key" >/dev/null 2>&1 &&
    ok "audit log verifies" || bad "audit log does not verify"
n=$(grep -c '"event":"upload".*"ok":true' "$REC/audit.log")
[ "$n" -ge 3 ] && ok "$n upload events (ok) in the audit log" || bad "upload events: $n"
grep -q '"op":"done".*"file":"audit.log"' "$REC/upload.journal" && ok "audit.log upload journaled" ||
    bad "audit.log not journaled as done"

# ---- 2. wrong CA: TLS verification refuses; later the right CA finishes it
BADCA=$(printf '%s' "$DAV" | jq -c '.ca_file = "'"$T"'/other.pem"')
make_policy "$T/p2.json" "[$BADCA]" '{"wait_at_end_s":1}'
"$RECGATE" run --config "$T/p2.json" --scenario "$T/sc.json" --out "$T/r2" --json --quiet > "$T/s2.json" 2>/dev/null ||
    bad "run with an unreachable destination must still record"
REC2=$(ls -d "$T"/r2/rec-* | head -1)
[ "$(jq '.upload.pending > 0' "$T/s2.json")" = true ] && ok "wrong CA: uploads pending ($(jq -c .upload "$T/s2.json"))" ||
    bad "wrong CA: $(jq -c .upload "$T/s2.json")"
grep -q '"event":"upload".*"ok":false.*certificate' "$REC2/audit.log" &&
    ok "failed attempt audited with the certificate error" || bad "no failed upload event naming the certificate"
[ -d "$T/www/dav/$(basename "$REC2")/tracks" ] && bad "data reached a server with an untrusted certificate"
if "$RECGATE" upload "$REC2" --config "$T/p1.json" --max-seconds 20 --quiet > "$T/u2" 2>&1; then
    ok "recgate upload with the right CA: $(tail -1 "$T/u2")"
else bad "recgate upload failed: $(cat "$T/u2")"; fi
check_remote "$REC2" "$T/www/dav" && ok "resumed from the journal: all files identical" || bad "resume incomplete"
"$RECGATE" audit verify "$REC2/audit.log" --key-file "$T/audit.key" >/dev/null 2>&1 &&
    ok "audit log still verifies after recgate upload" || bad "audit log broken by recgate upload"

# ---- 3. 507 and 503: retried with back-off, nothing marked done, data kept
for code in 507 503; do
    case $code in 507) path=full ;; 503) path=err ;; esac
    D=$(printf '%s' "$DAV" | jq -c --arg u "https://localhost:8443/$path/" '.url = $u | del(.username, .password_file) | .delete_local_after_upload = true')
    make_policy "$T/p$code.json" "[$D]" '{"wait_at_end_s":3}'
    "$RECGATE" run --config "$T/p$code.json" --scenario "$T/sc.json" --out "$T/r$code" --json --quiet > "$T/s$code.json" 2>/dev/null ||
        bad "$code: run failed"
    R=$(ls -d "$T"/r$code/rec-* | head -1)
    grep -q "\"ok\":false.*HTTP $code" "$R/audit.log" && ok "HTTP $code audited: $(grep -o "HTTP $code[A-Za-z ]*" "$R/audit.log" | head -1)" ||
        bad "HTTP $code not in the audit log"
    att=$(grep '"op":"failed"' "$R/upload.journal" | wc -l)
    [ "$att" -ge 2 ] && [ "$att" -le 12 ] && ok "HTTP $code: $att attempts in 3 s (exponential back-off)" ||
        bad "HTTP $code: $att attempts"
    grep -q '"op":"done"' "$R/upload.journal" && bad "HTTP $code: something marked done"
    ls "$R"/tracks/t1/000000.age >/dev/null 2>&1 && ok "HTTP $code: local segments kept (not confirmed remotely)" ||
        bad "HTTP $code: local segment removed without confirmation"
    if "$RECGATE" upload "$R" --config "$T/p$code.json" --max-seconds 2 --quiet >/dev/null 2>&1; then
        bad "recgate upload exit 0 while the server answers $code"
    else ok "recgate upload exits 1 while the server answers $code"; fi
done

# ---- 4. slow server + delete_local_after_upload
SLOW=$(printf '%s' "$DAV" | jq -c '.url = "https://localhost:8443/slow/" | del(.username, .password_file) | .delete_local_after_upload = true')
make_policy "$T/p4.json" "[$SLOW]" '{"wait_at_end_s":40}'
t0=$(date +%s)
"$RECGATE" run --config "$T/p4.json" --scenario "$T/sc.json" --out "$T/r4" --json --quiet > "$T/s4.json" 2>/dev/null ||
    bad "slow: run failed"
R4=$(ls -d "$T"/r4/rec-* | head -1)
[ "$(jq .upload.pending "$T/s4.json")" = 0 ] && ok "slow server (8 KB/s): all confirmed in $(( $(date +%s) - t0 )) s" ||
    bad "slow: $(jq -c .upload "$T/s4.json")"
n=$(ls "$R4"/tracks/*/[0-9]*.age 2>/dev/null | wc -l)
r=$(grep -c '"op":"local_removed"' "$R4/upload.journal")
[ "$n" = 0 ] && [ "$r" -gt 0 ] && ok "delete_local_after_upload: $r confirmed segments removed locally" ||
    bad "local segments left: $n, removed: $r"
for f in "$T/www/slow/$(basename "$R4")"/tracks/*/[0-9]*.age; do
    s=$(sha256sum "$f" | cut -c1-64)
    jq -e --arg s "$s" '[.tracks[].segments[].sha256] | index($s) != null' "$R4/recording.json" >/dev/null ||
        { bad "remote $f does not match recording.json"; break; }
done && ok "remote segments match the sha256 in recording.json"

# ---- 5. withdrawal and purge reach the remote copies
# anonymize bob: his track is crypto-shredded here and deleted on the server
bt=$(age -d -i "$T/org.key" "$REC/manifest.json.age" | jq -r '.tracks[] | select(.participant == "bob") | .track')
"$RECGATE" withdraw "$REC" --participant bob --mode anonymize --identity "$T/org.key" \
    --config "$T/p1.json" > "$T/u5" 2>&1 || bad "withdraw failed: $(cat "$T/u5")"
grep -q "remote copies of 1 withdrawn track(s) deleted.*manifest replaced" "$T/u5" && ok "withdraw: $(grep remote "$T/u5")" ||
    bad "withdraw says nothing of remote copies: $(cat "$T/u5")"
# issue 18: the remote manifest no longer names bob (replaced, read back)
RM="$T/www/dav/$(basename "$REC")/manifest.json.age"
cmp -s "$RM" "$REC/manifest.json.age" && ok "remote manifest replaced by the anonymised one" ||
    bad "remote manifest differs from the local (anonymised) one"
if age -d -i "$T/org.key" "$RM" > "$T/rm.json" 2>/dev/null && ! grep -q '"bob"' "$T/rm.json"; then
    ok "remote manifest decrypts without bob"
else bad "remote manifest still names bob (or does not decrypt)"; fi
ls "$T/www/dav/$(basename "$REC")/tracks/$bt/"*.age >/dev/null 2>&1 && bad "$bt (bob) still on the server" ||
    ok "bob's track $bt deleted remotely"
at=$(age -d -i "$T/org.key" "$REC/manifest.json.age" | jq -r '.tracks[] | select(.participant == "alice") | .track')
ls "$T/www/dav/$(basename "$REC")/tracks/$at/"*.age >/dev/null 2>&1 && ok "alice's track $at kept" || bad "alice's track gone too"
grep -q '"event":"remote_delete".*"ok":true' "$REC/audit.log" && ok "remote deletes audited" || bad "no remote_delete event"
# purge (retention over) with --config: everything remote goes too
"$RECGATE" purge "$T/r1" --now 2099-01-01T00:00:00Z --config "$T/p1.json" > "$T/u5" 2>&1 ||
    bad "purge failed: $(cat "$T/u5")"
left=$(find "$T/www/dav/$(basename "$REC")" -type f 2>/dev/null | wc -l)
[ "$left" = 0 ] && ok "purge: whole recording deleted remotely" || bad "purge: $left files left remotely"
grep -q '"event":"remote_delete".*"ok":true' "$T/r1/purge.log" && ok "purge's remote deletes audited in purge.log" ||
    bad "no remote_delete in purge.log"

# ---- 6. the transfer guard: a destination in the US is refused at load
US=$(printf '%s' "$DAV" | jq -c '.region = "US"')
make_policy "$T/p6.json" "[$US]"
if "$RECGATE" run --config "$T/p6.json" --scenario "$T/sc.json" --out "$T/r6" --quiet 2>"$T/e6"; then
    bad "a US destination was accepted"
else
    grep -q 'upload.destinations\[0\].region: expected an EU/EEA or adequacy country (allowed_regions), got "US"' "$T/e6" &&
        ok "refused: $(head -1 "$T/e6")" || bad "message: $(cat "$T/e6")"
fi
ls "$T"/r6/rec-* >/dev/null 2>&1 && bad "something was recorded under a refused policy" || ok "nothing recorded"
"$RECGATE" run --config "$T/p6.json" --scenario "$T/sc.json" --out "$T/r6" --audit-key "$T/audit.key" --quiet 2>/dev/null
L=$(ls "$T"/r6/refused-*.audit.log 2>/dev/null | head -1)
[ -n "$L" ] && grep -q '"event":"refused","reason":"transfer_region"' "$L" &&
    "$RECGATE" audit verify "$L" --key-file "$T/audit.key" >/dev/null 2>&1 &&
    ok "the refused attempt is in an audit log (refused, transfer_region)" || bad "refusal not audited"
# the notice names the destinations and the transfer basis
"$RECGATE" announce --config "$T/p1.json" > "$T/a1" 2>&1
grep -q "Krypterede kopier sendes til: dk-dav (DK)" "$T/a1" && grep -q "Encrypted copies are sent to: dk-dav (DK)" "$T/a1" &&
    ok "announcement names the destination (da + en)" || bad "announcement: no destination"
CH=$(printf '%s' "$DAV" | jq -c '.region = "CH" | .name = "ch-dav"')
make_policy "$T/p6b.json" "[$CH]"
"$RECGATE" announce --config "$T/p6b.json" >/dev/null 2>"$T/e6b" &&
    bad "CH without transfer_basis accepted" ||
    { grep -q "upload.transfer_basis: expected text naming the transfer basis" "$T/e6b" && ok "CH needs a transfer_basis"; } || bad "$(cat "$T/e6b")"
make_policy "$T/p6c.json" "[$CH]" '{"transfer_basis":"EU adequacy decision for Switzerland (2000/518/EC)"}'
"$RECGATE" announce --config "$T/p6c.json" 2>&1 | grep -q "Transfer basis: EU adequacy decision for Switzerland" &&
    ok "adequacy country with transfer basis: accepted and announced" || bad "CH with basis"

# ---- 7. server stopped mid-meeting and restarted (real time, 16 s)
"$RECGATE" run --config "$T/p1.json" --scenario "$T/sc.json" --out "$T/r7" --realtime --json --quiet > "$T/s7.json" 2>"$T/e7" &
RUN=$!
sleep 12; stop_nginx; ok "nginx stopped at ~12 s (recording since 10 s)"
sleep 3; start_nginx && ok "nginx restarted at ~15 s"
wait "$RUN" || bad "realtime run failed: $(cat "$T/e7")"
R7=$(ls -d "$T"/r7/rec-* | head -1)
grep -q '"event":"upload".*"ok":false' "$R7/audit.log" && ok "failed attempts while the server was down are audited" ||
    bad "no failed attempt logged while the server was down"
[ "$(jq .upload.pending "$T/s7.json")" = 0 ] && check_remote "$R7" "$T/www/dav" &&
    ok "nothing lost: every segment uploaded after the restart, hashes match" || bad "after restart: $(jq -c .upload "$T/s7.json")"

# ---- 8. crash (SIGKILL) while the server is down; recgate upload finishes
stop_nginx
"$RECGATE" run --config "$T/p1.json" --scenario "$T/sc.json" --out "$T/r8" --realtime --quiet >/dev/null 2>&1 &
RUN=$!
sleep 14; kill -9 "$RUN"; wait "$RUN" 2>/dev/null
R8=$(ls -d "$T"/r8/rec-* | head -1)
q=$(grep -c '"op":"queued"' "$R8/upload.journal")
[ "$q" -gt 0 ] && ok "killed mid-meeting: $q sealed segments were queued in the journal" || bad "nothing queued before the crash"
start_nginx
"$RECGATE" upload "$R8" --config "$T/p1.json" --max-seconds 20 --quiet > "$T/u8" 2>&1 &&
    ok "after the crash: $(tail -1 "$T/u8")" || bad "recgate upload after crash: $(cat "$T/u8")"
root="$T/www/dav/$(basename "$R8")"; n=0; m=0
for f in "$R8"/tracks/*/[0-9]*.age; do
    rel=${f#"$R8"/}; if cmp -s "$f" "$root/$rel"; then n=$((n + 1)); else m=$((m + 1)); fi
done
[ "$n" -gt 0 ] && [ "$m" = 0 ] && ok "every sealed segment of the crashed meeting uploaded ($n), hashes match" ||
    bad "crashed meeting: $n uploaded, $m not"
"$RECGATE" audit verify "$R8/audit.log" --key-file "$T/audit.key" >/dev/null 2>&1 &&
    ok "crashed meeting's audit log verifies (resumed, checkpointed)" || bad "audit log after crash"

finish
