#!/bin/sh
# The real-browser suite (issue 10): recgate against a real Janus whose
# participants are headless Chromium running the stock Janus demo pages
# (janus-demos: videoroomtest.html + textroomtest.html), each with its own
# fake microphone tone, all inside a network namespace with only loopback.
# The cases are in tests/e2e/browser/suite.mjs; the participant driver is
# tests/e2e/browser/participant.mjs. KEEP=1 keeps the work folder.
set -u
: "${RECGATE:?}" "${TOP:?}" "${BUILD:?}"
if [ "${1:-}" != inside ]; then
    if ! unshare -n true 2>/dev/null; then
        echo "SKIP: janus_browser: cannot create a network namespace (unshare -n needs root)"
        exit 0
    fi
    for c in janus chromium node nginx age jq; do
        command -v "$c" >/dev/null || { echo "FAIL: $c is not installed (make deps)"; exit 1; }
    done
    exec unshare -n sh "$0" inside
fi
. "$TOP/tests/e2e/janus/lib.sh"
. "$TOP/tests/e2e/browser/lib.sh"
ip link set lo up
only_loopback || exit 1
W=$(mktemp -d)
cleanup() { demos_stop; janus_stop; [ -n "${KEEP:-}" ] && echo "kept: $W" || rm -rf "$W"; }
trap cleanup EXIT
janus_start "$W/janus" || exit 1
demos_start "$W/demos" || exit 1
umask 077
"$RECGATE" keygen -o "$W/org.key" >/dev/null 2>&1 || exit 1
"$RECGATE" audit keygen -o "$W/audit.key" >/dev/null 2>&1 || exit 1
W="$W" DEMOS_URL="$DEMOS_URL" POLICY="$POLICY" JANUS_URL="$JANUS_URL" \
    node "$TOP/tests/e2e/browser/suite.mjs"
