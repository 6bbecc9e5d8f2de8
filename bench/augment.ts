// Augmentation throughput: views/s of our per-sample pipeline for the paper's `symmetric`
// and `symmetric_adainf` presets (batch 256, 32x32x3, two views), with the WebAssembly
// kernels (the default) and the TypeScript ones, next to torchvision's per-image pipeline
// measured in the same run by the PyTorch reference script `augment` (found only through
// --torch-reference or ADAINF_TORCH_REFERENCE: bench/torch-reference.ts). One thread on
// each side, as the reference runs one process per core. Prints numbers; asserts nothing.
//
//   npm run build && node dist/bench/augment.js [--seconds 3] [--worker [--threads N]]
//        [--torch-reference torch_reference.py]

import type { ViewIR } from "../src/ir/types.js";
import { stdlibAugment } from "../src/resolve/presets.js";
import { Rng } from "../src/runtime/rng.js";
import type { ImageBatch } from "../src/runtime/augment/batch.js";
import { executePlan, planViews } from "../src/runtime/augment/pipeline.js";
import { augmentKernelsInfo } from "../src/runtime/augment/wasm.js";
import { AugmentPool } from "../src/runtime/augment/worker.js";
import { runTorchReference, torchReferenceScript } from "./torch-reference.js";

/** The two presets' views for 32x32 images, as stdlib/augment.adainf defines them. */
const PRESETS: Record<string, ViewIR[]> = Object.fromEntries(["symmetric", "symmetric_adainf"].map((name) => [name, stdlibAugment(name)!.views]));

function randomBatch(n: number): ImageBatch {
  const rng = new Rng(0);
  const data = new Uint8Array(n * 32 * 32 * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  return { data, n, height: 32, width: 32, channels: 3 };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

type Kernels = "wasm" | "typescript";

async function measure(name: string, views: ViewIR[], seconds: number, worker: AugmentPool | null, kernels: Kernels = "wasm"): Promise<number> {
  const batch = randomBatch(256);
  const rng = new Rng(42);
  const shape = { n: 256, height: 32, width: 32, channels: 3 };
  const outputs = [new Float32Array(256 * 32 * 32 * 3), new Float32Array(256 * 32 * 32 * 3)];
  const once = async (): Promise<void> => {
    const plans = planViews(views, shape, rng);
    if (worker) await worker.run(batch, plans);
    else plans.forEach((plan, i) => executePlan(batch, plan, outputs[i], { kernels: kernels === "wasm" ? "auto" : "typescript" }));
  };
  for (let i = 0; i < 3; i++) await once(); // warm-up: JIT, coefficient cache
  let produced = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await once();
    produced += 2 * 256;
  }
  const rate = produced / ((performance.now() - t0) / 1000);
  console.log(
    JSON.stringify({
      bench: "augment",
      impl: worker ? `adainf-workers-${worker.threads}` : `adainf-${kernels}`,
      preset: name,
      size: 32,
      batch: 256,
      views_per_s: Math.round(rate),
    }),
  );
  return rate;
}

function torchReference(): Map<string, number> | null {
  const found = torchReferenceScript();
  if ("missing" in found) {
    console.log(`torchvision reference: ${found.missing}`);
    return null;
  }
  const r = runTorchReference(found.script, ["augment"]);
  if ("failed" in r) {
    console.log(`torchvision reference not available: ${r.failed}`);
    return null;
  }
  const rates = new Map<string, number>();
  for (const line of r.stdout.trim().split("\n")) {
    const o = JSON.parse(line) as { preset: string; views_per_s: number };
    rates.set(o.preset, o.views_per_s);
    console.log(line);
  }
  return rates;
}

// The machine is shared: load changes from second to second. Our numbers are measured
// before and after torchvision's and averaged, so both sides see similar load.
const seconds = arg("--seconds", 3);
const useWorker = process.argv.includes("--worker");
const info = augmentKernelsInfo();
console.log(`kernels in use: ${info.kernels}${info.reason ? ` (${info.reason})` : ""}`);
const kernelSets: Kernels[] = info.kernels === "wasm" ? ["wasm", "typescript"] : ["typescript"];
const before = new Map<string, number>();
for (const k of kernelSets) for (const [name, p] of Object.entries(PRESETS)) before.set(`${k}:${name}`, await measure(name, p, seconds, null, k));
const ref = torchReference();
const ours = new Map<string, number>();
for (const k of kernelSets) {
  for (const [name, p] of Object.entries(PRESETS)) {
    ours.set(`${k}:${name}`, (before.get(`${k}:${name}`)! + (await measure(name, p, seconds, null, k))) / 2);
  }
}
if (useWorker) {
  const worker = await AugmentPool.start(arg("--threads", 1));
  try {
    for (const [name, p] of Object.entries(PRESETS)) await measure(name, p, seconds, worker);
  } finally {
    await worker.close();
  }
}
if (ref === null) {
  console.log("torchvision reference: not measured (see above); our numbers alone");
} else {
  for (const [key, rate] of ours) {
    const [kernels, name] = key.split(":") as [string, string];
    const theirs = ref.get(name);
    if (theirs)
      console.log(
        `${name} (${kernels} kernels): ${Math.round(rate)} views/s (mean of the runs before and after) vs torchvision ${theirs} views/s = ${(rate / theirs).toFixed(2)}x (target 5x)`,
      );
  }
}
