import { Ajv } from "ajv";
import { irSchema } from "../src/ir/schema.js";
import { useValidatorFactory, type ValidateFn } from "../src/ir/validate.js";

// Tests run the compiler from src/, where the build's precompiled IR validator is
// absent: compile the schema with ajv when a test first validates an IR.
useValidatorFactory((): ValidateFn => new Ajv({ allErrors: true, strict: false }).compile(irSchema));
