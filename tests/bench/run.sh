#!/bin/sh
# Run every benchmark binary given as argument, then every other shell
# benchmark in tests/bench/*.sh. Benchmarks print figures and ratios; they
# fail only if they cannot run, never on a slow machine.
rc=0
for b in "$@"; do
    echo "== bench: $(basename "$b")"
    "$b" || { echo "benchmark $(basename "$b") FAILED"; rc=1; }
done
for s in tests/bench/*.sh; do
    [ "$(basename "$s")" = run.sh ] && continue
    [ -f "$s" ] || continue
    echo "== bench: $s"
    sh "$s" || { echo "benchmark $s FAILED"; rc=1; }
done
exit $rc
