import { existsSync } from "node:fs";
import { createRequire } from "node:module";

// Validates an IR object against the schema. The build precompiles the schema into
// a standalone validator (scripts/gen-validator.mjs -> validate-ir.generated.cjs)
// so `adainfc check` loads neither ajv's compiler nor TypeBox at start-up; when that
// file is absent (tests run from src/) the schema is loaded and compiled here.

interface AjvError {
  instancePath: string;
  message?: string;
}
type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const require = createRequire(import.meta.url);
const GENERATED = "./validate-ir.generated.cjs";
// Only without the build's validator: the schema module loads TypeBox (ir/schema.ts).
const fallbackSchema = existsSync(new URL(GENERATED, import.meta.url)) ? null : (await import("./schema.js")).irSchema;
let cached: ValidateFn | null = null;

function validator(): ValidateFn {
  if (cached) return cached;
  if (fallbackSchema === null) {
    cached = require(GENERATED) as ValidateFn;
  } else {
    const AjvModule = require("ajv") as { default: new (opts: object) => { compile(s: object): ValidateFn } };
    const ajv = new AjvModule.default({ allErrors: true, strict: false });
    cached = ajv.compile(fallbackSchema);
  }
  return cached;
}

/** Empty when valid; otherwise one line per problem (`/train/steps: must be >= 1`). */
export function validateIR(ir: unknown): string[] {
  const validate = validator();
  if (validate(ir)) return [];
  return (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || "/"}: ${e.message ?? "invalid"}`);
}
