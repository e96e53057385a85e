#!/bin/sh
# recgate report rendered by headless Chromium: the page is self-contained
# (no script, no external reference), the SVG timeline is in the rendered
# DOM with one row per participant (presence, captured spans, the destroyed
# span of a withdrawn participant, informed / consent / objection marks,
# the gate), every notice is matched to its audit line, the audit chain is
# reported intact, names with HTML in them are escaped, and a screenshot is
# not blank.
. "$TOP/tests/e2e/lib/common.sh"
command -v chromium >/dev/null 2>&1 || { bad "chromium is not installed (make deps installs it)"; exit 1; }
# A meeting with an objection-free run, a consent, a name full of HTML, and
# Lars withdrawing afterwards.
jq '.events[1].name = "Lars <script>alert(1)</script> & \"Berg\""' "$SCEN" >"$T/scenario.json"
REC=$(make_rec "$T/recs" "$TOP/config/recgate.json" "$T/scenario.json") || exit 1
cp -r "$T/recs" "$T/recs2"    # Lars still named here (for the escaping check)
REC2=$(echo "$REC" | sed "s|$T/recs|$T/recs2|")
"$RECGATE" withdraw "$REC" --participant lars --mode anonymize --identity "$ORG_KEY" \
    --audit-key "$AUDIT_KEY" >/dev/null || bad "withdraw"
"$RECGATE" report "$REC" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" -o "$T/report.html" >"$T/out" &&
    ok "$(cat "$T/out")" || { bad "report: $(cat "$T/out")"; exit 1; }
[ "$(stat -c %a "$T/report.html")" = 600 ] && ok "report is mode 0600" || bad "report mode"
grep -qiE '<script|src=|href=|url\(http|@import' "$T/report.html" &&
    bad "report references something outside itself or runs a script" || ok "self-contained, no script"
grep -q 'matches audit line' "$T/report.html" && ! grep -q 'NOT in the audit log' "$T/report.html" &&
    ok "every notice text matched to its audit line by SHA-256" || bad "notice matching"

CH() { timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --disable-extensions --hide-scrollbars --user-data-dir="$(mktemp -d "$T/prof.XXXXXX")" "$@" \
        2>>"$T/chromium.log"; }
CH --dump-dom "file://$T/report.html" >"$T/dom.html" || { bad "chromium --dump-dom failed"; tail -5 "$T/chromium.log"; exit 1; }
count() { grep -o "$1" "$T/dom.html" | wc -l; }
grep -q '<svg id="timeline"' "$T/dom.html" && ok "rendered DOM has the SVG timeline" || bad "no timeline in the DOM"
[ "$(count '<g class="participant"')" = 3 ] && [ "$(count '<g class="gate"')" = 1 ] &&
    ok "3 participant rows + gate row" || bad "rows: $(count '<g class="participant"')"
[ "$(count '<rect class="presence"')" -ge 4 ] && [ "$(count '<rect class="captured"')" -ge 3 ] &&
    [ "$(count '<rect class="captured destroyed"')" -ge 2 ] && [ "$(count '<rect class="gate-open"')" -ge 2 ] &&
    ok "presence, captured, destroyed and gate spans drawn" || bad "spans missing"
[ "$(count '<path class="informed"')" -ge 4 ] && [ "$(count '<circle class="consent"')" -ge 2 ] &&
    ok "informed and consent marks drawn" || bad "marks missing"
grep -q 'class="withdrawn"' "$T/dom.html" && ok "withdrawal shown" || bad "withdrawal not shown"
grep -q 'id="verdict" class="ok"><b>Intact</b>' "$T/dom.html" && ok "audit chain verdict: intact" ||
    bad "verdict"

CH --window-size=1100,900 --screenshot="$T/shot.png" "file://$T/report.html" >/dev/null ||
    bad "chromium --screenshot failed"
nonwhite=$(ffmpeg -v error -i "$T/shot.png" -vf "crop=760:260:200:540" -f rawvideo -pix_fmt gray - |
           od -An -tu1 -v | tr -s ' ' '\n' | awk '$1 != "" && $1 < 200 { n++ } END { print n + 0 }')
[ "$nonwhite" -gt 5000 ] && ok "screenshot of the timeline area is not blank ($nonwhite dark pixels)" ||
    bad "screenshot blank ($nonwhite dark pixels)"

# The copy from before the withdrawal names Lars with HTML in his name: it
# must be shown as text, never become markup.
"$RECGATE" report "$REC2" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" -o "$T/r2.html" >/dev/null ||
    bad "second report"
grep -q 'Lars &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Berg&quot;' "$T/r2.html" &&
    ok "a name holding HTML is escaped" || bad "name not escaped"
CH --dump-dom "file://$T/r2.html" >"$T/dom2.html" || bad "dump-dom 2"
grep -q '<script' "$T/dom2.html" && bad "a script element made it into the DOM" || ok "no script element in the DOM"

# Bad input.
"$RECGATE" report "$REC" --audit-key "$AUDIT_KEY" -o "$T/x.html" 2>/dev/null; [ $? -eq 2 ] &&
    ok "no --identity: usage" || bad "no identity"
"$RECGATE" report "$T" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" -o "$T/x.html" 2>"$T/err" &&
    bad "non-recording accepted" || ok "not a recording: $(cat "$T/err")"
head -c 1000 "$REC/audit.log" >"$T/cut" && cp "$T/cut" "$REC/audit.log"
"$RECGATE" report "$REC" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" -o "$T/x.html" 2>"$T/err" &&
    bad "cut audit log accepted" || ok "cut audit log refused: $(cat "$T/err")"
[ -e "$T/x.html" ] && bad "a report was written for a damaged recording"
exit $fail
