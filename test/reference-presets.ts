// The reference runs as docs/paper.md documents them (§2 presets, §3.1 runs), read from
// its two tables for the tests that check our recipes, presets and exports against them
// (the IR of the paper's pipelines, the solo-learn export, the import round trip, the
// lint's strength calibration) and for the hand-built views of the augmentation tests.
// Read from the docs, not from src/ or stdlib/, on purpose: these are the paper's values,
// the independent expectation the stdlib's presets (the one source the code uses) are
// checked against. The CIFAR-10 statistics below are the same kind of expectation for
// stdlib/datasets.adainf.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AugmentOpIR, ViewIR } from "../src/ir/types.js";
import { ROOT } from "./helpers.js";

/** Per view: crop min, jitter p, brightness, contrast, saturation, hue, gray p, blur p, solar p, flip p. */
export type PresetRow = [number, number, number, number, number, number, number, number, number, number];

export type PaperMethod = "simclr" | "mocov2plus" | "byol" | "barlow";

/** One row of the runs table: what the fork's config says and what it trains with. */
export interface ReferenceRun {
  devices: number;
  batchPerDevice: number;
  batch: number;
  configLr: number;
  lr: number;
  configClassifierLr: number;
  classifierLr: number;
  /** Augmentation preset of the no-inflation and vanilla runs (the config's default). */
  baselineAugment: string;
  adainfAugment: string;
}

const DOC = readFileSync(join(ROOT, "docs", "paper.md"), "utf8");
const cells = (line: string) =>
  line
    .split("|")
    .slice(1, -1)
    .map((c) => c.trim());

/** The rows of the markdown table whose header starts with `first | second`. */
function table(first: string, second: string): string[][] {
  const lines = DOC.split("\n");
  const start = lines.findIndex((l) => {
    const c = cells(l);
    return c[0] === first && c[1] === second;
  });
  if (start < 0) throw new Error(`docs/paper.md has no table starting '| ${first} | ${second} |'`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(cells(line));
  }
  return rows;
}

const METHOD_NAMES: Record<string, PaperMethod> = { SimCLR: "simclr", "MoCo v2+": "mocov2plus", BYOL: "byol", "Barlow Twins": "barlow" };

export const REFERENCE_RUNS = Object.fromEntries(
  table("method", "devices").map((c) => {
    const method = METHOD_NAMES[c[0]!];
    if (!method) throw new Error(`docs/paper.md: unknown method '${c[0]}'`);
    const n = c.slice(1, 8).map(Number);
    const run: ReferenceRun = {
      devices: n[0]!,
      batchPerDevice: n[1]!,
      batch: n[2]!,
      configLr: n[3]!,
      lr: n[4]!,
      configClassifierLr: n[5]!,
      classifierLr: n[6]!,
      baselineAugment: c[8]!,
      adainfAugment: c[9]!,
    };
    return [method, run];
  }),
) as Record<PaperMethod, ReferenceRun>;

export const PRESET_ROWS: Record<string, PresetRow[]> = {};
for (const c of table("preset", "view")) {
  const rows = (PRESET_ROWS[c[0]!] ??= []);
  rows.push(c.slice(2).map(Number) as PresetRow);
}

/** One view of a preset row, by name (the columns of docs/paper.md's preset table, §2). */
export interface ViewParams {
  cropMin: number;
  jitterP: number;
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
  grayP: number;
  blurP: number;
  solarP: number;
  flipP: number;
}

function viewParams(r: PresetRow): ViewParams {
  const [cropMin, jitterP, brightness, contrast, saturation, hue, grayP, blurP, solarP, flipP] = r;
  return { cropMin, jitterP, brightness, contrast, saturation, hue, grayP, blurP, solarP, flipP };
}

/** Each documented preset's views (a symmetric preset's one row, `both`, gives two views). */
export const PRESET_VIEWS: Record<string, ViewParams[]> = Object.fromEntries(
  Object.entries(PRESET_ROWS).map(([name, rows]) => [name, (rows.length === 1 ? [rows[0]!, rows[0]!] : rows).map(viewParams)]),
);

export const SYMMETRIC: ViewParams = PRESET_VIEWS["symmetric"]![0]!;
export const SYMMETRIC_ADAINF: ViewParams = PRESET_VIEWS["symmetric_adainf"]![0]!;

/** CIFAR-10's channel mean and standard deviation (the reference's Normalize). */
export const CIFAR10_MEAN: readonly number[] = [0.4914, 0.4822, 0.4465];
export const CIFAR10_STD: readonly number[] = [0.247, 0.2435, 0.2616];

/**
 * A view in the reference order (crop, jitter, gray, blur, solarize, equalize, flip,
 * normalize); CIFAR's 32x32 crop and mean/std unless given.
 */
export function presetView(name: string, v: ViewParams, size = 32, mean: readonly number[] = CIFAR10_MEAN, std: readonly number[] = CIFAR10_STD): ViewIR {
  const ops: AugmentOpIR[] = [
    { op: "random_resized_crop", size, scale: [v.cropMin, 1], ratio: [3 / 4, 4 / 3], interpolation: "bicubic" },
    { op: "color_jitter", p: v.jitterP, brightness: v.brightness, contrast: v.contrast, saturation: v.saturation, hue: v.hue },
    { op: "grayscale", p: v.grayP },
    { op: "gaussian_blur", p: v.blurP, sigma: [0.1, 2.0] },
    { op: "solarize", p: v.solarP, threshold: 128 },
    { op: "equalize", p: 0 },
    { op: "horizontal_flip", p: v.flipP },
    { op: "normalize", mean: [...mean], std: [...std] },
  ];
  return { name, ops };
}
