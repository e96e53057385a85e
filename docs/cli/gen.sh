#!/bin/sh
# Generate every copy of the command reference (docs/cli/README.md) into
# OUTDIR: cli_usage.h, man pages, README-commands.md, recgate.bash.
# Usage: sh docs/cli/gen.sh OUTDIR [VERSION]
set -e
out=$1; version=${2:-0}
here=$(dirname "$0")
mkdir -p "$out"
awk -v out="$out" -v version="$version" -f "$here/gen.awk" "$here"/*.txt
awk -v version="$version" -f "$here/md2man.awk" "$here/../config.md" >"$out/recgate.json.5"
# groff reads bytes: the few non-ASCII characters of the sources as named
# glyphs, so the pages render the same under any locale.
for f in "$out"/*.[15]; do
    LC_ALL=C sed -i -e 's/\xc3\xa5/\\[u00E5]/g; s/\xc3\xa6/\\[u00E6]/g; s/\xc3\xb8/\\[u00F8]/g' \
        -e 's/\xc3\x85/\\[u00C5]/g; s/\xc3\x86/\\[u00C6]/g; s/\xc3\x98/\\[u00D8]/g' \
        -e 's/\xc3\xa9/\\[u00E9]/g; s/\xe2\x80\x93/\\[en]/g; s/\xe2\x80\x94/\\[em]/g' \
        -e 's/\xe2\x86\x92/\\[->]/g; s/\xe2\x89\xa4/\\[<=]/g; s/\xe2\x89\xa5/\\[>=]/g' "$f"
    if LC_ALL=C grep -n '[^ -~]' "$f" >&2; then
        echo "gen.sh: $f: non-ASCII characters left (add them to gen.sh)" >&2; exit 1
    fi
done
