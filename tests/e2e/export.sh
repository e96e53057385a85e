#!/bin/sh
# recgate export: record a real meeting (3 participants, one joins late, one
# leaves early), mix it to one Ogg/Opus file and check it from outside:
# ffprobe says it is valid and as long as the recorded span (+-0.1 s), the
# participants' sim tones (300/400/500 Hz) are where and only where they
# spoke; --participant gives that person's span and voice only; the audit
# log gets decrypt/export events and still verifies. Failures (bad args,
# wrong identity, missing or wrong audit key, unknown participant, damaged
# segment, shredded tracks, a recording cut short by kill -9) give clear
# errors and leave no output file behind.
. "$TOP/tests/e2e/lib/e2e.sh"
TONES="$TOP/$BUILD/tests/ogg_tones"
SC="$TOP/tests/e2e/scenarios-rec"
PID=
at_exit '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null'
umask 077
"$RECGATE" keygen -o "$T/org.key" >"$T/org.pub" || exit 1
"$RECGATE" keygen -o "$T/other.key" >/dev/null || exit 1
"$RECGATE" audit keygen -o "$T/audit.key" >/dev/null || exit 1
"$RECGATE" audit keygen -o "$T/audit2.key" >/dev/null || exit 1
ORG=$(cat "$T/org.pub")

"$RECGATE" run --config "$TOP/config/recgate.json" --scenario "$SC/export_three.json" \
    --out "$T/recs" --recipient "$ORG" --audit-key "$T/audit.key" --quiet >/dev/null ||
    { bad "recording the meeting"; exit 1; }
REC=$(ls -d "$T"/recs/rec-*)
[ -d "$REC" ] || { bad "no recording folder"; exit 1; }

dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
# near A B: |A - B| <= 0.1
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d <= 0.1 && d >= -0.1) }'; }
# span of tracks (jq filter selecting them) from recording.json, seconds
span() { jq "[.tracks[] | select($1)] | ((map(.end_ms) | max) - (map(.offset_ms) | min)) / 1000" "$REC/recording.json"; }
# tones FILE FROM TO: "300:A 400:B 500:C" amplitudes in the window
tones() { "$TONES" "$1" "$2" "$3" 300 400 500 | awk 'NR > 1 { printf "%s:%s ", $1, $2 }'; }
# has "300:8000 ..." HZ: amplitude > 2000; lacks: < 500
has() { echo "$1" | tr ' ' '\n' | awk -F: -v f="$2" '$1 == f { exit !($2 > 2000) }'; }
lacks() { echo "$1" | tr ' ' '\n' | awk -F: -v f="$2" '$1 == f { exit !($2 < 500) }'; }
nothing_left() { ! ls "$T/out" 2>/dev/null | grep -q .; }
mkdir "$T/out"
EXP="--identity $T/org.key --audit-key $T/audit.key"

# ---- everyone -------------------------------------------------------------
# shellcheck disable=SC2086
if "$RECGATE" export "$REC" $EXP -o "$T/out/all.ogg" 2>"$T/err"; then
    want=$(span true); got=$(dur "$T/out/all.ogg")
    near "$got" "$want" && ok "all: ffprobe $got s = recorded span $want s" ||
        bad "all: duration $got s, span $want s"
    [ "$(stat -c %a "$T/out/all.ogg")" = 600 ] && ok "all: mode 0600" || bad "all: mode"
    grep -q "3 tracks .* mixed" "$T/err" && ok "all: $(cat "$T/err")" || bad "all: message $(cat "$T/err")"
    # Output starts at 30 s of the meeting (the gate opened): anna+bo until
    # 75 s, cem from 75 s, bo left at 80 s.
    w=$(tones "$T/out/all.ogg" 5 15)
    has "$w" 300 && has "$w" 400 && lacks "$w" 500 && ok "all: 5-15 s anna+bo only ($w)" ||
        bad "all: 5-15 s tones $w"
    w=$(tones "$T/out/all.ogg" 46 49.5)
    has "$w" 300 && has "$w" 400 && has "$w" 500 && ok "all: 46-49.5 s all three ($w)" ||
        bad "all: 46-49.5 s tones $w"
    w=$(tones "$T/out/all.ogg" 55 78)
    has "$w" 300 && lacks "$w" 400 && has "$w" 500 && ok "all: 55-78 s anna+cem ($w)" ||
        bad "all: 55-78 s tones $w"
else
    bad "export all: $(cat "$T/err")"
fi
ls "$T/out" | grep -q part && bad "temp file left behind"

# ---- one participant (late joiner), by id and by pseudonym -----------------
# shellcheck disable=SC2086
if "$RECGATE" export "$REC" $EXP -o "$T/out/cem.ogg" --participant cem 2>"$T/err"; then
    want=$(span '.id == "t3"'); got=$(dur "$T/out/cem.ogg")
    near "$got" "$want" && ok "cem: ffprobe $got s = her span $want s" ||
        bad "cem: duration $got s, span $want s"
    w=$(tones "$T/out/cem.ogg" 2 30)
    has "$w" 500 && lacks "$w" 300 && lacks "$w" 400 && ok "cem: only her tone ($w)" ||
        bad "cem: tones $w"
else
    bad "export --participant cem: $(cat "$T/err")"
fi
PS=$("$RECGATE" audit pseudonym --key-file "$T/audit.key" bo | cut -f1)
# shellcheck disable=SC2086
if "$RECGATE" export "$REC" $EXP -o "$T/out/bo.ogg" --participant "$PS" --by alice 2>"$T/err"; then
    want=$(span '.id == "t2"'); got=$(dur "$T/out/bo.ogg")
    near "$got" "$want" && ok "by pseudonym $PS: $got s = bo's span $want s" ||
        bad "bo: duration $got s, span $want s"
else
    bad "export --participant $PS: $(cat "$T/err")"
fi

# ---- audit log ----------------------------------------------------------
LOG="$REC/audit.log"
"$RECGATE" audit verify "$LOG" --key-file "$T/audit.key" >/dev/null &&
    ok "audit log verifies after the exports" || bad "audit verify"
grep '"event":"export"' "$LOG" | grep -q '"to":"all.ogg","format":"ogg/opus"' &&
    ok "export event for all.ogg" || bad "no export event for all.ogg"
grep '"event":"export"' "$LOG" | grep -q "\"by\":\"alice\",\"to\":\"bo.ogg\".*\"participant\":\"$PS\"" &&
    ok "export event for bo.ogg: by alice, participant $PS" || bad "export event for bo.ogg"
grep '"event":"decrypt"' "$LOG" | grep -q '"what":"manifest"' &&
    grep '"event":"decrypt"' "$LOG" | grep -q '"what":"tracks"' &&
    ok "decrypt events (manifest, tracks)" || bad "decrypt events"
grep -q "Cem Test\|Bo Test\|\"cem\"" "$LOG" && bad "a name or platform id in the audit log"

# ---- single track (raw, as recorded) -------------------------------------
# shellcheck disable=SC2086
"$RECGATE" export "$REC" --track t1 $EXP -o "$T/out/t1.ogg" 2>/dev/null &&
    near "$(dur "$T/out/t1.ogg")" "$(span '.id == "t1"')" &&
    ok "--track t1: raw Ogg/Opus track, $(dur "$T/out/t1.ogg") s" || bad "--track t1"
rm -f "$T/out"/*

# ---- refusals: exit code, message, nothing written ------------------------
# expect CODE PATTERN ARGS...: export exits CODE, stderr matches PATTERN,
# no file appears in $T/out.
expect() {
    code=$1 pat=$2; shift 2
    "$RECGATE" export "$@" >/dev/null 2>"$T/err"; rc=$?
    if [ "$rc" = "$code" ] && grep -q "$pat" "$T/err" && nothing_left; then
        ok "exit $rc: $(grep "$pat" "$T/err" | head -1 | cut -c1-110)"
    else
        bad "exit $rc (want $code), stderr: $(cat "$T/err"), out: $(ls "$T/out")"
    fi
}
O="$T/out/x.ogg"
expect 2 "usage" "$REC" -o "$O"
expect 2 "one RECDIR expected (a single track: --track t1)" "$REC" t1 -i "$T/org.key" -o "$O" --audit-key "$T/audit.key"
expect 2 "needs a file" "$REC" -i "$T/org.key" -o - --audit-key "$T/audit.key"
expect 2 "exclude each other" "$REC" -i "$T/org.key" -o "$O" --audit-key "$T/audit.key" --track t1 --participant cem
lines=$(wc -l <"$LOG")
expect 1 "refusing: every decryption must be logged" "$REC" -i "$T/org.key" -o "$O"
[ "$(wc -l <"$LOG")" = "$lines" ] && ok "audit log untouched without the key" || bad "log changed"
expect 1 "refusing: the export cannot be logged" "$REC" -i "$T/org.key" -o "$O" --audit-key "$T/nokey"
expect 1 "MAC does not match\|wrong key" "$REC" -i "$T/org.key" -o "$O" --audit-key "$T/audit2.key"
expect 1 "refusing: every decryption must be logged" "$REC" --track t1 -i "$T/org.key" -o "$O"
# --config: the policy's audit.key_file (absolute here)
jq --arg k "$T/audit.key" '. + {audit: {key_file: $k}}' "$TOP/config/recgate.json" >"$T/policy.json"
"$RECGATE" export "$REC" -i "$T/org.key" -o "$T/out/cfg.ogg" --config "$T/policy.json" 2>/dev/null &&
    [ -s "$T/out/cfg.ogg" ] && ok "--config: audit key from the policy" || bad "--config"
rm -f "$T/out"/*
expect 1 "no audit.key_file" "$REC" -i "$T/org.key" -o "$O" --config "$TOP/config/recgate.json"
expect 1 "no participant 'nobody' in this recording" "$REC" $EXP -o "$O" --participant nobody
grep -q "Anna\|anna" "$T/err" && bad "unknown-participant message lists people"
expect 1 "wrong identity" "$REC" --identity "$T/other.key" --audit-key "$T/audit.key" -o "$O"
expect 1 "wrong identity" "$REC" --identity "$T/other.key" --audit-key "$T/audit.key" -o "$O" --participant cem
expect 1 "recording.json: no such file" "$T" $EXP -o "$O"

# Damaged segment: one flipped byte in the middle of t2's 4th segment.
cp -r "$REC" "$T/dmg"
SEG="$T/dmg/tracks/t2/000003.age"
sz=$(stat -c %s "$SEG")
printf '\377' | dd of="$SEG" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
# (caught by the index's SHA-256 before any chunk is decrypted)
expect 1 "000003.age: .*SHA-256 differs" "$T/dmg" $EXP -o "$O"
# Swapped segments: each authenticates, but the index's SHA-256 catches it.
cp -r "$REC" "$T/swp"
mv "$T/swp/tracks/t1/000001.age" "$T/swp/x"
mv "$T/swp/tracks/t1/000002.age" "$T/swp/tracks/t1/000001.age"
mv "$T/swp/x" "$T/swp/tracks/t1/000002.age"
expect 1 "000001.age: .*SHA-256 differs\|000001.age: .*bytes, its index says" "$T/swp" $EXP -o "$O"

# Shredded tracks are skipped; none left -> clear error.
cp -r "$REC" "$T/shr"
"$RECGATE" shred "$T/shr" t2 >/dev/null 2>&1
# shellcheck disable=SC2086
if "$RECGATE" export "$T/shr" $EXP -o "$T/out/shr.ogg" 2>"$T/err"; then
    grep -q "skipping track t2: it was shredded" "$T/err" &&
        near "$(dur "$T/out/shr.ogg")" "$(span '.id != "t2"')" &&
        lacks "$(tones "$T/out/shr.ogg" 5 15)" 400 &&
        ok "shredded t2 skipped: $(dur "$T/out/shr.ogg") s, no 400 Hz" || bad "shredded skip: $(cat "$T/err")"
else
    bad "export with a shredded track: $(cat "$T/err")"
fi
rm -f "$T/out"/*
"$RECGATE" shred "$T/shr" t1 >/dev/null 2>&1; "$RECGATE" shred "$T/shr" t3 >/dev/null 2>&1
expect 1 "no track left to export" "$T/shr" $EXP -o "$O"
expect 1 "participant 'cem' has no track left" "$T/shr" $EXP -o "$O" --participant cem

# ---- progress bar: only on a terminal ------------------------------------
if command -v script >/dev/null 2>&1; then
    script -qec "'$RECGATE' export '$REC' $EXP -o '$T/out/tty.ogg'" /dev/null >"$T/tty" 2>&1
    grep -q "export \[#*\.*\] *[0-9]*%" "$T/tty" && grep -q "100%" "$T/tty" &&
        ok "progress bar on a terminal ($(tr '\r' '\n' <"$T/tty" | grep -c '%') updates)" ||
        bad "no progress bar on a terminal: $(tr '\r' '\n' <"$T/tty" | head -3)"
    # shellcheck disable=SC2086
    "$RECGATE" export "$REC" $EXP -o "$T/out/notty.ogg" 2>"$T/err"
    grep -q "%" "$T/err" && bad "progress bar written to a non-terminal" ||
        ok "no progress bar when stderr is not a terminal"
fi
rm -f "$T/out"/*

# ---- cut short: kill -9 while recording in real time ------------------------
jq '.meeting_types["board-meeting"].window_s = 10 | .vault = {segment_s: 1}' \
    "$TOP/config/recgate.json" >"$T/fast.json"
"$RECGATE" run --config "$T/fast.json" --scenario "$SC/export_crash.json" --realtime \
    --out "$T/crash" --recipient "$ORG" --audit-key "$T/audit.key" --quiet >/dev/null 2>&1 &
PID=$!
i=0
until [ "$(ls "$T"/crash/rec-*/tracks/t2/0*.age 2>/dev/null | wc -l)" -ge 3 ]; do
    sleep 0.2; i=$((i + 1))
    [ $i -gt 150 ] && { bad "no 3 sealed segments within 30 s"; exit 1; }
done
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
CR=$(ls -d "$T"/crash/rec-*)
expect 1 "track t1 was cut short (crash).*--partial" "$CR" $EXP -o "$O"
# shellcheck disable=SC2086
if "$RECGATE" export "$CR" $EXP -o "$T/out/crash.ogg" --partial 2>"$T/err"; then
    got=$(dur "$T/out/crash.ogg")
    grep -q "at most .* s of media missing" "$T/err" && grep -q "warning: track t2 was cut short" "$T/err" &&
        awk -v d="$got" 'BEGIN { exit !(d >= 1.5) }' &&
        has "$(tones "$T/out/crash.ogg" 0.2 1.2)" 300 &&
        ok "--partial: $got s sealed, mixed; $(grep 'at most' "$T/err" | tail -1 | cut -c1-110)" ||
        bad "--partial: $got s, $(cat "$T/err")"
else
    bad "export --partial of a cut-short recording: $(cat "$T/err")"
fi
finish
