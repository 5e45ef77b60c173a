// Validates Kubernetes manifests the way a consumer of edgecrew's output would: every document
// of a multi-document YAML file (or "-" for standard input) is built as its kubernetes-models
// class, chosen by apiVersion and kind, and checked against the upstream OpenAPI schema; then for
// fields the schema does not know, which kubectl's strict field validation refuses.
//
//   node validate.mjs FILE|-
//
// Prints one line per object; exits 1 when any object is invalid, of an unknown kind, or the
// YAML does not parse, 2 on a usage error.
import { readFileSync } from "node:fs";

import { unknownFields } from "./known_fields.mjs";

const API_VERSION = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

// The class kubernetes-models exports for apiVersion + kind ("v1" is the core group), or null.
async function modelClass(apiVersion, kind) {
  if (!API_VERSION.test(apiVersion) || !KIND.test(kind)) return null;
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    const model = module[kind];
    // Only top-level objects carry apiVersion and kind; DeploymentSpec is a model too.
    return model && model.apiVersion === apiVersion && model.kind === kind ? model : null;
  } catch (e) {
    if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED" || e.code === "ERR_MODULE_NOT_FOUND") {
      if (String(e.message).includes("'kubernetes-models'")) throw e;  // not installed at all
      return null;
    }
    throw e;
  }
}

function describe(index, object) {
  const name = object?.metadata?.name ?? "(no name)";
  return `document ${index + 1} (${object?.apiVersion ?? "?"} ${object?.kind ?? "?"} ${name})`;
}

async function main(argv) {
  if (argv.length !== 1) {
    console.error("usage: node validate.mjs FILE|-");
    return 2;
  }
  // Imported here, so that a missing node_modules gets the hint below.
  const { parseAllDocuments } = await import("yaml");
  const text = readFileSync(argv[0] === "-" ? 0 : argv[0], "utf8");
  const problems = [];
  let valid = 0;
  const documents = parseAllDocuments(text);
  for (const [index, document] of documents.entries()) {
    for (const error of document.errors) {
      problems.push(`document ${index + 1}: YAML: ${error.message}`);
    }
    if (document.errors.length > 0) continue;
    const object = document.toJS();
    if (object === null || object === undefined) continue;  // an empty document, as kubectl
    const where = describe(index, object);
    if (typeof object !== "object" || Array.isArray(object)) {
      problems.push(`${where}: not an object`);
      continue;
    }
    const Model = await modelClass(String(object.apiVersion), String(object.kind));
    if (Model === null) {
      problems.push(`${where}: unknown apiVersion/kind "${object.apiVersion}" "${object.kind}"`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (e) {
      problems.push(`${where}: ${e.message}`);
      continue;
    }
    const unknown = unknownFields(object.apiVersion, object.kind, object);
    if (unknown.length > 0) {
      problems.push(`${where}: ${unknown.join(", ")}`);
      continue;
    }
    valid++;
    console.log(`ok: ${where}`);
  }
  if (documents.length === 0) problems.push("no documents");
  for (const p of problems) console.error(`invalid: ${p}`);
  console.log(`${valid} valid, ${problems.length} problem(s)`);
  return problems.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`validate.mjs: ${e.message}`);
    if (e.code === "ERR_MODULE_NOT_FOUND") {
      console.error("install the validator first: npm ci --prefix tests/k8s-schema");
    }
    process.exit(1);
  },
);
