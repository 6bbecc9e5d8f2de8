// The paper's pipelines as IR objects, built by hand from docs/paper.md (§1 data,
// §2 presets, §3 methods) so the lint tests do not depend on the front end. The
// presets come from docs/paper.md's table (§2) (../reference-presets.ts), not from the
// stdlib the lint's own table is resolved from, so the strength calibration is checked
// against an independent statement of the paper's values.
import type { DataSourceIR, MethodIR, OptimizerIR, PipelineIR } from "../../src/ir/types.js";
import { CIFAR10_MEAN, CIFAR10_STD, PRESET_VIEWS, presetView } from "../reference-presets.js";

export type Method = "simclr" | "mocov2plus" | "byol" | "barlow";
export type Mode = "none" | "vanilla" | "adainf";
export const METHODS: Method[] = ["simclr", "mocov2plus", "byol", "barlow"];
export const MODES: Mode[] = ["none", "vanilla", "adainf"];

/** A view from a row of the preset table (docs/paper.md §2, ../reference-presets.ts). */
export const view = presetView;

export function presetAugment(name: string) {
  const rows = PRESET_VIEWS[name];
  if (!rows) throw new Error(`no preset ${name}`);
  return { preset: name, strength: 1, symmetric: name.startsWith("symmetric"), views: rows.map((r, i) => view(`view${i + 1}`, r)) };
}

export function cifar10(name: string, split: "train" | "test"): DataSourceIR {
  return {
    name,
    format: "cifar10",
    path: "datasets/cifar10",
    split,
    origin: "real",
    size: split === "train" ? 50_000 : 10_000,
    shape: [32, 32, 3],
    classes: 10,
    layout: "nhwc",
    channelOrder: "rgb",
    fid: null,
    standIn: false,
    mean: [...CIFAR10_MEAN],
    std: [...CIFAR10_STD],
  };
}

export function generatedNpz(size: number | null = 1_000_000, fid: number | null = 1.94): DataSourceIR {
  return {
    name: "generated",
    format: "npz",
    path: "datasets/generated/cifar10-stf-1m.npz",
    split: null,
    origin: "generated",
    size,
    shape: [32, 32, 3],
    classes: null,
    layout: "nhwc",
    channelOrder: "bgr",
    fid,
    standIn: false,
    mean: [...CIFAR10_MEAN],
    std: [...CIFAR10_STD],
  };
}

const lars = (lr: number, weightDecay: number): OptimizerIR => ({
  name: "lars",
  lr,
  weightDecay,
  momentum: 0.9,
  eta: 0.02,
  clipLr: true,
  excludeBiasAndNorm: true,
});

/** docs/paper.md §3. */
export function methodSpec(m: Method): { method: MethodIR; optimizer: OptimizerIR; linearLr: number } {
  switch (m) {
    case "simclr":
      return { method: { name: "simclr", projHiddenDim: 2048, projOutputDim: 256, temperature: 0.2 }, optimizer: lars(0.2, 1e-4), linearLr: 0.05 };
    case "mocov2plus":
      return {
        method: { name: "mocov2plus", projHiddenDim: 2048, projOutputDim: 256, temperature: 0.2, queueSize: 32768, momentum: { base: 0.99, final: 0.999 } },
        optimizer: { name: "sgd", lr: 0.15, weightDecay: 1e-4, momentum: 0.9 },
        linearLr: 0.15,
      };
    case "byol":
      return {
        method: { name: "byol", projHiddenDim: 4096, projOutputDim: 256, predHiddenDim: 4096, momentum: { base: 0.99, final: 1.0 } },
        optimizer: lars(0.5, 1e-5),
        linearLr: 0.05,
      };
    case "barlow":
      return {
        method: { name: "barlow", projHiddenDim: 2048, projOutputDim: 2048, scaleLoss: 0.1, lambda: 0.0051 },
        optimizer: lars(0.15, 1e-4),
        linearLr: 0.05,
      };
  }
}

/** One of the paper's 12 runs: `<method>_<mode>`. */
export function paperPipeline(method: Method, mode: Mode): PipelineIR {
  const spec = methodSpec(method);
  const family = method === "simclr" || method === "mocov2plus" ? "symmetric" : "asymmetric";
  const sources = [cifar10("real", "train"), cifar10("eval", "test")];
  const train = [{ source: "real", replicate: mode === "adainf" ? 10 : 1 }];
  if (mode !== "none") {
    sources.push(generatedNpz());
    train.push({ source: "generated", replicate: 1 });
  }
  const name = `${method}_${mode}`;
  return {
    version: 1,
    name,
    file: `pipelines/${name}.adainf`,
    seed: 0,
    data: { sources, train, eval: "eval" },
    augment: presetAugment(mode === "adainf" ? `${family}_adainf` : family),
    model: { backbone: { name: "resnet18", stem: "cifar", featureDim: 512 }, method: spec.method },
    train: {
      batchSize: 256,
      devices: 1,
      batchPerDevice: 256,
      lrScaling: { rule: "none", factor: 1 },
      steps: 100_000,
      optimizer: spec.optimizer,
      schedule: { name: "warmup_cosine", warmupSteps: 1950, warmupStartLr: 3e-5, minLr: 0 },
      epochSize: mode === "none" ? 50_000 : mode === "vanilla" ? 1_050_000 : 1_500_000,
    },
    evaluate: { onlineLinear: { lr: spec.linearLr, every: 200 }, knn: null, linearProbe: null },
    output: { dir: `runs/${name}`, checkpointEvery: 5000, keep: 3 },
    lint: { rules: {} },
  };
}

/** A deep copy changed by `edit`, so each test starts from an untouched pipeline. */
export function variant(base: PipelineIR, edit: (ir: PipelineIR) => void): PipelineIR {
  const copy = structuredClone(base);
  edit(copy);
  return copy;
}
