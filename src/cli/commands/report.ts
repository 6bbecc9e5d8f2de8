// `adainfc report <run-or-sweep-dir> [-o report.html]`: one self-contained HTML page
// (curves, results with lint findings beside them, runs, augmentation preview) from
// what `adainfc run` wrote. Reads only; never loads tfjs. The input is checked to be a
// folder first, then the output (src/cli/output-path.ts: never a run's own file), then
// the runs are read.
import path from "node:path";
import { nonEmptyPath, seedFlag } from "../args.js";
import type { RegisterCommand } from "../command.js";
import { EXIT_OK, UserError } from "../context.js";
import { checkOutput, writeOutput } from "../output-path.js";

interface ReportFlags {
  out?: string;
  preview: boolean;
  title?: string;
  seed: string;
  force?: boolean;
}

export const register: RegisterCommand = (program, ctx, setExit) => {
  program
    .command("report")
    .description("one self-contained HTML page for a run, a sweep or a folder of runs")
    .argument("<dir>", "a run directory (holds ir.json), or a folder of them: a sweep's base directory, runs/")
    .option("-o, --out <file>", "HTML file to write (default: <dir>/report.html)")
    .option("--no-preview", "leave out the augmentation preview (it reads a few training images)")
    .option("--title <text>", "page title")
    .option("--force", "replace an existing file that adainfc did not write (or of another kind)")
    .option("--seed <seed>", "seed of the preview's image choice and augmentation (0 to 4294967295)", "0")
    .action(async (dir: string, opts: ReportFlags) => {
      nonEmptyPath(dir, "<dir>", "folder");
      const seed = seedFlag(opts.seed);
      const { buildReport, defaultReportPath, reportDir, ReportInputError } = await import("../../report/index.js");
      // The input first: a file given as <dir> is the input's mistake, not the default output's.
      try {
        reportDir(dir, ctx.cwd);
      } catch (e) {
        if (e instanceof ReportInputError) throw new UserError(e.message);
        throw e;
      }
      // The runs' own files are refused by the check itself (a run directory's files, whatever reads them).
      const out = checkOutput(ctx.cwd, {
        path: opts.out ?? path.relative(ctx.cwd, defaultReportPath(dir, ctx.cwd)),
        flag: opts.out !== undefined ? "-o" : null,
        command: "report",
        kind: "html",
        inputs: [{ path: dir, as: `the run or sweep directory ${dir}` }],
        force: Boolean(opts.force),
      });
      let result: Awaited<ReturnType<typeof buildReport>>;
      try {
        result = await buildReport(dir, { cwd: ctx.cwd, preview: opts.preview ? { seed } : false, ...(opts.title !== undefined ? { title: opts.title } : {}) });
      } catch (e) {
        if (e instanceof ReportInputError) throw new UserError(e.message);
        throw e;
      }
      writeOutput(out, result.html);
      for (const n of result.notes) ctx.err(`note: ${n}\n`);
      const finished = result.input.points.filter((p) => p.summary !== null).length;
      ctx.out(
        `wrote ${path.relative(ctx.cwd, out.abs) || out.abs}: ${result.input.points.length} run${result.input.points.length === 1 ? "" : "s"} (${finished} finished), ` +
          `${result.resultRows} result row${result.resultRows === 1 ? "" : "s"}, ${result.charts.length} chart${result.charts.length === 1 ? "" : "s"}, ` +
          `${result.previews} preview image${result.previews === 1 ? "" : "s"}, ${(Buffer.byteLength(result.html) / 1024).toFixed(0)} KiB\n`,
      );
      setExit(EXIT_OK);
    });
};
