// `adainfc preview <pipeline> -o views.png`: what the augmentation does to real and
// generated images, before any training. One row per source image: the original,
// then each view, labelled with the view's name. Images are drawn from what training
// draws from: a source's declared subset (`size = N`: its first N images), not the
// whole split. -o is checked before any image is read (src/cli/output-path.ts).
import { integerFlag, pipelineFlag, seedFlag } from "../args.js";
import { collect, type RegisterCommand } from "../command.js";
import { EXIT_ERRORS, UserError } from "../context.js";
import { compileFileSync } from "../../driver.js";
import { pipelineFile } from "../files.js";
import { renderDiagnostics } from "../../check/render.js";
import { checkOutput, pipelineInputs, writeOutput } from "../output-path.js";

/** The most images --n draws per training source. */
const MAX_PREVIEW_N = 64;

interface PreviewOpts {
  out: string;
  n: string;
  seed: string;
  pipeline?: string;
  set: string[];
  force?: boolean;
}

export const register: RegisterCommand = (program, ctx, setExit) => {
  program
    .command("preview")
    .description("draw a PNG grid: source images (real and generated) and their augmented views")
    .argument("<pipeline>", "an .adainf file")
    .requiredOption("-o, --out <file>", "PNG file to write")
    .option("--n <count>", `images per training source (1 to ${MAX_PREVIEW_N})`, "4")
    .option("--seed <seed>", "seed of the image choice and the augmentation (0 to 4294967295)", "0")
    .option("--pipeline <name>", "which pipeline of the file (default: the first)")
    .option("--set <key=value>", "override a setting (repeatable)", collect, [])
    .option("--force", "replace an existing file that adainfc did not write (or of another kind)")
    .action(async (file: string, opts: PreviewOpts) => {
      const n = integerFlag("--n", opts.n, 1, MAX_PREVIEW_N);
      const seed = seedFlag(opts.seed);
      const pipeline = pipelineFlag(opts.pipeline);
      const out = compileFileSync(pipelineFile(file, ctx.cwd), { cwd: ctx.cwd, overrides: opts.set, ...(pipeline !== undefined ? { pipeline } : {}) });
      const dest = checkOutput(ctx.cwd, {
        path: opts.out,
        flag: "-o",
        command: "preview",
        kind: "png",
        inputs: pipelineInputs(out),
        force: Boolean(opts.force),
      });
      if (out.diagnostics.length) ctx.err(renderDiagnostics(out.diagnostics, (f) => out.sources.get(f) ?? null, { color: ctx.color }) + "\n");
      if (out.diagnostics.some((d) => d.severity === "error")) return setExit(EXIT_ERRORS);
      const first = out.pipelines[0];
      if (!first) throw new UserError(`${file} declares no pipeline`);
      const ir = first.ir;

      // A missing data file: the same message and fix as `adainfc run`.
      const { missingData, missingDataText } = await import("../../runtime/train/preflight.js");
      const missing = missingData(ir, ctx.cwd);
      if (missing.length) {
        for (const m of missing) ctx.err(missingDataText(m));
        return setExit(EXIT_ERRORS);
      }

      // Pixel work is loaded only now: check/lint never pay for it.
      const { openSource, DataError } = await import("../../runtime/data/index.js");
      const { previewRows, renderPreviewGrid } = await import("../../runtime/augment/index.js");
      const { Rng } = await import("../../runtime/rng.js");
      const { asDeclared } = await import("../../runtime/data/declared.js");
      const rng = new Rng(seed);
      const rows = [];
      const [h, w, c] = ir.data.sources.find((s) => s.name === ir.data.train[0]?.source)!.shape;
      try {
        for (const entry of ir.data.train) {
          const src = ir.data.sources.find((s) => s.name === entry.source)!;
          const opened = await openSource(src, { cwd: ctx.cwd });
          const source = asDeclared(src, opened);
          try {
            const [sh, sw, sc] = source.shape;
            if (sh !== h || sw !== w || sc !== c) {
              throw new UserError(
                `source '${src.name}' has ${sh}x${sw}x${sc} images but '${ir.data.train[0]!.source}' has ${h}x${w}x${c}; run adainfc data check ${file}`,
              );
            }
            const indices = Array.from({ length: Math.min(n, source.count) }, () => rng.int(source.count));
            const batch = source.readBatch(indices);
            const labels = indices.map((i) => `${src.name} ${i}`);
            rows.push(...previewRows({ data: batch.images, n: indices.length, height: h, width: w, channels: c }, labels, ir.augment, rng));
          } finally {
            source.close();
          }
        }
      } catch (e) {
        if (e instanceof DataError) throw new UserError(e.message);
        throw e;
      }
      writeOutput(dest, renderPreviewGrid(rows, { height: h, width: w, channels: c }));
      const views = ir.augment.views.length;
      ctx.out(`wrote ${opts.out}: ${rows.length} image${rows.length === 1 ? "" : "s"} x (original + ${views} view${views === 1 ? "" : "s"}) of ${ir.name}\n`);
    });
};
