// Validates an IR object against the schema and says what is wrong as "where, expected,
// found" (`/train/steps must be >= 1, found -3`); an IR of another version says so first. The build precompiles the schema into
// a standalone validator (scripts/gen-validator.mjs -> validate-ir.generated.cjs, with
// IR_VALIDATOR_OPTIONS) so the CLI loads neither ajv's compiler nor the schema's TypeBox
// definition (ir/schema.ts, ~90 ms to import) at start-up. Tests run from src/, where there
// is no such file: test/setup-ir-validator.ts gives a factory that compiles the schema with
// the same options.
import { createRequire } from "node:module";
import { IR_VERSION } from "./types.js";

/** An ajv error as the validator reports it with `verbose` (the failing schema and data). */
interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  schema?: unknown;
  parentSchema?: unknown;
  data?: unknown;
}
export type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

/**
 * ajv's options for the IR's validator, the build's and the tests' alike: stop at the
 * first problem, and keep the failing schema and data in each error (what the messages
 * say was expected and found; which member of a union a node's tag selects).
 */
export const IR_VALIDATOR_OPTIONS = { allErrors: false, verbose: true, strict: false } as const;

const require = createRequire(import.meta.url);
let cached: ValidateFn | null = null;
let factory: (() => ValidateFn) | null = null;

/** The start-up snapshot bundles the precompiled validator and hands it over here (src/cli/snapshot-entry.ts). */
export function usePrecompiledValidator(fn: ValidateFn): void {
  cached = fn;
}

/** Without a precompiled validator (sources run by the tests), make one from the schema on first use. */
export function useValidatorFactory(make: () => ValidateFn): void {
  factory = make;
}

function validator(): ValidateFn {
  if (cached) return cached;
  try {
    cached = require("./validate-ir.generated.cjs") as ValidateFn;
  } catch (e) {
    if (!factory) throw new Error(`adainf is not built: no IR validator beside ${import.meta.url} (npm run build writes it)`, { cause: e });
    cached = factory();
  }
  return cached;
}

/**
 * Empty when valid; otherwise the problem as one line (`/train/steps must be >= 1, found -3`).
 * The version is checked first: an IR of another version fails on its version, whatever
 * else (a field added since) the schema would stop at first.
 */
export function validateIR(ir: unknown): string[] {
  const version = isObject(ir) ? ir["version"] : undefined;
  if (typeof version === "number" && version !== IR_VERSION) {
    const why = version > IR_VERSION ? "the IR was made by a newer adainfc" : "compile the pipeline again, adainfc compile --emit ir";
    return [`/version must be ${IR_VERSION}, found ${version} (this adainf reads IR version ${IR_VERSION}: ${why})`];
  }
  const validate = validator();
  if (validate(ir)) return [];
  const errors = validate.errors ?? [];
  return errors.length ? [explain(errors)] : ["the IR does not match its schema"];
}

/**
 * The failure as one line. The validator stops at its first problem, so the last error is
 * the outermost keyword that failed; a union's (oneOf / anyOf) errors come before it, those
 * of its member N under `<its schemaPath>/N/`. A union is explained by the member the data
 * means: a builtin node's tag (`name`, `op`) picks it, and `X or null` is X for non-null data.
 */
function explain(errors: AjvError[]): string {
  const e = errors[errors.length - 1]!;
  if (e.keyword !== "oneOf" && e.keyword !== "anyOf") return describe(e);
  const members = Array.isArray(e.schema) ? (e.schema as unknown[]) : [];
  const inMember = (i: number): AjvError[] => errors.filter((x) => x.schemaPath.startsWith(`${e.schemaPath}/${i}/`));
  const tag = tagOf(members);
  if (tag !== null && isObject(e.data)) {
    const value = e.data[tag.key];
    const i = tag.values.indexOf(value);
    if (i < 0) return `${at(`${e.instancePath}/${tag.key}`)} must be one of ${tag.values.map(show).join(", ")}, found ${found(value)}`;
    const own = inMember(i);
    if (own.length) return explain(own);
  }
  // `X or null` (and other unions): the members the data could mean, by their type.
  const meant = members.map((_, i) => i).filter((i) => !(e.data !== null && typeOf(members[i]) === "null"));
  if (meant.length === 1) {
    const own = inMember(meant[0]!);
    const outer = own[own.length - 1];
    // Inside the member (a field of a nullable node): that problem; the wrong type itself: the union's.
    if (outer && !(outer.keyword === "type" && outer.instancePath === e.instancePath)) return explain(own);
  }
  const firsts = members.map((_, i) => inMember(i)[0]).filter((x): x is AjvError => x !== undefined);
  if (firsts.length && firsts.every((x) => x.instancePath === e.instancePath && x.keyword === "type")) {
    return `${at(e.instancePath)} must be ${firsts.map((x) => article(String(x.params["type"]))).join(" or ")}, found ${found(e.data)}`;
  }
  return describe(e);
}

/** The property every member of a union fixes to a constant (a builtin's tag), with each member's value. */
function tagOf(members: unknown[]): { key: string; values: unknown[] } | null {
  const first = members[0];
  if (!isObject(first) || !isObject(first["properties"])) return null;
  for (const key of Object.keys(first["properties"])) {
    const values = members.map((m) => {
      const p = isObject(m) && isObject(m["properties"]) ? m["properties"][key] : undefined;
      return isObject(p) && "const" in p ? p["const"] : undefined;
    });
    if (values.every((v) => v !== undefined)) return { key, values };
  }
  return null;
}

/** One failed keyword as "where must be what, found what". */
function describe(e: AjvError): string {
  const p = e.params;
  const where = at(e.instancePath);
  switch (e.keyword) {
    case "required":
      return `${at(`${e.instancePath}/${String(p["missingProperty"])}`)} is missing`;
    case "additionalProperties":
      return `${at(`${e.instancePath}/${String(p["additionalProperty"])}`)} is not a field of ${where}`;
    case "type":
      // A literal (`version: 1`) is typed too: what it must be is its value.
      if (isObject(e.parentSchema) && "const" in e.parentSchema) return `${where} must be ${show(e.parentSchema["const"])}, found ${found(e.data)}`;
      return `${where} must be ${article(String(p["type"]))}, found ${found(e.data)}`;
    case "const":
      return `${where} must be ${show(p["allowedValue"])}, found ${found(e.data)}`;
    case "enum":
      return `${where} must be one of ${(p["allowedValues"] as unknown[]).map(show).join(", ")}, found ${found(e.data)}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `${where} must be ${String(p["comparison"])} ${String(p["limit"])}, found ${found(e.data)}`;
    case "minItems":
      return `${where} must have at least ${String(p["limit"])} item${p["limit"] === 1 ? "" : "s"}, found ${found(e.data)}`;
    case "maxItems":
      return `${where} must have at most ${String(p["limit"])} items, found ${found(e.data)}`;
    default:
      return `${where} ${e.message ?? "is invalid"}, found ${found(e.data)}`;
  }
}

/** A JSON pointer as the messages name it; the whole IR is "the IR". */
function at(pointer: string): string {
  return pointer === "" ? "the IR" : pointer;
}

function article(type: string): string {
  const words: Record<string, string> = {
    integer: "an integer",
    number: "a number",
    string: "a string",
    object: "an object",
    array: "an array",
    boolean: "true or false",
    null: "null",
  };
  return words[type] ?? type;
}

/** A value as the messages quote it: JSON, shortened. */
function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** What was found: nothing, an object, an array of N, or the value. */
function found(v: unknown): string {
  if (v === undefined) return "nothing";
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (isObject(v)) return "an object";
  return show(v);
}

function typeOf(schema: unknown): unknown {
  return isObject(schema) ? schema["type"] : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
