// Offline schema check of Kubernetes manifests: every document of every
// file given is validated against the Kubernetes (kubernetes-models) or
// KEDA (@kubernetes-models/keda) JSON schema of its apiVersion/kind. No
// cluster is needed. Exit 1 with "FILE: KIND NAME: what is wrong" lines.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const groups = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
};
let bad = 0, n = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const d of docs) {
    if (d.errors.length) { console.log(`${file}: YAML: ${d.errors[0].message}`); bad++; continue; }
    const obj = d.toJS();
    if (!obj) continue;
    const where = `${file}: ${obj.kind} ${obj.metadata?.name ?? "?"}`;
    if (obj.apiVersion === "kustomize.config.k8s.io/v1beta1") {
      if (!Array.isArray(obj.resources)) { console.log(`${where}: resources: expected a list`); bad++; }
      n++; continue;
    }
    const mod = groups[obj.apiVersion];
    if (!mod) { console.log(`${where}: unknown apiVersion ${obj.apiVersion}`); bad++; continue; }
    const Kind = (await import(mod))[obj.kind];
    if (!Kind) { console.log(`${where}: unknown kind in ${obj.apiVersion}`); bad++; continue; }
    try { new Kind(obj).validate(); n++; }
    catch (e) { console.log(`${where}: ${e.message.split("\n").slice(0, 3).join(" ")}`); bad++; }
  }
}
console.log(`${n} manifests valid, ${bad} invalid`);
process.exit(bad ? 1 : 0);
