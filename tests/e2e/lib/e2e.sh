# The helpers every e2e script uses (source it first):
#   T            a temp dir, removed on exit (more cleanup: at_exit CMD)
#   ok MSG       one passed check          bad MSG    one failed check
#   skip WHY     this script cannot run here: exit 77, counted as skipped
#                (tests/run-tests.sh; under CI=true a must-run suite fails)
#   finish       exit 0 if no check failed, else 1
# Needs RECGATE, TOP and BUILD (set by tests/run-tests.sh).
set -u
: "${RECGATE:?}" "${TOP:?}" "${BUILD:?}"
T=$(mktemp -d) || exit 1
_at_exit=:
at_exit() { _at_exit="$*; $_at_exit"; }
trap 'eval "$_at_exit"; rm -rf "$T"' EXIT
fail=0
ok() { echo "  ok: $*"; }
bad() { echo "  FAIL: $*"; fail=1; }
skip() { echo "  SKIP: $*"; exit 77; }
finish() { [ "$fail" -eq 0 ] || exit 1; exit 0; }
