// `adainfc lint <files|dirs...>`: compile, run the lint rules, report as text, JSON or
// SARIF; `--fix` applies the rules' safe fixes first. Everything heavy (the front end,
// the npz header reader) is imported when the command runs; nothing here loads tfjs or
// reads pixels.
import type { Command } from "commander";
import { hasErrors } from "../../check/diagnostic.js";
import type { RuleSeverity } from "../../ir/types.js";
import type { FrontEnd } from "../../lint/frontend.js";
import { collect, type RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UserError, type CliContext } from "../context.js";
import { expandInputs } from "../files.js";

export interface LintCommandOptions {
  format?: string;
  deny?: string[];
  rule?: string[];
  set?: string[];
  fix?: boolean;
}

const FORMATS = ["text", "json", "sarif"] as const;
type Format = (typeof FORMATS)[number];

export const register: RegisterCommand = (program: Command, ctx: CliContext, setExit: (code: number) => void) => {
  program
    .command("lint")
    .description("check pipelines against the AdaInf paper's findings (inflation vs augmentation, data, schedule)")
    .argument("<paths...>", ".adainf files, or directories to search for them")
    .option("--format <format>", "output format: text, json or sarif", "text")
    .option("--deny <what>", "treat a class of findings as errors (`warnings`)", collect, [])
    .option("--rule <id=severity>", "set a rule's severity: off, info, warn or error (repeatable)", collect, [])
    .option("--set <key=value>", "override a pipeline value before linting, e.g. train.steps=500 (repeatable)", collect, [])
    .option("--fix", "apply the rules' safe fixes, then format the files")
    .action(async (paths: string[], opts: LintCommandOptions) => {
      setExit(await runLintCommand(paths, opts, ctx));
    });
};

/** The whole command as a function, so tests can run it in-process (with a stand-in front end). */
export async function runLintCommand(paths: readonly string[], opts: LintCommandOptions, ctx: CliContext, deps: { frontEnd?: FrontEnd } = {}): Promise<number> {
  const { RULE_IDS } = await import("../../lint/rules/index.js");
  const { parseRuleOption } = await import("../../lint/severity.js");

  const format = (opts.format ?? "text") as Format;
  if (!FORMATS.includes(format)) return usage(ctx, `unknown --format '${opts.format}': use text, json or sarif`);
  const deny = opts.deny ?? [];
  const badDeny = deny.find((d) => d !== "warnings");
  if (badDeny !== undefined) return usage(ctx, `--deny takes 'warnings', got '${badDeny}'`);
  const rules: Record<string, RuleSeverity> = {};
  for (const r of opts.rule ?? []) {
    try {
      const [id, sev] = parseRuleOption(r, RULE_IDS);
      rules[id] = sev;
    } catch (e) {
      return usage(ctx, (e as Error).message);
    }
  }
  // Fixes are written to the files, overrides exist only on this command line: mixing them
  // would write changes computed for a pipeline that is not the one in the file.
  if (opts.fix && opts.set?.length) return usage(ctx, "--fix cannot be combined with --set");

  // The paths follow the contract of every command that takes files (cli/files.ts).
  let files: string[];
  try {
    files = expandInputs(paths, ctx.cwd, (l) => ctx.err(`${l}\n`));
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    ctx.err(`error: ${e.message}\n`);
    return e.exitCode;
  }
  const { lintFiles, fixFiles } = await import("../../lint/lint-files.js");

  let frontEnd = deps.frontEnd;
  if (!frontEnd) {
    try {
      frontEnd = await (await import("../../lint/frontend.js")).loadFrontEnd();
    } catch (e) {
      ctx.err(`error: cannot load the compiler front end: ${(e as Error).message}\n`);
      return EXIT_ERRORS;
    }
  }
  // npz sizes come from the compiler, which reads the header of every npz it finds.
  const lintOpts = { cwd: ctx.cwd, rules, denyWarnings: deny.includes("warnings"), overrides: opts.set ?? [], verifyFixes: true };

  if (opts.fix) {
    const report = await fixFiles(files, frontEnd, lintOpts);
    const log = format === "text" ? ctx.out : ctx.err; // keep json/sarif stdout machine-readable
    for (const f of report.fixed) log(`fixed ${f.file} (${f.edits} edit${f.edits === 1 ? "" : "s"})\n`);
    for (const f of report.skipped) log(`fix not applied at ${f.at} (${f.rule}): it would cause ${f.cause}\n`);
    for (const f of report.refused) log(`not fixed ${f.file}: ${f.reason}\n`);
  }

  const { diagnostics, results, sources } = await lintFiles(files, frontEnd, lintOpts);
  if (format === "json") {
    const { renderJson } = await import("../../lint/reporters/json.js");
    ctx.out(renderJson(diagnostics, results));
  } else if (format === "sarif") {
    const { toSarif } = await import("../../lint/reporters/sarif.js");
    ctx.out(JSON.stringify(toSarif(diagnostics, results, { sources: (f) => sources.get(f) ?? null }), null, 2) + "\n");
  } else {
    const { renderText } = await import("../../lint/reporters/text.js");
    ctx.out(renderText(diagnostics, results, (f) => sources.get(f) ?? null, ctx.outColor ?? ctx.color));
  }
  return hasErrors(diagnostics) ? EXIT_ERRORS : EXIT_OK;
}

/** A bad flag or value: one `error:` line, as every command prints a UserError (cli-core.ts), exit 2. */
function usage(ctx: CliContext, message: string): number {
  ctx.err(`error: ${message}\n`);
  return EXIT_USAGE;
}
