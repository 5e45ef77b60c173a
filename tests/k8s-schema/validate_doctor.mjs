// Checks edgecrew doctor --json reports against docs/doctor-report.schema.json with Ajv (a JSON
// Schema validator other programs use), then the rules a schema cannot say: the counts match the
// checks, the overall status follows them, and each id belongs to its section.
// Usage: node validate_doctor.mjs SCHEMA REPORT...
import { readFileSync } from "node:fs";
import Ajv from "ajv";

const [schemaPath, ...reports] = process.argv.slice(2);
if (!schemaPath || reports.length === 0) {
  console.error("usage: node validate_doctor.mjs SCHEMA REPORT...");
  process.exit(2);
}
const validate = new Ajv({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(schemaPath, "utf8")));

let failures = 0;
const fail = (where, message) => {
  console.error(`${where}: ${message}`);
  failures++;
};
for (const path of reports) {
  let report;
  try {
    report = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    fail(path, `not JSON: ${e.message}`);
    continue;
  }
  if (!validate(report)) {
    for (const e of validate.errors) fail(path, `${e.instancePath || "/"} ${e.message}`);
    continue;
  }
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const [i, c] of report.checks.entries()) {
    counts[c.status]++;
    if (!c.id.startsWith(`${c.section}.`)) fail(path, `/checks/${i} id ${c.id} is not in section ${c.section}`);
  }
  for (const k of Object.keys(counts)) {
    if (counts[k] !== report.counts[k]) fail(path, `counts.${k} is ${report.counts[k]}, the checks say ${counts[k]}`);
  }
  const status = counts.fail > 0 ? "fail" : counts.warn > 0 ? "warn" : "pass";
  if (report.status !== status) fail(path, `status is ${report.status}, the checks say ${status}`);
  if (failures === 0) console.log(`${path}: valid (${report.checks.length} checks)`);
}
process.exit(failures === 0 ? 0 : 1);
