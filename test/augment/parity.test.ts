// Byte-for-byte parity with the reference: the same parameters replayed through
// torchvision's functional API on PIL images (test/augment/torchvision_reference.py).
// Skips when Debian's python3-torchvision is not installed.

import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/runtime/rng.js";
import type { ImageBatch } from "../../src/runtime/augment/batch.js";
import { gaussianBlur } from "../../src/runtime/augment/blur.js";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, toGrayscale } from "../../src/runtime/augment/color.js";
import { executePlan, planViews } from "../../src/runtime/augment/pipeline.js";
import { resizeCrop, type ResampleFilter } from "../../src/runtime/augment/resample.js";
import { equalize, solarize } from "../../src/runtime/augment/tone.js";
import {
  makeBatch,
  presetView,
  runReference,
  sample,
  stepsOf,
  SYMMETRIC,
  SYMMETRIC_ADAINF,
  torchvisionAvailable,
  type Program,
  type ReferenceOutput,
  type Step,
} from "./fixtures.js";

const available = torchvisionAvailable();

/** Applies one uint8 step with our op functions, as the pipeline does. */
function ours(img: Uint8Array, h: number, w: number, c: number, step: Step): { img: Uint8Array; h: number; w: number } {
  const out = img.slice();
  switch (step.op) {
    case "crop": {
      const dst = new Uint8Array(step.size * step.size * c);
      const tmp = new Uint8Array(Math.max(h, step.size) * Math.max(w, step.size) * c);
      resizeCrop(
        { src: img, offset: 0, stride: w * c, top: step.top, left: step.left, height: step.height, width: step.width },
        c,
        step.size,
        step.size,
        step.filter as ResampleFilter,
        dst,
        tmp,
      );
      return { img: dst, h: step.size, w: step.size };
    }
    case "brightness":
      adjustBrightness(out, h * w, c, step.factor);
      break;
    case "contrast":
      adjustContrast(out, h * w, c, step.factor);
      break;
    case "saturation":
      adjustSaturation(out, h * w, c, step.factor);
      break;
    case "hue":
      adjustHue(out, h * w, c, step.factor);
      break;
    case "grayscale":
      toGrayscale(out, h * w, c);
      break;
    case "blur":
      gaussianBlur(out, h, w, c, step.sigma);
      break;
    case "solarize":
      solarize(out, h * w * c, step.threshold);
      break;
    case "equalize":
      equalize(out, h * w, c);
      break;
    default:
      throw new Error(`not a single uint8 op: ${step.op}`);
  }
  return { img: out, h, w };
}

/** A comparison: programs for the reference and our result for each. */
interface Case {
  name: string;
  programs: Program[];
  ours: () => (Uint8Array | Float32Array)[];
}

function singleOpCase(name: string, batch: ImageBatch, stepFor: (s: number, rng: Rng) => Step): Case {
  const rng = new Rng(1234);
  const programs: Program[] = [];
  for (let s = 0; s < batch.n; s++) {
    programs.push({ h: batch.height, w: batch.width, c: batch.channels, pixels: sample(batch, s), steps: [stepFor(s, rng)] });
  }
  return { name, programs, ours: () => programs.map((p) => ours(p.pixels, p.h, p.w, p.c, p.steps[0]!).img) };
}

/** Human-readable differences between our outputs and the reference's (empty = identical). */
function differences(c: Case, ref: ReferenceOutput[]): string[] {
  const mine = c.ours();
  const report: string[] = [];
  mine.forEach((m, i) => {
    const r = ref[i]!;
    let d = m.length === r.data.length ? 0 : Math.max(m.length, r.data.length);
    for (let k = 0; k < Math.min(m.length, r.data.length); k++) if (m[k] !== r.data[k]) d++;
    if (d > 0 && report.length < 5) report.push(`${JSON.stringify(c.programs[i]!.steps).slice(0, 300)}: ${d} values differ`);
  });
  return report;
}

function buildCases(): Case[] {
  const rgb = makeBatch(7, 24, 32, 32, 3);
  const gray = makeBatch(8, 12, 28, 28, 1);
  const cases: Case[] = [];
  for (const filter of ["bicubic", "bilinear", "nearest"] as const) {
    cases.push(
      singleOpCase(`crop + resize (${filter}), upscaling and identity`, rgb, (s, rng) => {
        const hh = s === 0 ? 32 : s === 1 ? 1 : 1 + rng.int(32);
        const ww = s === 0 ? 32 : s === 2 ? 1 : 1 + rng.int(32);
        return { op: "crop", top: rng.int(33 - hh), left: rng.int(33 - ww), height: hh, width: ww, size: 32, filter };
      }),
      singleOpCase(`crop + resize (${filter}), downscaling (antialiased support)`, rgb, (_s, rng) => {
        const hh = 8 + rng.int(25);
        const ww = 8 + rng.int(25);
        return { op: "crop", top: rng.int(33 - hh), left: rng.int(33 - ww), height: hh, width: ww, size: 5 + rng.int(12), filter };
      }),
    );
  }
  const bcs = ["brightness", "contrast", "saturation"] as const;
  cases.push(
    singleOpCase("brightness, contrast, saturation over the whole factor range", rgb, (s, rng) => ({
      op: bcs[s % 3]!,
      factor: s < 3 ? [0, 1, 1.8][s]! : rng.uniform(0, 2.5),
    })),
  );
  cases.push(
    singleOpCase("hue, positive and negative shifts", rgb, (s, rng) => ({
      op: "hue",
      factor: s === 0 ? 0 : s === 1 ? -0.5 : s === 2 ? 0.5 : rng.uniform(-0.5, 0.5),
    })),
  );
  {
    // One 64x64 image holding 4096 colours, shifted by several factors.
    const pixels = new Uint8Array(64 * 64 * 3);
    for (let i = 0; i < 4096; i++) {
      pixels[3 * i] = (i & 15) * 17;
      pixels[3 * i + 1] = ((i >> 4) & 15) * 17;
      pixels[3 * i + 2] = ((i >> 8) & 15) * 17 - (i % 3);
    }
    const factors = [-0.5, -0.37, -0.1, -0.002, 0.004, 0.13, 0.29, 0.5];
    const programs: Program[] = factors.map((factor) => ({ h: 64, w: 64, c: 3, pixels, steps: [{ op: "hue", factor }] }));
    cases.push({ name: "hue over 4096 colours", programs, ours: () => programs.map((p) => ours(p.pixels, 64, 64, 3, p.steps[0]!).img) });
  }
  cases.push(singleOpCase("grayscale (PIL's L conversion, 3 channels)", rgb, () => ({ op: "grayscale" })));
  cases.push(
    singleOpCase("gaussian blur (PIL radius = sigma), sigma in [0.1, 2] and beyond", rgb, (s, rng) => ({
      op: "blur",
      sigma: s === 0 ? 0.1 : s === 1 ? 2 : s === 2 ? 7.5 : rng.uniform(0.1, 2.0),
    })),
  );
  cases.push(
    singleOpCase("solarize and equalize", rgb, (s, rng) => (s % 2 === 0 ? { op: "solarize", threshold: s === 0 ? 128 : rng.int(257) } : { op: "equalize" })),
  );
  const monoOps: Step["op"][] = ["brightness", "contrast", "saturation", "hue", "blur", "solarize", "equalize", "crop"];
  cases.push(
    singleOpCase("every op on single-channel (MNIST-like) images", gray, (s, rng) => {
      const op = monoOps[s % monoOps.length]!;
      if (op === "blur") return { op, sigma: rng.uniform(0.1, 2) };
      if (op === "solarize") return { op, threshold: 128 };
      if (op === "equalize") return { op };
      if (op === "crop") return { op, top: 3, left: 5, height: 17, width: 20, size: 28, filter: "bicubic" };
      if (op === "hue") return { op, factor: rng.uniform(-0.5, 0.5) };
      return { op: op as "brightness" | "contrast" | "saturation", factor: rng.uniform(0, 2) };
    }),
  );
  for (const [name, preset] of [
    ["symmetric", SYMMETRIC],
    ["symmetric_adainf", SYMMETRIC_ADAINF],
  ] as const) {
    for (const [channels, size] of [
      [3, 32],
      [1, 28],
    ] as const) {
      const batch = makeBatch(11, 24, size, size, channels);
      const mean = channels === 3 ? undefined : [0.1307];
      const std = channels === 3 ? undefined : [0.3081];
      const view = presetView("view1", { ...preset, solarP: 0.3 }, size, mean, std);
      view.ops[5] = { op: "equalize", p: 0.3 }; // exercise every op
      const plans = planViews([view, presetView("view2", preset, size, mean, std)], { n: batch.n, height: size, width: size, channels }, new Rng(5));
      for (const plan of plans) {
        const programs = Array.from({ length: batch.n }, (_, s) => ({ h: size, w: size, c: channels, pixels: sample(batch, s), steps: stepsOf(plan, s) }));
        const per = size * size * channels;
        cases.push({
          name: `whole ${name} ${plan.name}, ${channels} channel(s): identical float32 output`,
          programs,
          ours: () => {
            const out = executePlan(batch, plan);
            return programs.map((_, s) => out.subarray(s * per, (s + 1) * per));
          },
        });
      }
    }
  }
  return cases;
}

describe.skipIf(!available)("parity with torchvision/PIL (same parameters, same bytes)", () => {
  const cases = available ? buildCases() : [];
  let reference: ReferenceOutput[][] = [];
  beforeAll(() => {
    // One python process for every case: importing torch costs seconds.
    const flat = runReference(cases.flatMap((c) => c.programs));
    let at = 0;
    reference = cases.map((c) => {
      const part = flat.slice(at, at + c.programs.length);
      at += c.programs.length;
      return part;
    });
  });
  cases.forEach((c, i) => {
    it(c.name, () => {
      expect(reference[i]!.length).toBe(c.programs.length);
      expect(differences(c, reference[i]!)).toEqual([]);
    });
  });
});
