#!/bin/sh
# librecgate.so exports exactly the public API: every defined dynamic
# symbol is a function declared in include/recgate/*.h, and every such
# function is exported. Shim modules export only rg_shim_module.
. "$TOP/tests/e2e/lib/e2e.sh"
so="$TOP/$BUILD/librecgate.so"
[ -f "$so" ] || { bad "no $so"; finish; }
# Functions of the public headers: "rg_name(" at the start of a declaration.
sed -n 's/^RG_EXPORT .*[ *]\(rg_[a-z0-9_]*\)(.*/\1/p' "$TOP"/include/recgate/*.h | sort -u >"$T/public"
grep -h '^[a-z].*[ *]rg_[a-z0-9_]*(' "$TOP"/include/recgate/*.h | grep -v '^RG_EXPORT' \
    | grep -v '^#' >"$T/unmarked" || true
[ -s "$T/unmarked" ] && bad "public functions without RG_EXPORT: $(cat "$T/unmarked")"
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWiu]$/ {sub(/@.*/, "", $3); print $3}' \
    | sort -u >"$T/exported"
n=$(wc -l <"$T/exported")
extra=$(comm -13 "$T/public" "$T/exported" | tr '\n' ' ')
missing=$(comm -23 "$T/public" "$T/exported" | tr '\n' ' ')
[ -z "$extra" ] && ok "$n symbols exported, all public" || bad "exported but not public: $extra"
[ -z "$missing" ] && ok "every public function is exported" || bad "public but not exported: $missing"
for m in "$TOP/$BUILD"/shims/*.so; do
    [ -f "$m" ] || continue
    got=$(nm -D --defined-only "$m" | awk '$2 ~ /^[TDBRVW]$/ {print $3}' | tr '\n' ' ')
    [ "$got" = "rg_shim_module " ] && ok "$(basename "$m") exports rg_shim_module only" ||
        bad "$(basename "$m") exports: $got"
done
# Crash hooks (RG_TEST_CRASH_AT) are test-only: in recgate-testhooks,
# nowhere else.
nm "$RECGATE" "$so" 2>/dev/null | grep -q rg_recdir_crash_point &&
    bad "the crash hook is in recgate or librecgate.so" || ok "no crash hook in recgate, librecgate.so"
nm "${RECGATE_TESTHOOKS:-$TOP/$BUILD/tests/recgate-testhooks}" | grep -q rg_recdir_crash_point &&
    ok "recgate-testhooks has it" || bad "recgate-testhooks lacks the crash hook"
finish
