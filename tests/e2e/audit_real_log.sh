#!/bin/sh
# The audit log of a real recording (a meeting, then a withdrawal, an
# access request and a report, so it holds resume lines and several
# checkpoints): for every line K, a one-byte change (first byte, middle,
# last byte, the newline), deleting it, swapping it with the next, cutting
# the file after line K-1 and cutting it inside line K must each be
# reported by `recgate audit verify --key-file` at exactly line K.
. "$TOP/tests/e2e/lib/common.sh"
REC=$(make_rec "$T/recs") || exit 1
"$RECGATE" withdraw "$REC" --participant lars --mode anonymize --identity "$ORG_KEY" \
    --audit-key "$AUDIT_KEY" >/dev/null &&
"$RECGATE" dsr export "$REC" --participant mette --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" \
    -o "$T/dsr" >/dev/null &&
"$RECGATE" report "$REC" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" -o "$T/r.html" >/dev/null ||
    { bad "setup"; exit 1; }
LOG="$REC/audit.log"
"$RECGATE" audit verify "$LOG" --key-file "$AUDIT_KEY" >"$T/v" && ok "$(cat "$T/v")" || bad "log does not verify"
N=$(wc -l <"$LOG")
grep -c '"event":"resume"' "$LOG" | grep -q '^[3-9]' || bad "expected several resume lines"

# at_line FILE: the line number verify reports (empty if it passed).
at_line() {
    "$RECGATE" audit verify "$1" --key-file "$AUDIT_KEY" 2>/dev/null | sed -n 's/.*: line \([0-9]*\): .*/\1/p'
}
check() { # what K file
    got=$(at_line "$3")
    if [ "$got" = "$2" ]; then checks=$((checks + 1)); else bad "$1 at line $2: reported at '${got:-nothing}'"; fi
}
checks=0; cuts=0
X="$T/x.log"
HEAD=$("$RECGATE" audit verify "$LOG" --key-file "$AUDIT_KEY" -v | sed -n 's/^head //p')
[ ${#HEAD} = 64 ] || bad "no head from verify -v"
K=1
while [ $K -le "$N" ]; do
    start=$(head -n $((K - 1)) "$LOG" | wc -c)
    len=$(sed -n "${K}p" "$LOG" | wc -c)          # with its newline
    for off in 0 $((len / 2)) $((len - 2)) $((len - 1)); do
        cp "$LOG" "$X"
        b=$(dd if="$X" bs=1 skip=$((start + off)) count=1 2>/dev/null)
        [ "$b" = a ] && r=b || r=a
        printf '%s' "$r" | dd of="$X" bs=1 seek=$((start + off)) conv=notrunc 2>/dev/null
        check "byte $off changed" $K "$X"
    done
    sed "${K}d" "$LOG" >"$X"; check "line deleted" $K "$X"
    if [ $K -lt "$N" ]; then
        awk -v k=$K 'NR == k { held = $0; next } { print } NR == k + 1 { print held }' "$LOG" >"$X"
        check "swapped with the next" $K "$X"
    fi
    if [ $K -ge 2 ]; then
        head -n $((K - 1)) "$LOG" >"$X"
        if sed -n "$((K - 1))p" "$LOG" | grep -q '"event":"checkpoint"'; then
            # Cut back to an earlier checkpoint: a valid log by itself
            # (docs/audit.md); the head kept elsewhere catches it.
            if [ -z "$(at_line "$X")" ] &&
               ! "$RECGATE" audit verify "$X" --key-file "$AUDIT_KEY" --expect-head "$HEAD" >/dev/null 2>&1; then
                checks=$((checks + 1)); cuts=$((cuts + 1))
            else bad "cut back to the checkpoint at line $((K - 1)) not caught by --expect-head"; fi
        else check "tail cut before" $K "$X"; fi
    fi
    head -c $((start + len / 2)) "$LOG" >"$X"; check "cut mid-line" $K "$X"
    K=$((K + 1))
done
[ $fail = 0 ] && ok "$checks tamperings of a real $N-line log, each reported at its line ($cuts cuts back to an earlier checkpoint caught by --expect-head)"
"$RECGATE" audit keygen -o "$T/other.key" >/dev/null
"$RECGATE" audit verify "$LOG" --key-file "$T/other.key" 2>/dev/null | grep -q ': line 1: ' &&
    ok "wrong key: reported at line 1" || bad "wrong key"
exit $fail
