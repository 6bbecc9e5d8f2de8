// `adainfc check`: parse, resolve and check; prints every problem with its place.
// `--explain` adds one line per pipeline with its effective batch and learning rates.
import type { Command } from "commander";
import { collect, type RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_USAGE, UserError } from "../context.js";
import { expandInputs } from "../files.js";
import { compileFileSync } from "../../driver.js";
import { diagnosticsToJson, renderDiagnostics, summarize } from "../../check/render.js";
import type { Diagnostic } from "../../check/diagnostic.js";
import { effectiveTraining, trainingLine } from "../../ir/train-summary.js";
import { pushAll } from "../../util/push-all.js";

export const register: RegisterCommand = (program: Command, ctx, setExit) => {
  program
    .command("check")
    .description("parse, resolve and type-/range-check pipelines (files or folders)")
    .argument("<paths...>", ".adainf files or folders")
    .option("--format <format>", "text or json", "text")
    .option("--set <key=value>", "override a setting of every pipeline (repeatable)", collect, [])
    .option("--explain", "text: print each pipeline's effective batch (devices x per device) and learning rates")
    .action((paths: string[], opts: { format: string; set: string[]; explain?: boolean }) => {
      if (opts.format !== "text" && opts.format !== "json") throw new UserError(`--format must be text or json, not '${opts.format}'`, EXIT_USAGE);
      const files = expandInputs(paths, ctx.cwd, (l) => ctx.err(`${l}\n`));
      const all: Diagnostic[] = [];
      const results: object[] = [];
      for (const file of files) {
        const out = compileFileSync(file, { cwd: ctx.cwd, overrides: opts.set });
        pushAll(all, out.diagnostics);
        if (opts.format === "text" && out.diagnostics.length) {
          ctx.err(renderDiagnostics(out.diagnostics, (f) => out.sources.get(f) ?? null, { color: ctx.color }) + "\n");
        }
        if (opts.format === "text" && opts.explain)
          for (const p of out.pipelines)
            ctx.out(`${p.ir.name}: ${trainingLine(p.ir)}, ${p.ir.train.steps.toLocaleString("en-US")} step${p.ir.train.steps === 1 ? "" : "s"}\n`);
        results.push({
          file,
          pipelines: out.pipelines.map((p) => p.ir.name),
          // Each pipeline's effective batch and rates (what --explain prints as text).
          training: Object.fromEntries(out.pipelines.map((p) => [p.ir.name, { ...effectiveTraining(p.ir), steps: p.ir.train.steps }])),
          diagnostics: diagnosticsToJson(out.diagnostics),
        });
      }
      const errors = all.filter((d) => d.severity === "error").length;
      if (opts.format === "json") ctx.out(JSON.stringify({ files: results, errors }, null, 2) + "\n");
      else ctx.err(`${files.length} file${files.length === 1 ? "" : "s"} checked: ${summarize(all)}\n`);
      if (errors) setExit(EXIT_ERRORS);
    });
};
