// Run directories for the report tests, written the way `adainfc run` writes them:
//  - storyProject(): a temp project with tiny npz data sets (test/train/fixtures.ts) and
//    a pipeline whose sweep is the paper's story in miniature (inflation none /
//    vanilla / AdaInf with its weaker augmentation, x 2 seeds), for a real `run`;
//  - fakeSweep(): the same sweep's compiled IRs with made-up metrics.jsonl / done.json
//    (the real formats), instant and fully known, optionally with hostile names;
//  - fakeRuns(): a folder of unrelated runs (two pipelines, two settings of one) made
//    up the same way.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileFileSync } from "../../src/driver.js";
import type { PipelineIR } from "../../src/ir/types.js";
import type { RunSummary } from "../../src/formats/run-dir.js";
import type { StepMetrics } from "../../src/formats/run-dir.js";
import { Rng } from "../../src/runtime/rng.js";
import { tinyPipeline, writeSet } from "../train/fixtures.js";

export const STORY_SWEEP = `sweep {
    axis inflation {
      none { inflate { real x 1 } augment = symmetric }
      vanilla { inflate { real x 1; generated x 1 } augment = symmetric }
      adainf { inflate { real x 10; generated x 1 } augment = symmetric_adainf }
    }
    seed = [0, 1]
  }`;

/** A temp project: real.npz (48 labelled), gen.npz (240, labels -1), eval.npz, story.adainf. */
export function storyProject(steps = 8): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-report-"));
  writeSet(path.join(dir, "real.npz"), 48, true, 1);
  writeSet(path.join(dir, "gen.npz"), 240, false, 2);
  writeSet(path.join(dir, "eval.npz"), 24, true, 3);
  // The body's own inflate block goes: a sweep fragment merges into it entry by entry,
  // so `none { inflate { real x 1 } }` would keep the body's generated entry.
  const text = tinyPipeline({ steps, checkpointEvery: null, extraBody: STORY_SWEEP })
    .replace("pipeline tiny", "pipeline story")
    .replace('"runs/tiny"', '"runs/story"')
    .replace(/\n {2}inflate \{[^}]*\}\n/, "\n");
  if (text.includes("generated x 2")) throw new Error("fixture: unexpected pipeline text");
  fs.writeFileSync(path.join(dir, "story.adainf"), text);
  return dir;
}

/** The compiled IRs of the story's sweep points (6). */
export function storyIRs(dir: string): PipelineIR[] {
  const out = compileFileSync("story.adainf", { cwd: dir });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  if (errors.length) throw new Error(`fixture does not compile: ${errors.map((d) => d.message).join("; ")}`);
  return out.pipelines.map((p) => p.ir);
}

export interface FakeOptions {
  steps?: number;
  /** Put `<script>` and friends into every string the page shows. */
  hostile?: boolean;
  /** Points (by label, `inflation=adainf,seed=1`) left unfinished: metrics up to half-way, no done.json. */
  unfinished?: string[];
}

export const HOSTILE_NAME = `<script>alert("name")</script>`;
export const HOSTILE_VALUE = `<img src=x onerror=alert("value")>`;
export const HOSTILE_SOURCE = `gen"><svg onload=alert(1)>`;

/**
 * Writes a finished sweep of made-up numbers under `<dir>/runs/story/` from the story's
 * IRs: loss falling from 5 towards 2 with seeded noise, evaluations every 10 steps.
 * Returns the IRs as written (hostile ones renamed).
 */
export function fakeSweep(dir: string, o: FakeOptions = {}): { irs: PipelineIR[]; summaries: RunSummary[] } {
  const steps = o.steps ?? 60;
  const irs = storyIRs(dir).map((ir) => {
    const out = o.hostile ? hostile(ir) : ir;
    out.train.steps = steps;
    return out;
  });
  const summaries: RunSummary[] = [];
  irs.forEach((ir, i) => {
    const runDir = path.join(dir, ir.output.dir);
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, "ir.json"), JSON.stringify(ir, null, 2));
    const rng = new Rng(100 + i);
    const label = Object.entries(ir.sweep?.point ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
    const last = o.unfinished?.includes(label) ? Math.floor(steps / 2) : steps;
    const lines: StepMetrics[] = [];
    for (let s = 0; s < last; s++) {
      const m: StepMetrics = { step: s, epoch: Math.floor(s / 10), loss: 2 + 3 * Math.exp(-s / 20) + 0.1 * rng.normal(), lr: 0.1, images_per_s: 100 };
      m.online_train_acc1 = Math.min(100, 20 + s + 5 * rng.next());
      if ((s + 1) % 10 === 0 || s === steps - 1) {
        m.val_acc1 = 30 + i + s / 2;
        m.knn_acc1 = 40 + i + s / 3;
      }
      lines.push(m);
    }
    fs.writeFileSync(path.join(runDir, "metrics.jsonl"), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    if (last === steps) {
      const summary: RunSummary = {
        pipeline: ir.name,
        dir: ir.output.dir,
        backend: "cpu",
        steps,
        seconds: 12.5 + i,
        final: { loss: 2 + i / 10, knn_acc1: 60 + i * 1.5, knn_acc5: 95, probe_acc1: 55 + i, probe_train_acc1: 70, val_acc1: 50 + i / 4 },
        untrained: { knn_acc1: 30, probe_acc1: 35 },
        sweep: ir.sweep ?? null,
        // the first point as an older run wrote it: no `input`
        ...(i === 0
          ? {}
          : { input: { threads: 1, steps: steps - 2, augment_views_per_s: 20_000, train_views_per_s: 900 + i, wait_seconds: 0.05, wait_fraction: 0.004 * i } }),
      };
      fs.writeFileSync(path.join(runDir, "done.json"), JSON.stringify(summary, null, 2));
      summaries.push(summary);
    }
  });
  return { irs, summaries };
}

/**
 * A folder of unrelated runs, `<dir>/runs/mixed/`, as `run` leaves them when output.dir
 * is set by hand: a..e. Pipeline `tiny` with 60 steps: a (seed 0, kNN 50), b (seed 1,
 * kNN 54), e (seed 0, unfinished); `tiny` with 120 steps: c (kNN 70); pipeline `other`
 * (another inflation): d (kNN 90). Returns the IRs by folder.
 */
export function fakeRuns(dir: string): Record<string, PipelineIR> {
  const compile = (name: string, text: string): PipelineIR => {
    fs.writeFileSync(path.join(dir, `${name}.adainf`), text);
    const out = compileFileSync(`${name}.adainf`, { cwd: dir });
    if (out.diagnostics.some((d) => d.severity === "error")) throw new Error(`fixture ${name} does not compile`);
    return out.pipelines[0]!.ir;
  };
  const tiny = (steps: number, seed: number): PipelineIR =>
    compile(`tiny-${steps}-${seed}`, tinyPipeline({ steps, checkpointEvery: null }).replace("seed = 3", `seed = ${seed}`));
  const other = compile(
    "other",
    tinyPipeline({ steps: 60, checkpointEvery: null }).replace("pipeline tiny", "pipeline other").replace("real x 2", "real x 10"),
  );
  const runs: Record<string, { ir: PipelineIR; knn: number | null }> = {
    a: { ir: tiny(60, 0), knn: 50 },
    b: { ir: tiny(60, 1), knn: 54 },
    c: { ir: tiny(120, 0), knn: 70 },
    d: { ir: other, knn: 90 },
    e: { ir: tiny(60, 0), knn: null },
  };
  for (const [name, { ir, knn }] of Object.entries(runs)) {
    ir.output.dir = `runs/mixed/${name}`;
    const runDir = path.join(dir, ir.output.dir);
    fs.mkdirSync(runDir, { recursive: true });
    fs.writeFileSync(path.join(runDir, "ir.json"), JSON.stringify(ir, null, 2));
    const last = knn === null ? ir.train.steps / 2 : ir.train.steps;
    const lines: StepMetrics[] = [];
    for (let s = 0; s < last; s++) lines.push({ step: s, epoch: 0, loss: 5 - s / ir.train.steps, lr: 0.1, images_per_s: 100 });
    fs.writeFileSync(path.join(runDir, "metrics.jsonl"), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    if (knn === null) continue;
    const summary: RunSummary = {
      pipeline: ir.name,
      dir: ir.output.dir,
      backend: "wasm",
      steps: ir.train.steps,
      seconds: 10,
      final: { loss: 4, knn_acc1: knn, knn_acc5: 95, probe_acc1: knn - 5, probe_train_acc1: 70, val_acc1: knn - 10 },
      untrained: { knn_acc1: 30, probe_acc1: 35 },
      sweep: null,
    };
    fs.writeFileSync(path.join(runDir, "done.json"), JSON.stringify(summary, null, 2));
  }
  return Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.ir]));
}

/** The IR with attacker-chosen strings wherever the page shows a string from a file. */
function hostile(ir: PipelineIR): PipelineIR {
  const copy = JSON.parse(JSON.stringify(ir)) as PipelineIR;
  copy.name = `${HOSTILE_NAME}${ir.name}`;
  if (copy.sweep) {
    copy.sweep.base = HOSTILE_NAME;
    copy.sweep.point = Object.fromEntries(Object.entries(copy.sweep.point).map(([k, v]) => [k, k === "seed" ? v : `${v}${HOSTILE_VALUE}`]));
  }
  for (const s of copy.data.sources) if (s.name === "generated") s.name = HOSTILE_SOURCE;
  for (const t of copy.data.train) if (t.source === "generated") t.source = HOSTILE_SOURCE;
  copy.augment.preset = `${HOSTILE_NAME}${copy.augment.preset ?? ""}`;
  // The run dir name is what run makes of the point; keep it a plain path.
  return copy;
}
