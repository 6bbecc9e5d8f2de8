import { createRequire } from "node:module";
import { irSchema } from "./schema.js";

// Validates an IR object against the schema. The build precompiles the schema into
// a standalone validator (scripts/gen-validator.mjs -> validate-ir.generated.cjs)
// so `adainfc check` does not pay for loading and compiling ajv at every start;
// when that file is absent (tests run from src/) ajv compiles the schema here.

interface AjvError {
  instancePath: string;
  message?: string;
}
export type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

const require = createRequire(import.meta.url);
let cached: ValidateFn | null = null;

/** The start-up snapshot bundles the precompiled validator and hands it over here (src/cli/snapshot-entry.ts). */
export function usePrecompiledValidator(fn: ValidateFn): void {
  cached = fn;
}

function validator(): ValidateFn {
  if (cached) return cached;
  try {
    cached = require("./validate-ir.generated.cjs") as ValidateFn;
  } catch {
    const AjvModule = require("ajv") as { default: new (opts: object) => { compile(s: object): ValidateFn } };
    const ajv = new AjvModule.default({ allErrors: true, strict: false });
    cached = ajv.compile(irSchema);
  }
  return cached;
}

/** Empty when valid; otherwise one line per problem (`/train/steps: must be >= 1`). */
export function validateIR(ir: unknown): string[] {
  const validate = validator();
  if (validate(ir)) return [];
  return (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || "/"}: ${e.message ?? "invalid"}`);
}
