// Validates an IR object against the schema. The build precompiles the schema into
// a standalone validator (scripts/gen-validator.mjs -> validate-ir.generated.cjs)
// so the CLI loads neither ajv's compiler nor the schema's TypeBox definition
// (ir/schema.ts, ~90 ms to import) at start-up. Tests run from src/, where there is
// no such file: test/setup-ir-validator.ts gives a factory that compiles the schema.
import { createRequire } from "node:module";

interface AjvError {
  instancePath: string;
  message?: string;
}
export type ValidateFn = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

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

/** Empty when valid; otherwise one line per problem (`/train/steps: must be >= 1`). */
export function validateIR(ir: unknown): string[] {
  const validate = validator();
  if (validate(ir)) return [];
  return (validate.errors ?? []).slice(0, 10).map((e) => `${e.instancePath || "/"}: ${e.message ?? "invalid"}`);
}
