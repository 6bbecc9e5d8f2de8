// `adainfc fmt`: print the canonical form (one file), or --check / --write.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_USAGE, UserError } from "../context.js";
import { expandInputs } from "../files.js";
import { formatText } from "../../syntax/format.js";
import { renderDiagnostics } from "../../check/render.js";
import { writeFileAtomic } from "../../util/atomic-write.js";

export const register: RegisterCommand = (program, ctx, setExit) => {
  program
    .command("fmt")
    .description("format .adainf files canonically (prints the result unless --check or --write)")
    .argument("<paths...>", ".adainf files or folders")
    .option("--check", "exit 1 and list the files that are not formatted")
    .option("--write", "rewrite the files in place")
    .action((paths: string[], opts: { check?: boolean; write?: boolean }) => {
      if (opts.check && opts.write) throw new UserError("use --check or --write, not both", EXIT_USAGE);
      const files = expandInputs(paths, ctx.cwd);
      if (!opts.check && !opts.write && files.length > 1) {
        throw new UserError("several files: use --check or --write (or give one file to print it)", EXIT_USAGE);
      }
      let unformatted = 0;
      for (const file of files) {
        const abs = resolve(ctx.cwd, file);
        const text = readFileSync(abs, "utf8");
        const r = formatText(text, file);
        if (r.diagnostics.length) {
          ctx.err(renderDiagnostics(r.diagnostics, () => text, { color: ctx.color }) + "\n");
          setExit(EXIT_ERRORS);
          continue;
        }
        if (opts.check) {
          if (r.text !== text) {
            unformatted++;
            ctx.out(`${file}\n`);
          }
        } else if (opts.write) {
          if (r.text !== text) {
            writeFileAtomic(abs, r.text);
            ctx.out(`formatted ${file}\n`);
          }
        } else ctx.out(r.text);
      }
      if (opts.check && unformatted) {
        ctx.err(`${unformatted} file${unformatted === 1 ? " is" : "s are"} not formatted (run adainfc fmt --write)\n`);
        setExit(EXIT_ERRORS);
      }
    });
};
