#!/bin/sh
# Install the npm packages given as arguments (test servers, e.g. s3rver)
# into .deps/npm of the repository, once. Needs npm (Debian package npm).
cd "$(dirname "$0")/.." || exit 1
dir=.deps/npm
missing=""
for p in "$@"; do
    name=${p%@*}
    [ -f "$dir/node_modules/$name/package.json" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
command -v npm >/dev/null || { echo "npm is missing (apt-get install npm)" >&2; exit 1; }
echo "installing (npm):$missing" >&2
mkdir -p "$dir"
# shellcheck disable=SC2086
npm install --no-audit --no-fund --silent --prefix "$dir" $missing >/dev/null || {
    echo "npm install failed for:$missing" >&2; exit 1; }
