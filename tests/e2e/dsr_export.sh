#!/bin/sh
# recgate dsr export (Art. 15): Mette's own track (playable Ogg/Opus, same
# bytes as recgate export), her chat lines and the notices she was shown,
# the audit lines about her (each verbatim from the log) — and nothing
# naming Karen or Lars (names, ids, pseudonyms). Private files (0600 in a
# 0700 folder). Logged as decrypt + export. Bad input is refused clearly.
. "$TOP/tests/e2e/lib/common.sh"
REC=$(make_rec "$T/recs") || exit 1
PS=$(pseudonym mette)
OUT="$T/mette"
X() { "$RECGATE" dsr export "$REC" --participant mette --identity "$ORG_KEY" \
        --audit-key "$AUDIT_KEY" --by dpo-test "$@"; }
X -o "$OUT" >"$T/out" && ok "$(cat "$T/out")" || { bad "dsr export: $(cat "$T/out")"; exit 1; }
files=$(cd "$OUT" && ls | tr '\n' ' ')
[ "$files" = "audit.jsonl chat.json subject.json t3.ogg " ] && ok "files: $files" || bad "files: $files"
[ "$(stat -c %a "$OUT")" = 700 ] && [ -z "$(find "$OUT" -type f ! -perm 600)" ] &&
    ok "folder 0700, files 0600" || bad "permissions"
cp -r "$REC" "$T/copy" && "$RECGATE" export "$T/copy" --track t3 --audit-key "$AUDIT_KEY" --identity "$ORG_KEY" -o "$T/t3.ogg" && cmp -s "$T/t3.ogg" "$OUT/t3.ogg" &&
    ok "t3.ogg is her whole track" || bad "t3.ogg differs from the track"
dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$OUT/t3.ogg")
case "$dur" in 2[4-6].*) ok "t3.ogg plays: ${dur} s of Ogg/Opus" ;; *) bad "t3.ogg duration '$dur'" ;; esac
jq -e '.participant.name == "Mette Juhl" and .participant.pseudonym == "'"$PS"'" and
       (.tracks | length == 1) and .tracks[0].offset_ms == 65000' "$OUT/subject.json" >/dev/null &&
    ok "subject.json" || bad "subject.json: $(cat "$OUT/subject.json")"
jq -e '[.[] | select(.from == "mette")] | length == 2' "$OUT/chat.json" >/dev/null &&
    jq -e '[.[] | select(.label == "late_joiner" and .to == "mette")] | length == 1' "$OUT/chat.json" >/dev/null &&
    jq -e '[.[] | select(.from != "mette" and .from != "bot")] | length == 0' "$OUT/chat.json" >/dev/null &&
    ok "chat: her 2 lines, her private notice, the public notices, no one else's lines" ||
    bad "chat.json: $(jq -c '[.[] | [.from,.to,.label]]' "$OUT/chat.json")"
jq -e '[.[] | select(.text == "Hej [other participant] og [other participant]")] | length == 1' \
    "$OUT/chat.json" >/dev/null && ok "others' names redacted in her own line" || bad "redaction"
others="karen|lars|holm|berg|$(pseudonym karen)|$(pseudonym lars)"
if grep -rqiE "$others" "$OUT"; then bad "export names someone else: $(grep -rioE "$others" "$OUT" | head -3)"
else ok "nothing about Karen or Lars (names, ids, pseudonyms)"; fi
n=0; missing=0
while IFS= read -r line; do
    n=$((n + 1)); grep -qxF "$line" "$REC/audit.log" || missing=1
done <"$OUT/audit.jsonl"
grep -q "\"participant\":\"$PS\"" "$OUT/audit.jsonl" && [ $missing = 0 ] && [ $n -gt 5 ] &&
    ok "$n audit lines, each verbatim from the log" || bad "audit.jsonl ($n lines, missing=$missing)"
tail -3 "$REC/audit.log" | grep -q '"event":"decrypt".*"purpose":"access_request","participant":"'"$PS"'"' &&
    tail -2 "$REC/audit.log" | grep -q '"event":"export".*"by":"dpo-test".*"format":"dsr"' &&
    "$RECGATE" audit verify "$REC/audit.log" --key-file "$AUDIT_KEY" >/dev/null &&
    ok "decrypt and export audited" || bad "audit of the export"

# Refusals.
X -o "$OUT" 2>"$T/err" && bad "non-empty output folder accepted" || ok "$(cat "$T/err")"
"$RECGATE" dsr export "$REC" --participant ghost --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/g" 2>"$T/err" && bad "unknown participant" || ok "$(cat "$T/err")"
[ -e "$T/g" ] && bad "output folder created for an unknown participant"
"$RECGATE" dsr export "$REC" --participant ghost --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/g" 2>/dev/null && bad "unknown participant accepted the second time (logged decrypt names them)"
"$RECGATE" dsr export "$REC" --participant mette --audit-key "$AUDIT_KEY" -o "$T/n" 2>/dev/null
[ $? -eq 2 ] && ok "no --identity: usage error" || bad "no --identity"
"$RECGATE" dsr export "$REC" --participant mette --identity "$ORG_KEY" -o "$T/n" 2>"$T/err"
[ $? -eq 1 ] && grep -q "must log what it does" "$T/err" && ok "no audit key: refused (fail closed)" ||
    bad "no audit key: $(cat "$T/err")"
"$RECGATE" dsr list "$REC" 2>/dev/null; [ $? -eq 2 ] && ok "unknown sub-command: usage" || bad "dsr list"
"$RECGATE" keygen -o "$T/other.key" >/dev/null
"$RECGATE" dsr export "$REC" --participant mette --identity "$T/other.key" --audit-key "$AUDIT_KEY" \
    -o "$T/w" 2>"$T/err" && bad "wrong identity" || ok "wrong identity: $(cat "$T/err")"
cp -r "$REC" "$T/dmg"
printf 'X' | dd of="$T/dmg/manifest.json.age" bs=1 seek=300 conv=notrunc 2>/dev/null
"$RECGATE" dsr export "$T/dmg" --participant mette --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/d" 2>"$T/err" && bad "damaged manifest accepted" || ok "damaged manifest: $(cat "$T/err")"
"$RECGATE" withdraw "$REC" --participant mette --mode anonymize --identity "$ORG_KEY" \
    --audit-key "$AUDIT_KEY" >/dev/null || bad "withdraw"
X -o "$T/after" >"$T/out" && grep -q "audit entries only" "$T/out" && [ ! -e "$T/after/t3.ogg" ] &&
    ! grep -rqi "juhl" "$T/after" && ok "after her withdrawal: audit entries only" ||
    bad "export after withdrawal: $(cat "$T/out")"
exit $fail
