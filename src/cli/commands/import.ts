// `adainfc import solo-learn <config.yaml> [--augmentations <file.yaml>] -o <file.adainf>`:
// migrate an existing solo-learn (AdaInf) config to a formatted pipeline in one command.
// -o is checked first (src/cli/output-path.ts): never the config or a file it leads to
// (its augmentations, the files of its defaults list), never a run directory's own file;
// an existing (non-empty) file only with --force, refused as every -o is (exit 2). A failed import prints the notes due before its
// error (a defaults entry not followed is often why a key is missing).
import { relative } from "node:path";
import { nonEmptyPath } from "../args.js";
import type { RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_USAGE, UserError } from "../context.js";
import { checkOutput, writeOutput } from "../output-path.js";

const KINDS = ["solo-learn"] as const;

export const register: RegisterCommand = (program, ctx) => {
  program
    .command("import")
    .description("turn a solo-learn config (and its augmentations YAML) into a formatted .adainf pipeline")
    .argument("<kind>", `what to import: ${KINDS.join(", ")}`)
    .argument("<config>", "the solo-learn pretrain config (.yaml)")
    .option("--augmentations <file>", "the augmentations YAML (default: augmentations/<name> next to the config, from its defaults list)")
    .option("-o, --out <file>", "the .adainf file to write (required)")
    .option("--force", "overwrite the output file if it exists")
    .action(async (kind: string, config: string, opts: { augmentations?: string; out?: string; force?: boolean }) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new UserError(`cannot import '${kind}' (available: ${KINDS.join(", ")})`, EXIT_USAGE);
      if (opts.out === undefined) throw new UserError("import needs -o <file.adainf>", EXIT_USAGE);
      nonEmptyPath(config, "<config>", "file");
      if (opts.augmentations !== undefined) nonEmptyPath(opts.augmentations, "--augmentations", "file");
      const inputs = [
        { path: config, as: `the config ${config}` },
        ...(opts.augmentations !== undefined ? [{ path: opts.augmentations, as: `--augmentations ${opts.augmentations}` }] : []),
      ];
      const spec = { path: opts.out, flag: "-o", command: "import", kind: "adainf", inputs, force: Boolean(opts.force) } as const;
      const out = checkOutput(ctx.cwd, spec);
      const { importSoloLearn, ImportError } = await import("../../emit/import/import.js");
      let result: ReturnType<typeof importSoloLearn>;
      try {
        result = importSoloLearn(config, {
          cwd: ctx.cwd,
          outFile: out.abs,
          ...(opts.augmentations !== undefined ? { augmentations: opts.augmentations } : {}),
        });
      } catch (e) {
        // e.text: the message at the place of the key it is about (`cfg/simclr.yaml:42: ...`).
        if (e instanceof ImportError) {
          for (const n of e.notes) ctx.err(`note: ${n}\n`);
          throw new UserError(e.text, EXIT_ERRORS);
        }
        throw e;
      }
      // The files found from the config's defaults list (its augmentations, ...) are inputs too.
      checkOutput(ctx.cwd, { ...spec, inputs: [...inputs, ...result.inputs] });
      writeOutput(out, result.text);
      for (const n of result.notes) ctx.err(`note: ${n}\n`);
      ctx.out(`wrote ${relative(ctx.cwd, out.abs) || out.abs} (pipeline ${result.ir.name}, from ${result.plan.method})\n`);
    });
};
