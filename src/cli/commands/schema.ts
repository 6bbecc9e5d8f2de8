// `adainfc schema`: the IR's JSON Schema (ir/schema.ts). Imported when the command runs,
// not when it is registered: the schema's TypeBox definition is the one costly import
// of the front end, and no other command needs it.
import type { RegisterCommand } from "../command.js";

export const register: RegisterCommand = (program, ctx) => {
  program
    .command("schema")
    .description("print the JSON Schema of the IR that `compile --emit ir` writes")
    .action(async () => {
      const { irSchema } = await import("../../ir/schema.js");
      ctx.out(JSON.stringify(irSchema, null, 2) + "\n");
    });
};
