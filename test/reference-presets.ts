// The reference runs as docs/paper.md documents them (§2 presets, §3.1 runs), read from
// its two tables for the tests that check our recipes, presets and exports against them
// (the IR of the paper's pipelines, the solo-learn export, the import round trip).
// Read from the docs, not from src/, on purpose: the tests check the code against the docs.

import { readFileSync } from "node:fs";
import { join } from "node:path";
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
const cells = (line: string) => line.split("|").slice(1, -1).map((c) => c.trim());

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
