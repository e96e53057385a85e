#!/bin/sh
# The command reference has one source (docs/cli/*.txt): README.md's
# reference is the generated one, every command has a source file and a
# man page, every flag the C code accepts is documented there, and
# `recgate CMD --help` prints that usage.
. "$TOP/tests/e2e/lib/e2e.sh"
G=$TOP/$BUILD/gen
[ -s "$G/README-commands.md" ] || { echo "FAIL: $G not generated"; exit 1; }

# ---- README.md between the markers == the generated reference
awk '/^<!-- commands:end -->/ { p = 0 } p; /^<!-- commands:begin -->/ { p = 1 }' \
    "$TOP/README.md" >"$T/readme"
if cmp -s "$T/readme" "$G/README-commands.md"; then
    ok "README.md's command reference is the generated one"
else
    bad "README.md's command reference differs from docs/cli/ (run make readme):"
    diff "$G/README-commands.md" "$T/readme" | head -10
fi

# ---- every rg_cmd_X in the C code has docs/cli/X.txt, and every flag it
# accepts (getopt tables, "--x" literals, rg_acct_parse lists) is in it
n=0
for c in "$TOP"/plugin/cli/cmd_*.c; do
    cmds=$(sed -n 's/^int rg_cmd_\([a-z_]*\)(int argc.*/\1/p' "$c" | tr _ -)
    [ -n "$cmds" ] || continue
    docs=
    for k in $cmds; do
        if [ -f "$TOP/docs/cli/$k.txt" ]; then docs="$docs $TOP/docs/cli/$k.txt"
        else bad "rg_cmd_$k ($(basename "$c")) has no docs/cli/$k.txt"; fi
    done
    [ -n "$docs" ] || continue
    # shellcheck disable=SC2086
    cat $docs | grep -o -- '--\?-[a-z][a-z0-9-]*' | sort -u >"$T/documented"
    {
        sed -n 's/.*{"\([a-z][a-z0-9-]*\)", *\(no\|required\|optional\)_argument.*/--\1/p' "$c"
        grep -o '"--[a-z][a-z0-9-]*' "$c" | tr -d '"'
        # rg_acct_parse's lists of option names ("participant,mode,...")
        grep -q 'rg_acct_parse' "$c" &&
            grep -o '"\([a-z][a-z-]*,\)\{1,\}[a-z-]*"' "$c" | tr -d '"' | tr , '\n' | sed '/^$/d; s/^/--/'
    } | sort -u | grep -v -x -- '--help' >"$T/accepted"
    missing=$(comm -23 "$T/accepted" "$T/documented")
    [ -z "$missing" ] || bad "$(basename "$c") accepts flags not in docs/cli/ ($(echo $cmds)):" $missing
    n=$((n + $(wc -l <"$T/accepted")))
done
[ $fail -eq 0 ] && ok "$n flags accepted by plugin/cli/cmd_*.c, each documented in docs/cli/"

# ---- usage lines elsewhere in docs/*.md use only documented commands and flags
n=0
for md in "$TOP"/docs/*.md "$TOP"/README.md; do
    grep -n '^ *\(\$ \)\{0,1\}recgate [a-z]' "$md" | while IFS= read -r line; do
        k=$(printf '%s\n' "$line" | sed 's/^[0-9]*: *\(\$ \)\{0,1\}recgate \([a-z-]*\).*/\2/')
        src=$TOP/docs/cli/$k.txt
        [ -f "$src" ] || continue   # prose ("recgate refuses ...")
        for f in $(printf '%s\n' "${line#*:}" | sed 's/#.*//' | grep -o -- '[] [(|]--\?-[a-z][a-z0-9-]*' | cut -c2- | sort -u); do
            grep -q -- "$f\b" "$src" || echo "$(basename "$md"):${line%%:*}: recgate $k $f is not in docs/cli/$k.txt"
        done
    done
done >"$T/stale"
[ -s "$T/stale" ] && bad "usage in docs that docs/cli/ does not know:" && sed 's/^/      /' "$T/stale"
[ -s "$T/stale" ] || ok "every 'recgate CMD --flag' line in docs/*.md and README.md is in docs/cli/"

# ---- --help of every command is the documented usage; a man page each
for f in "$TOP"/docs/cli/*.txt; do
    k=$(sed -n 's/^name: //p' "$f")
    [ "$k" = recgate ] && continue
    out=$("$RECGATE" "$k" --help) || bad "recgate $k --help: exit $?"
    printf '%s\n' "$out" | head -1 | grep -q "^usage: recgate $k " || bad "recgate $k --help: $out"
    form=$(sed -n '/^synopsis:$/{n;p;}' "$f")
    printf '%s\n' "$out" | grep -qF "recgate $form" || bad "recgate $k --help lacks '$form'"
    [ -s "$G/recgate-$k.1" ] || bad "no man page recgate-$k.1"
done
"$RECGATE" --help | grep -q '^  doctor ' && ok "recgate --help lists the commands; each --help is its docs/cli usage" ||
    bad "recgate --help: $("$RECGATE" --help | head -5)"
# A usage error prints the same text.
"$RECGATE" hold /nonexistent 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q '^usage: recgate hold RECDIR --reason TEXT' "$T/err" &&
    ok "usage errors print the generated usage" || bad "hold without --reason: rc $rc, $(cat "$T/err")"
finish
