// Prints a rendered Secret (a YAML file) in the form Podman 4.3 stores a secret for secretKeyRef:
// a JSON object of key -> base64 value. (Playing the Secret kind itself stores YAML it cannot read.)
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

const secret = parse(readFileSync(process.argv[2], 'utf8'));
if (secret?.kind !== 'Secret') throw new Error(`${process.argv[2]} is not a Secret`);
const out = { ...secret.data };
for (const [key, value] of Object.entries(secret.stringData ?? {})) {
  out[key] = Buffer.from(value, 'utf8').toString('base64');
}
process.stdout.write(JSON.stringify(out) + '\n');
