// `adainfc bench step --model convnet|resnet18 [--json] [--batch n] ...`: median ms per
// SimCLR step at 2 x batch views of 32x32x3, next to PyTorch CPU when it is installed.
// `adainfc bench augment [--seconds s] [--threads n]`: augmentation views/s of the
// paper's two presets, next to torchvision when it is installed.
// The benchmarks are bench/*.ts scripts (no importable entry), so this command runs
// their compiled form in a child process and passes its output through as it comes (the
// progress lines live). Numbers are printed, never asserted.
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { RegisterCommand } from "../command.js";
import { BACKEND_CHOICES, isBackendName, unknownBackendMessage } from "../../runtime/backend/select.js";
import { isDawnLimitWarning } from "../../runtime/backend/webgpu.js";
import { MAX_AUGMENT_THREADS, MAX_WASM_THREADS } from "../../runtime/thread-limits.js";
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UserError, type CliContext } from "../context.js";
import { integerFlag, nonEmpty } from "../args.js";
import { parseWasmThreads, threadFlag } from "../wasm-threads.js";
import { exitCodeFor, stopSignals } from "../../runtime/stop-signals.js";

/** Most images per view `bench step` takes: its two views of 32x32x3 floats are 24 KiB an image. */
export const MAX_BENCH_BATCH = 65536;

interface StepFlags {
  model: string;
  json?: boolean;
  backend?: string;
  steps?: string;
  warmup?: string;
  settleS?: string;
  batch?: string;
  featureDim?: string;
  projector?: string;
  wasmThreads?: string;
  profile: boolean;
  torch: boolean;
  torchReference?: string;
}

export const register: RegisterCommand = (program: Command, ctx, setExit) => {
  const bench = program.command("bench").description("benchmarks");
  bench
    .command("step")
    .description("median ms per SimCLR training step (2 x 64 views of 32x32x3), with PyTorch CPU for comparison")
    .option("--model <model>", "convnet or resnet18", "convnet")
    .option("--json", "one JSON object (key ms_per_step_median)")
    .option("--backend <name>", BACKEND_CHOICES)
    .option("--steps <n>", "timed steps (median is reported)")
    .option("--warmup <n>", "untimed steps first (shader compilation on webgpu)")
    .option("--settle-s <s>", "then more untimed steps, up to 45 in all, while under s seconds (webgpu's dispatch hooks settle over ~40 steps)")
    .option("--batch <n>", "images per view (default 64)")
    .option("--feature-dim <n>", "backbone feature width")
    .option("--projector <hidden,out>", "a SimCLR projector, e.g. 2048,256 (bench/gpu_step.py's model)")
    .option("--wasm-threads <n|auto>", `threads of the wasm backend, and as many for PyTorch (default 1); auto: one per core, at most ${MAX_WASM_THREADS}`)
    .option("--no-profile", "skip the per-kernel profile")
    .option("--no-torch", "skip the PyTorch reference")
    .option("--torch-reference <file>", "the PyTorch reference script (default: $ADAINF_TORCH_REFERENCE)")
    .action(async (opts: StepFlags) => {
      setExit(await benchStep(ctx, opts));
    });
  bench
    .command("augment")
    .description("augmentation views/s (symmetric, symmetric_adainf; batch 256 of 32x32x3), with torchvision for comparison")
    .option("--seconds <s>", "seconds per measurement", "3")
    .option("--threads <n>", "also measure a pool of n augmentation threads")
    .option("--torch-reference <file>", "the PyTorch reference script (default: $ADAINF_TORCH_REFERENCE)")
    .action(async (opts: AugmentFlags) => {
      setExit(await benchAugment(ctx, opts));
    });
  bench.exitOverride().configureOutput({ writeOut: (s) => ctx.out(s), writeErr: (s) => ctx.err(s) });
};

interface AugmentFlags {
  seconds: string;
  threads?: string;
  torchReference?: string;
}

/** The compiled bench/step.js: dist/bench beside dist/src, or the repo's dist/ from sources. */
export function stepScript(): string | null {
  return benchScript("step");
}

function benchScript(name: string): string | null {
  const candidates = [new URL(`../../../bench/${name}.js`, import.meta.url), new URL(`../../../dist/bench/${name}.js`, import.meta.url)];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * An explicitly named --torch-reference must be a file: a usage error naming it (exit 2)
 * before the benchmark runs. (ADAINF_TORCH_REFERENCE naming none stays a note.)
 */
function checkTorchReference(ctx: CliContext, file: string | undefined): void {
  if (file === undefined) return;
  nonEmpty(file, "--torch-reference", "the PyTorch reference script (torch_reference.py)");
  let isFile = false;
  try {
    isFile = statSync(resolve(ctx.cwd, file)).isFile();
  } catch {
    throw new UserError(`--torch-reference ${file}: no such file (give the PyTorch reference script, or --no-torch)`, EXIT_USAGE);
  }
  if (!isFile) throw new UserError(`--torch-reference ${file}: not a file (give the PyTorch reference script, or --no-torch)`, EXIT_USAGE);
}

export function benchStep(ctx: CliContext, opts: StepFlags): Promise<number> {
  if (opts.backend !== undefined && !isBackendName(opts.backend)) throw new UserError(unknownBackendMessage(opts.backend), EXIT_USAGE);
  if (opts.model !== "convnet" && opts.model !== "resnet18") throw new UserError(`--model must be convnet or resnet18, not '${opts.model}'`, EXIT_USAGE);
  // Digits only, within range (integerFlag); passed to the child as typed once checked.
  for (const [flag, v, min] of [
    ["--steps", opts.steps, 1],
    ["--warmup", opts.warmup, 0],
    ["--feature-dim", opts.featureDim, 1],
  ] as const) {
    if (v !== undefined) integerFlag(flag, v, min);
  }
  if (opts.batch !== undefined) {
    try {
      integerFlag("--batch", opts.batch, 1, MAX_BENCH_BATCH);
    } catch (e) {
      throw new UserError(`${(e as Error).message} (2 views of 32x32x3 per image: ${MAX_BENCH_BATCH} is already 1.5 GiB of input)`, EXIT_USAGE);
    }
  }
  if (opts.settleS !== undefined && !/^\d+(\.\d+)?$/.test(opts.settleS))
    throw new UserError(`--settle-s must be a number of seconds, not '${opts.settleS}'`, EXIT_USAGE);
  // The same check as run's: tfjs's pool has at most 8 threads, and PyTorch gets the count too.
  const wasmThreads = opts.wasmThreads === undefined ? undefined : parseWasmThreads(opts.wasmThreads);
  if (opts.projector !== undefined && !/^[1-9]\d*,[1-9]\d*$/.test(opts.projector)) {
    throw new UserError(`--projector must be HIDDEN,OUT (e.g. 2048,256), not '${opts.projector}'`, EXIT_USAGE);
  }
  checkTorchReference(ctx, opts.torchReference);
  const script = stepScript();
  if (script === null) throw new UserError("the step benchmark is not built (dist/bench/step.js); run `npm run build` first");
  const args = [script, "--model", opts.model];
  if (opts.json) args.push("--json");
  if (opts.backend) args.push("--backend", opts.backend);
  if (opts.steps) args.push("--steps", opts.steps);
  if (opts.warmup) args.push("--warmup", opts.warmup);
  if (opts.settleS) args.push("--settle-s", opts.settleS);
  if (opts.batch) args.push("--batch", opts.batch);
  if (opts.featureDim) args.push("--feature-dim", opts.featureDim);
  if (wasmThreads !== undefined) args.push("--wasm-threads", String(wasmThreads));
  if (opts.projector) args.push("--projector", opts.projector);
  if (!opts.profile) args.push("--no-profile");
  if (!opts.torch) args.push("--no-torch");
  if (opts.torchReference) args.push("--torch-reference", opts.torchReference);
  return runScript(ctx, args);
}

export function benchAugment(ctx: CliContext, opts: AugmentFlags): Promise<number> {
  if (!/^\d+(\.\d+)?$/.test(opts.seconds) || Number(opts.seconds) <= 0)
    throw new UserError(`--seconds must be a number > 0, not '${opts.seconds}'`, EXIT_USAGE);
  if (opts.threads !== undefined) threadFlag("--threads", opts.threads, MAX_AUGMENT_THREADS);
  checkTorchReference(ctx, opts.torchReference);
  const script = benchScript("augment");
  if (script === null) throw new UserError("the augmentation benchmark is not built (dist/bench/augment.js); run `npm run build` first");
  const args = [script, "--seconds", opts.seconds];
  if (opts.threads) args.push("--worker", "--threads", opts.threads);
  if (opts.torchReference) args.push("--torch-reference", opts.torchReference);
  return runScript(ctx, args);
}

/** The notice TensorFlow.js prints on stderr when tfjs-node is not installed: its first line after the `====` rule. */
const TFJS_BANNER = /^Hi, looks like you are running TensorFlow\.js/;

/**
 * Passes stderr text through line by line as it comes, without TensorFlow.js's banner (a
 * `====` rule, the `Hi, looks like...` line, a closing rule) or Dawn's limit notes. A rule
 * is held back until the next line shows whether it opens the banner.
 */
export function bannerFilter(write: (text: string) => void): { push(text: string): void; end(): void } {
  let partial = "";
  let heldRule: string | null = null;
  let inBanner = false;
  const line = (l: string): void => {
    const rule = /^=+$/.test(l);
    if (inBanner) {
      if (rule) inBanner = false;
      return;
    }
    if (heldRule !== null) {
      const held = heldRule;
      heldRule = null;
      if (TFJS_BANNER.test(l)) {
        inBanner = true;
        return;
      }
      write(`${held}\n`);
    }
    if (rule) heldRule = l;
    // Dawn's limit notes (--backend webgpu): noise, dropped as the isolated GPU probe drops them.
    else if (!isDawnLimitWarning(l)) write(`${l}\n`);
  };
  return {
    push(text) {
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) line(l);
    },
    end() {
      if (heldRule !== null) write(`${heldRule}\n`);
      heldRule = null;
      if (partial !== "" && !inBanner) write(partial);
      partial = "";
    },
  };
}

/**
 * Runs a benchmark script in a child process, passing its stdout and stderr (its progress
 * lines) through as they come. Ctrl-C or SIGTERM is handed on to the child (which a
 * terminal's Ctrl-C reaches anyway), and the command exits 130 (143) when it ends; a
 * second one ends the child at once.
 */
export function runScript(ctx: CliContext, args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ctx.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const err = bannerFilter((t) => ctx.err(t));
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (t: string) => ctx.out(t));
    child.stderr.on("data", (t: string) => err.push(t));
    const stop = stopSignals(
      (signal) => {
        child.kill(signal);
      },
      () => {
        child.kill("SIGKILL");
      },
    );
    let done = false;
    const finish = (code: number, line?: string): void => {
      if (done) return;
      done = true;
      stop.dispose();
      err.end();
      if (line) ctx.err(line);
      resolve(code);
    };
    child.on("error", (e) => finish(EXIT_ERRORS, `error: could not run the benchmark: ${e.message}\n`));
    child.on("close", (status, signal) => {
      // A terminal's Ctrl-C reaches the child too, maybe before this process sees it.
      const by = stop.stoppedBy ?? (signal === "SIGINT" || signal === "SIGTERM" ? signal : null);
      if (by !== null) {
        finish(exitCodeFor(by), `${by === "SIGINT" ? "interrupted" : `stopped by ${by}`}: the benchmark was stopped\n`);
        return;
      }
      if (signal !== null) {
        finish(EXIT_ERRORS, `error: the benchmark process was ended by ${signal}\n`);
        return;
      }
      // The script exits as the CLI does: 2 for what the user asked wrongly (a forced backend
      // that cannot start), 1 for the rest.
      finish(status === 0 ? EXIT_OK : status === EXIT_USAGE ? EXIT_USAGE : EXIT_ERRORS);
    });
  });
}
