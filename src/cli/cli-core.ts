// The CLI over a table of commands: options common to all, dispatch to the one
// command named (only its module is loaded; its flag aliases, such as import's -cp, read as
// its own flags), help, and how failures become exit
// codes. main.ts gives it the full table; the start-up snapshot (snapshot-entry.ts)
// gives it the front-end commands it holds preloaded.
import { Command, CommanderError } from "commander";
import type { CommandEntry } from "./command.js";
import { EXIT_ERRORS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, processIo, UserError, type CliContext } from "./context.js";
import { ownPackage } from "../util/own-package.js";

function version(): string {
  try {
    return ownPackage().version;
  } catch {
    return "unknown";
  }
}

/**
 * Whether text for a stream is coloured: --no-color, then --color; then the environment's
 * conventions: NO_COLOR set and not empty turns colour off (no-color.org), FORCE_COLOR
 * turns it on, unless it is 0 or false, which turn it off (as chalk and node read it);
 * else colour when that stream is a terminal.
 */
export function wantsColor(argv: readonly string[], env: NodeJS.ProcessEnv, isTTY: boolean | undefined): boolean {
  if (argv.includes("--no-color")) return false;
  if (argv.includes("--color")) return true;
  if (env["NO_COLOR"]) return false;
  const force = env["FORCE_COLOR"];
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  return Boolean(isTTY);
}

export async function runCli(argv: string[], commands: readonly CommandEntry[], ctxIn?: CliContext): Promise<number> {
  if (ctxIn) return runCommand(argv, commands, ctxIn);
  // Diagnostics go to stderr and results to stdout: each is coloured by its own stream.
  const io = processIo({
    err: wantsColor(argv, process.env, process.stderr.isTTY),
    out: wantsColor(argv, process.env, process.stdout.isTTY),
  });
  return io.finish(await runCommand(argv, commands, io.ctx));
}

async function runCommand(argvIn: string[], commands: readonly CommandEntry[], ctx: CliContext): Promise<number> {
  // `adainfc help [command...]` is `adainfc [command...] --help`; `adainfc help`, the program's help.
  let argv = argvIn;
  for (let at = argv.findIndex((a) => !a.startsWith("-")); at >= 0 && argv[at] === "help"; at = argv.findIndex((a) => !a.startsWith("-"))) {
    argv = [...argv.slice(0, at), ...argv.slice(at + 1).filter((a) => a !== "--help"), "--help"];
  }
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
    if (mod.flagAliases) argv = withAliases(argv, mod.flagAliases);
    mod.register(program, ctx, setExit);
  } else {
    for (const c of commands) program.command(c.name).description(c.summary);
  }
  // A mistake under a command points to that command's help (`adainfc bench step --help`).
  const configure = (cmd: Command, path: string) => {
    cmd
      .exitOverride()
      .configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) })
      .showHelpAfterError(`(run adainfc ${path} --help for usage)`);
    for (const sub of cmd.commands) configure(sub, `${path} ${sub.name()}`);
  };
  for (const cmd of program.commands) configure(cmd, cmd.name());

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

/** `argv` with a command's flag aliases spelled as its own flags, up to a `--`. */
function withAliases(argv: string[], aliases: Readonly<Record<string, string>>): string[] {
  const end = argv.indexOf("--");
  return argv.map((a, i) => {
    if (end >= 0 && i > end) return a;
    const eq = a.indexOf("=");
    const flag = eq < 0 ? a : a.slice(0, eq);
    const own = Object.hasOwn(aliases, flag) ? aliases[flag] : undefined;
    return own === undefined ? a : own + (eq < 0 ? "" : a.slice(eq));
  });
}
