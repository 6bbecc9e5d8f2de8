// Types of the standalone validator that scripts/gen-validator.mjs writes at build time
// as dist/src/ir/validate-ir.generated.cjs (there is no such file under src/).
declare const validate: ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string }> | null };
export = validate;
