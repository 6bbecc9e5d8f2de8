// Benchmark: median milliseconds per SimCLR training step at 2 x 64 views of
// 32x32x3 (forward, SimCLR loss, backward, SGD-momentum update), the same step as
// ../shared/bench/torch_reference.py `step`, which it runs too (when PyTorch is
// installed) to print the ratio. Also prints where one step's time goes, per kernel.
//
//   node dist/bench/step.js --model convnet|resnet18 [--json] [--steps 5]
//        [--backend wasm|cpu|tensorflow|tensorflow-gpu] [--shipped-input-grad] [--no-torch]
//
// This prints numbers; it asserts nothing (speed is not a unit test here).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Scalar, Tensor, Tensor2D, Tensor4D, Variable } from "@tensorflow/tfjs-core";
import type { BackboneIR } from "../src/ir/types.js";
import { isBackendName, selectBackend, type TfCore } from "../src/runtime/backend/select.js";
import { buildBackbone } from "../src/runtime/models/build.js";
import { Rng } from "../src/runtime/rng.js";

interface Options {
  model: "convnet" | "resnet18";
  json: boolean;
  steps: number;
  warmup: number;
  batch: number;
  backend: string | undefined;
  shippedInputGrad: boolean;
  torch: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    model: "convnet",
    json: false,
    steps: 5,
    warmup: 1,
    batch: 64,
    backend: undefined,
    shippedInputGrad: false,
    torch: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--model") {
      const m = next();
      if (m !== "convnet" && m !== "resnet18") throw new Error(`--model must be convnet or resnet18, not ${m}`);
      o.model = m;
    } else if (a === "--json") o.json = true;
    else if (a === "--steps") o.steps = Number(next());
    else if (a === "--warmup") o.warmup = Number(next());
    else if (a === "--batch") o.batch = Number(next());
    else if (a === "--backend") o.backend = next();
    else if (a === "--shipped-input-grad") o.shippedInputGrad = true;
    else if (a === "--no-torch") o.torch = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** torch_reference.py's simclr_loss: cross entropy over z z^T / T with the diagonal masked. */
function simclrLoss(tf: TfCore, z: Tensor2D, temperature: number): Scalar {
  const n2 = z.shape[0];
  const n = n2 / 2;
  const zn = tf.div(z, tf.maximum(tf.norm(z, "euclidean", 1, true), 1e-12));
  const sim = tf.sub(tf.div(tf.matMul(zn, zn, false, true), temperature), tf.mul(tf.eye(n2), 1e9));
  const target = tf.concat([tf.range(n, n2, 1, "int32"), tf.range(0, n, 1, "int32")]);
  const logp = tf.logSoftmax(sim);
  return tf.neg(tf.mean(tf.sum(tf.mul(logp, tf.oneHot(target, n2)), 1))) as Scalar;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

interface TorchResult {
  ms_per_step_median: number;
  threads: number;
}

function runTorch(model: string, batch: number): TorchResult | string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    process.env["ADAINF_TORCH_REFERENCE"],
    resolve(here, "../../../shared/bench/torch_reference.py"), // dist/bench -> repo/../shared
    resolve(here, "../../shared/bench/torch_reference.py"),
  ].filter((p): p is string => p !== undefined);
  const script = candidates.find((p) => existsSync(p));
  if (script === undefined) return "torch_reference.py not found (set ADAINF_TORCH_REFERENCE)";
  const r = spawnSync(process.env["ADAINF_TORCH_PYTHON"] ?? "/usr/bin/python3", [script, "step", "--model", model, "--batch", String(batch)], {
    encoding: "utf8",
  });
  if (r.status !== 0) return `PyTorch reference failed: ${(r.stderr || r.error?.message || "").trim().split("\n").pop()}`;
  const line = r.stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as TorchResult;
  } catch {
    return `PyTorch reference printed no JSON: ${line}`;
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (o.backend !== undefined && !isBackendName(o.backend)) throw new Error(`unknown backend ${o.backend}`);
  const { tf, name, description } = await selectBackend(o.backend);
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
        { name: "convnet", channels: [32, 64, 128], featureDim: 128, batchNorm: false }
      : { name: "resnet18", stem: "cifar", featureDim: 128 };
  const net = buildBackbone(tf, ir, [32, 32, 3], new Rng(0));
  const x = tf.randomUniform([2 * o.batch, 32, 32, 3], 0, 1, "float32", 0) as Tensor4D;
  const lr = 0.05;
  const momentum = 0.9;
  const velocity = net.params.map((p) => tf.variable(tf.zerosLike(p), false));

  const step = (): number => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => simclrLoss(tf, net.forward(x, true), 0.2), net.params);
      net.params.forEach((p, i) => {
        const v = velocity[i] as Variable;
        const g = grads[p.name] as Tensor;
        v.assign(tf.add(tf.mul(v, momentum), g)); // torch SGD: v = m v + g; p -= lr v
        p.assign(tf.sub(p, tf.mul(v, lr)));
      });
      return value;
    });
    const l = loss.dataSync()[0] as number;
    loss.dispose();
    return l;
  };

  for (let i = 0; i < o.warmup; i++) step();
  const tensorsBefore = tf.memory().numTensors;
  const times: number[] = [];
  let lastLoss = NaN;
  for (let i = 0; i < o.steps; i++) {
    const t0 = performance.now();
    lastLoss = step();
    times.push(performance.now() - t0);
  }
  const tensorsAfter = tf.memory().numTensors;
  const ms = median(times);

  // Per-kernel profile of one step (the engine times every kernel it runs).
  const info = await tf.profile(() => {
    step();
  });
  const byKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const t = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += t;
    e.calls += 1;
    byKernel.set(k.name, e);
  }
  const profile = [...byKernel.entries()]
    .map(([kernel, e]) => ({ kernel, ms: Math.round(e.ms * 10) / 10, calls: e.calls }))
    .sort((a, b) => b.ms - a.ms);

  const torch = o.torch ? runTorch(o.model, o.batch) : "skipped (--no-torch)";
  const result = {
    bench: "step",
    impl: `tfjs-${name}`,
    backend: description,
    model: o.model,
    views: 2 * o.batch,
    input_grad_kernel: o.shippedInputGrad ? "tfjs-backend-wasm" : "adainf",
    ms_per_step_median: Math.round(ms * 10) / 10,
    images_per_s: Math.round((2 * o.batch * 1000) / ms),
    loss: lastLoss,
    tensor_leak_per_step: (tensorsAfter - tensorsBefore) / o.steps,
    torch_ms_per_step_median: typeof torch === "string" ? null : torch.ms_per_step_median,
    torch_threads: typeof torch === "string" ? null : torch.threads,
    ratio_vs_torch: typeof torch === "string" ? null : Math.round((ms / torch.ms_per_step_median) * 100) / 100,
    torch_note: typeof torch === "string" ? torch : undefined,
    profile,
  };
  net.dispose();
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const lines = [
    `SimCLR step, ${o.model}, ${2 * o.batch} views of 32x32x3 on ${description}`,
    `  tfjs:    ${result.ms_per_step_median} ms/step (median of ${o.steps}), ${result.images_per_s} images/s, loss ${lastLoss.toFixed(4)}`,
    typeof torch === "string"
      ? `  PyTorch: ${torch}`
      : `  PyTorch: ${torch.ms_per_step_median} ms/step (CPU, ${torch.threads} thread) -> ratio ${result.ratio_vs_torch}x`,
    `  tensors leaked per step: ${result.tensor_leak_per_step}`,
    `  per-kernel time of one step (engine profile):`,
    ...profile.slice(0, 15).map((p) => `    ${p.kernel.padEnd(24)} ${String(p.ms).padStart(8)} ms  ${p.calls} calls`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench step: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
