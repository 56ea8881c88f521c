// validate.cjs -- validates Kubernetes objects against the Kubernetes OpenAPI schema,
// offline, with the npm package kubernetes-models (pinned in package-lock.json; ./check
// installs it with `npm ci`). Why not kubectl: even --dry-run=client needs an API server.
//
// Input (stdin): a JSON array of {"where": "file.yaml#0", "object": {...}}, as
// validate_deploy.py writes it from the YAML. Output: one line per object ("ok WHERE
// KIND NAME") or per schema error ("FAIL WHERE: PATH: MESSAGE"); exit 1 if any object
// fails or has an apiVersion/kind the package does not know (never skipped).
"use strict";
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "node_modules", "kubernetes-models");
let failed = 0;

function modelFor(apiVersion, kind) {
  // "v1" is the core group (kubernetes-models/v1/ConfigMap); "batch/v1" a named group.
  if (typeof apiVersion !== "string" || typeof kind !== "string" || !/^[A-Za-z0-9.\/]+$/.test(apiVersion) ||
      !/^[A-Za-z0-9]+$/.test(kind))
    return null;
  const file = path.join(root, ...apiVersion.split("/"), kind + ".js");
  if (!fs.existsSync(file)) return null;
  const mod = require(file);
  return mod[kind] || null;
}

function errorsOf(e) {
  // kubernetes-models throws an error carrying ajv's errors (instancePath + message).
  const list = (e && e.errors) || [];
  if (!list.length) return [String((e && e.message) || e)];
  return list.map((x) => `${x.instancePath || x.dataPath || "/"}: ${x.message}` +
                         (x.params && x.params.allowedValues ? ` (${x.params.allowedValues.join(", ")})` : ""));
}

const items = JSON.parse(fs.readFileSync(0, "utf8"));
if (!Array.isArray(items) || items.length === 0) {
  console.log("FAIL: no objects to validate");
  process.exit(1);
}
for (const { where, object } of items) {
  const Model = modelFor(object && object.apiVersion, object && object.kind);
  if (!Model) {
    console.log(`FAIL ${where}: unknown apiVersion/kind ${object && object.apiVersion} ${object && object.kind}`);
    failed++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`ok ${where} ${object.kind} ${(object.metadata && object.metadata.name) || "?"}`);
  } catch (e) {
    for (const line of errorsOf(e)) console.log(`FAIL ${where}: ${line}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
