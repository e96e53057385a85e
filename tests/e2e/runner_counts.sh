#!/bin/sh
# tests/run-tests.sh counts what it runs truthfully: a script exiting 77
# is skipped (not passed), the closing line and the COUNTS file say
# "N passed, N failed, K skipped", and with CI=true a skipped janus*,
# browser* or conformance_* suite is a failure.
. "$TOP/tests/e2e/lib/e2e.sh"
mkdir "$T/e2e"
printf 'exit 0\n' >"$T/e2e/a_pass.sh"
printf 'exit 1\n' >"$T/e2e/b_fail.sh"
printf 'exit 77\n' >"$T/e2e/c_skip.sh"
printf 'exit 77\n' >"$T/e2e/janus_x.sh"
printf 'exit 77\n' >"$T/e2e/browser_x.sh"
run() { (cd "$TOP" && env -u E2E_ONLY E2E_DIR="$T/e2e" COUNTS="$T/counts" "$@" sh tests/run-tests.sh) >"$T/out" 2>&1; }
rm -f "$T/counts"; run CI=
last=$(tail -1 "$T/out")
[ "$last" = "1 passed, 1 failed, 3 skipped" ] && ok "closing line: $last" || bad "closing line: $last"
[ "$(cat "$T/counts")" = "1 1 3" ] && ok "COUNTS: 1 1 3" || bad "COUNTS: $(cat "$T/counts")"
grep -q "SKIPPED:.*c_skip.sh" "$T/out" && ok "skipped scripts named" || bad "skipped scripts not named"
rm -f "$T/counts"; run CI=true
last=$(tail -1 "$T/out")
[ "$last" = "1 passed, 3 failed, 1 skipped" ] && ok "CI=true: $last (janus_x, browser_x must run)" ||
    bad "CI=true: $last"
finish
