// `adainfc bench step --model convnet|resnet18 [--json] [--batch n] ...`: median ms per
// SimCLR step at 2 x batch views of 32x32x3, next to PyTorch CPU when it is installed.
// `adainfc bench augment [--seconds s] [--threads n]`: augmentation views/s of the
// paper's two presets, next to torchvision when it is installed.
// The benchmarks are bench/*.ts scripts (no importable entry), so this command runs
// their compiled form in a child process and passes the output through. Numbers are
// printed, never asserted.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import type { RegisterCommand } from "../command.js";
import { BACKEND_CHOICES, isBackendName, unknownBackendMessage } from "../../runtime/backend/select.js";
import { MAX_AUGMENT_THREADS, MAX_WASM_THREADS } from "../../runtime/thread-limits.js";
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UserError, type CliContext } from "../context.js";
import { parseWasmThreads, threadFlag } from "../wasm-threads.js";

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
    .action((opts: StepFlags) => {
      setExit(benchStep(ctx, opts));
    });
  bench
    .command("augment")
    .description("augmentation views/s (symmetric, symmetric_adainf; batch 256 of 32x32x3), with torchvision for comparison")
    .option("--seconds <s>", "seconds per measurement", "3")
    .option("--threads <n>", "also measure a pool of n augmentation threads")
    .option("--torch-reference <file>", "the PyTorch reference script (default: $ADAINF_TORCH_REFERENCE)")
    .action((opts: AugmentFlags) => {
      setExit(benchAugment(ctx, opts));
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

export function benchStep(ctx: CliContext, opts: StepFlags): number {
  if (opts.backend !== undefined && !isBackendName(opts.backend)) throw new UserError(unknownBackendMessage(opts.backend), EXIT_USAGE);
  if (opts.model !== "convnet" && opts.model !== "resnet18") throw new UserError(`--model must be convnet or resnet18, not '${opts.model}'`, EXIT_USAGE);
  for (const [flag, v, min] of [
    ["--steps", opts.steps, 1],
    ["--warmup", opts.warmup, 0],
    ["--batch", opts.batch, 1],
    ["--feature-dim", opts.featureDim, 1],
  ] as const) {
    if (v !== undefined && !(/^\d+$/.test(v) && Number(v) >= min)) throw new UserError(`${flag} must be a whole number >= ${min}, not '${v}'`, EXIT_USAGE);
  }
  if (opts.batch !== undefined && Number(opts.batch) > MAX_BENCH_BATCH) {
    throw new UserError(
      `--batch must be at most ${MAX_BENCH_BATCH} (2 views of 32x32x3 per image: ${MAX_BENCH_BATCH} is already 1.5 GiB of input), not '${opts.batch}'`,
      EXIT_USAGE,
    );
  }
  if (opts.settleS !== undefined && !/^\d+(\.\d+)?$/.test(opts.settleS))
    throw new UserError(`--settle-s must be a number of seconds, not '${opts.settleS}'`, EXIT_USAGE);
  // The same check as run's: tfjs's pool has at most 8 threads, and PyTorch gets the count too.
  const wasmThreads = opts.wasmThreads === undefined ? undefined : parseWasmThreads(opts.wasmThreads);
  if (opts.projector !== undefined && !/^[1-9]\d*,[1-9]\d*$/.test(opts.projector)) {
    throw new UserError(`--projector must be HIDDEN,OUT (e.g. 2048,256), not '${opts.projector}'`, EXIT_USAGE);
  }
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

export function benchAugment(ctx: CliContext, opts: AugmentFlags): number {
  if (!/^\d+(\.\d+)?$/.test(opts.seconds) || Number(opts.seconds) <= 0)
    throw new UserError(`--seconds must be a number > 0, not '${opts.seconds}'`, EXIT_USAGE);
  if (opts.threads !== undefined) threadFlag("--threads", opts.threads, MAX_AUGMENT_THREADS);
  const script = benchScript("augment");
  if (script === null) throw new UserError("the augmentation benchmark is not built (dist/bench/augment.js); run `npm run build` first");
  const args = [script, "--seconds", opts.seconds];
  if (opts.threads) args.push("--worker", "--threads", opts.threads);
  if (opts.torchReference) args.push("--torch-reference", opts.torchReference);
  return runScript(ctx, args);
}

function runScript(ctx: CliContext, args: string[]): number {
  const r = spawnSync(process.execPath, args, { cwd: ctx.cwd, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.stdout) ctx.out(r.stdout);
  if (r.stderr) ctx.err(r.stderr.replace(/\n*=+\nHi, looks like you are running TensorFlow\.js[\s\S]*?=+\n/, "\n"));
  if (r.error) {
    ctx.err(`error: could not run the benchmark: ${r.error.message}\n`);
    return EXIT_ERRORS;
  }
  // The script exits as the CLI does: 2 for what the user asked wrongly (a forced backend
  // that cannot start), 1 for the rest.
  return r.status === 0 ? EXIT_OK : r.status === EXIT_USAGE ? EXIT_USAGE : EXIT_ERRORS;
}
