import type {
  AugmentOpIR,
  DataSourceIR,
  MethodIR,
  OptimizerIR,
  PipelineIR,
  ViewIR,
} from "../../src/ir/types.js";

// The paper's pipelines as IR objects, built by hand from docs/paper.md (§1 data,
// §2 presets, §3 methods) so the lint tests do not depend on the front end. The
// presets are written out again here (not taken from src/lint/reference-presets.ts)
// so the strength calibration is checked against an independent copy of the table.

export type Method = "simclr" | "mocov2plus" | "byol" | "barlow";
export type Mode = "none" | "vanilla" | "adainf";
export const METHODS: Method[] = ["simclr", "mocov2plus", "byol", "barlow"];
export const MODES: Mode[] = ["none", "vanilla", "adainf"];

const CIFAR10_MEAN = [0.4914, 0.4822, 0.4465];
const CIFAR10_STD = [0.247, 0.2435, 0.2616];

interface Row {
  crop: number;
  jp: number;
  b: number;
  c: number;
  s: number;
  h: number;
  gray: number;
  blur: number;
  solar: number;
  flip: number;
}

/** docs/paper.md §2, one row per view. */
export const PRESET_ROWS: Record<string, Row[]> = {
  symmetric: [
    { crop: 0.08, jp: 0.8, b: 0.8, c: 0.8, s: 0.8, h: 0.2, gray: 0.2, blur: 0.5, solar: 0, flip: 0.5 },
    { crop: 0.08, jp: 0.8, b: 0.8, c: 0.8, s: 0.8, h: 0.2, gray: 0.2, blur: 0.5, solar: 0, flip: 0.5 },
  ],
  symmetric_weak: [
    { crop: 0.08, jp: 0.8, b: 0.4, c: 0.4, s: 0.4, h: 0.1, gray: 0.2, blur: 0.5, solar: 0, flip: 0.5 },
    { crop: 0.08, jp: 0.8, b: 0.4, c: 0.4, s: 0.4, h: 0.1, gray: 0.2, blur: 0.5, solar: 0, flip: 0.5 },
  ],
  symmetric_adainf: [
    { crop: 0.2, jp: 0.4, b: 0.4, c: 0.4, s: 0.4, h: 0.1, gray: 0.2, blur: 0.5, solar: 0, flip: 0.5 },
    { crop: 0.2, jp: 0.4, b: 0.4, c: 0.4, s: 0.4, h: 0.1, gray: 0.2, blur: 0.5, solar: 0, flip: 0.5 },
  ],
  asymmetric: [
    { crop: 0.08, jp: 0.8, b: 0.4, c: 0.4, s: 0.2, h: 0.1, gray: 0.2, blur: 0, solar: 0, flip: 0.5 },
    { crop: 0.08, jp: 0.8, b: 0.4, c: 0.4, s: 0.2, h: 0.1, gray: 0.2, blur: 0, solar: 0.2, flip: 0.5 },
  ],
  asymmetric_adainf: [
    { crop: 0.2, jp: 0.4, b: 0.4, c: 0.4, s: 0.2, h: 0.1, gray: 0.2, blur: 0, solar: 0, flip: 0.5 },
    { crop: 0.2, jp: 0.4, b: 0.4, c: 0.4, s: 0.2, h: 0.1, gray: 0.2, blur: 0, solar: 0.2, flip: 0.5 },
  ],
};

export function view(name: string, r: Row): ViewIR {
  const ops: AugmentOpIR[] = [
    { op: "random_resized_crop", size: 32, scale: [r.crop, 1], ratio: [0.75, 4 / 3], interpolation: "bicubic" },
    { op: "color_jitter", p: r.jp, brightness: r.b, contrast: r.c, saturation: r.s, hue: r.h },
    { op: "grayscale", p: r.gray },
    { op: "gaussian_blur", p: r.blur, sigma: [0.1, 2] },
    { op: "solarize", p: r.solar, threshold: 128 },
    { op: "equalize", p: 0 },
    { op: "horizontal_flip", p: r.flip },
    { op: "normalize", mean: [...CIFAR10_MEAN], std: [...CIFAR10_STD] },
  ];
  return { name, ops };
}

export function presetAugment(name: string) {
  const rows = PRESET_ROWS[name];
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
      return { method: { name: "barlow", projHiddenDim: 2048, projOutputDim: 2048, scaleLoss: 0.1, lambda: 0.0051 }, optimizer: lars(0.15, 1e-4), linearLr: 0.05 };
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
