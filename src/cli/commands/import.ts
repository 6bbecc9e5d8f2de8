// `adainfc import solo-learn <config.yaml> [overrides...] [--augmentations <file.yaml>] -o <file.adainf>`:
// migrate an existing solo-learn (AdaInf) config to a formatted pipeline in one command.
// The config may be given as Hydra takes it (`--config-path DIR --config-name NAME`, or -cp/-cn, DIR
// from the cwd), followed by Hydra's command-line overrides as typed after main_pretrain.py
// (src/emit/import/overrides.ts); a multirun (-m) is refused: import reads one config.
// -o is checked first (src/cli/output-path.ts): never the config or a file it leads to
// (its augmentations, the files of its defaults list), never a run directory's own file;
// an existing (non-empty) file only with --force, refused as every -o is (exit 2). A failed import prints the notes due before its
// error (a defaults entry not followed is often why a key is missing).
import { join, relative } from "node:path";
import { nonEmptyPath } from "../args.js";
import type { RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_USAGE, UserError } from "../context.js";
import { checkOutput, writeOutput } from "../output-path.js";

const KINDS = ["solo-learn"] as const;

/** Hydra's short spellings of --config-path and --config-name, as main_pretrain.py takes them. */
export const flagAliases = { "-cp": "--config-path", "-cn": "--config-name" } as const;

export const register: RegisterCommand = (program, ctx) => {
  program
    .command("import")
    .description("turn a solo-learn config (with Hydra's command-line overrides, as after main_pretrain.py) into a formatted .adainf pipeline")
    .argument("<kind>", `what to import: ${KINDS.join(", ")}`)
    .argument("[config]", "the solo-learn pretrain config (.yaml); or give --config-path and --config-name")
    .argument("[overrides...]", "Hydra overrides as after main_pretrain.py: key=value, +key=value, ++key=value, ~key, group=option.yaml")
    .option("--config-path <dir>", "the config's folder, as Hydra's --config-path or -cp (from the current folder)")
    .option("--config-name <name>", "the config's name in --config-path (simclr or simclr.yaml), as Hydra's --config-name or -cn")
    .option("-m, --multirun", "refused: import reads one config (a sweep's points are imported one by one)")
    .option("--augmentations <file>", "the augmentations YAML (default: augmentations/<name> next to the config, from its defaults list)")
    .option("-o, --out <file>", "the .adainf file to write (required)")
    .option("--force", "overwrite the output file if it exists")
    .action(async (kind: string, first: string | undefined, rest: string[], opts: ImportFlags) => {
      if (!(KINDS as readonly string[]).includes(kind)) throw new UserError(`cannot import '${kind}' (available: ${KINDS.join(", ")})`, EXIT_USAGE);
      if (opts.multirun)
        throw new UserError(
          "import reads one config, not a multirun (-m/--multirun): import each point of the sweep on its own, with its values as overrides",
          EXIT_USAGE,
        );
      if (opts.out === undefined) throw new UserError("import needs -o <file.adainf>", EXIT_USAGE);
      const { config, overrides } = configAndOverrides(first, rest, opts);
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
          overrides,
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

interface ImportFlags {
  configPath?: string;
  configName?: string;
  multirun?: boolean;
  augmentations?: string;
  out?: string;
  force?: boolean;
}

/**
 * The config file and the overrides: the first word is the config, unless --config-name
 * names it (with --config-path, as Hydra: `<dir>/<name>.yaml`); then every word is an override.
 */
function configAndOverrides(first: string | undefined, rest: string[], opts: ImportFlags): { config: string; overrides: string[] } {
  if (opts.configName === undefined) {
    if (opts.configPath !== undefined) throw new UserError("--config-path needs --config-name <name> (the config in that folder)", EXIT_USAGE);
    if (first === undefined) throw new UserError("import needs the config: <config.yaml>, or --config-path <dir> --config-name <name>", EXIT_USAGE);
    return { config: first, overrides: rest };
  }
  if (opts.configPath === undefined)
    throw new UserError("--config-name needs --config-path <dir> (the folder of the config, as in the python command)", EXIT_USAGE);
  nonEmptyPath(opts.configPath, "--config-path", "folder");
  const name = nonEmptyPath(opts.configName, "--config-name", "file");
  const config = join(opts.configPath, /\.ya?ml$/.test(name) ? name : `${name}.yaml`);
  return { config, overrides: first === undefined ? rest : [first, ...rest] };
}
