#!/bin/sh
# recgate audit keygen / verify on a real log written by the library:
# ok, then edits made with sed and cuts made with head are reported at the
# right line with exit 1; usage errors exit 2.
. "$TOP/tests/e2e/lib/e2e.sh"
WRITE="$BUILD/tests/audit_demo_log"
d=$T

# expect STATUS PATTERN CMD...: exit status and a line of stdout+stderr
expect() {
    want=$1 pat=$2; shift 2
    out=$("$@" 2>&1); got=$?
    [ "$got" -eq "$want" ] || bad "$* exited $got, wanted $want: $out"
    printf '%s\n' "$out" | grep -q -- "$pat" || bad "$*: no '$pat' in: $out"
}

expect 0 "new audit key" "$RECGATE" audit keygen -o "$d/key"
[ "$(stat -c %a "$d/key")" = 600 ] || bad "key file mode $(stat -c %a "$d/key")"
expect 1 "refusing to overwrite" "$RECGATE" audit keygen -o "$d/key"
"$WRITE" "$d/key" "$d/a.log" || bad "writing the demo log"
[ "$(stat -c %a "$d/a.log")" = 600 ] || bad "log mode $(stat -c %a "$d/a.log")"
n=$(wc -l < "$d/a.log")
[ "$n" -eq 11 ] || bad "demo log has $n lines"

expect 0 "a.log: ok, 11 lines, checkpointed$" "$RECGATE" audit verify "$d/a.log" --key-file "$d/key"
expect 0 "MACs not checked" "$RECGATE" audit verify "$d/a.log"
head=$("$RECGATE" audit verify "$d/a.log" --key-file "$d/key" -v | sed -n 's/^head //p')
expect 0 "ok" "$RECGATE" audit verify "$d/a.log" --key-file "$d/key" --expect-head "$head"

# an edit on line 5 (sed): line 5 with the key; without it the chain breaks at 6
cp "$d/a.log" "$d/b.log"
sed -i '5s/"label":"consent"/"label":"objectio"/' "$d/b.log"
cmp -s "$d/a.log" "$d/b.log" && bad "sed did not edit line 5"
expect 1 "b.log: line 5: MAC does not match" "$RECGATE" audit verify "$d/b.log" --key-file "$d/key"
expect 1 "b.log: line 6: hash chain broken" "$RECGATE" audit verify "$d/b.log"

# a deleted line, swapped lines, a duplicated line
sed '4d' "$d/a.log" > "$d/c.log"
expect 1 "c.log: line 4: hash chain broken" "$RECGATE" audit verify "$d/c.log" --key-file "$d/key"
awk 'NR == 3 { h = $0; next } NR == 4 { print; print h; next } 1' "$d/a.log" > "$d/s.log"
expect 1 "s.log: line 3: hash chain broken" "$RECGATE" audit verify "$d/s.log" --key-file "$d/key"
sed '8p' "$d/a.log" > "$d/i.log"
expect 1 "i.log: line 9: hash chain broken" "$RECGATE" audit verify "$d/i.log" --key-file "$d/key"

# a cut tail: at a line boundary, and mid-line
head -n 7 "$d/a.log" > "$d/t.log"
expect 1 "t.log: line 8: ends without checkpoint after line 7" "$RECGATE" audit verify "$d/t.log" --key-file "$d/key"
expect 0 "t.log: ok, 7 lines, not checkpointed" "$RECGATE" audit verify "$d/t.log" --key-file "$d/key" --allow-open
head -c 1000 "$d/a.log" > "$d/m.log"
expect 1 "line [0-9]*: incomplete last line" "$RECGATE" audit verify "$d/m.log" --key-file "$d/key" --allow-open

# cutting back to an earlier checkpoint shows only against a known head
cp "$d/a.log" "$d/w.log"
"$WRITE" "$d/key" "$d/w.log" || bad "continuing the demo log"
expect 0 "w.log: ok, 23 lines, checkpointed" "$RECGATE" audit verify "$d/w.log" --key-file "$d/key"
head -n 11 "$d/w.log" > "$d/w2.log"
whead=$("$RECGATE" audit verify "$d/w.log" --key-file "$d/key" -v | sed -n 's/^head //p')
expect 1 "lines were removed after a checkpoint" "$RECGATE" audit verify "$d/w2.log" --key-file "$d/key" --expect-head "$whead"

# continuing a tampered log is refused and leaves it untouched
cp "$d/b.log" "$d/b2.log"
"$WRITE" "$d/key" "$d/b2.log" 2>"$d/err" && bad "appended to a tampered log"
grep -q "line 5: MAC does not match.*refusing to append" "$d/err" || bad "refusal message: $(cat "$d/err")"
cmp -s "$d/b.log" "$d/b2.log" || bad "tampered log was modified"

# wrong key, bad key file, not a log
"$RECGATE" audit keygen -o "$d/key2" >/dev/null
expect 1 "line 1: MAC does not match: wrong key" "$RECGATE" audit verify "$d/a.log" --key-file "$d/key2"
chmod 644 "$d/key2"
expect 1 "mode 0644.*chmod 600" "$RECGATE" audit verify "$d/a.log" --key-file "$d/key2"
echo "hello" > "$d/x.log"
expect 1 "line 1: not a recgate audit log" "$RECGATE" audit verify "$d/x.log" --key-file "$d/key"
: > "$d/e.log"
expect 1 "empty file" "$RECGATE" audit verify "$d/e.log" --key-file "$d/key"
expect 1 "cannot open" "$RECGATE" audit verify "$d/missing.log" --key-file "$d/key"

# usage
expect 2 "usage" "$RECGATE" audit
expect 2 "usage" "$RECGATE" audit verify
expect 2 "usage" "$RECGATE" audit frob
expect 2 "usage" "$RECGATE" audit keygen

# pseudonyms: stable per key, no platform id in them
p1=$("$RECGATE" audit pseudonym --key-file "$d/key" zoom:alice | cut -f1)
p2=$("$RECGATE" audit pseudonym --key-file "$d/key" zoom:alice | cut -f1)
echo "$p1" | grep -Eq '^p-[0-9a-f]{16}$' || bad "pseudonym format: $p1"
[ "$p1" = "$p2" ] || bad "pseudonym not stable"

[ "$fail" -eq 0 ] && echo "audit_cli: ok"
finish
