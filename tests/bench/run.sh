#!/bin/sh
# Run every benchmark binary given as argument, then every tests/bench/*.sh
# script (other than this one). Environment: BUILD. Benchmarks print
# figures and ratios; a non-zero exit means a run failed, not "too slow".
BUILD=${BUILD:-build}
export BUILD
rc=0
for b in "$@"; do
    echo "== bench: $b"
    "$b" || { echo "bench $b FAILED"; rc=1; }
done
for s in tests/bench/*.sh; do
    [ -f "$s" ] || continue
    [ "$(basename "$s")" = run.sh ] && continue
    echo "== bench: $s"
    sh "$s" || { echo "bench $s FAILED"; rc=1; }
done
exit $rc
