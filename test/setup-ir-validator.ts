// Tests run the compiler from src/, where the build's precompiled IR validator is
// absent: compile the schema with ajv, with the build's options, when a test first
// validates an IR.
import { Ajv } from "ajv";
import { irSchema } from "../src/ir/schema.js";
import { IR_VALIDATOR_OPTIONS, useValidatorFactory, type ValidateFn } from "../src/ir/validate.js";

useValidatorFactory((): ValidateFn => new Ajv({ ...IR_VALIDATOR_OPTIONS }).compile(irSchema) as ValidateFn);
