// The CLI over a table of commands: options common to all, dispatch to the one
// command named (only its module is loaded), help, and how failures become exit
// codes. main.ts gives it the full table; the start-up snapshot (snapshot-entry.ts)
// gives it the front-end commands it holds preloaded.
import { Command, CommanderError } from "commander";
import type { CommandEntry } from "./command.js";
import { EXIT_ERRORS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, processContext, UserError, type CliContext } from "./context.js";
import { ownPackage } from "../util/own-package.js";

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

export async function runCli(argv: string[], commands: readonly CommandEntry[], ctxIn?: CliContext): Promise<number> {
  const ctx = ctxIn ?? processContext(wantsColor(argv));
  let exitCode = EXIT_OK;
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
  const entry = commands.find((c) => c.name === name);
  if (entry) {
    const mod = await entry.load();
    mod.register(program, ctx, setExit);
  } else {
    for (const c of commands) program.command(c.name).description(c.summary);
  }
  for (const cmd of program.commands) cmd.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });

  try {
    if (!entry && name) {
      ctx.err(`error: unknown command '${name}'\n`);
      const { didYouMean } = await import("../check/suggest.js");
      const hint = didYouMean(
        name,
        commands.map((c) => c.name),
      );
      if (hint) ctx.err(`hint: ${hint}\n`);
      return EXIT_USAGE;
    }
    if (!entry && argv.filter((a) => a !== "--no-color" && a !== "--color").length === 0) {
      ctx.out(program.helpInformation());
      return EXIT_OK;
    }
    await program.parseAsync(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT_OK;
      // Help asked for (`adainfc bench --help`) ends as helpDisplayed, above. commander.help
      // is help shown because a command group was given no subcommand (`adainfc bench`):
      // a usage error (exit code 1 from commander); one that exits 0 would be help asked for.
      if (e.code === "commander.help") return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
      return EXIT_USAGE;
    }
    if (e instanceof UserError) {
      ctx.err(`error: ${e.message}\n`);
      return e.exitCode;
    }
    // The runtime's user errors (RuntimeProblem: BackendError, GenerateError) carry a
    // kind, not an exit code: mapped here, for every command.
    const { RuntimeProblem } = await import("../runtime/errors.js");
    if (e instanceof RuntimeProblem) {
      ctx.err(`error: ${e.message}\n`);
      return e.kind === "usage" ? EXIT_USAGE : EXIT_ERRORS;
    }
    // A file-system failure the user caused (a path, a mount, a disk): one line, exit 1.
    const { describeFsError } = await import("../util/fs-errors.js");
    const fsLine = describeFsError(e);
    if (fsLine) {
      ctx.err(`error: ${fsLine}\n`);
      return EXIT_ERRORS;
    }
    const err = e as Error;
    ctx.err(`internal error: ${err.message}\n(this is a bug in adainfc; please report it with the command you ran)\n`);
    if (process.env["ADAINF_DEBUG"]) ctx.err(`${err.stack}\n`);
    return EXIT_INTERNAL;
  }
  return exitCode;
}
