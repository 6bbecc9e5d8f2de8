// Benchmark: the host's (CPU's) share of the real trainer's step. Builds the TrainModel of
// bench/gpu-paper.adainf as run-pipeline.ts does (SimCLR, ResNet-18 with the CIFAR stem,
// LARS, the online linear classifier; train.batch_size overridden, default 8: 2 x 8
// views) and runs trainStep on random 32x32x3 views. Prints the tfjs kernel calls of one
// step by name (exact; tf.customGrad ops, which run kernels of their own, counted apart),
// the tensors made from JS values (uploads), and the median over
// --steps of the step's synchronous dispatch, of the awaited step, and of the process's
// CPU time in the awaited step (less sensitive than wall time to other processes on a
// busy machine, though it counts V8's helper threads too). With webgpu on
// Dawn's null backend (ADAINF_DAWN_FLAGS="backend=null": every dispatch made, nothing
// computed) the times are the host's share alone; cpu and wasm work too (counts only
// compare across backends: our fused kernels replace tfjs ops where they are registered).
//
//   ADAINF_DAWN_FLAGS="backend=null" node dist/bench/host-step.js [--backend webgpu]
//        [--batch 8] [--steps 30] [--warmup 80] [--json]
//
// This prints numbers; it asserts nothing (speed is not a unit test here).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileFileSync } from "../src/driver.js";
import { isBackendName, releaseBackends, selectBackend } from "../src/runtime/backend/select.js";
import type { PreparedBatch } from "../src/runtime/train/batches.js";
import { buildTrainModel } from "../src/runtime/train/model.js";
import { trainStep } from "../src/runtime/train/step.js";
import { Rng } from "../src/runtime/rng.js";
import { countKernelCalls } from "./kernel-calls.js";
import { median } from "./stats.js";

interface Options {
  backend: string;
  batch: number;
  steps: number;
  warmup: number;
  json: boolean;
}

function parseArgs(argv: string[]): Options {
  // 80 warm-up steps: webgpu's dispatch hooks settle over them (src/runtime/backend/webgpu-dispatch.ts).
  const o: Options = { backend: "webgpu", batch: 8, steps: 30, warmup: 80, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (min: number): number => {
      const v = argv[++i];
      const n = Number(v);
      if (v === undefined || !Number.isInteger(n) || n < min) throw new Error(`${a} needs an integer >= ${min}`);
      return n;
    };
    if (a === "--backend") {
      const v = argv[++i];
      if (v === undefined) throw new Error("--backend needs a value");
      o.backend = v;
    } else if (a === "--batch") o.batch = value(1);
    else if (a === "--steps") o.steps = value(1);
    else if (a === "--warmup") o.warmup = value(1);
    else if (a === "--json") o.json = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!isBackendName(o.backend)) throw new Error(`unknown backend ${o.backend}`);
  const { tf, description, adapter } = await selectBackend(o.backend, { allowNullAdapter: true });
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  const out = compileFileSync(path.join(root, "bench/gpu-paper.adainf"), { cwd: root, overrides: [`train.batch_size=${o.batch}`] });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || out.pipelines.length === 0) throw new Error(`bench/gpu-paper.adainf: ${errors.map((d) => d.message).join("; ")}`);
  const ir = out.pipelines[0]!.ir;
  const numClasses = 10;
  const m = buildTrainModel(tf, ir, [32, 32, 3], numClasses);

  // The views' shapes as BatchProducer.prepare gives them; labels with some generated (-1).
  const rng = new Rng(ir.seed, 7);
  const shape: [number, number, number, number] = [o.batch, 32, 32, 3];
  const views = Array.from({ length: 2 }, () => Float32Array.from({ length: o.batch * 32 * 32 * 3 }, () => rng.normal()));
  const labels = Int32Array.from({ length: o.batch }, (_, i) => (i % 4 === 3 ? -1 : rng.int(numClasses)));
  const batch = (step: number): PreparedBatch => ({
    step,
    epoch: 0,
    views,
    shapes: [shape, shape],
    labels,
    generated: Uint8Array.from(labels, (l) => (l < 0 ? 1 : 0)),
    augmentMs: 0,
  });
  const totalSteps = ir.train.steps;
  const settings = (step: number) => ({ step, totalSteps, lr: 0.1, classifierLr: 0.01 });

  for (let s = 0; s < o.warmup; s++) await trainStep(m, batch(s), settings(s));
  const c = countKernelCalls(tf, () => trainStep(m, batch(o.warmup), settings(o.warmup)));
  await c.result;
  const tensors = tf.memory().numTensors;
  const dispatch: number[] = [];
  const awaited: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < o.steps; i++) {
    const step = o.warmup + 1 + i;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const p = trainStep(m, batch(step), settings(step));
    dispatch.push(performance.now() - t0);
    await p;
    awaited.push(performance.now() - t0);
    const c1 = process.cpuUsage(c0);
    cpu.push((c1.user + c1.system) / 1000);
  }
  const leaked = tf.memory().numTensors - tensors;
  const byName = Object.fromEntries([...c.byName.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
  const r2 = (x: number): number => Math.round(x * 100) / 100;
  const result = {
    bench: "host-step",
    backend: description,
    null_backend: adapter?.nullBackend === true,
    views: `2x${o.batch}`,
    steps: o.steps,
    kernel_calls: c.kernels,
    custom_grad_ops: c.customGradOps,
    tensors_made_from_values: c.madeFromValues,
    dispatch_ms_median: r2(median(dispatch)),
    awaited_ms_median: r2(median(awaited)),
    cpu_ms_median: r2(median(cpu)),
    tensors_leaked: leaked,
    kernels: byName,
  };
  if (o.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `trainStep (SimCLR, resnet18 cifar, LARS, online classifier), ${result.views} views on ${description}${result.null_backend ? " (null backend: host only)" : ""}\n` +
        `  ${c.kernels} kernel calls and ${c.customGradOps} customGrad ops, ${c.madeFromValues} tensors made from values per step; tensors leaked over ${o.steps} steps: ${leaked}\n` +
        `  dispatch ${result.dispatch_ms_median} ms, awaited ${result.awaited_ms_median} ms, CPU ${result.cpu_ms_median} ms (medians of ${o.steps})\n` +
        Object.entries(byName)
          .map(([k, n]) => `    ${String(n).padStart(5)}  ${k}\n`)
          .join(""),
    );
  }
  m.dispose();
  await releaseBackends();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
