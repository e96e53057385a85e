#!/bin/sh
# The shim writer's kit end to end: install recgate into a temp prefix,
# build the skeleton shim OUT OF TREE from the installed copy with
# `pkg-config recgate`, install it into the shim directory the .pc names,
# and `recgate run --platform skeleton` (no RECGATE_SHIM_DIR) loads it.
. "$TOP/tests/e2e/lib/e2e.sh"
san=0
case "$BUILD" in *san*) san=1 ;; esac
make -C "$TOP" --no-print-directory install SANITIZE=$san BUILD="$BUILD" PREFIX="$T/usr" \
    >"$T/log" 2>&1 || { bad "make install: $(tail -5 "$T/log")"; finish; }
export PKG_CONFIG_PATH="$T/usr/lib/pkgconfig"
unset RECGATE_SHIM_DIR
cp -r "$T/usr/share/recgate/skeleton" "$T/sk" || { bad "skeleton sources not installed"; finish; }
if make -C "$T/sk" >"$T/build.log" 2>&1 && make -C "$T/sk" install >>"$T/build.log" 2>&1; then
    ok "skeleton built out of tree against the installed recgate.pc"
else
    bad "building the skeleton: $(tail -5 "$T/build.log")"; finish
fi
[ -f "$T/usr/lib/recgate/shims/skeleton.so" ] && ok "installed into $(pkg-config --variable=shimdir recgate)" ||
    bad "skeleton.so not in the shim directory"
RG="$T/usr/bin/recgate"
CFG="$T/usr/share/recgate/recgate.json"
# A meeting: host + one guest, nobody objects: the gate opens.
"$RG" run --config "$CFG" --platform skeleton --set host=anna --set 'guests=["bo"]' \
    --set seconds=120 --json --quiet >"$T/s1" 2>"$T/e1" &&
    jq -e '.meeting_id == "skeleton:anna" and (.captured | length) == 2' "$T/s1" >/dev/null &&
    ok "recgate run --platform skeleton: $(jq -r .decision "$T/s1"), $(jq -c '[.captured[].participant]' "$T/s1")" ||
    bad "skeleton meeting: $(cat "$T/s1" "$T/e1")"
# A private "nej" in the window: refused, nobody captured.
"$RG" run --config "$CFG" --platform skeleton --set host=anna --set 'guests=["bo"]' \
    --set 'say=[{"at":5,"from":"bo","text":"nej","private":true}]' --json --quiet >"$T/s2" 2>"$T/e2"
jq -e '(.captured | length) == 0 and .objections == 1' "$T/s2" >/dev/null &&
    ok "objection through the loaded shim: $(jq -r .decision "$T/s2")" || bad "objection: $(cat "$T/s2" "$T/e2")"
# The shim validates its own settings, naming the path.
"$RG" run --config "$CFG" --platform skeleton --set host=anna --set 'guests=[""]' --quiet \
    >/dev/null 2>"$T/e3"
grep -q 'platforms.skeleton.guests\[0\]: expected' "$T/e3" && ok "bad setting: $(head -1 "$T/e3")" ||
    bad "bad setting not named: $(cat "$T/e3")"
# Unknown platform: the message lists what the shim directory offers.
"$RG" run --config "$CFG" --platform nope --quiet >/dev/null 2>"$T/e4"; rc=$?
[ $rc -eq 2 ] && grep -q "available: sim (registered); .*skeleton" "$T/e4" && ok "unknown platform: $(cat "$T/e4")" ||
    bad "unknown platform (exit $rc): $(cat "$T/e4")"
# A candidate that is no shim is rejected with the reason.
cp "$T/usr/lib/librecgate.so.0" "$T/usr/lib/recgate/shims/notashim.so"
"$RG" run --config "$CFG" --platform notashim --quiet >/dev/null 2>"$T/e5"
grep -q "notashim.so: no rg_shim_module()" "$T/e5" && ok "rejected candidate: $(cat "$T/e5")" ||
    bad "rejected candidate: $(cat "$T/e5")"
finish
