import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import type { AugmentOpIR, PipelineIR, ViewIR } from "../../src/ir/types.js";
import { validateIR } from "../../src/ir/validate.js";
import { ROOT } from "../helpers.js";
import { PRESET_ROWS as PRESETS, type PresetRow } from "../reference-presets.js";

// The IR of each of the paper's 12 pipelines carries exactly reference.md's numbers.

const METHODS = ["simclr", "mocov2plus", "byol", "barlow"] as const;
const MODES = ["none", "vanilla", "adainf"] as const;

// reference.md §3
const HYPER = {
  simclr: { optimizer: "lars", lr: 0.2, wd: 1e-4, proj: [2048, 256], classifierLr: 0.05 },
  mocov2plus: { optimizer: "sgd", lr: 0.15, wd: 1e-4, proj: [2048, 256], classifierLr: 0.15 },
  byol: { optimizer: "lars", lr: 0.5, wd: 1e-5, proj: [4096, 256], classifierLr: 0.05 },
  barlow: { optimizer: "lars", lr: 0.15, wd: 1e-4, proj: [2048, 2048], classifierLr: 0.05 },
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
    const symmetric = method === "simclr" || method === "mocov2plus";
    const preset = `${symmetric ? "symmetric" : "asymmetric"}${mode === "adainf" ? "_adainf" : ""}`;
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
    expect(ir.train.batchSize).toBe(256);
    expect(ir.train.steps).toBe(100_000);
    expect(ir.train.optimizer).toMatchObject({ name: h.optimizer, lr: h.lr, weightDecay: h.wd });
    if (ir.train.optimizer.name === "lars") {
      expect(ir.train.optimizer).toMatchObject({ eta: 0.02, clipLr: true, excludeBiasAndNorm: true });
    }
    // The reference configs: warmup_epochs 10 x max_steps / compute_warm_step_epoch 1000 = 1,000 steps.
    expect(ir.train.schedule).toEqual({ name: "warmup_cosine", warmupSteps: 1000, warmupStartLr: 3e-5, minLr: 0 });
    expect(ir.evaluate.onlineLinear).toEqual({ lr: h.classifierLr, every: 200 });
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
    expect(seen).toBe(6);
  });

  it("method table matches the recipes", () => {
    const rows: Record<string, keyof typeof HYPER> = { SimCLR: "simclr", "MoCo v2+": "mocov2plus", BYOL: "byol", "Barlow Twins": "barlow" };
    let seen = 0;
    for (const line of text.split("\n")) {
      const c = cells(line);
      const m = rows[c[0] ?? ""];
      if (!m) continue;
      seen++;
      expect(Number(c[4])).toBe(HYPER[m].lr);
      expect(Number(c[5])).toBe(HYPER[m].wd);
    }
    expect(seen).toBe(4);
  });
});
