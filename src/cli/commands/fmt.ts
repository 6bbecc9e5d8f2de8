// `adainfc fmt`: print the canonical form (one file), or --check / --write (which
// rewrites the file as an editor saves it, a BOM kept: src/util/rewrite-source.ts).
import { resolve } from "node:path";
import type { RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_USAGE, UserError } from "../context.js";
import { expandInputs } from "../files.js";
import { formatText } from "../../syntax/format.js";
import { renderDiagnostics } from "../../check/render.js";
import { RewriteRefused, rewriteSourceFile } from "../../util/rewrite-source.js";
import { readPipelineText } from "../../syntax/utf8.js";
import { stripBom, withBomOf } from "../../syntax/bom.js";

export const register: RegisterCommand = (program, ctx, setExit) => {
  program
    .command("fmt")
    .description("format .adainf files canonically (prints the result unless --check or --write)")
    .argument("<paths...>", ".adainf files or folders")
    .option("--check", "exit 1 and list the files that are not formatted")
    .option("--write", "rewrite the files in place")
    .action((paths: string[], opts: { check?: boolean; write?: boolean }) => {
      if (opts.check && opts.write) throw new UserError("use --check or --write, not both", EXIT_USAGE);
      const files = expandInputs(paths, ctx.cwd, (l) => ctx.err(`${l}\n`));
      if (!opts.check && !opts.write && files.length > 1) {
        throw new UserError("several files: use --check or --write (or give one file to print it)", EXIT_USAGE);
      }
      let unformatted = 0;
      // A file that cannot be read (E005) or written (one line naming it as given and the
      // cause) does not stop the others; the exit status is 1 at the end.
      const failed = (file: string, why: string) => {
        ctx.err(`error: ${file}: ${why}\n`);
        setExit(EXIT_ERRORS);
      };
      for (const file of files) {
        const abs = resolve(ctx.cwd, file);
        const read = readPipelineText(abs, file);
        if ("diagnostic" in read) {
          // Unreadable, or not UTF-8: never formatted or rewritten (the bytes would be lost).
          ctx.err(renderDiagnostics([read.diagnostic], () => null, { color: ctx.color }) + "\n");
          setExit(EXIT_ERRORS);
          continue;
        }
        const text = stripBom(read.text); // compared and formatted without a BOM, saved with it when the file had one
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
            try {
              rewriteSourceFile(abs, withBomOf(read.text, r.text));
            } catch (e) {
              if (!(e instanceof RewriteRefused)) throw e;
              failed(file, `not formatted: ${e.message}`);
              continue;
            }
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
