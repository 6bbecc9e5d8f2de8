// The shape of solo-learn's Hydra config, as far as adainfc writes and reads it.
// Key names follow solo-learn's scripts/pretrain/cifar/*.yaml and the AdaInf fork
// (PKU-ML/adainf): `data.dup`, `data.extra_data` and `compute_warm_step_epoch` are
// the fork's additions. Everything here is plain data so it can go through `yaml`.
import type { MethodName } from "../../ir/types.js";

/** One entry of an augmentations/<name>.yaml list (solo-learn's build_transform_pipeline). */
export interface SoloAugmentation {
  rrc: { enabled: boolean; crop_min_scale: number; crop_max_scale: number };
  color_jitter: { prob: number; brightness: number; contrast: number; saturation: number; hue: number };
  grayscale: { prob: number };
  gaussian_blur: { prob: number };
  solarization: { prob: number };
  equalization: { prob: number };
  horizontal_flip: { prob: number };
  crop_size: number;
  num_crops: number;
}

/**
 * What solo-learn has no key for but the IR needs to come back unchanged through
 * `adainfc import`. solo-learn never reads it (main_pretrain passes only known
 * Trainer arguments on), so it travels safely in the same file.
 */
export interface Provenance {
  /** Source names in the pipeline (solo-learn has only train_path / extra_data / val_path). */
  sources: { train: string; extra: string | null; eval: string };
  /** Facts about the extra (generated) set that only lint and our runtime use. */
  extra_data: { size: number | null; fid: number | null; channels: "rgb" | "bgr" | null; origin: "real" | "generated"; classes: number | null } | null;
  /** The augmentation preset the pipeline named; null = an inline augment block. */
  augment_preset: string | null;
  /** View names, when they are not view1, view2, ... */
  views: string[];
  /** Exact checkpoint interval in steps (solo-learn's `checkpoint.frequency` counts epochs). */
  checkpoint_every: number | null;
  keep: number;
  /** Lint severities set in the pipeline. */
  lint: Record<string, string>;
  /** How the pipeline wrote its learning rates (train.lr_scaling); the config's lr is the same either way. */
  lr_scaling: "none" | "linear";
}

export interface SoloConfig {
  defaults: unknown[];
  hydra: { output_subdir: null; run: { dir: string } };
  name: string;
  method: string;
  backbone: { name: string };
  method_kwargs: Record<string, number>;
  momentum?: { base_tau: number; final_tau: number };
  data: {
    dataset: "cifar10" | "cifar100";
    train_path: string;
    val_path: string;
    format: string;
    num_workers: number;
    /** The fork's; absent for upstream. */
    dup?: number | null;
    extra_data?: string | null;
  };
  optimizer: {
    name: "lars" | "sgd" | "adamw";
    batch_size: number;
    lr: number;
    classifier_lr: number;
    weight_decay: number;
    kwargs: Record<string, number | boolean | number[]>;
  };
  scheduler: { name: "warmup_cosine" | "none"; warmup_start_lr?: number; min_lr?: number; warmup_epochs?: number; interval?: "step" };
  knn_eval?: { enabled: boolean; k: number; distance_func: "cosine" | "euclidean" };
  checkpoint: { enabled: boolean; dir: string; frequency: number; keep_prev: boolean };
  auto_resume: { enabled: boolean };
  wandb: { enabled: boolean; project: string; entity: null; offline: boolean };
  /** The fork's warm-up divisor; absent for upstream. */
  compute_warm_step_epoch?: number;
  /** Upstream's: its warm-up is warmup_epochs * steps / max_epochs, and training stops at max_epochs too. */
  max_epochs?: number;
  max_steps: number;
  devices: number[];
  sync_batchnorm: boolean;
  accelerator: string;
  strategy: string;
  precision: number;
  val_check_interval: number;
  check_val_every_n_epoch: null;
  seed: number;
  adainf: Provenance;
}

/** Our method names -> solo-learn's `method` (METHODS registry keys). */
export const SOLO_METHOD: Record<MethodName, string> = {
  simclr: "simclr",
  mocov2plus: "mocov2plus",
  byol: "byol",
  barlow: "barlow_twins",
};

/** solo-learn's fixed Normalize statistics for CIFAR (build_transform_pipeline's MEANS_N_STD). */
export const SOLO_STATS: Record<"cifar10" | "cifar100", { mean: number[]; std: number[] }> = {
  cifar10: { mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  cifar100: { mean: [0.5071, 0.4865, 0.4409], std: [0.2673, 0.2564, 0.2762] },
};

/** What solo-learn's augmentation code fixes and our ops let a user change. */
export const SOLO_FIXED = {
  ratio: [3 / 4, 4 / 3] as const,
  interpolation: "bicubic",
  blurSigma: [0.1, 2.0] as const,
  solarizeThreshold: 128,
  /** WeightedKNNClassifier's default temperature (not settable from the config). */
  knnTemperature: 0.07,
};

/** Ops in the one order solo-learn applies them. */
export const SOLO_OP_ORDER = [
  "random_resized_crop",
  "color_jitter",
  "grayscale",
  "gaussian_blur",
  "solarize",
  "equalize",
  "horizontal_flip",
  "normalize",
] as const;

/** The fork's training settings that the reference configs carry unchanged. */
export const SOLO_RUNTIME = {
  format: "image_folder",
  numWorkers: 4,
  accelerator: "gpu",
  strategy: "ddp",
  precision: 16,
  project: "AdaInf",
};

/** Files `compile --target solo-learn` writes, relative to the output folder. */
export function configFileName(method: MethodName): string {
  return `${method}.yaml`;
}
