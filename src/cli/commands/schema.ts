import type { RegisterCommand } from "../command.js";
import { irSchema } from "../../ir/schema.js";

export const register: RegisterCommand = (program, ctx) => {
  program
    .command("schema")
    .description("print the JSON Schema of the IR that `compile --emit ir` writes")
    .action(() => {
      ctx.out(JSON.stringify(irSchema, null, 2) + "\n");
    });
};
