#!/bin/sh
# The shim conformance suite (tests/helpers/shimcheck.c) over the built-in
# sim and the skeleton module: join/leave, chat, notices delivered and
# refused, media before the gate, the session leaving, a lost connection,
# and settings validation.
. "$TOP/tests/e2e/lib/e2e.sh"
CHECK="$TOP/$BUILD/tests/shimcheck"
C="$TOP/tests/conformance"
check() { # NAME ARGS...: one shimcheck run
    _n=$1; shift
    if "$CHECK" --case "$_n" --timeout 60 "$@" >"$T/$_n.log" 2>&1; then
        ok "$_n: $(grep -c '^ok:' "$T/$_n.log") checks"
    else
        bad "$_n"; grep -E '^(FAIL|ok)' "$T/$_n.log" | sed 's/^/      /'
    fi
}
# sim: the scenario makes the platform do it.
check sim-meeting --platform sim --settings "{\"scenario\":\"$C/sim.json\"}" \
    --expect-join h --expect-join Gorm --expect-left g \
    --expect-chat "g:hello" --expect-chat "g:nej:private" \
    --notice 1000:ok --notice 1000:g:ok --notice 5000:fail \
    --gate-at 3000 --expect-media h --expect-media g --leave-at 8000
check sim-lost --platform sim --settings "{\"scenario\":\"$C/sim_lost.json\"}" \
    --expect-join h --expect-lost
check sim-settings --platform sim --settings "{\"scenario\":\"$C/sim.json\"}" --bad-settings
# skeleton: its settings make the platform do it.
[ -f "$TOP/$BUILD/shims/skeleton.so" ] || skip "no $BUILD/shims/skeleton.so"
SK='{"host":"anna","guests":["bo"],"seconds":20,
     "say":[{"at":2,"from":"bo","text":"hello"},{"at":3,"from":"bo","text":"nej","private":true}],
     "leaves":[{"at":6,"who":"bo"}]}'
check skeleton-meeting --platform skeleton --settings "$SK" \
    --expect-join anna --expect-join bo --expect-left bo \
    --expect-chat "bo:hello" --expect-chat "bo:nej:private" --notice 1000:ok \
    --gate-at 3000 --expect-media anna --expect-media bo --leave-at 8000
check skeleton-refused --platform skeleton --settings '{"host":"anna","fail_notices":true}' \
    --notice 0:fail --notice 100:anna:fail
check skeleton-lost --platform skeleton --settings '{"host":"anna","lose_at":4}' --expect-lost
check skeleton-settings --platform skeleton --settings '{"host":"anna"}' --bad-settings
finish
