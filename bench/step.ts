// Benchmark: milliseconds per SimCLR training step at 2 x batch views of 32x32x3
// (forward, SimCLR loss, backward, and the update by the runtime's own Sgd, momentum 0.9
// and no weight decay as bench/gpu_step.py's torch.optim.SGD: the optimiser code
// `adainfc run` steps, with its fused kernels where the backend has them), the same step as
// the PyTorch reference script's `step`, which it runs too (when --torch-reference or
// ADAINF_TORCH_REFERENCE names it: bench/torch-reference.ts) to print the ratio; with
// `--feature-dim 512 --projector 2048,256` the same model as bench/gpu_step.py (bench/gpu-check.sh compares the two on a GPU).
// Reads device data only asynchronously (webgpu has no sync reads in Node). Prints the
// median of steps each awaited, the pipelined rate (each loss read as it arrives), JS dispatch time
// against the step's wall time, the process's CPU time per pipelined step, and one step's per-kernel profile (GPU time on webgpu
// when the adapter has timestamp queries). With ADAINF_DAWN_FLAGS="backend=null" (Dawn's
// null backend: every dispatch made, nothing computed) the times are the host's share.
//
//   node dist/bench/step.js --model convnet|resnet18 [--batch 64] [--steps 5] [--warmup 1]
//        [--feature-dim N] [--projector H,O] [--backend wasm|cpu|webgpu|...] [--json]
//        [--no-profile] [--shipped-input-grad] [--no-torch] [--torch-reference FILE]
//        [--settle-s S]   (after --warmup, more warm-up steps, up to 45 in all, while the
//                        warm-up has taken under S seconds: webgpu's dispatch hooks settle)
//        [--wasm-threads N]   (wasm's XNNPACK threads, and as many for PyTorch; default 1)
//        [--loops-ab]   (threaded wasm: the awaited steps alternate our training loops on the
//                        backend's threads and on one thread; both medians, and each loop's
//                        time per step both ways, are printed)
//        [--flag-sweep "default;NAME=v,NAME=v;..."]   (instead of the measurements above: for
//                        each set of tfjs flags in turn, one step (shaders compile) and --steps
//                        pipelined, one JSON line each as soon as it is measured, so that a
//                        timeout keeps what was done; flags are restored between sets)
//
// This prints numbers; it asserts nothing (speed is not a unit test here).
import type { Scalar, Tensor2D, Tensor4D, Variable } from "@tensorflow/tfjs-core";
import type { BackboneIR } from "../src/ir/types.js";
import { applyFlagOverrides, isBackendName, releaseBackends, selectBackend } from "../src/runtime/backend/select.js";
import { fastDispatchOf } from "../src/runtime/backend/webgpu-dispatch.js";
import { deviceErrorScope } from "../src/runtime/backend/webgpu.js";
import { trainThreading } from "../src/runtime/backend/wasm-kernels/train-threads.js";
import type { Tf } from "../src/runtime/methods/tf.js";
import { Head, type HeadLayerSpec } from "../src/runtime/methods/head.js";
import { buildBackbone } from "../src/runtime/models/build.js";
import { Sgd } from "../src/runtime/optim/sgd.js";
import { RuntimeProblem } from "../src/runtime/errors.js";
import { Rng } from "../src/runtime/rng.js";
import { kernelMacs } from "./kernel-macs.js";
import { median } from "./stats.js";
import { runTorchReference, torchReferenceScript } from "./torch-reference.js";

/** `steps` steps dispatched back to back, each one's loss read as it arrives; the last loss. */
async function pipelined(dispatch: () => Scalar, read: (loss: Scalar) => Promise<number>, steps: number): Promise<number> {
  const reads: Promise<number>[] = [];
  for (let i = 0; i < steps; i++) reads.push(read(dispatch()));
  return (await Promise.all(reads)).at(-1) as number;
}

/** Warm-up steps --settle-s goes up to. */
const SETTLE_STEPS = 45;

interface Options {
  model: "convnet" | "resnet18";
  json: boolean;
  steps: number;
  warmup: number;
  /** After `warmup`, more warm-up steps while the warm-up has taken under this many seconds, up to SETTLE_STEPS in all. */
  settleS: number;
  batch: number;
  featureDim: number | undefined;
  projector: [number, number] | undefined;
  backend: string | undefined;
  shippedInputGrad: boolean;
  torch: boolean;
  profile: boolean;
  /** wasm's XNNPACK threads; PyTorch gets as many. */
  threads: number;
  /** Awaited steps alternate our wasm loops threaded / on one thread. */
  loopsAb: boolean;
  /** Sets of tfjs flags to time in turn (ADAINF_TFJS_FLAGS's syntax; "default": none), or null. */
  flagSweep: string[] | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    model: "convnet",
    json: false,
    steps: 5,
    warmup: 1,
    settleS: 0,
    batch: 64,
    featureDim: undefined,
    projector: undefined,
    backend: undefined,
    shippedInputGrad: false,
    torch: true,
    profile: true,
    threads: 1,
    loopsAb: false,
    flagSweep: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const count = (v: string, min: number): number => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${a} needs an integer >= ${min}, not ${v}`);
      return n;
    };
    if (a === "--model") {
      const m = next();
      if (m !== "convnet" && m !== "resnet18") throw new Error(`--model must be convnet or resnet18, not ${m}`);
      o.model = m;
    } else if (a === "--json") o.json = true;
    else if (a === "--steps") o.steps = count(next(), 1);
    else if (a === "--warmup") o.warmup = count(next(), 0);
    else if (a === "--settle-s") {
      o.settleS = Number(next());
      if (!(o.settleS >= 0)) throw new Error("--settle-s needs a number of seconds");
    } else if (a === "--batch") o.batch = count(next(), 1);
    else if (a === "--feature-dim") o.featureDim = count(next(), 1);
    else if (a === "--projector") {
      const v = next();
      const m = /^(\d+),(\d+)$/.exec(v);
      if (!m) throw new Error(`--projector needs HIDDEN,OUT (e.g. 2048,256), not ${v}`);
      o.projector = [Number(m[1]), Number(m[2])];
    } else if (a === "--backend") o.backend = next();
    else if (a === "--shipped-input-grad") o.shippedInputGrad = true;
    else if (a === "--no-torch") o.torch = false;
    else if (a === "--torch-reference")
      next(); // read by torchReferenceScript()
    else if (a === "--no-profile") o.profile = false;
    else if (a === "--wasm-threads") o.threads = count(next(), 1);
    else if (a === "--loops-ab") o.loopsAb = true;
    else if (a === "--flag-sweep") {
      o.flagSweep = next()
        .split(";")
        .map((c) => c.trim())
        .filter(Boolean);
      if (o.flagSweep.length === 0) throw new Error("--flag-sweep needs at least one set of flags");
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/**
 * --flag-sweep: each set of tfjs flags in turn (ADAINF_TFJS_FLAGS's syntax, applied by
 * applyFlagOverrides; "default" changes nothing), one step awaited (what the flags change
 * compiles) and then o.steps pipelined; a JSON line per set as soon as it is measured.
 * Each set's flags go back to their earlier values before the next.
 */
async function flagSweep(
  tf: Tf,
  o: Options,
  backend: string,
  configs: string[],
  dispatch: () => Scalar,
  read: (loss: Scalar) => Promise<number>,
  phase: (what: string) => void,
): Promise<void> {
  for (const config of configs) {
    const names = config === "default" ? [] : config.split(",").map((item) => item.split("=")[0]!.trim());
    const before = new Map<string, ReturnType<ReturnType<Tf["env"]>["get"]>>();
    phase(`flags ${config}: 1 step, then ${o.steps} pipelined`);
    let row: Record<string, unknown>;
    try {
      // tfjs throws for a flag it does not know: that set is an error row, the sweep goes on.
      for (const n of names) before.set(n, tf.env().get(n));
      if (config !== "default") applyFlagOverrides(tf, config);
      const t0 = performance.now();
      await read(dispatch());
      const firstMs = performance.now() - t0;
      const tp = performance.now();
      const loss = await pipelined(dispatch, read, o.steps);
      const ms = (performance.now() - tp) / o.steps;
      row = { first_step_ms: r1(firstMs), ms_per_step_pipelined: r1(ms), views_per_s: Math.round((2 * o.batch * 1000) / ms), loss };
    } catch (e) {
      row = { error: e instanceof Error ? e.message.split("\n")[0] : String(e) };
    } finally {
      for (const [n, v] of before) tf.env().set(n, v);
    }
    const line = { bench: "step-flags", config, backend, model: o.model, batch_per_view: o.batch, steps: o.steps, ...row };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  }
}

/** torch_reference.py's simclr_loss: cross entropy over z z^T / T with the diagonal masked. */
function simclrLoss(tf: Tf, z: Tensor2D, temperature: number): Scalar {
  const n2 = z.shape[0];
  const n = n2 / 2;
  const zn = tf.div(z, tf.maximum(tf.norm(z, "euclidean", 1, true), 1e-12));
  const sim = tf.sub(tf.div(tf.matMul(zn, zn, false, true), temperature), tf.mul(tf.eye(n2), 1e9));
  const target = tf.concat([tf.range(n, n2, 1, "int32"), tf.range(0, n, 1, "int32")]);
  const logp = tf.logSoftmax(sim);
  return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(target, n2)), 1))) as Scalar;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

interface TorchResult {
  ms_per_step_median: number;
  threads: number;
}

function runTorch(model: string, batch: number, threads: number): TorchResult | string {
  const found = torchReferenceScript();
  if ("missing" in found) return found.missing;
  const r = runTorchReference(found.script, ["step", "--model", model, "--batch", String(batch), "--threads", String(threads)]);
  if ("failed" in r) return `PyTorch reference failed: ${r.failed}`;
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as TorchResult;
  } catch {
    return `PyTorch reference printed no JSON: ${line}`;
  }
}

interface KernelRow {
  kernel: string;
  ms: number;
  calls: number;
  /** Convolutions and matrix products: their arithmetic (2 x multiply-adds) and its rate. */
  gflop?: number;
  tflops?: number;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.backend !== undefined && !isBackendName(o.backend)) throw new Error(`unknown backend ${o.backend}`);
  // Dawn's null backend (ADAINF_DAWN_FLAGS="backend=null") is accepted here: the times are then the host's share alone.
  const { tf, name, description, adapter } = await selectBackend(o.backend, { wasmThreads: o.threads, allowNullAdapter: true });
  const hostOnly = adapter?.nullBackend === true;
  // Its timestamp queries return garbage: no kernel times to profile.
  if (hostOnly) o.profile = false;
  if (o.shippedInputGrad && name === "wasm") {
    // "Before": tfjs-backend-wasm's own input gradient (our filter gradient stays,
    // since wasm ships none and could not train at all without it).
    const reg = await import("../src/runtime/backend/wasm-kernels/register.js");
    reg.restoreOriginalWasmKernels();
    const { conv2dBackpropFilterConfig } = await import("../src/runtime/backend/wasm-kernels/conv2d-backprop-filter.js");
    tf.registerKernel(conv2dBackpropFilterConfig);
  }
  const ir: BackboneIR =
    o.model === "convnet"
      ? // No batch norm: torch_reference.py's convnet has none, and the two must match.
        { name: "convnet", channels: [32, 64, 128], featureDim: o.featureDim ?? 128, batchNorm: false }
      : { name: "resnet18", stem: "cifar", featureDim: o.featureDim ?? 128 };
  const rng = new Rng(0);
  const net = buildBackbone(tf, ir, [32, 32, 3], rng);
  // gpu_step.py's projector: Linear(feature, H) -> ReLU -> Linear(H, O).
  const spec: HeadLayerSpec[] | null = o.projector
    ? [{ kind: "linear", out: o.projector[0] }, { kind: "relu" }, { kind: "linear", out: o.projector[1] }]
    : null;
  const head = spec ? Head.create(tf, "projector", net.featureDim, spec, rng) : null;
  const params: Variable[] = [...net.params, ...(head ? head.params().map((p) => p.variable) : [])];
  const x = tf.randomUniform([2 * o.batch, 32, 32, 3], 0, 1, "float32", 0) as Tensor4D;
  const lr = 0.05;
  // torch.optim.SGD(momentum=0.9) as gpu_step.py: buf = 0.9 buf + g (g at the first step); p -= lr buf.
  const optimizer = new Sgd(tf, { momentum: 0.9, weightDecay: 0 });
  const forward = (): Tensor2D => {
    const f = net.forward(x, true);
    return head ? head.apply(f, true) : f;
  };

  /**
   * Records one step on the device; returns its loss (not yet read). As the trainer's
   * step (src/runtime/train/step.ts): the optimiser runs outside any tidy scope, which
   * would dispose the momentum buffers it keeps.
   */
  const dispatch = (): Scalar => {
    const { value, grads } = tf.variableGrads(() => simclrLoss(tf, forward(), 0.2), params);
    try {
      optimizer.step(
        params,
        params.map((p) => grads[p.name]),
        lr,
      );
    } finally {
      for (const g of Object.values(grads)) g.dispose();
    }
    return value;
  };
  const read = async (loss: Scalar): Promise<number> => {
    const l = (await loss.data())[0] as number;
    loss.dispose();
    return l;
  };

  // Progress on stderr (a step can take seconds on a CPU backend); stdout keeps the result.
  const phase = (what: string): void => {
    process.stderr.write(`bench step: ${o.model}, 2x${o.batch} views on ${name}: ${what}\n`);
  };
  phase(`${o.warmup} warm-up step(s)${o.settleS > 0 ? `, then more up to ${SETTLE_STEPS} while under ${o.settleS} s` : ""}`);
  // What the device rejects (a buffer over its memory, a binding over its limits) makes
  // every figure meaningless: checked after the warm-up and after the timed steps.
  const rejected = async (scope: ReturnType<typeof deviceErrorScope>): Promise<void> => {
    const error = await scope?.close();
    if (error)
      throw new RuntimeProblem(
        `the GPU rejected the step (${error})${hostOnly ? "; Dawn's null backend holds little memory (ResNet-18 at 2x8 views fits, at 2x16 it does not): use a smaller --batch" : ""}`,
      );
  };
  let scope = deviceErrorScope(tf);
  const tStart = performance.now();
  for (let i = 0; i < o.warmup; i++) await read(dispatch());
  // webgpu's dispatch hooks settle over some 40 steps (the pool's buffers find their
  // roles: src/runtime/backend/webgpu-dispatch.ts); a short benchmark would time them unsettled.
  while (o.warmup < SETTLE_STEPS && performance.now() - tStart < o.settleS * 1000) {
    await read(dispatch());
    o.warmup++;
  }
  const warmupMs = performance.now() - tStart;
  await rejected(scope);
  scope = deviceErrorScope(tf);

  if (o.flagSweep) {
    await flagSweep(tf, o, description, o.flagSweep, dispatch, read, phase);
    optimizer.dispose();
    await releaseBackends();
    return;
  }

  // 1. Each step awaited: dispatch (JS records and submits the kernels) + the wait for the loss.
  phase(`${o.steps} step(s) awaited one by one, then ${o.steps} pipelined${o.profile ? ", then one timed and one profiled" : ""}`);
  // Leaks are counted from after the process's first step, which makes what the run keeps
  // (the optimiser's momentum buffers): with --warmup 0 that is the first timed step.
  let tensorsBefore = tf.memory().numTensors;
  let leakSteps = o.steps;
  const times: number[] = [];
  const dispatchTimes: number[] = [];
  // --loops-ab: odd steps with our loops on one thread (no call big enough to cut).
  const loopThresholds = trainThreading.minFloats;
  const oneThread = { batchNorm: Infinity, im2colT: Infinity, accumulate: Infinity };
  const ab = { threaded: [] as number[], oneThread: [] as number[] };
  // Each loop's time, summed over the steps of each kind (the threaded kernels are a plain object: wrapped in place).
  const loopMs = { threaded: new Map<string, number>(), oneThread: new Map<string, number>() };
  /** Which kind of step is running (null outside the awaited steps). */
  let abMode: keyof typeof loopMs | null = null;
  if (o.loopsAb && name === "wasm") {
    const { trainKernels } = await import("../src/runtime/backend/wasm-kernels/train-wasm.js");
    const k = trainKernels(tf.backend() as never) as unknown as Record<string, (...a: number[]) => void> | null;
    if (k !== null && Object.isExtensible(k)) {
      for (const loop of ["channelMoments", "normalize", "normalizeGrad", "im2colT", "accumulate"]) {
        const f = k[loop] as (...a: number[]) => void;
        k[loop] = (...a: number[]) => {
          const t = performance.now();
          f(...a);
          if (abMode !== null) loopMs[abMode].set(loop, (loopMs[abMode].get(loop) ?? 0) + performance.now() - t);
        };
      }
    }
  }
  let lastLoss = NaN;
  for (let i = 0; i < o.steps; i++) {
    abMode = i % 2 === 1 ? "oneThread" : "threaded";
    if (o.loopsAb) trainThreading.minFloats = i % 2 === 1 ? oneThread : loopThresholds;
    const t0 = performance.now();
    const loss = dispatch();
    dispatchTimes.push(performance.now() - t0);
    lastLoss = await read(loss);
    times.push(performance.now() - t0);
    (i % 2 === 1 ? ab.oneThread : ab.threaded).push(performance.now() - t0);
    if (i === 0 && o.warmup === 0) {
      tensorsBefore = tf.memory().numTensors;
      leakSteps = o.steps - 1;
    }
  }
  trainThreading.minFloats = loopThresholds;
  abMode = null;
  const tensorsAfter = tf.memory().numTensors;
  const ms = median(times);
  const dispatchMs = median(dispatchTimes);

  // 2. Pipelined: o.steps steps back to back, each loss read as the trainer reads it
  // (started at once, used when it arrives: src/runtime/readback.ts), so the GPU never
  // waits for JS and the buffers come and go as in a run.
  const tp = performance.now();
  const cpu0 = process.cpuUsage();
  lastLoss = await pipelined(dispatch, read, o.steps);
  const pipelinedMs = (performance.now() - tp) / o.steps;
  // The process's CPU time (all its threads: JS, Dawn's, wasm's) per pipelined step: the
  // host's share on a GPU, and a figure that other jobs on the machine barely move.
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / o.steps;

  // 3. tf.time over one step: kernel time (GPU timestamps on webgpu) against wall time.
  const timing = o.profile
    ? await tf.time(() => {
        dispatch().dispose();
      })
    : null;
  const timeKernelMs = timing && typeof timing.kernelMs === "number" ? timing.kernelMs : null;

  // 4. Per-kernel profile of one step (the engine times every kernel it runs).
  let profile: KernelRow[] = [];
  let profiledWallMs: number | null = null;
  let kernelCount = 0;
  if (o.profile) {
    const tq = performance.now();
    let profiledLoss: Scalar | null = null;
    const info = await tf.profile(() => {
      profiledLoss = dispatch();
    });
    if (profiledLoss !== null) await read(profiledLoss);
    profiledWallMs = performance.now() - tq;
    const byKernel = new Map<string, { ms: number; calls: number; macs: number | null }>();
    for (const k of info.kernels) {
      const t = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
      const e = byKernel.get(k.name) ?? { ms: 0, calls: 0, macs: null };
      e.ms += t;
      e.calls += 1;
      const macs = kernelMacs(k.name, k.inputShapes as number[][], k.outputShapes as number[][]);
      if (macs !== null && Number.isFinite(macs)) e.macs = (e.macs ?? 0) + macs;
      byKernel.set(k.name, e);
    }
    kernelCount = info.kernels.length;
    profile = [...byKernel.entries()]
      .map(([kernel, e]): KernelRow => {
        const row: KernelRow = { kernel, ms: r3(e.ms), calls: e.calls };
        if (e.macs !== null) {
          row.gflop = r3((2 * e.macs) / 1e9);
          if (e.ms > 0) row.tflops = r3((2 * e.macs) / (e.ms * 1e9));
        }
        return row;
      })
      .sort((a, b) => b.ms - a.ms);
  }
  const kernelTotalMs = profile.reduce((s, p) => s + p.ms, 0);

  await rejected(scope);
  if (o.torch) phase("the PyTorch reference");
  const torch = o.torch ? runTorch(o.model, o.batch, o.threads) : "skipped (--no-torch)";
  const result = {
    bench: "step",
    impl: `tfjs-${name}`,
    backend: description,
    model: o.model,
    feature_dim: net.featureDim,
    projector: o.projector ? `${net.featureDim}->${o.projector[0]}->${o.projector[1]}` : null,
    batch_per_view: o.batch,
    views: 2 * o.batch,
    steps: o.steps,
    warmup_steps: o.warmup,
    warmup_ms: r1(warmupMs),
    input_grad_kernel: o.shippedInputGrad ? "tfjs-backend-wasm" : "adainf",
    ms_per_step_median: r1(ms),
    ms_per_step_pipelined: r1(pipelinedMs),
    cpu_ms_per_step_pipelined: r1(cpuMs),
    loops_ab_ms: o.loopsAb
      ? {
          threaded: r1(median(ab.threaded)),
          one_thread: ab.oneThread.length ? r1(median(ab.oneThread)) : null,
          per_loop_per_step: Object.fromEntries(
            [...loopMs.threaded.keys()].map((loop) => [
              loop,
              {
                threaded: r1((loopMs.threaded.get(loop) ?? 0) / ab.threaded.length),
                one_thread: ab.oneThread.length ? r1((loopMs.oneThread.get(loop) ?? 0) / ab.oneThread.length) : null,
              },
            ]),
          ),
        }
      : undefined,
    dispatch_ms_median: r1(dispatchMs),
    host_only: hostOnly,
    // webgpu: bind groups and uniform buffers made vs reused over the whole run (src/runtime/backend/webgpu-dispatch.ts).
    dispatch_reuse: fastDispatchOf(tf)?.stats ?? null,
    images_per_s: Math.round((o.batch * 1000) / pipelinedMs),
    views_per_s: Math.round((2 * o.batch * 1000) / pipelinedMs),
    loss: lastLoss,
    /** null: not measured (--warmup 0 and --steps 1: no step after the first). */
    tensor_leak_per_step: leakSteps > 0 ? (tensorsAfter - tensorsBefore) / leakSteps : null,
    time_kernel_ms: timeKernelMs === null ? null : r1(timeKernelMs),
    time_wall_ms: timing ? r1(timing.wallMs) : null,
    profile_kernel_ms_total: o.profile ? r1(kernelTotalMs) : null,
    profile_kernel_calls: o.profile ? kernelCount : null,
    profile_wall_ms: profiledWallMs === null ? null : r1(profiledWallMs),
    torch_ms_per_step_median: typeof torch === "string" ? null : torch.ms_per_step_median,
    torch_threads: typeof torch === "string" ? null : torch.threads,
    ratio_vs_torch: typeof torch === "string" ? null : Math.round((ms / torch.ms_per_step_median) * 100) / 100,
    torch_note: typeof torch === "string" ? torch : undefined,
    profile,
  };
  net.dispose();
  head?.dispose();
  optimizer.dispose();
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const byCount = [...profile].sort((a, b) => b.calls - a.calls);
  const lines = [
    `SimCLR step, ${o.model}${result.projector ? ` + projector ${result.projector}` : ""}, ${2 * o.batch} views of 32x32x3 on ${description}`,
    `  tfjs:    ${result.ms_per_step_median} ms/step awaited each (median of ${o.steps}), ${result.ms_per_step_pipelined} ms/step pipelined, ${result.views_per_s} views/s, loss ${lastLoss.toFixed(4)}`,
    `           JS dispatch ${result.dispatch_ms_median} ms of the awaited step; the process's CPU time ${result.cpu_ms_per_step_pipelined} ms per pipelined step; warm-up ${result.warmup_ms} ms for ${o.warmup} step(s)`,
    ...(result.dispatch_reuse
      ? [
          `           over the run: bind groups ${result.dispatch_reuse.bindGroupsMade} made, ${result.dispatch_reuse.bindGroupsReused} reused; uniforms ${result.dispatch_reuse.uniformsWritten} written, ${result.dispatch_reuse.uniformsReused} reused`,
        ]
      : []),
    ...(hostOnly
      ? [
          "           host only: Dawn's null backend computes nothing, so these times are what JS, tfjs and Dawn spend dispatching the step (the loss means nothing): on this host no GPU makes the step shorter",
        ]
      : []),
    typeof torch === "string"
      ? `  PyTorch: ${torch}`
      : `  PyTorch: ${torch.ms_per_step_median} ms/step (CPU, ${torch.threads} thread${torch.threads === 1 ? "" : "s"}) -> ratio ${result.ratio_vs_torch}x`,
    `  tensors leaked per step: ${result.tensor_leak_per_step ?? "not measured (--warmup 0 --steps 1: the first step makes the optimiser's buffers; no step follows it)"}`,
  ];
  if (result.loops_ab_ms !== undefined) {
    lines.splice(
      3,
      0,
      `           our training loops threaded / on one thread, steps alternating: ${result.loops_ab_ms.threaded} / ${result.loops_ab_ms.one_thread} ms/step awaited (medians of ${ab.threaded.length} / ${ab.oneThread.length})`,
      ...Object.entries(result.loops_ab_ms.per_loop_per_step).map(
        ([loop, t]) => `             ${loop.padEnd(15)} ${t.threaded} / ${t.one_thread} ms per step (mean)`,
      ),
    );
  }
  if (o.profile) {
    lines.push(
      `  tf.time of one step: kernel ${result.time_kernel_ms} ms, wall ${result.time_wall_ms} ms`,
      `  engine profile of one step: ${kernelCount} kernels, ${result.profile_kernel_ms_total} ms kernel time, ${result.profile_wall_ms} ms wall (profiling adds overhead)`,
      `  top kernels by time:`,
      ...profile
        .slice(0, 15)
        .map(
          (p) =>
            `    ${p.kernel.padEnd(28)} ${p.ms.toFixed(3).padStart(10)} ms  ${String(p.calls).padStart(4)} calls${p.tflops !== undefined ? `  ${p.gflop} GFLOP at ${p.tflops} TFLOPS` : ""}`,
        ),
      `  top kernels by count:`,
      ...byCount.slice(0, 10).map((p) => `    ${p.kernel.padEnd(28)} ${String(p.calls).padStart(4)} calls  ${p.ms.toFixed(3).padStart(10)} ms`),
    );
  }
  process.stdout.write(`${lines.join("\n")}\n`);
}

main()
  .catch((e: unknown) => {
    // The runtime's user errors (no adapter for a forced webgpu, a backend not installed)
    // as run and eval report them: one `error:` line, exit 2 for usage, 1 otherwise.
    if (e instanceof RuntimeProblem) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = e.kind === "usage" ? 2 : 1;
      return;
    }
    process.stderr.write(`bench step: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  })
  .finally(() => releaseBackends());
