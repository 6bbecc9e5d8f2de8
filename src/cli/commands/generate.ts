// `adainfc generate --from <source> --count N -o gen.npz`: the built-in generator
// (PCA + Gaussian mixture), a weak stand-in for a diffusion model so the paper's
// inflation experiments run offline. The runtime is imported lazily inside the action.
// Errors in the data file or the arguments end with one `error:` line (exit 1, or 2
// for usage); -o is checked before the source is read (src/cli/output-path.ts).
// Progress goes to stderr, as a bar on a terminal and as a plain line every few
// seconds otherwise (a log or a pipe). Ctrl-C (or SIGTERM) stops it at its next step:
// the temporary file is removed, one line says nothing was written, exit 130 (143).
import { isAbsolute, resolve } from "node:path";
import type { Command } from "commander";
import type { RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UserError, type CliContext } from "../context.js";
import { integerFlag, nonEmpty } from "../args.js";
import { checkOutput } from "../output-path.js";
import type { ProgressWords } from "../progress.js";
import { exitCodeFor, stopSignals } from "../../runtime/stop-signals.js";
import { Interrupted } from "../../runtime/abort.js";
import { count, dataProgress } from "./data.js";

const HELP_NOTE = `
This is a WEAK stand-in for the diffusion models of the paper: it fits PCA plus a
Gaussian mixture to the real images (labels unused) and gives blurry, mean-like
images. Use it only to run inflation experiments offline; its quality numbers
(a Fréchet distance in PCA space, nearest-real-neighbour distance) are NOT FID.

Sources: mnist (train split), mnist:test, mnist:all, a CIFAR folder[:train|:test],
an .npz file, an image folder. Writes <out> (image uint8 NHWC, label int64 all -1,
the reference format; colour images in the source's RGB order, or BGR with
--channels bgr, as the paper's published sets are) and <out>.json (source, count,
seed, fit and quality numbers).
Same source, options and seed: same bytes.
`;

interface Options {
  from?: string;
  count?: string;
  out?: string;
  seed: string;
  components: string;
  dims: string;
  covariance: string;
  fitSamples: string;
  first?: string;
  iterations: string;
  layout: string;
  channels: string;
  force?: boolean;
}

/** A flag's whole number: integerFlag's digits and range (a missing value reads as ''). */
function wholeNumber(flag: string, text: string | undefined, min: number, max?: number): number {
  return integerFlag(flag, text ?? "", min, max);
}

const TASK_WORDS: Record<string, string> = { reading: "reading real images", pca: "PCA", em: "fitting the Gaussian mixture (EM)", sampling: "sampling" };

const TASK_UNITS: Record<string, string> = { reading: " images", em: " EM steps (at most)", sampling: " images" };

/** Generate's phases in words, for the plain progress lines. */
export const GENERATE_PROGRESS: ProgressWords = { words: TASK_WORDS, units: TASK_UNITS };

const fmt = (n: number): string => n.toLocaleString("en-US");

/**
 * The path part of `--from` (`data/cifar10` of `data/cifar10:test`), as the one source-spec
 * parser reads it: a path that exists as typed (a file named `g.npz:test`) keeps its suffix.
 */
async function fromPath(from: string, cwd: string): Promise<string> {
  const { parseSourceSpec } = await import("../../runtime/data/source-spec.js");
  return parseSourceSpec(from, cwd).target;
}

export const register: RegisterCommand = (program: Command, ctx, setExit) => {
  program
    .command("generate")
    .description("make a generated set offline with PCA + a Gaussian mixture (a weak stand-in for a diffusion model)")
    .option("--from <source>", "real images to fit: mnist, mnist:test, a CIFAR folder[:split], an .npz, an image folder")
    .option("--count <n>", "images to generate")
    .option("-o, --out <file>", "output .npz (a sidecar <file>.json is written beside it)")
    .option("--seed <s>", "random seed (same seed, same bytes)", "0")
    .option("--components <k>", "Gaussian mixture components", "10")
    .option("--dims <d>", "PCA dimensions", "32")
    .option("--covariance <type>", "full or diag", "full")
    .option("--first <n>", "use only the first n images of the source, as a pipeline's `size = n` does (default: all)")
    .option("--fit-samples <n>", "at most this many real images are fitted (evenly spaced over the source, or over its first n)", "10000")
    .option("--iterations <n>", "at most this many EM steps", "100")
    .option("--layout <layout>", "npz image layout: nhwc, nchw or auto", "auto")
    .option("--channels <order>", "colour channels written: rgb, or bgr as the paper's published sets (declare the same `channels` in the pipeline)", "rgb")
    .option("--force", "replace an existing file that adainfc did not write (or of another kind) at -o or its sidecar")
    .addHelpText("after", HELP_NOTE)
    .action(async (opts: Options) => {
      if (opts.from === undefined) throw new UserError("--from <source> is required (e.g. --from mnist)", EXIT_USAGE);
      // "" would be the working folder, and errors would then name paths that do not exist.
      nonEmpty(opts.from, "--from", "a file or folder path, or mnist (e.g. --from mnist)");
      if (opts.out === undefined) throw new UserError("-o, --out <file> is required (e.g. -o gen.npz)", EXIT_USAGE);
      if (opts.count === undefined) throw new UserError("--count <n> is required (e.g. --count 10000)", EXIT_USAGE);
      const count = wholeNumber("--count", opts.count, 1);
      const seed = wholeNumber("--seed", opts.seed, 0, 0xffffffff);
      const components = wholeNumber("--components", opts.components, 1);
      const dims = wholeNumber("--dims", opts.dims, 1);
      const fitSamples = wholeNumber("--fit-samples", opts.fitSamples, 2);
      const first = opts.first === undefined ? undefined : wholeNumber("--first", opts.first, 1);
      const maxIterations = wholeNumber("--iterations", opts.iterations, 0);
      if (opts.covariance !== "full" && opts.covariance !== "diag")
        throw new UserError(`--covariance must be full or diag, not '${opts.covariance}'`, EXIT_USAGE);
      if (!["nhwc", "nchw", "auto"].includes(opts.layout)) throw new UserError(`--layout must be nhwc, nchw or auto, not '${opts.layout}'`, EXIT_USAGE);
      if (opts.channels !== "rgb" && opts.channels !== "bgr") throw new UserError(`--channels must be rgb or bgr, not '${opts.channels}'`, EXIT_USAGE);
      checkOutput(ctx.cwd, {
        path: opts.out,
        flag: "-o",
        command: "generate",
        kind: "npz",
        inputs: [{ path: await fromPath(opts.from, ctx.cwd), as: `--from ${opts.from}` }],
        beside: [{ path: `${opts.out}.json`, kind: "json" }],
        force: Boolean(opts.force),
      });
      setExit(
        await runGenerate(ctx, {
          from: opts.from,
          out: opts.out,
          count,
          seed,
          components,
          dims,
          covariance: opts.covariance,
          fitSamples,
          ...(first !== undefined ? { first } : {}),
          maxIterations,
          layout: opts.layout as "nhwc" | "nchw" | "auto",
          channels: opts.channels,
        }),
      );
    });
};

export interface RunGenerateArgs {
  from: string;
  out: string;
  count: number;
  seed: number;
  components: number;
  dims: number;
  covariance: "full" | "diag";
  fitSamples: number;
  /** Only the source's first N images (a pipeline's `size = N`). */
  first?: number;
  maxIterations: number;
  layout: "nhwc" | "nchw" | "auto";
  channels: "rgb" | "bgr";
}

export interface GenerationStop {
  /** Aborted by the first Ctrl-C or SIGTERM (a second ends the process: src/runtime/stop-signals.ts). */
  signal: AbortSignal;
  /** The signal that stopped the generation `e` came from, or null when `e` is another error. */
  stoppedBy(e: unknown): NodeJS.Signals | null;
  dispose(): void;
}

/** Ctrl-C and SIGTERM during a generation (`generate`, and `run` making a stand-in set). */
export function generationStop(): GenerationStop {
  const controller = new AbortController();
  const stop = stopSignals(() => controller.abort());
  return {
    signal: controller.signal,
    stoppedBy: (e) => (e instanceof Interrupted ? stop.stoppedBy : null),
    dispose: () => stop.dispose(),
  };
}

/** The line an interrupted generation of `out` (as the user named it) ends with. */
export function generationInterrupted(signal: NodeJS.Signals, out: string): string {
  return `${signal === "SIGINT" ? "interrupted" : `stopped by ${signal}`} while generating ${out}: nothing was written\n`;
}

/** The body of `generate`: prints a summary, returns the exit code; user errors become one line. */
export async function runGenerate(ctx: CliContext, args: RunGenerateArgs): Promise<number> {
  const { generateSet } = await import("../../runtime/generate/index.js");
  const { DataError } = await import("../../formats/data-error.js");
  const { filePhase, parseFilePhase } = await import("../../runtime/data/phases.js");
  const typed = [args.out, await fromPath(args.from, ctx.cwd)];
  // Phases named with a file (`converting <folder>`) name it as the user typed it.
  const bar = await dataProgress(ctx, GENERATE_PROGRESS, (task) => {
    const named = parseFilePhase(task);
    return named && isAbsolute(named.file) ? filePhase(named.phase, shownPath(ctx, named.file, typed)) : task;
  });
  const stop = generationStop();
  try {
    const { report, seconds } = await generateSet({
      source: args.from,
      cwd: ctx.cwd,
      out: args.out,
      count: args.count,
      seed: args.seed,
      components: args.components,
      dims: args.dims,
      covariance: args.covariance,
      fitSamples: args.fitSamples,
      ...(args.first !== undefined ? { first: args.first } : {}),
      maxIterations: args.maxIterations,
      layout: args.layout,
      channels: args.channels,
      onProgress: (task, done, total) => bar.update(task, done, total),
      signal: stop.signal,
    });
    bar.stop();
    const q = report.quality;
    const f = report.fit;
    ctx.out(
      [
        `wrote ${args.out}: ${count(report.count, "image")}, ${report.shape.join("x")} uint8${report.channels === "bgr" && report.shape[2] === 3 ? " BGR" : ""}, labels -1 (sidecar ${args.out}.json)`,
        `fit on ${fmt(f.samples)} real images of ${args.from}${report.split ? ` (${report.split} split${report.first !== null ? `, its first ${fmt(report.first)}` : ""})` : report.first !== null ? ` (its first ${fmt(report.first)})` : ""}: PCA ${count(report.dims, "dim")} (${(100 * f.explainedVariance).toFixed(1)}% of the variance), ` +
          `${report.components} ${report.covariance}-covariance Gaussian${report.components === 1 ? "" : "s"}, ${count(f.emIterations, "EM step")}${f.emConverged ? "" : " (not converged)"}`,
        `quality (not FID): Fréchet distance in PCA space ${q.frechetPca.toFixed(4)} (real halves: ${q.frechetPcaRealHalves.toFixed(4)}); ` +
          `nearest real image RMS ${q.nearestReal.toFixed(4)} (real: ${q.nearestRealBaseline.toFixed(4)})`,
        `time: read ${seconds.read.toFixed(1)} s, PCA ${seconds.pca.toFixed(1)} s, EM ${seconds.em.toFixed(1)} s, sampling ${seconds.sample.toFixed(1)} s, quality ${seconds.quality.toFixed(1)} s`,
        `note: a weak stand-in for a diffusion model (blurry, mean-like images), for offline inflation experiments only`,
      ].join("\n") + "\n",
    );
    return EXIT_OK;
  } catch (e) {
    bar.stop();
    const signal = stop.stoppedBy(e);
    if (signal) {
      ctx.err(generationInterrupted(signal, args.out));
      return exitCodeFor(signal);
    }
    if (e instanceof DataError) {
      ctx.err(`error: ${shownPath(ctx, e.path, typed)}: ${e.what}\n`);
      return EXIT_ERRORS;
    }
    throw e; // a GenerateError is printed and mapped to its exit code by cli-core
  } finally {
    stop.dispose();
  }
}

/** Name a file the way the user typed it (one of `typed`), not by its absolute path. */
function shownPath(ctx: CliContext, where: string, typed: string[]): string {
  for (const t of typed) {
    const abs = resolve(ctx.cwd, t);
    if (where === abs || where.startsWith(abs + "/")) return t + where.slice(abs.length);
  }
  return where;
}
