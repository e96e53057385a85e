#!/bin/sh
# kill -9 a vault writer mid-track: every sealed segment must decrypt (with
# recgate and with plain `age` via the keyring), the decrypted segments
# must concatenate to a valid record stream, and `recgate verify` must say
# the track was cut short and how many seconds are at most missing.
. "$TOP/tests/e2e/lib/e2e.sh"
W="$TOP/$BUILD/tests/vault_writer"
PID=
at_exit '[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null'
umask 077
age-keygen -o "$T/org.key" 2>/dev/null
ORG=$(age-keygen -y "$T/org.key")
REC="$T/rec"

# segment_s=1, a 4 KiB record every 20 ms per track (about 12 chunks per
# segment), meant to run for 60 s: it is killed once 3 segments are sealed.
# The writer binds each sealed segment into audit.log, as the recorder does.
"$RECGATE" audit keygen -o "$T/audit.key" >/dev/null || bad "audit keygen"
VAULT_WRITER_AUDIT_KEY="$T/audit.key" "$W" write "$REC" 1 20 60000 4096 "$ORG" >"$T/log" 2>&1 &
PID=$!
i=0
until grep -q "sealed 3" "$T/log" 2>/dev/null; do
    sleep 0.1; i=$((i + 1))
    [ $i -gt 100 ] && { bad "writer did not seal 3 segments in 10 s"; cat "$T/log"; exit 1; }
done
sleep 0.3
kill -9 "$PID"; wait "$PID" 2>/dev/null; PID=
ok "writer killed with SIGKILL after $(tail -1 "$T/log")"

ls "$REC"/tracks/t1/*.age.part >/dev/null 2>&1 && ok "open segment left as .part" ||
    bad "no open segment after the kill"

# verify without a key: structure and checksums; must report the cut.
if "$RECGATE" verify "$REC" >"$T/v1" 2>&1; then bad "verify exit 0 on a cut recording"; fi
cat "$T/v1" | sed 's/^/    /'
grep -q "cut short: track t1: segment .* lost: media from .* s, at most 1 s missing" "$T/v1" &&
    ok "verify reports t1 cut short with seconds missing" || bad "verify message for t1"
grep -q "cut short: track t2" "$T/v1" && ok "verify reports t2 cut short" || bad "verify t2"
grep -q "damaged\|truncated\|missing:" "$T/v1" && bad "verify reports damage in sealed segments"
# verify with the organisation identity: every tag of every sealed segment.
"$RECGATE" verify "$REC" --identity "$T/org.key" >"$T/v2" 2>&1
grep -q "every tag checked" "$T/v2" && ! grep -q "damaged\|cannot check" "$T/v2" &&
    ok "every sealed segment authenticates with recgate: $(tail -1 "$T/v2" | cut -d: -f2-)" ||
    { bad "verify --identity"; cat "$T/v2"; }

# Plain age, no recgate: keyring entry -> track identity -> segments.
for t in t1 t2; do
    age -d -i "$T/org.key" "$REC/keyring/$t.age" >"$T/$t.key" || bad "age -d keyring/$t.age"
    n=0
    : >"$T/$t.stream"
    for f in "$REC"/tracks/$t/[0-9][0-9][0-9][0-9][0-9][0-9].age; do
        age -d -i "$T/$t.key" "$f" >>"$T/$t.stream" || bad "age -d $f"
        n=$((n + 1))
    done
    [ $n -ge 3 ] || bad "$t: only $n sealed segments"
    recs=$("$W" check "$t" 4096 <"$T/$t.stream") &&
        ok "$t: $n sealed segments decrypt with age and concatenate to $recs whole records" ||
        bad "$t: concatenated stream invalid"
    # The open segment is not presented as data.
    part=$(ls "$REC"/tracks/$t/*.age.part | head -1)
    if "$RECGATE" decrypt "$part" -i "$T/$t.key" -o "$T/part.out" 2>"$T/err"; then
        bad "$t: open segment decrypted as if complete"
    else
        [ -e "$T/part.out" ] && bad "$t: partial output written"
        ok "$t: open segment refused: $(cut -d: -f3- "$T/err" | head -1)"
    fi
done
# recgate export --track: refuses a cut-short track unless --partial; then
# writes exactly the sealed segments (same bytes as age produced above).
if "$RECGATE" export "$REC" --track t1 --identity "$T/org.key" -o "$T/t1.export" --audit-key "$T/audit.key" 2>"$T/err"; then
    bad "export accepted a cut-short track without --partial"
else
    [ -e "$T/t1.export" ] && bad "export wrote output for a cut-short track"
    grep -q "cut short.*--partial" "$T/err" && ok "export refuses cut-short track: $(head -1 "$T/err" | cut -c1-90)..." ||
        bad "export message: $(cat "$T/err")"
fi
"$RECGATE" export "$REC" --track t1 --identity "$T/org.key" -o "$T/t1.export" --partial --audit-key "$T/audit.key" 2>"$T/err" &&
    cmp -s "$T/t1.export" "$T/t1.stream" && grep -q warning "$T/err" &&
    ok "export --partial = the sealed segments, with a warning" || bad "export --partial"
finish
