#!/bin/sh
# Rights on a crash-cut recording (issue 12, item 1): `recgate run` is
# killed mid-recording, so there is no encrypted manifest. What survives
# (audit log, keyring, sealed segments) must still answer an access request
# and a withdrawal: dsr export returns g's sealed track and never claims g
# was withdrawn; withdraw --mode anonymize destroys g's track only; h's
# track still exports; afterwards dsr export says g was withdrawn.
. "$TOP/tests/e2e/lib/common.sh"
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$T"' EXIT
jq '.vault = {"segment_s": 1}' "$TOP/tests/e2e/policy-test.json" >"$T/policy.json"
cat >"$T/m.json" <<'JSON'
{ "meeting": { "id": "crash-rights", "type": "quick-optout" },
  "events": [ { "at": 0, "join": "h", "role": "host" }, { "at": 0, "join": "g" },
              { "at": 120, "end": true } ] }
JSON
"$RECGATE" run --config "$T/policy.json" --scenario "$T/m.json" --realtime \
    --out "$T/out" --recipient "$ORG" --audit-key "$AUDIT_KEY" 2>"$T/timeline" &
pid=$!
i=0
while [ $i -lt 400 ] && ! grep -q "capture starts: g" "$T/timeline"; do sleep 0.1; i=$((i + 1)); done
grep -q "capture starts: g" "$T/timeline" || { bad "capture never started"; exit 1; }
sleep 3.5
kill -9 $pid; wait $pid 2>/dev/null; pid=
D=$(ls -d "$T"/out/rec-* | head -1)
[ ! -e "$D/manifest.json.age" ] && ok "killed mid-recording: no manifest" || bad "manifest exists"
PS_G=$(pseudonym g)
TG=$(grep '"event":"capture_start"' "$D/audit.log" | grep "$PS_G" | jq -r .track | head -1)
TH=$(grep '"event":"capture_start"' "$D/audit.log" | grep -v "$PS_G" | jq -r .track | head -1)
[ -n "$TG" ] && [ -n "$TH" ] || { bad "no capture_start lines"; exit 1; }

# Access request: g's sealed media, no false "withdrawn".
"$RECGATE" dsr export "$D" --participant g --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/dsr" --by dpo >"$T/out.txt" 2>&1 || bad "dsr export failed: $(cat "$T/out.txt")"
grep -q "withdrawn" "$T/out.txt" && bad "dsr export claims g was withdrawn: $(cat "$T/out.txt")"
jq -e --arg t "$TG" '[.tracks[].track] == [$t] and .cut_short == true' "$T/dsr/subject.json" >/dev/null &&
    [ -s "$T/dsr/$TG.ogg" ] && ffprobe -v error "$T/dsr/$TG.ogg" &&
    ok "dsr export: g's track $TG ($(stat -c %s "$T/dsr/$TG.ogg") bytes, plays), cut short, not 'withdrawn'" ||
    bad "dsr export content: $(cat "$T/dsr/subject.json")"
grep -q "withdrawn or the recording deleted" "$T/dsr/subject.json" && bad "subject.json claims withdrawal"

# The mixed export of one participant works from the audit log too.
"$RECGATE" export "$D" --participant g --partial --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/g-mix.ogg" 2>"$T/err" && ffprobe -v error "$T/g-mix.ogg" &&
    grep -q "tracks come from the audit log" "$T/err" &&
    ok "export --participant g without a manifest: $(stat -c %s "$T/g-mix.ogg") bytes" ||
    bad "export --participant g: $(cat "$T/err")"

# Withdrawal by anonymisation: g's track only.
"$RECGATE" withdraw "$D" --participant g --mode anonymize --identity "$ORG_KEY" \
    --audit-key "$AUDIT_KEY" --by dpo >"$T/w.txt" 2>&1 &&
    grep -q "1 tracks crypto-shredded.*tracks found in the audit log" "$T/w.txt" && ok "$(cat "$T/w.txt")" ||
    bad "withdraw --mode anonymize: $(cat "$T/w.txt")"
[ -e "$D/keyring/$TG.age" ] && bad "g's key survived"
[ -e "$D/keyring/$TH.age" ] || bad "h's key was destroyed"
"$RECGATE" export "$D" --track "$TH" --partial --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/h.ogg" 2>/dev/null && ffprobe -v error "$T/h.ogg" && ok "h's track $TH still exports" ||
    bad "h's track no longer exports"
"$RECGATE" export "$D" --track "$TG" --partial --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/g.ogg" 2>/dev/null && bad "g's track still exports"
rm -rf "$T/dsr2"
"$RECGATE" dsr export "$D" --participant g --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/dsr2" --by dpo >"$T/out.txt" 2>&1 && grep -q "withdrawn" "$T/out.txt" &&
    jq -e '.tracks == []' "$T/dsr2/subject.json" >/dev/null &&
    ok "after the withdrawal, dsr export says so" || bad "dsr after withdrawal: $(cat "$T/out.txt")"
"$RECGATE" audit verify "$D/audit.log" --key-file "$AUDIT_KEY" --allow-open >/dev/null &&
    ok "audit log intact" || bad "audit log"
exit $fail
