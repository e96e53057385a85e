#!/bin/sh
# Crypto-shredding: copy a track elsewhere (a backup / an uploaded copy),
# shred it in the recording, and show the copy is unreadable by recgate and
# by plain `age` going through the keyring with the organisation identity,
# while the other track stays readable.
. "$TOP/tests/e2e/lib/e2e.sh"
W="$TOP/$BUILD/tests/vault_writer"
umask 077
"$RECGATE" keygen -o "$T/org.key" >"$T/org.pub" || exit 1
ORG=$(cat "$T/org.pub")
REC="$T/rec"
# 200 records per track, 50 ms apart (10 s of media), segment_s 2.
# The writer binds each sealed segment into audit.log, as the recorder does.
"$RECGATE" audit keygen -o "$T/audit.key" >/dev/null || bad "audit keygen"
VAULT_WRITER_AUDIT_KEY="$T/audit.key" "$W" write "$REC" 2 50 0 1000 "$ORG" >/dev/null || { bad "writer"; exit 1; }
"$RECGATE" verify "$REC" --identity "$T/org.key" >/dev/null && ok "recording intact before shredding" ||
    bad "verify before"

mkdir "$T/backup"
cp -r "$REC/tracks/t1" "$T/backup/t1"
cp "$REC/manifest.json.age" "$T/backup/"
# Before: the copy is readable through the keyring.
age -d -i "$T/org.key" "$REC/keyring/t1.age" >"$T/t1.key"
age -d -i "$T/t1.key" "$T/backup/t1/000000.age" >/dev/null && ok "copy readable before shredding" ||
    bad "copy unreadable before shredding"
rm -f "$T/t1.key"

"$RECGATE" shred "$REC" t1 >"$T/out" && ok "$(cat "$T/out")" || bad "recgate shred"
[ -e "$REC/keyring/t1.age" ] && bad "keyring entry still present"

# Whatever the organisation can still decrypt from the keyring ...
: >"$T/all.keys"
for k in "$REC"/keyring/*.age; do age -d -i "$T/org.key" "$k" >>"$T/all.keys"; done
grep -q "track: t2" "$T/all.keys" && ! grep -q "track: t1" "$T/all.keys" &&
    ok "keyring now holds t2's key only" || bad "keyring contents"
# ... opens none of the copied t1 segments, with age or with recgate.
n=0
for f in "$T"/backup/t1/*.age; do
    n=$((n + 1))
    if age -d -i "$T/all.keys" "$f" >/dev/null 2>&1; then bad "age read shredded copy $f"; fi
    if age -d -i "$T/org.key" "$f" >/dev/null 2>&1; then bad "age read $f with org key"; fi
    if "$RECGATE" decrypt "$f" -i "$T/all.keys" -i "$T/org.key" -o "$T/x" 2>"$T/err"; then
        bad "recgate read shredded copy $f"; fi
done
grep -q "wrong identity: no stanza matched" "$T/err" &&
    ok "all $n copied t1 segments unreadable by age and recgate (keyring + org key)" ||
    bad "error message: $(cat "$T/err")"
# The other track and the manifest still decrypt.
age -d -i "$T/all.keys" "$REC/tracks/t2/000000.age" >/dev/null && ok "t2 still readable" || bad "t2"
age -d -i "$T/org.key" "$T/backup/manifest.json.age" | grep -q meeting && ok "manifest readable" ||
    bad "manifest"
"$RECGATE" verify "$REC" --identity "$T/org.key" >"$T/v" 2>&1 && grep -q "shredded on request" "$T/v" &&
    ok "verify: $(grep shredded "$T/v")" || { bad "verify after shred"; cat "$T/v"; }
if "$RECGATE" export "$REC" --track t1 -i "$T/org.key" -o "$T/t1.out" --audit-key "$T/audit.key" 2>"$T/err"; then
    bad "export of shredded track succeeded"; else
    grep -q shredded "$T/err" && ok "export t1: $(head -1 "$T/err")" || bad "export msg"; fi
"$RECGATE" export "$REC" --track t2 -i "$T/org.key" -o "$T/t2.out" --audit-key "$T/audit.key" &&
    [ "$("$W" check t2 1000 <"$T/t2.out")" = 200 ] && ok "export t2: 200 whole records" ||
    bad "export t2"
if "$RECGATE" shred "$REC" t1 2>"$T/err"; then bad "second shred succeeded"; else
    ok "second shred: $(cat "$T/err")"; fi
finish
