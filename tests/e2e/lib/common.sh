# Sourced by the accountability e2e tests (withdraw_*, dsr_export, purge,
# report_chromium, audit_real_log). Needs RECGATE and TOP. Sets T (temp dir,
# removed on exit) and the helpers of lib/e2e.sh, ORG_KEY, AUDIT_KEY and
# make_rec.
. "$TOP/tests/e2e/lib/e2e.sh"
umask 077
ORG_KEY="$T/org.key"
AUDIT_KEY="$T/audit.key"
"$RECGATE" keygen -o "$ORG_KEY" >"$T/org.pub" || exit 1
"$RECGATE" audit keygen -o "$AUDIT_KEY" >/dev/null || exit 1
ORG=$(grep -o 'age1[0-9a-z]*' "$T/org.pub")
SCEN="$TOP/tests/e2e/lib/meeting.json"

# make_rec OUTDIR [CONFIG [SCENARIO]]: record one meeting, print its RECDIR.
make_rec() {
    _out=$1; _cfg=${2:-$TOP/config/recgate.json}; _sc=${3:-$SCEN}
    "$RECGATE" run --config "$_cfg" --scenario "$_sc" --out "$_out" \
        --recipient "$ORG" --audit-key "$AUDIT_KEY" --json --quiet >"$T/run.json" ||
        { echo "recgate run failed" >&2; return 1; }
    jq -r .recording.dir "$T/run.json"
}

# pseudonym ID: the participant's pseudonym under AUDIT_KEY.
pseudonym() { "$RECGATE" audit pseudonym --key-file "$AUDIT_KEY" "$1" | cut -f1; }

# decrypt_track_age RECDIR TRACK OUT: with plain age, through the keyring.
decrypt_track_age() {
    age -d -i "$ORG_KEY" "$1/keyring/$2.age" >"$T/track.key" 2>/dev/null || return 1
    for _f in "$1/tracks/$2"/[0-9][0-9][0-9][0-9][0-9][0-9].age; do
        age -d -i "$T/track.key" "$_f" || { rm -f "$T/track.key"; return 1; }
    done >"$3"
    rm -f "$T/track.key"
}
