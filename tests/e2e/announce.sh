#!/bin/sh
# `recgate announce`: prints the texts for the shipped config, matches the
# copy in docs/announcements.md, and refuses a bad config with a clear line.
. "$TOP/tests/e2e/lib/e2e.sh"
tmp=$T
die() { bad "$*"; finish; }

"$RECGATE" announce --config "$TOP/config/recgate.json" --type case-meeting \
    --notice public >"$tmp/out" || die "announce on shipped config failed"
grep -q '^\[Dansk\]$' "$tmp/out" || die "no Danish block"
grep -q '^\[English\]$' "$tmp/out" || die "no English block"
grep -q 'skriv nej i chatten' "$tmp/out" || die "no 'skriv nej'"
grep -q '?' "$tmp/out" && die "announcement asks a question"

# docs/announcements.md carries the exact program output
awk '/^Output of `recgate announce/ { f = 1; next }
     f == 1 && /^```/ { f = 2; next }
     f == 2 && /^```/ { exit }
     f == 2' "$TOP/docs/announcements.md" >"$tmp/doc"
cmp -s "$tmp/out" "$tmp/doc" || {
    diff "$tmp/out" "$tmp/doc" | head; die "docs/announcements.md is stale"; }

"$RECGATE" announce --config "$TOP/config/recgate.json" --notice all \
    --lang en >"$tmp/all" || die "--notice all failed"
[ "$(grep -c '^== ' "$tmp/all")" -eq 12 ] || die "expected 12 notices"

printf '{"controller":{"name":"K","contact":"c","dpo":"d"},"storage_location":"EU","default_meeting_type":"m","meeting_types":{"m":{"legal_basis":"opt_out","window_s":"abc"}}}' >"$tmp/bad.json"
"$RECGATE" announce --config "$tmp/bad.json" 2>"$tmp/err" && die "bad config accepted"
grep -qF "$tmp/bad.json: meeting_types.m.window_s: expected seconds >= 10, got \"abc\"" "$tmp/err" ||
    { cat "$tmp/err"; die "wrong message"; }
"$RECGATE" announce --config "$TOP/config/recgate.json" --type nope 2>/dev/null && die "unknown type accepted"
"$RECGATE" announce 2>/dev/null; [ $? -eq 2 ] || die "usage error should exit 2"
finish
