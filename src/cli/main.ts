import { Command, CommanderError } from "commander";
import type { CommandEntry } from "./command.js";
import { EXIT_USAGE, processContext, UserError, type CliContext } from "./context.js";
import { ownPackage } from "../util/own-package.js";

// The entry point. Only the module of the command being run is imported, so
// `adainfc check` never loads tfjs (or the linter, or ts-morph).

const COMMANDS: CommandEntry[] = [
  { name: "check", summary: "parse, resolve and check pipelines", load: () => import("./commands/check.js") },
  { name: "fmt", summary: "format .adainf files canonically", load: () => import("./commands/fmt.js") },
  { name: "compile", summary: "emit a pipeline's IR, a TypeScript program or a solo-learn config", load: () => import("./commands/compile.js") },
  { name: "schema", summary: "print the IR's JSON Schema", load: () => import("./commands/schema.js") },
  { name: "lint", summary: "find harmful inflation/augmentation combinations", load: () => import("./commands/lint.js") },
  { name: "explain", summary: "explain a lint rule", load: () => import("./commands/explain.js") },
  { name: "preview", summary: "draw a PNG of source images and their augmented views", load: () => import("./commands/preview.js") },
  { name: "data", summary: "inspect, convert, fetch and check data", load: () => import("./commands/data.js") },
  { name: "run", summary: "train a pipeline (every point of a sweep) on TensorFlow.js", load: () => import("./commands/run.js") },
  { name: "eval", summary: "offline linear probe and kNN of a run's last checkpoint", load: () => import("./commands/eval.js") },
  { name: "backends", summary: "list the TensorFlow.js backends, the GPU adapter and its limits", load: () => import("./commands/backends.js") },
  { name: "bench", summary: "benchmarks (bench step: ms per SimCLR step)", load: () => import("./commands/bench.js") },
  { name: "report", summary: "one self-contained HTML page for a run or a sweep", load: () => import("./commands/report.js") },
  { name: "import", summary: "turn a solo-learn config into a pipeline", load: () => import("./commands/import.js") },
  { name: "generate", summary: "make a generated set offline with a small built-in generator (a weak stand-in)", load: () => import("./commands/generate.js") },
];

function version(): string {
  try {
    return ownPackage().version;
  } catch {
    return "unknown";
  }
}

function wantsColor(argv: string[]): boolean {
  if (argv.includes("--no-color") || process.env["NO_COLOR"] !== undefined) return false;
  if (argv.includes("--color") || process.env["FORCE_COLOR"]) return true;
  return Boolean(process.stdout.isTTY);
}

export async function main(argv: string[], ctxIn?: CliContext): Promise<number> {
  const ctx = ctxIn ?? processContext(wantsColor(argv));
  let exitCode = 0;
  const setExit = (code: number) => {
    exitCode = Math.max(exitCode, code);
  };
  const program = new Command("adainfc")
    .description("adainf: contrastive-learning pipelines with generated-data inflation (AdaInf, ICLR 2024)")
    .version(version(), "-V, --version")
    .option("--no-color", "plain output (NO_COLOR is honoured too)")
    .option("--color", "force colours")
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) })
    .showHelpAfterError("(run adainfc --help for usage)");

  const name = argv.find((a) => !a.startsWith("-"));
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry) {
    const mod = await entry.load();
    mod.register(program, ctx, setExit);
  } else {
    for (const c of COMMANDS) program.command(c.name).description(c.summary);
  }
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });

  try {
    if (!entry && name) {
      ctx.err(`error: unknown command '${name}'\n`);
      const { didYouMean } = await import("../check/suggest.js");
      const hint = didYouMean(name, COMMANDS.map((c) => c.name));
      if (hint) ctx.err(`hint: ${hint}\n`);
      return EXIT_USAGE;
    }
    if (!entry && argv.filter((a) => a !== "--no-color" && a !== "--color").length === 0) {
      ctx.out(program.helpInformation());
      return 0;
    }
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return 0;
      return EXIT_USAGE;
    }
    if (e instanceof UserError) {
      ctx.err(`error: ${e.message}\n`);
      return e.exitCode;
    }
    // A file-system failure the user caused (a path, a mount, a disk): one line, exit 1.
    const { describeFsError } = await import("../util/fs-errors.js");
    const fsLine = describeFsError(e);
    if (fsLine) {
      ctx.err(`error: ${fsLine}\n`);
      return 1;
    }
    const err = e as Error;
    ctx.err(`internal error: ${err.message}\n(this is a bug in adainfc; please report it with the command you ran)\n`);
    if (process.env["ADAINF_DEBUG"]) ctx.err(`${err.stack}\n`);
    return 70;
  }
  return exitCode;
}
