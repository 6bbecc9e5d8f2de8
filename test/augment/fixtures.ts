// Shared test fixtures: synthetic images (noise, smooth gradients, flat blocks), the
// paper's view presets (docs/paper.md §2), and the bridge to the torchvision replay script.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Rng } from "../../src/runtime/rng.js";
import type { ImageBatch } from "../../src/runtime/augment/batch.js";
import type { ViewPlan } from "../../src/runtime/augment/plan.js";

export type ImageKind = "noise" | "gradient" | "blocks";

/** A batch of synthetic images; kinds cycle over the batch. */
export function makeBatch(
  seed: number,
  n: number,
  height: number,
  width: number,
  channels: number,
  kinds: ImageKind[] = ["noise", "gradient", "blocks"],
): ImageBatch {
  const rng = new Rng(seed, 99);
  const data = new Uint8Array(n * height * width * channels);
  for (let s = 0; s < n; s++) {
    const kind = kinds[s % kinds.length]!;
    const base = s * height * width * channels;
    const phase = Array.from({ length: channels }, () => rng.uniform(0, 6.28));
    const levels = Array.from({ length: 4 * channels }, () => rng.int(256));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        for (let c = 0; c < channels; c++) {
          let v: number;
          if (kind === "noise") v = rng.int(256);
          else if (kind === "gradient") v = 128 + 100 * Math.sin(x / 5 + y / 7 + phase[c]!) + rng.uniform(-20, 20);
          else v = levels[((x * 2 >= width ? 1 : 0) + (y * 2 >= height ? 2 : 0)) * channels + c]!;
          data[base + (y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
      }
    }
  }
  return { data, n, height, width, channels };
}

// The paper's preset numbers and the view builder: docs/paper.md's table (§2), read by
// ../reference-presets.ts (the stdlib's presets are checked against the same table).
export { CIFAR10_MEAN, CIFAR10_STD, presetView, SYMMETRIC, SYMMETRIC_ADAINF } from "../reference-presets.js";

// ---------------------------------------------------------------- torchvision bridge

const PYTHON = "/usr/bin/python3";
const SCRIPT = fileURLToPath(new URL("./torchvision_reference.py", import.meta.url));

/** True when Debian's python has torchvision and PIL (the lead installs them). */
export function torchvisionAvailable(): boolean {
  const r = spawnSync(PYTHON, ["-c", "import torchvision, PIL, numpy"], { encoding: "utf8" });
  return r.status === 0;
}

export type Step =
  | { op: "crop"; top: number; left: number; height: number; width: number; size: number; filter: string }
  | { op: "brightness" | "contrast" | "saturation" | "hue"; factor: number }
  | { op: "grayscale" | "equalize" | "flip" }
  | { op: "blur"; sigma: number }
  | { op: "solarize"; threshold: number }
  | { op: "normalize"; mean: number[]; std: number[] };

export interface Program {
  h: number;
  w: number;
  c: number;
  pixels: Uint8Array;
  steps: Step[];
}

export type ReferenceOutput = { kind: "uint8"; data: Uint8Array } | { kind: "float32"; data: Float32Array };

export function runReference(programs: Program[]): ReferenceOutput[] {
  const job = {
    programs: programs.map((p) => ({ h: p.h, w: p.w, c: p.c, pixels: Buffer.from(p.pixels).toString("base64"), steps: p.steps })),
  };
  const r = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify(job), encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`torchvision_reference.py failed: ${r.stderr}`);
  const parsed = JSON.parse(r.stdout) as { outputs: { kind: "uint8" | "float32"; data: string }[] };
  return parsed.outputs.map((o) => {
    const bytes = Buffer.from(o.data, "base64");
    const copy = new Uint8Array(bytes.length);
    copy.set(bytes);
    return o.kind === "uint8" ? { kind: "uint8", data: copy } : { kind: "float32", data: new Float32Array(copy.buffer) };
  });
}

const JITTER_NAMES = ["brightness", "contrast", "saturation", "hue"] as const;

/** The torchvision steps that replay sample `s` of a plan. */
export function stepsOf(plan: ViewPlan, s: number): Step[] {
  const steps: Step[] = [];
  for (const op of plan.ops) {
    switch (op.op) {
      case "random_resized_crop":
        steps.push({ op: "crop", top: op.top[s]!, left: op.left[s]!, height: op.height[s]!, width: op.width[s]!, size: op.size, filter: op.interpolation });
        break;
      case "color_jitter":
        if (op.apply[s] !== 1) break;
        for (let j = 0; j < 4; j++) {
          const fn = op.order[4 * s + j]!;
          const factor = op.factors[4 * s + fn]!;
          if (!Number.isNaN(factor)) steps.push({ op: JITTER_NAMES[fn]!, factor });
        }
        break;
      case "grayscale":
        if (op.apply[s] === 1 && plan.input.channels === 3) steps.push({ op: "grayscale" });
        break;
      case "gaussian_blur":
        if (op.apply[s] === 1) steps.push({ op: "blur", sigma: op.sigma[s]! });
        break;
      case "solarize":
        if (op.apply[s] === 1) steps.push({ op: "solarize", threshold: op.threshold });
        break;
      case "equalize":
        if (op.apply[s] === 1) steps.push({ op: "equalize" });
        break;
      case "horizontal_flip":
        // torchvision flips at this point; we replay it literally.
        if (op.apply[s] === 1) steps.push({ op: "flip" });
        break;
      case "normalize":
        steps.push({ op: "normalize", mean: op.mean, std: op.std });
        break;
    }
  }
  return steps;
}

export function sample(batch: ImageBatch, s: number): Uint8Array {
  const per = batch.height * batch.width * batch.channels;
  return batch.data.slice(s * per, (s + 1) * per);
}
