// Unknown fields: the upstream OpenAPI schemas allow any extra property, so a misspelled field
// ("volumeClaimTemplate") passes .validate(), while `kubectl apply` (strict field validation, its
// default) rejects it. Each type's fields are read from kubernetes-models' type declarations
// (.d.ts), which list every property of an object with the type it holds.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// A type is {object: Map(field → type)} | {array: type} | {map: type} | {ref: [file, name]} |
// {leaf: true} (a scalar, a type alias such as IntOrString, or anything else this reader skips).
const LEAF = { leaf: true };
const declarations = new Map();  // .d.ts path → the exported interface's type, or LEAF

// Package paths map one to one onto files ("./apps/v1/*" → "./apps/v1/*.js"); resolved by hand,
// as import.meta.resolve needs Node 20.6.
const NODE_MODULES = join(dirname(fileURLToPath(import.meta.url)), "node_modules");

function declarationFile(specifier, from) {
  if (specifier.startsWith(".")) return join(dirname(from), specifier.replace(/\.js$/, ".d.ts"));
  return join(NODE_MODULES, `${specifier}.d.ts`);
}

function tokens(text) {
  const source = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  return source.match(/"(?:[^"\\]|\\.)*"|[A-Za-z_$][\w$.]*|-?\d+(?:\.\d+)?|=>|\S/g) ?? [];
}

// Recursive descent over the TypeScript type syntax the declarations use.
function parser(toks, imports, file) {
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  function members() {  // after "{"
    const fields = new Map();
    let values = null;
    while (peek() !== "}" && i < toks.length) {
      if (peek() === "[") {  // [key: string]: T;
        while (next() !== "]");
        next();  // ":"
        values = type();
      } else {
        const name = next().replace(/^"|"$/g, "");
        if (peek() === "?") next();
        next();  // ":"
        fields.set(name, type());
      }
      if (peek() === ";" || peek() === ",") next();
    }
    next();  // "}"
    return values !== null && fields.size === 0 ? { map: values } : { object: fields };
  }
  function primary() {
    const t = next();
    if (t === "{") return members();
    if (t === "Array" && peek() === "<") {
      next();
      const of = type();
      next();  // ">"
      return { array: of };
    }
    if (t === "(") {
      const inner = type();
      next();  // ")"
      return inner;
    }
    if (imports.has(t)) return { ref: declarationFile(imports.get(t), file) };
    return LEAF;
  }
  function type() {
    if (peek() === "|") next();
    const alternatives = [primary()];
    while (peek() === "|") {
      next();
      alternatives.push(primary());
    }
    // "T | null" and the like: the alternative with a structure is what a value must follow.
    return alternatives.find((a) => a !== LEAF) ?? LEAF;
  }
  return { members, seek: (t) => { while (i < toks.length && next() !== t); } };
}

function declaration(file) {
  if (declarations.has(file)) return declarations.get(file);
  const text = readFileSync(file, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/^import \{ (\w+) \} from "([^"]+)";$/gm)) imports.set(m[1], m[2]);
  const start = text.search(/^export interface /m);
  let result = LEAF;
  if (start >= 0) {
    const p = parser(tokens(text.slice(start)), imports, file);
    p.seek("{");
    result = p.members();
  }
  declarations.set(file, result);
  return result;
}

function walk(value, type, path, out) {
  if (type.ref) type = declaration(type.ref);
  if (value === null || typeof value !== "object") return;
  if (type.array && Array.isArray(value)) {
    value.forEach((item, i) => walk(item, type.array, `${path}/${i}`, out));
  } else if (type.map && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) walk(v, type.map, `${path}/${k}`, out);
  } else if (type.object && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      const field = type.object.get(key);
      if (field === undefined) {
        out.push(`${path}/${key}: unknown field "${key}"`);
      } else {
        walk(child, field, `${path}/${key}`, out);
      }
    }
  }
}

// "data/spec/...: unknown field" for each field that the object's type does not have.
export function unknownFields(apiVersion, kind, object) {
  const out = [];
  walk(object, { ref: declarationFile(`kubernetes-models/${apiVersion}/${kind}`, "") }, "data", out);
  return out;
}
