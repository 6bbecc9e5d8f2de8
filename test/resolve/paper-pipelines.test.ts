import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import type { AugmentOpIR, PipelineIR, ViewIR } from "../../src/ir/types.js";
import { validateIR } from "../../src/ir/validate.js";
import { ROOT } from "../helpers.js";
import { PRESET_ROWS as PRESETS, REFERENCE_RUNS, type PresetRow } from "../reference-presets.js";

// The IR of each of the paper's 12 pipelines carries exactly the reference runs' numbers:
// docs/methods.md's tables (read by ../reference-presets.ts) and reference.md §3.

const METHODS = ["simclr", "mocov2plus", "byol", "barlow"] as const;
const MODES = ["none", "vanilla", "adainf"] as const;

// reference.md §3 (the learning rates and batch: docs/methods.md, REFERENCE_RUNS)
const HYPER = {
  simclr: { optimizer: "lars", configLr: 0.2, wd: 1e-4, proj: [2048, 256] },
  mocov2plus: { optimizer: "sgd", configLr: 0.15, wd: 1e-4, proj: [2048, 256] },
  byol: { optimizer: "lars", configLr: 0.5, wd: 1e-5, proj: [4096, 256] },
  barlow: { optimizer: "lars", configLr: 0.15, wd: 1e-4, proj: [2048, 2048] },
} as const;

function rowOf(view: ViewIR): PresetRow {
  const find = <K extends AugmentOpIR["op"]>(op: K) => view.ops.find((o) => o.op === op) as Extract<AugmentOpIR, { op: K }>;
  const crop = find("random_resized_crop");
  const cj = find("color_jitter");
  return [
    crop.scale[0],
    cj.p,
    cj.brightness,
    cj.contrast,
    cj.saturation,
    cj.hue,
    find("grayscale").p,
    find("gaussian_blur").p,
    find("solarize").p,
    find("horizontal_flip").p,
  ];
}

function compile(name: string): PipelineIR {
  const out = compileFileSync(`pipelines/${name}.adainf`, { cwd: ROOT });
  expect(out.diagnostics).toEqual([]);
  expect(out.pipelines).toHaveLength(1);
  return out.pipelines[0]!.ir;
}

describe.each(METHODS)("%s", (method) => {
  it.each(MODES)("%s carries reference.md's numbers", (mode) => {
    const ir = compile(`${method}_${mode}`);
    expect(validateIR(ir)).toEqual([]);
    expect(ir.name).toBe(`${method}_${mode}`);

    // inflation (reference.md §1)
    const dup = mode === "adainf" ? 10 : 1;
    expect(ir.data.train).toEqual(
      mode === "none"
        ? [{ source: "real", replicate: 1 }]
        : [
            { source: "real", replicate: dup },
            { source: "generated", replicate: 1 },
          ],
    );
    const real = ir.data.sources.find((s) => s.name === "real")!;
    expect(real).toMatchObject({ format: "cifar10", split: "train", size: 50_000, shape: [32, 32, 3], classes: 10 });
    expect(real.mean).toEqual([0.4914, 0.4822, 0.4465]);
    expect(real.std).toEqual([0.247, 0.2435, 0.2616]);
    if (mode !== "none") {
      const gen = ir.data.sources.find((s) => s.name === "generated")!;
      expect(gen).toMatchObject({ format: "npz", origin: "generated", size: 1_000_000, fid: 1.94, classes: null });
    }
    expect(ir.data.eval).toBe("eval");
    expect(ir.train.epochSize).toBe(mode === "none" ? 50_000 : 50_000 * dup + 1_000_000);

    // augmentation (reference.md §2)
    const run = REFERENCE_RUNS[method];
    const symmetric = method === "simclr" || method === "mocov2plus";
    const preset = mode === "adainf" ? run.adainfAugment : run.baselineAugment;
    expect(ir.augment.preset).toBe(preset);
    expect(ir.augment.symmetric).toBe(symmetric);
    expect(ir.augment.views).toHaveLength(2);
    const rows = PRESETS[preset]!;
    ir.augment.views.forEach((v, i) => {
      expect(rowOf(v)).toEqual(rows[symmetric ? 0 : i]);
      const crop = v.ops[0]!;
      expect(crop).toMatchObject({ op: "random_resized_crop", size: 32, interpolation: "bicubic" });
      expect(v.ops.map((o) => o.op)).toEqual([
        "random_resized_crop",
        "color_jitter",
        "grayscale",
        "gaussian_blur",
        "solarize",
        "equalize",
        "horizontal_flip",
        "normalize",
      ]);
      expect(v.ops[7]).toEqual({ op: "normalize", mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] });
    });

    // method and optimisation (reference.md §3)
    const h = HYPER[method];
    expect(ir.model.backbone).toEqual({ name: "resnet18", stem: "cifar", featureDim: 512 });
    expect(ir.model.method.name).toBe(method);
    expect([ir.model.method.projHiddenDim, ir.model.method.projOutputDim]).toEqual(h.proj);
    // 2 devices x 256, the effective batch and rates (docs/methods.md, "The reference runs")
    expect(ir.train.devices).toBe(run.devices);
    expect(ir.train.batchPerDevice).toBe(run.batchPerDevice);
    expect(ir.train.batchSize).toBe(run.batch);
    expect(ir.train.lrScaling).toEqual({ rule: "none", factor: 1 });
    expect(ir.train.steps).toBe(100_000);
    expect(ir.train.optimizer).toMatchObject({ name: h.optimizer, lr: run.lr, weightDecay: h.wd });
    if (ir.train.optimizer.name === "lars") {
      expect(ir.train.optimizer).toMatchObject({ eta: 0.02, clipLr: true, excludeBiasAndNorm: true });
    }
    // The reference configs: warmup_epochs 10 x max_steps / compute_warm_step_epoch 1000 = 1,000 steps.
    expect(ir.train.schedule).toEqual({ name: "warmup_cosine", warmupSteps: 1000, warmupStartLr: 3e-5, minLr: 0 });
    expect(ir.evaluate.onlineLinear).toEqual({ lr: run.classifierLr, every: 200 });
    const m = ir.model.method;
    if (m.name === "simclr") expect(m.temperature).toBe(0.2);
    if (m.name === "mocov2plus") expect(m).toMatchObject({ queueSize: 32768, temperature: 0.2, momentum: { base: 0.99, final: 0.999 } });
    if (m.name === "byol") expect(m).toMatchObject({ predHiddenDim: 4096, momentum: { base: 0.99, final: 1.0 } });
    if (m.name === "barlow") expect(m.scaleLoss).toBe(0.1);
  });
});

// When the shared reference document is beside the checkout (it is for developers
// and CI), check the tables above against it too, so a typo in either is caught.
const referencePath = join(ROOT, "..", "shared", "docs", "reference.md");
describe.runIf(existsSync(referencePath))("reference.md", () => {
  const text = existsSync(referencePath) ? readFileSync(referencePath, "utf8") : "";
  const cells = (line: string) => line.split("|").slice(1, -1).map((c) => c.trim());

  it("augmentation table matches the presets", () => {
    const names: Record<string, [string, number]> = {
      symmetric: ["symmetric", 0],
      symmetric_weak: ["symmetric_weak", 0],
      symmetric_adainf: ["symmetric_adainf", 0],
      "asymmetric view 1": ["asymmetric", 0],
      "asymmetric view 2": ["asymmetric", 1],
      "asymmetric_adainf view 1": ["asymmetric_adainf", 0],
      "asymmetric_adainf view 2": ["asymmetric_adainf", 1],
    };
    let seen = 0;
    for (const line of text.split("\n")) {
      const c = cells(line);
      const key = names[c[0] ?? ""];
      if (!key) continue;
      seen++;
      expect(c.slice(2).map(Number)).toEqual(PRESETS[key[0]]![key[1]]);
    }
    expect(seen).toBe(7);
  });

  it("method table matches the recipes", () => {
    const rows: Record<string, keyof typeof HYPER> = { SimCLR: "simclr", "MoCo v2+": "mocov2plus", BYOL: "byol", "Barlow Twins": "barlow" };
    let seen = 0;
    for (const line of text.split("\n")) {
      const c = cells(line);
      const m = rows[c[0] ?? ""];
      if (!m) continue;
      seen++;
      expect(Number(c[4])).toBe(HYPER[m].configLr);
      expect(Number(c[5])).toBe(HYPER[m].wd);
    }
    expect(seen).toBe(4);
  });
});

describe.runIf(existsSync(referencePath))("reference.md's effective settings", () => {
  it("match docs/methods.md's runs table", () => {
    const text = readFileSync(referencePath, "utf8").replace(/\s+/g, " ");
    const m = /effective run is a (\d+)-image batch at SimCLR ([\d.]+), MoCo v2\+ ([\d.]+), BYOL ([\d.]+), Barlow Twins ([\d.]+) \(classifier ([\d.]+), MoCo ([\d.]+)\)/.exec(text);
    expect(m, "reference.md states the effective run").not.toBeNull();
    const [batch, simclr, moco, byol, barlow, classifier, mocoClassifier] = m!.slice(1).map(Number);
    for (const method of METHODS) expect(REFERENCE_RUNS[method].batch).toBe(batch);
    expect([REFERENCE_RUNS.simclr.lr, REFERENCE_RUNS.mocov2plus.lr, REFERENCE_RUNS.byol.lr, REFERENCE_RUNS.barlow.lr]).toEqual([simclr, moco, byol, barlow]);
    expect([REFERENCE_RUNS.simclr.classifierLr, REFERENCE_RUNS.mocov2plus.classifierLr]).toEqual([classifier, mocoClassifier]);
    expect(text).toMatch(/MoCo v2\+'s config defaults to the `symmetric_weak` augmentation preset/);
  });
});

describe("docs/methods.md's reference runs", () => {
  it.each(METHODS)("%s: the effective rates are the config's, scaled by solo-learn's batch x devices / 256", (method) => {
    const run = REFERENCE_RUNS[method];
    expect(run.configLr).toBe(HYPER[method].configLr);
    expect(run.batch).toBe(run.devices * run.batchPerDevice);
    expect(run.lr).toBeCloseTo((run.configLr * run.batch) / 256, 12);
    expect(run.classifierLr).toBeCloseTo((run.configClassifierLr * run.batch) / 256, 12);
  });

  it("every preset the runs name is documented with its views", () => {
    for (const method of METHODS) {
      const run = REFERENCE_RUNS[method];
      for (const p of [run.baselineAugment, run.adainfAugment]) expect(PRESETS[p]?.length, p).toBeGreaterThan(0);
    }
    // MoCo v2+'s baseline is the fork's config default, the weaker jitter (0.4/0.4/0.4/0.1)
    expect(REFERENCE_RUNS.mocov2plus.baselineAugment).toBe("symmetric_weak");
    expect(PRESETS["symmetric_weak"]![0]!.slice(2, 6)).toEqual([0.4, 0.4, 0.4, 0.1]);
  });
});
