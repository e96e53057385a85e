#!/bin/sh
# The Kubernetes manifests under config/k8s, checked offline against the
# Kubernetes and KEDA schemas (tests/e2e/k8s/validate.mjs; npm packages
# installed by make deps), and every file the kustomization names exists.
# Broken copies must be refused, so the check itself can fail.
set -u
: "${TOP:?}"
NM="$TOP/.deps/npm/node_modules"
[ -d "$NM/kubernetes-models" ] && [ -d "$NM/@kubernetes-models/keda" ] ||
    { echo "FAIL: kubernetes-models not installed (make deps)"; exit 1; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "  ok: $*"; }
bad() { echo "  FAIL: $*"; fail=1; }
# Node resolves imports from the script's folder: run a copy beside node_modules.
cp "$TOP/tests/e2e/k8s/validate.mjs" "$TOP/.deps/npm/validate.mjs"
check() { node "$TOP/.deps/npm/validate.mjs" "$@"; }
K="$TOP/config/k8s"
if out=$(check "$K"/*.yaml); then ok "config/k8s: $(echo "$out" | tail -n 1)"; else bad "config/k8s: $out"; fi
for f in $(sed -n 's/^  - \(.*\.yaml\)$/\1/p' "$K/kustomization.yaml"); do
    [ -f "$K/$f" ] || bad "kustomization names $f, which does not exist"
done
grep -q 'stream: "RECGATE_REQUESTS"' "$K/keda-scaledobject.yaml" &&
    grep -q 'consumer: "recgate-workers"' "$K/keda-scaledobject.yaml" &&
    ok "KEDA scales on the stream and consumer recgate uses" || bad "KEDA trigger names"
# Broken copies: a wrong type, a missing required field, a bad KEDA field.
sed 's/replicas: 2/replicas: "two"/' "$K/recgate-serve.yaml" >"$T/a.yaml"
sed 's/- name: worker$/- nameX: worker/' "$K/recgate-worker.yaml" >"$T/b.yaml"
sed 's/minReplicaCount: 1/minReplicaCount: "one"/' "$K/keda-scaledobject.yaml" >"$T/c.yaml"
for f in a b c; do
    if out=$(check "$T/$f.yaml"); then bad "broken $f.yaml accepted"; else ok "broken copy refused: $(echo "$out" | head -n 1 | cut -c1-160)"; fi
done
[ $fail -eq 0 ]
