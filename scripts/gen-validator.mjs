// Build step: compile the IR's JSON Schema into a standalone validator module, so
// the CLI validates IR without loading ajv's compiler at start-up. Its options are
// src/ir/validate.ts's IR_VALIDATOR_OPTIONS (the tests compile with the same).
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv = require("ajv").default;
const standaloneCode = require("ajv/dist/standalone").default;
const { irSchema } = await import("../dist/src/ir/schema.js");
const { IR_VALIDATOR_OPTIONS } = await import("../dist/src/ir/validate.js");

const ajv = new Ajv({ ...IR_VALIDATOR_OPTIONS, code: { source: true, optimize: true } });
const validate = ajv.compile(irSchema);
const code = standaloneCode(ajv, validate);
writeFileSync(new URL("../dist/src/ir/validate-ir.generated.cjs", import.meta.url), code);
console.log("wrote dist/src/ir/validate-ir.generated.cjs");
