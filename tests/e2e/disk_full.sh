#!/bin/sh
# Disk full mid-recording (issue 12, item 7), on a real small tmpfs in a
# private mount namespace: the timeline and the JSON summary say "No space
# left on device" and name the file, recording.json's decision/complete and
# the summary's agree, and what was sealed still verifies.
set -u
: "${RECGATE:?}" "${TOP:?}"
if [ "${1:-}" != inside ]; then
    if ! unshare -m true 2>/dev/null; then
        echo "SKIP: disk_full: cannot create a mount namespace (unshare -m needs root)"
        exit 0
    fi
    exec unshare -m sh "$0" inside
fi
. "$TOP/tests/e2e/lib/common.sh"
mkdir "$T/out"
# Two sizes: the disk fills while a segment is written / while one starts.
for size in 120k 200k; do
    mount -t tmpfs -o size=$size tmpfs "$T/out" || { bad "mount tmpfs"; exit 1; }
    "$RECGATE" run --config "$TOP/config/recgate.json" --scenario "$SCEN" --out "$T/out" \
        --recipient "$ORG" --audit-key "$AUDIT_KEY" --json >"$T/sum.json" 2>"$T/err"
    rc=$?
    D=$(ls -d "$T"/out/rec-* | head -1)
    [ $rc = 1 ] && ok "$size: run exits 1" || bad "$size: run exit $rc"
    grep -q "capture of .* failed: $D/.*No space left on device" "$T/err" &&
        ok "$size: $(grep -o 'capture of .* failed: .*' "$T/err" | sed "s|$T|T|" | head -1)" ||
        bad "$size: timeline: $(grep failed "$T/err" | head -3)"
    jq -e --arg d "$D" '.recording.error | test("No space left on device") and startswith($d)' \
        "$T/sum.json" >/dev/null && ok "$size: summary names the file and the cause" ||
        bad "$size: summary error: $(jq -c .recording "$T/sum.json")"
    disk=$(jq -c '{decision, complete}' "$D/recording.json")
    summ=$(jq -c '{decision, complete: .recording.complete}' "$T/sum.json")
    [ "$disk" = "$summ" ] && jq -e '.complete == false' "$D/recording.json" >/dev/null &&
        ok "$size: recording.json and the summary agree: $disk" ||
        bad "$size: recording.json $disk, summary $summ"
    "$RECGATE" audit verify "$D/audit.log" --key-file "$AUDIT_KEY" --allow-open >/dev/null 2>&1 &&
        ok "$size: audit log intact" || bad "$size: audit log damaged"
    "$RECGATE" verify "$D" --identity "$ORG_KEY" --audit-key "$AUDIT_KEY" >"$T/v" 2>&1
    grep -q "damaged\|truncated" "$T/v" && bad "$size: sealed data damaged: $(cat "$T/v")" ||
        ok "$size: every sealed segment still verifies ($(tail -1 "$T/v" | grep -o '[0-9]* of [0-9]* segments intact'))"
    umount "$T/out"
done
exit $fail
