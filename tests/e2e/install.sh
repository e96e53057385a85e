#!/bin/sh
# make install PREFIX=...: library, headers, the recgate command and
# recgate.pc; programs built with `pkg-config recgate` (shared) and
# `pkg-config --static recgate` (librecgate.a) link and run; man pages
# render without a groff warning; the systemd units pass systemd-analyze
# verify; bash completion completes commands and flags; an existing policy
# is never overwritten; make uninstall (DESTDIR, PREFIX=/usr) leaves
# nothing behind but an edited policy.
. "$TOP/tests/e2e/lib/e2e.sh"
tmp=$T
san=0; sanflags=
case "$BUILD" in *san*) san=1; sanflags="-fsanitize=address,undefined" ;; esac
mk() { make -C "$TOP" --no-print-directory SANITIZE=$san BUILD="$BUILD" "$@" >"$tmp/log" 2>&1; }
P=$tmp/usr
mk install PREFIX="$P" || { echo "FAIL: make install: $(tail -5 "$tmp/log")"; exit 1; }
for f in bin/recgate lib/librecgate.a lib/librecgate.so.0 lib/pkgconfig/recgate.pc \
         include/recgate/recgate.h include/recgate/session.h include/recgate/shim.h \
         share/man/man1/recgate.1 share/man/man1/recgate-run.1 share/man/man1/recgate-doctor.1 \
         share/man/man5/recgate.json.5 share/bash-completion/completions/recgate \
         share/doc/recgate/recgate.json share/doc/recgate/config.md etc/recgate/recgate.json \
         lib/systemd/system/recgate-purge.service lib/systemd/system/recgate-purge.timer \
         lib/systemd/system/recgate-serve@.service; do
    [ -e "$P/$f" ] || bad "$f not installed"
done

# ---- client programs through pkg-config: shared, then static
cat >"$tmp/p.c" <<'C'
#include <recgate/recgate.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    rg_policy *p = NULL;
    char e[RG_ERRBUF_SIZE] = "";
    rg_err r = rg_policy_load(argc > 1 ? argv[1] : "", &p, e);
    printf("%s\n", r ? e : rg_policy_default_type(p));
    rg_policy_free(p);
    return r != RG_OK;
}
C
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
# shellcheck disable=SC2046
cc -Wall -Werror $sanflags "$tmp/p.c" $(pkg-config --cflags --libs recgate) -o "$tmp/p" ||
    bad "cannot build against the installed recgate.pc"
out=$(LD_LIBRARY_PATH="$P/lib" "$tmp/p" "$P/share/doc/recgate/recgate.json") &&
    [ "$out" = case-meeting ] && ok "shared: built with pkg-config --libs, runs" ||
    bad "shared build: '$out'"
readelf -d "$tmp/p" | grep -q 'NEEDED.*librecgate\.so\.0' || bad "shared build does not use librecgate.so.0"
# Static: the archive instead of -lrecgate; every other library comes from
# `pkg-config --static --libs` (Requires.private, Libs.private) alone.
libs=$(pkg-config --static --libs recgate) || bad "pkg-config --static failed"
# shellcheck disable=SC2046,SC2086
cc -Wall -Werror $sanflags "$tmp/p.c" $(pkg-config --cflags recgate) \
    $(printf '%s\n' $libs | sed 's/^-lrecgate$/-l:librecgate.a/') -o "$tmp/ps" 2>"$tmp/ld" ||
    bad "static link with pkg-config --static --libs recgate: $(head -3 "$tmp/ld")"
if [ -x "$tmp/ps" ]; then
    readelf -d "$tmp/ps" | grep -q librecgate && bad "static build still needs librecgate.so"
    out=$("$tmp/ps" "$P/share/doc/recgate/recgate.json") && [ "$out" = case-meeting ] &&
        ok "static: linked librecgate.a with pkg-config --static --libs, runs" ||
        bad "static build: '$out'"
fi
"$P/bin/recgate" --version | grep -q '^recgate ' || bad "installed recgate command"

# ---- man pages: every page renders, not one groff warning
n=0
for m in "$P"/share/man/man1/*.1 "$P"/share/man/man5/*.5; do
    w=$(LC_ALL=C.UTF-8 groff -ww -man -Tutf8 -z "$m" 2>&1)
    [ -z "$w" ] || bad "groff -ww $(basename "$m"): $w"
    w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$m" 2>&1 >"$tmp/page")
    [ -z "$w" ] || bad "man -l $(basename "$m"): $w"
    grep -q '^NAME' "$tmp/page" && grep -q '^SEE ALSO' "$tmp/page" || bad "$(basename "$m"): no NAME / SEE ALSO"
    n=$((n + 1))
done
[ "$n" -ge 18 ] && ok "$n man pages render cleanly (groff -ww, man -l)" || bad "only $n man pages"
MANPATH="$P/share/man" MANWIDTH=80 man recgate-doctor 2>/dev/null | grep -q 'recgate doctor --config FILE' &&
    ok "man recgate-doctor finds the installed page" || bad "man recgate-doctor via MANPATH"
grep -q 'meeting_types.T.window_s' "$P/share/man/man5/recgate.json.5" || bad "recgate.json(5) lacks the keys"
for c in $("$P/bin/recgate" --help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p'); do
    [ -e "$P/share/man/man1/recgate-$c.1" ] || bad "no man page for recgate $c"
done

# ---- systemd units: verified (ExecStart must exist: they point into PREFIX)
U=$P/lib/systemd/system
grep -q "^ExecStart=$P/bin/recgate purge .* --config $P/etc/recgate/recgate.json" "$U/recgate-purge.service" ||
    bad "purge unit paths not adjusted to PREFIX: $(grep ExecStart "$U/recgate-purge.service")"
if v=$(cd "$U" && systemd-analyze verify --man=no recgate-purge.service recgate-purge.timer \
        recgate-serve@policy.service 2>&1) && [ -z "$v" ]; then
    ok "systemd-analyze verify: purge service, timer, serve@ template clean"
else bad "systemd-analyze verify: $v"; fi
# The check is meaningful: a unit that points nowhere is refused.
sed "s|^ExecStart=$P/bin/|ExecStart=$tmp/nowhere/|" "$U/recgate-purge.service" >"$tmp/recgate-purge.service"
(cd "$tmp" && systemd-analyze verify --man=no recgate-purge.service >/dev/null 2>&1) &&
    bad "systemd-analyze verify accepted a missing ExecStart"
unit=$(sed -n 's/^Unit=//p' "$U/recgate-purge.timer")
[ -e "$U/$unit" ] || bad "the timer starts $unit, which is not installed"

# ---- bash completion: commands, sub-commands, flags
comp() {  # comp WORD... : what completing the last word offers
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _recgate; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$P/share/bash-completion/completions/recgate" recgate "$@"
}
[ "$(comp do)" = doctor ] && ok "completion: 'recgate do' -> doctor" || bad "completion of commands: $(comp do)"
comp run --co | grep -qx -- --config && comp run --re | grep -qx -- --recipient &&
    ok "completion: run's flags" || bad "completion of run's flags: $(comp run --)"
[ "$(comp audit ve)" = verify ] && ok "completion: audit sub-commands" || bad "completion: audit ve -> $(comp audit ve)"
comp doctor --j | grep -qx -- --json || bad "completion: doctor --json"
[ "$(comp classify --lang "" | tr '\n' ' ')" = "da en " ] && ok "completion: --lang da|en" ||
    bad "completion of --lang values: $(comp classify --lang "")"

# ---- the policy: installed once, never overwritten
[ -s "$P/etc/recgate/recgate.json" ] && cmp -s "$P/etc/recgate/recgate.json" "$TOP/config/recgate.json" ||
    bad "example policy not installed to etc/recgate"
echo '{"mine": true}' >"$P/etc/recgate/recgate.json"
mk install PREFIX="$P" || bad "second make install: $(tail -3 "$tmp/log")"
grep -q mine "$P/etc/recgate/recgate.json" && ok "make install again: the admin's policy is kept" ||
    bad "make install overwrote etc/recgate/recgate.json"

# ---- PREFIX=/usr with DESTDIR: /etc, systemd's unit folder; then uninstall
R=$tmp/root
mk install DESTDIR="$R" PREFIX=/usr || bad "make install DESTDIR: $(tail -3 "$tmp/log")"
udir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
[ -e "$R/etc/recgate/recgate.json" ] && [ -e "$R$udir/recgate-purge.timer" ] &&
    grep -q '^ExecStart=/usr/bin/recgate purge .* --config /etc/recgate/recgate.json' "$R$udir/recgate-purge.service" &&
    ok "PREFIX=/usr: policy in /etc/recgate, units in $udir, paths /usr/bin and /etc" ||
    bad "PREFIX=/usr layout: $(find "$R" -name 'recgate*' | head -5)"
mk uninstall DESTDIR="$R" PREFIX=/usr || bad "make uninstall: $(tail -3 "$tmp/log")"
left=$(find "$R" ! -type d)
[ -z "$left" ] && ok "make uninstall removes every file" || bad "left after uninstall: $left"
mk uninstall PREFIX="$P" || bad "make uninstall PREFIX: $(tail -3 "$tmp/log")"
left=$(find "$P" ! -type d)
[ "$left" = "$P/etc/recgate/recgate.json" ] && ok "make uninstall keeps only the edited policy" ||
    bad "after uninstall of $P: $left"
[ $fail -eq 0 ] && echo "install: ok"
finish
