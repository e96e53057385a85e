#!/bin/sh
# Interoperability with the real `age` binary, both directions, keys made
# by both tools, payloads of 0, 1, 64 KiB, 64 KiB+1 and 3*64 KiB+5 bytes;
# plus the clear errors recgate gives for bad input.
. "$TOP/tests/e2e/lib/e2e.sh"
ENC="$TOP/$BUILD/tests/age_encrypt_tool"
command -v age >/dev/null && command -v age-keygen >/dev/null ||
    { echo "age/age-keygen not installed (Debian package age)"; exit 1; }

# Keys: one from recgate keygen, one from age-keygen.
RG_R=$("$RECGATE" keygen -o "$T/rg.key") || { bad "recgate keygen"; exit 1; }
age-keygen -o "$T/age.key" 2>/dev/null
AGE_R=$(age-keygen -y "$T/age.key")
[ "$(stat -c %a "$T/rg.key")" = 600 ] && ok "keygen file mode 0600" || bad "keygen mode"
[ "$(age-keygen -y "$T/rg.key")" = "$RG_R" ] && ok "age-keygen -y agrees with recgate's recipient" ||
    bad "recipient mismatch"
if "$RECGATE" keygen -o "$T/rg.key" >/dev/null 2>"$T/err"; then bad "keygen overwrote"; else
    grep -q "refusing to overwrite" "$T/err" && ok "keygen refuses to overwrite" || bad "keygen msg"; fi

for sz in 0 1 65536 65537 196613; do
    head -c "$sz" /dev/urandom >"$T/p"
    # recgate writes -> age reads (with each tool's key)
    "$ENC" "$RG_R" "$AGE_R" <"$T/p" >"$T/r.age" || bad "encrypt $sz"
    for k in rg age; do
        if age -d -i "$T/$k.key" "$T/r.age" | cmp -s - "$T/p"; then :; else
            bad "age -d ($k key) of recgate file, $sz bytes"; fi
    done
    # age writes -> recgate reads (with each tool's key)
    age -e -r "$RG_R" -r "$AGE_R" -o "$T/a.age" "$T/p"
    for k in rg age; do
        rm -f "$T/out"
        "$RECGATE" decrypt "$T/a.age" --identity "$T/$k.key" -o "$T/out" &&
            cmp -s "$T/out" "$T/p" || bad "recgate decrypt ($k key) of age file, $sz bytes"
    done
    "$RECGATE" decrypt "$T/a.age" -i "$T/age.key" -o - | cmp -s - "$T/p" ||
        bad "recgate decrypt -o - , $sz bytes"
    ok "$sz bytes: recgate->age and age->recgate with both keys"
done

# Clear errors, no output file on failure.
head -c 200000 /dev/urandom >"$T/p"
age -e -r "$AGE_R" -o "$T/a.age" "$T/p"
expect_err() { # name, pattern, file, key
    rm -f "$T/out"
    if "$RECGATE" decrypt "$3" -i "$4" -o "$T/out" 2>"$T/err"; then
        bad "$1: accepted"; return; fi
    if [ -e "$T/out" ] || ls "$T"/out.* >/dev/null 2>&1; then bad "$1: output left behind"; fi
    grep -q "$2" "$T/err" && ok "$1: $(head -1 "$T/err")" || { bad "$1: message"; cat "$T/err"; }
}
expect_err "wrong key" "wrong identity: no stanza matched" "$T/a.age" "$T/rg.key"
echo "just some text" >"$T/plain.txt"
expect_err "not age" "not an age file" "$T/plain.txt" "$T/age.key"
size=$(stat -c %s "$T/a.age")
head -c $((size - 100)) "$T/a.age" >"$T/trunc.age"
expect_err "truncated" "failed authentication\|truncated" "$T/trunc.age" "$T/age.key"
hdr=$(grep -a -n -m1 '^---' "$T/a.age" | cut -d: -f1)
hlen=$(head -n "$hdr" "$T/a.age" | wc -c)
head -c $((hlen + 16 + 65552)) "$T/a.age" >"$T/cut.age"
expect_err "cut at chunk boundary" "missing final chunk" "$T/cut.age" "$T/age.key"
cp "$T/a.age" "$T/flip.age"
printf '\001' | dd of="$T/flip.age" bs=1 seek=$((hlen + 16 + 65552 + 7)) conv=notrunc 2>/dev/null
expect_err "flipped bit" "chunk 1 failed authentication" "$T/flip.age" "$T/age.key"
# Reorder: swap chunks 0 and 1.
{ head -c $((hlen + 16)) "$T/a.age"
  tail -c +$((hlen + 16 + 65552 + 1)) "$T/a.age" | head -c 65552
  tail -c +$((hlen + 16 + 1)) "$T/a.age" | head -c 65552
  tail -c +$((hlen + 16 + 2 * 65552 + 1)) "$T/a.age"; } >"$T/reorder.age"
expect_err "reordered chunks" "chunk 0 failed authentication" "$T/reorder.age" "$T/age.key"
# Header MAC: change one MAC character.
mac_line=$(head -n "$hdr" "$T/a.age" | tail -1)
first=$(printf %s "$mac_line" | cut -c5)
[ "$first" = A ] && new=B || new=A
cp "$T/a.age" "$T/mac.age"
printf %s "$new" | dd of="$T/mac.age" bs=1 seek=$((hlen - 44)) conv=notrunc 2>/dev/null
expect_err "header MAC" "header MAC mismatch" "$T/mac.age" "$T/age.key"
if "$RECGATE" decrypt "$T/flip.age" -i "$T/age.key" -o - >/dev/null 2>"$T/err"; then
    bad "-o - accepted a damaged file"; else
    grep -q INCOMPLETE "$T/err" && ok "-o - exits non-zero and says output is incomplete" || bad "-o - msg"; fi

# World-readable identity files are refused.
cp "$T/age.key" "$T/open.key"; chmod 644 "$T/open.key"
expect_err "identity mode 0644" "accessible by group or others" "$T/a.age" "$T/open.key"
finish
