#!/bin/sh
# Run each libFuzzer target for $1 seconds on its seed corpus
# tests/fuzz/corpus/<target>/ (new inputs go to a scratch copy).
secs=$1; shift
rc=0; pass=0; fail=0
for f in "$@"; do
    name=$(basename "$f")
    seeds="tests/fuzz/corpus/$name"
    work=$(mktemp -d)
    [ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
    echo "== fuzz: $name (${secs}s)"
    if ! "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix="$work/" -print_final_stats=0 "$work" \
            >"$work.log" 2>&1; then
        tail -40 "$work.log"; echo "fuzz target $name FAILED (artifacts in $work)"; rc=1
        fail=$((fail + 1))
    else
        grep -E '^(Done|#[0-9]+ +DONE)' "$work.log" | tail -1
        rm -rf "$work"
        pass=$((pass + 1))
    fi
    rm -f "$work.log"
done
echo "fuzz: $pass passed, $fail failed, 0 skipped"
[ -n "${COUNTS:-}" ] && echo "$pass $fail 0" >>"$COUNTS"
exit $rc
