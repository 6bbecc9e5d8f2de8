// The IR: plain, versioned JSON produced by `resolve` and read by every later phase
// (check, lint, emit, run). Every value is resolved (presets expanded, defaults filled
// in, units normalised to steps), so a reader never needs the source text.
// The JSON Schema in ./schema.json describes exactly these types; keep them in step
// (test/ir/schema.test.ts validates the IR of every pipeline against it).

export const IR_VERSION = 1 as const;

/** A whole compiled pipeline. */
export interface PipelineIR {
  version: typeof IR_VERSION;
  /** The pipeline's name as declared (`pipeline simclr_adainf { ... }`). */
  name: string;
  /** Path of the `.adainf` file it came from, relative to the working directory. */
  file: string;
  /** Seed of every random choice in the run (sampler, augmentation, init). */
  seed: number;
  data: DataIR;
  augment: AugmentIR;
  model: ModelIR;
  train: TrainIR;
  evaluate: EvaluateIR;
  output: OutputIR;
  lint: LintConfigIR;
  /** Set on each point of a `sweep`: the base pipeline and the point's coordinates. */
  sweep?: SweepPointIR;
}

export interface SweepPointIR {
  /** The pipeline that declares the sweep. */
  base: string;
  /** Axis name -> the value's name at this point, in axis order. */
  point: Record<string, string>;
}

// ---------------------------------------------------------------- data

export type SourceFormat = "cifar10" | "cifar100" | "mnist" | "npz" | "folder";
/** Real data keeps its labels; generated data carries label -1 (docs/paper.md §1). */
export type SourceOrigin = "real" | "generated";
export type ChannelOrder = "rgb" | "bgr";

export interface DataSourceIR {
  /** Name given in the `data` block (`real`, `generated`, `eval`, ...). */
  name: string;
  format: SourceFormat;
  /** File or directory; null for sources embedded in a package (mnist). */
  path: string | null;
  /** Which split of a dataset with splits (cifar10/100, mnist). */
  split: "train" | "test" | null;
  origin: SourceOrigin;
  /** Number of images, when known without reading pixels (preset or declared). */
  size: number | null;
  /** Image shape [height, width, channels]. */
  shape: [number, number, number];
  /** Number of classes for labelled sources; null when unlabelled. */
  classes: number | null;
  /** Layout of npz image arrays. */
  layout: "nhwc" | "nchw";
  /** Channel order of the stored pixels; null = not declared (lint warns for npz). */
  channelOrder: ChannelOrder | null;
  /** FID of a generated set, when declared. */
  fid: number | null;
  /** A generated npz made by the built-in stand-in generator: `run` makes it when missing. */
  standIn: boolean;
  /** Per-channel mean and std (0..1 scale) used by Normalize. */
  mean: number[];
  std: number[];
}

export interface InflationEntryIR {
  /** Name of a source in `data.sources`. */
  source: string;
  /** Replication factor: the source is repeated this many times per epoch. */
  replicate: number;
}

export interface DataIR {
  sources: DataSourceIR[];
  /** The training mixture: [real] * dup + [generated] in the reference. */
  train: InflationEntryIR[];
  /** Name of the labelled source used for evaluation; null = none. */
  eval: string | null;
}

// ---------------------------------------------------------------- augmentation

export interface RandomResizedCropIR {
  op: "random_resized_crop";
  /** Output size in pixels (square). */
  size: number;
  /** Range of the crop's area as a fraction of the image: [min, max]. */
  scale: [number, number];
  /** Range of the aspect ratio (log-uniform), torchvision default [3/4, 4/3]. */
  ratio: [number, number];
  interpolation: "bicubic" | "bilinear" | "nearest";
}
export interface ColorJitterIR {
  op: "color_jitter";
  p: number;
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
}
export interface GrayscaleIR {
  op: "grayscale";
  p: number;
}
export interface GaussianBlurIR {
  op: "gaussian_blur";
  p: number;
  /** sigma ~ U[min, max] per sample (PIL radius semantics). */
  sigma: [number, number];
}
export interface SolarizeIR {
  op: "solarize";
  p: number;
  /** Threshold on the 0..255 scale. */
  threshold: number;
}
export interface EqualizeIR {
  op: "equalize";
  p: number;
}
export interface HorizontalFlipIR {
  op: "horizontal_flip";
  p: number;
}
export interface NormalizeIR {
  op: "normalize";
  mean: number[];
  std: number[];
}

export type AugmentOpIR =
  | RandomResizedCropIR
  | ColorJitterIR
  | GrayscaleIR
  | GaussianBlurIR
  | SolarizeIR
  | EqualizeIR
  | HorizontalFlipIR
  | NormalizeIR;

export type AugmentOpName = AugmentOpIR["op"];

export interface ViewIR {
  /** `view1`, `view2`, ... or the name declared in the preset. */
  name: string;
  /** Ops in application order; the last one is always `normalize`. */
  ops: AugmentOpIR[];
}

export interface AugmentIR {
  /** The preset the pipeline named (`symmetric_adainf`), or null for an inline one. */
  preset: string | null;
  /** Product of the `strength = s` settings the ops were scaled by (1: as written); augment-strength.ts. */
  strength: number;
  /** True when every view has the same ops (SimCLR / MoCo style). */
  symmetric: boolean;
  /** Fully expanded views, one entry per view (a symmetric preset lists both). */
  views: ViewIR[];
}

// ---------------------------------------------------------------- model

export interface ResNet18IR {
  name: "resnet18";
  /** `cifar`: 3x3 stride-1 first conv, no max-pool (solo-learn's CIFAR stem). */
  stem: "cifar" | "imagenet";
  /** Feature dimension after global pooling (512 for ResNet-18). */
  featureDim: number;
}
export interface ConvNetIR {
  name: "convnet";
  /** Output channels of each 3x3 conv (first stride 1, the rest stride 2). */
  channels: number[];
  /** Feature dimension (a linear layer after global average pooling). */
  featureDim: number;
  /** BatchNorm2d (torch semantics) after each conv, before its ReLU. */
  batchNorm: boolean;
}
export type BackboneIR = ResNet18IR | ConvNetIR;

export interface Momentum {
  /** Momentum of the target encoder at step 0 ... */
  base: number;
  /** ... and at the last step (cosine increase, as solo-learn). */
  final: number;
}
export interface SimCLRIR {
  name: "simclr";
  projHiddenDim: number;
  projOutputDim: number;
  temperature: number;
}
export interface MoCoV2PlusIR {
  name: "mocov2plus";
  projHiddenDim: number;
  projOutputDim: number;
  temperature: number;
  queueSize: number;
  momentum: Momentum;
}
export interface BYOLIR {
  name: "byol";
  projHiddenDim: number;
  projOutputDim: number;
  predHiddenDim: number;
  momentum: Momentum;
}
export interface BarlowTwinsIR {
  name: "barlow";
  projHiddenDim: number;
  projOutputDim: number;
  scaleLoss: number;
  /** Weight of the off-diagonal term (solo-learn `lamb`). */
  lambda: number;
}
export type MethodIR = SimCLRIR | MoCoV2PlusIR | BYOLIR | BarlowTwinsIR;
export type MethodName = MethodIR["name"];

export interface ModelIR {
  backbone: BackboneIR;
  method: MethodIR;
}

// ---------------------------------------------------------------- training

export interface LarsIR {
  name: "lars";
  lr: number;
  weightDecay: number;
  momentum: number;
  eta: number;
  clipLr: boolean;
  excludeBiasAndNorm: boolean;
}
export interface SgdIR {
  name: "sgd";
  lr: number;
  weightDecay: number;
  momentum: number;
}
export interface AdamWIR {
  name: "adamw";
  lr: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
}
export type OptimizerIR = LarsIR | SgdIR | AdamWIR;

export interface WarmupCosineIR {
  name: "warmup_cosine";
  /** Linear warm-up length in steps (epochs are converted with the epoch size). */
  warmupSteps: number;
  warmupStartLr: number;
  minLr: number;
}
export interface ConstantScheduleIR {
  name: "constant";
}
export type ScheduleIR = WarmupCosineIR | ConstantScheduleIR;

/**
 * How the written learning rates relate to the trained ones. `none`: as written;
 * `linear`: written per 256 images, multiplied by batchSize / 256 (solo-learn's rule).
 */
export interface LrScalingIR {
  rule: "none" | "linear";
  /** What the written rates were multiplied by: batchSize / 256 for `linear`, else 1. */
  factor: number;
}

export interface TrainIR {
  /** The effective batch: images per view per step over all devices. */
  batchSize: number;
  /** Data-parallel replicas the batch is split over (solo-learn's `devices`). */
  devices: number;
  /** batchSize / devices: what each device takes (solo-learn's `optimizer.batch_size`). */
  batchPerDevice: number;
  /** `optimizer.lr` and `evaluate.onlineLinear.lr` are the rates trained with, after this scaling. */
  lrScaling: LrScalingIR;
  steps: number;
  optimizer: OptimizerIR;
  schedule: ScheduleIR;
  /** Samples per epoch of the inflated training set, when every size is known. */
  epochSize: number | null;
}

// ---------------------------------------------------------------- evaluation

export interface OnlineLinearIR {
  /** Learning rate of the online classifier on detached features (after train.lrScaling). */
  lr: number;
  /** Validation interval in steps. */
  every: number;
}
export interface KnnIR {
  k: number;
  temperature: number;
  distance: "cosine" | "euclidean";
  /** Interval in steps; null = only at the end of training. */
  every: number | null;
}
export interface LinearProbeIR {
  /** Offline linear probe of the final encoder. */
  epochs: number;
  lr: number;
  batchSize: number;
}
export interface EvaluateIR {
  onlineLinear: OnlineLinearIR | null;
  knn: KnnIR | null;
  linearProbe: LinearProbeIR | null;
}

// ---------------------------------------------------------------- output, lint

export interface OutputIR {
  /** Run directory (metrics.jsonl, checkpoints, the resolved IR). */
  dir: string;
  /** Checkpoint interval in steps; null = only at the end. */
  checkpointEvery: number | null;
  /** How many checkpoints to keep (oldest removed first). */
  keep: number;
}

export type RuleSeverity = "off" | "info" | "warn" | "error";
export interface LintConfigIR {
  /** Per-rule severity set in the file (`lint { allow balance; rule x = error }`). */
  rules: Record<string, RuleSeverity>;
}

// ---------------------------------------------------------------- spans

/** A place in a source file (1-based lines and columns; end is exclusive). */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** 0-based character offsets, for code frames and fixes. */
  start: number;
  end: number;
}

/**
 * Where each IR value came from, keyed by JSON Pointer into the IR
 * (`/augment/views/0/ops/1/p`). Kept beside the IR, not in it, so the IR stays
 * plain data; a missing key means "a default" and readers fall back to the
 * nearest ancestor pointer that has a span.
 */
export type SpanMap = Record<string, Span>;
