#!/bin/sh
# make install PREFIX=...: library, headers, the recgate command and
# recgate.pc; a program built with `pkg-config recgate` links and runs.
. "$TOP/tests/e2e/lib/e2e.sh"
tmp=$T
san=0; sanflags=
case "$BUILD" in *san*) san=1; sanflags="-fsanitize=address,undefined" ;; esac
make -C "$TOP" --no-print-directory install SANITIZE=$san BUILD="$BUILD" PREFIX="$tmp/usr" >"$tmp/log" 2>&1 ||
    { echo "FAIL: make install: $(tail -5 "$tmp/log")"; exit 1; }
for f in bin/recgate lib/librecgate.a lib/librecgate.so.0 lib/pkgconfig/recgate.pc \
         include/recgate/recgate.h include/recgate/session.h include/recgate/shim.h; do
    [ -e "$tmp/usr/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
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
export PKG_CONFIG_PATH="$tmp/usr/lib/pkgconfig"
cc -Wall -Werror $sanflags "$tmp/p.c" $(pkg-config --cflags --libs recgate) -o "$tmp/p" ||
    { echo "FAIL: cannot build against the installed recgate.pc"; exit 1; }
out=$(LD_LIBRARY_PATH="$tmp/usr/lib" "$tmp/p" "$tmp/usr/share/recgate/recgate.json") ||
    { echo "FAIL: installed library: $out"; exit 1; }
[ "$out" = case-meeting ] || { echo "FAIL: got '$out'"; exit 1; }
"$tmp/usr/bin/recgate" --version | grep -q '^recgate ' || { echo "FAIL: installed recgate command"; exit 1; }
echo "install: ok"
