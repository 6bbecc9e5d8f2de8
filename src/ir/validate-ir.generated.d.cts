// Types of the standalone validator that scripts/gen-validator.mjs writes at build time
// as dist/src/ir/validate-ir.generated.cjs (there is no such file under src/).
import type { ValidateFn } from "./validate.js";
declare const validate: ValidateFn;
export = validate;
