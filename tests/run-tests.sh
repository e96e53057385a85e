#!/bin/sh
# Run every unit-test binary given as argument, then every end-to-end script
# in tests/e2e/, and print one closing line "N passed, N failed".
# Environment for e2e scripts: RECGATE (the CLI), BUILD, TOP (repo root).
BUILD=${BUILD:-build}
TOP=$(pwd)
RECGATE="$TOP/$BUILD/recgate"
# Shim modules (janus.so ...) of this build.
RECGATE_SHIM_DIR=${RECGATE_SHIM_DIR:-$TOP/$BUILD/shims}
# The CLI with the test-only crash hooks (RG_TEST_CRASH_AT).
RECGATE_TESTHOOKS="$TOP/$BUILD/tests/recgate-testhooks"
export BUILD TOP RECGATE RECGATE_SHIM_DIR RECGATE_TESTHOOKS
# GLib's load-time constructor allocates once and never frees: not ours.
LSAN_OPTIONS="suppressions=$TOP/tests/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
pass=0; fail=0; failed=""
for t in "$@"; do
    echo "== unit: $t"
    if "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
done
for t in tests/e2e/*.sh; do
    [ -f "$t" ] || continue
    [ -n "$E2E_ONLY" ] && case "$t" in *"$E2E_ONLY"*) ;; *) continue ;; esac
    echo "== e2e: $t"
    start=$(date +%s)
    if sh "$t"; then pass=$((pass + 1)); else fail=$((fail + 1)); failed="$failed $t"; fi
    echo "   ($(( $(date +%s) - start )) s)"
done
[ -n "$failed" ] && echo "FAILED:$failed"
echo "$pass passed, $fail failed"
[ -n "${COUNTS:-}" ] && echo "$pass $fail" >>"$COUNTS"
[ "$fail" -eq 0 ]
