#!/bin/sh
# Issue #4 "done when": three participants, a late joiner and a mid-meeting
# objection produce exactly the tracks the engine promised; each surviving
# track decrypts — with recgate and with the real `age` — to the right
# participant's tone for the right duration; the objector's track is
# destroyed; nothing in the output folder is plaintext media.
. "$TOP/tests/e2e/lib/e2e.sh"
PROBE="$TOP/$BUILD/tests/media_probe"
umask 077
tmp=$T

"$RECGATE" keygen -o "$tmp/org.key" >/dev/null 2>&1 || { echo "keygen failed"; exit 1; }
"$RECGATE" audit keygen -o "$tmp/audit.key" >/dev/null 2>&1 || { echo "audit keygen failed"; exit 1; }
R=$(grep -o 'age1[0-9a-z]*' "$tmp/org.key" | head -1)

# alice (300 Hz, host) and bob (400 Hz) at 0, carol (500 Hz) joins at 20;
# 10 s window: alice+bob from 10, carol from 30; bob objects at 45.5:
# capture stops for everyone, bob's tracks are removed (remove_participant).
cat >"$tmp/meeting.json" <<'JSON'
{ "meeting": { "id": "rec-test", "type": "quick-optout" },
  "events": [
    { "at": 0,    "join": "alice", "name": "Alice Holm", "role": "host" },
    { "at": 0,    "join": "bob",   "name": "Bob Berg" },
    { "at": 20,   "join": "carol", "name": "Carol Dahl" },
    { "at": 45.5, "chat": "bob",   "text": "I object" },
    { "at": 60,   "end": true } ] }
JSON
"$RECGATE" run --config "$TOP/tests/e2e/policy-test.json" --scenario "$tmp/meeting.json" \
    --out "$tmp/out" --recipient "$R" --audit-key "$tmp/audit.key" --json --quiet \
    >"$tmp/summary.json" || { echo "FAIL: recgate run exited $?"; exit 1; }
S="$tmp/summary.json"
[ "$(jq -r .decision "$S")" = recorded ] || bad "decision: $(cat "$S")"
[ "$(jq -c .removed_participants "$S")" = '["bob"]' ] || bad "bob not removed: $(cat "$S")"
[ "$(jq -c '[.captured[] | [.participant, .from, .to]]' "$S")" = \
  '[["alice",10,45.5],["bob",10,45.5],["carol",30,45.5]]' ] || bad "captured spans: $(jq -c .captured "$S")"
# what was really written: exactly the surviving tracks
[ "$(jq -c '[.written[] | [.participant, .from, .to]]' "$S")" = \
  '[["alice",10,45.5],["carol",30,45.5]]' ] || bad "written: $(jq -c .written "$S")"
D=$(jq -r .recording.dir "$S")
[ -d "$D" ] || { echo "FAIL: no recording folder"; exit 1; }

# recgate verify: intact with the org identity
"$RECGATE" verify "$D" --identity "$tmp/org.key" >"$tmp/verify.txt" 2>&1 || bad "verify: $(cat "$tmp/verify.txt")"
"$RECGATE" audit verify "$D/audit.log" --key-file "$tmp/audit.key" >/dev/null || bad "audit log does not verify"

# each surviving track: decrypt with age alone (keyring entry, then segments)
check_track() { # track want_hz want_seconds
    t=$1; want_hz=$2; want_s=$3
    age -d -i "$tmp/org.key" "$D/keyring/$t.age" >"$tmp/$t.key" 2>"$tmp/err" || { bad "$t: age cannot open keyring entry: $(cat "$tmp/err")"; return; }
    : >"$tmp/$t.age.ogg"
    for seg in $(ls "$D/tracks/$t/" | grep '\.age$' | sort); do
        age -d -i "$tmp/$t.key" "$D/tracks/$t/$seg" >>"$tmp/$t.age.ogg" 2>"$tmp/err" || bad "$t: age cannot decrypt $seg: $(cat "$tmp/err")"
    done
    probe=$("$PROBE" tone "$tmp/$t.age.ogg") || { bad "$t: cannot decode"; return; }
    dur=${probe%% *}; hz=$(echo "$probe" | cut -d' ' -f2)
    [ "$hz" = "$want_hz" ] || bad "$t: dominant tone $hz Hz, want $want_hz Hz"
    awk -v d="$dur" -v w="$want_s" 'BEGIN { exit !(d > w - 0.1 && d < w + 0.1) }' || bad "$t: duration $dur s, want $want_s s"
    ffprobe -v error "$tmp/$t.age.ogg" || bad "$t: ffprobe rejects the decrypted track"
}
tracks=$(jq -r '.written[] | "\(.track):\(.participant)"' "$S")
for tp in $tracks; do
    t=${tp%%:*}; p=${tp#*:}
    case $p in
        alice) check_track "$t" 300 35.5 ;;
        carol) check_track "$t" 500 15.5 ;;
        *) bad "unexpected track for $p" ;;
    esac
done
# the same track with recgate's own reader equals age's output
first=$(jq -r '.written[0].track' "$S")
for seg in $(ls "$D/tracks/$first/" | grep '\.age$' | sort); do
    "$RECGATE" decrypt "$D/tracks/$first/$seg" --identity "$tmp/$first.key" -o - 2>/dev/null
done >"$tmp/rg.ogg"
cmp -s "$tmp/rg.ogg" "$tmp/$first.age.ogg" || bad "recgate and age decrypt $first differently"

# bob's track is destroyed: no key entry, no segments
bt=$(jq -r '.tracks[] | select(.destroyed) | .id' "$D/recording.json")
[ -n "$bt" ] || bad "recording.json marks no destroyed track"
for t in $bt; do
    [ ! -e "$D/keyring/$t.age" ] || bad "$t: keyring entry still there"
    ls "$D/tracks/$t/" 2>/dev/null | grep -q '\.age$' && bad "$t: segments still there"
done

# no plaintext media anywhere in the output (and the scanner itself works)
"$PROBE" scan "$tmp/out" 3 >"$tmp/scan.txt" || bad "plaintext found: $(cat "$tmp/scan.txt")"
mkdir "$tmp/control" && cp "$tmp/$first.age.ogg" "$tmp/control/"
"$PROBE" scan "$tmp/control" 3 >/dev/null && bad "the plaintext scanner misses a plain Ogg file"
# no names in clear text on disk
grep -rqa -e "Alice Holm" -e "Bob Berg" -e "Carol Dahl" "$tmp/out" && bad "a participant's name is on disk in clear"

# the manifest decrypts with the org identity and holds the evidence
age -d -i "$tmp/org.key" "$D/manifest.json.age" >"$tmp/manifest.json" || bad "manifest does not decrypt with age"
jq -e '.chat | map(select(.label == "objection" and .from == "bob")) | length == 1' "$tmp/manifest.json" >/dev/null \
    || bad "manifest lacks bob's objection"
jq -e '.participants | length == 3' "$tmp/manifest.json" >/dev/null || bad "manifest participants"

# video: captured only for a meeting type with "video": true (VP8 in WebM),
# gated and encrypted like audio; an audio-only type drops the video.
for type in video-optout quick-optout; do
    cat >"$tmp/video.json" <<JSON
{ "meeting": { "id": "video-test", "type": "$type", "video": true },
  "events": [ { "at": 0, "join": "alice", "role": "host" }, { "at": 0, "join": "bob" },
              { "at": 16, "end": true } ] }
JSON
    "$RECGATE" run --config "$TOP/tests/e2e/policy-test.json" --scenario "$tmp/video.json" \
        --out "$tmp/vout-$type" --recipient "$R" --audit-key "$tmp/audit.key" --json --quiet \
        >"$tmp/vsum.json" || bad "$type: run failed"
    VD=$(jq -r .recording.dir "$tmp/vsum.json")
    nvideo=$(jq '[.tracks[] | select(.kind == "video")] | length' "$VD/recording.json")
    naudio=$(jq '[.tracks[] | select(.kind == "audio")] | length' "$VD/recording.json")
    [ "$naudio" -eq 2 ] || bad "$type: $naudio audio tracks, want 2"
    if [ $type = quick-optout ]; then
        [ "$nvideo" -eq 0 ] || bad "audio-only type captured $nvideo video tracks"
        continue
    fi
    [ "$nvideo" -eq 2 ] || { bad "video type: $nvideo video tracks, want 2"; continue; }
    vt=$(jq -r '[.tracks[] | select(.kind == "video")][0].id' "$VD/recording.json")
    age -d -i "$tmp/org.key" "$VD/keyring/$vt.age" >"$tmp/v.key" || bad "video keyring entry"
    : >"$tmp/v.webm"
    for seg in $(ls "$VD/tracks/$vt/" | grep '\.age$' | sort); do
        age -d -i "$tmp/v.key" "$VD/tracks/$vt/$seg" >>"$tmp/v.webm" || bad "video segment $seg"
    done
    codec=$(ffprobe -v error -select_streams v:0 -show_entries stream=codec_name -of csv=p=0 "$tmp/v.webm")
    [ "$codec" = vp8 ] || bad "video codec '$codec', want vp8"
    frames=$(ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$tmp/v.webm")
    # 6 s of video at 25 frames/s passed the gate (10 s .. 16 s)
    [ "$frames" -ge 148 ] && [ "$frames" -le 151 ] || bad "video frames $frames, want 150"
    "$PROBE" scan "$tmp/vout-$type" 2 >"$tmp/scan.txt" || bad "plaintext in video recording: $(cat "$tmp/scan.txt")"
done

[ $fail -eq 0 ] && echo "record_tracks: ok"
finish
