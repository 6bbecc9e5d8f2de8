// Tests run the compiler from src/, where the build's precompiled IR validator is
// absent: compile the schema with ajv when a test first validates an IR.
import { Ajv } from "ajv";
import { irSchema } from "../src/ir/schema.js";
import { useValidatorFactory, type ValidateFn } from "../src/ir/validate.js";

useValidatorFactory((): ValidateFn => new Ajv({ allErrors: true, strict: false }).compile(irSchema));
