import { STRENGTH_MAX, STRENGTH_MIN } from "../ir/augment-strength.js";
import { nonNegative, nonNegInt, posInt, positive, prob, type CallSpec, type ParamSpec, type SpecTable } from "./types.js";

// Every builtin the language knows, with the paper's defaults (docs/paper.md §2-3).
// stdlib/ builds presets (augmentations, recipes, datasets) out of these.

// ---------------------------------------------------------------- augmentation ops

export const AUGMENT_OPS: SpecTable = {
  random_resized_crop: {
    name: "random_resized_crop",
    doc: "Crop a random area (fraction `scale` of the image, aspect ratio in `ratio`) and resize it to `size`.",
    params: {
      size: { type: { kind: "int", min: 1, max: 4096 }, default: null, doc: "output size in pixels; default: the dataset's image size" },
      scale: { type: { kind: "range", min: 0, max: 1, minExclusive: true }, default: [0.08, 1.0], doc: "range of the crop's area fraction" },
      ratio: { type: { kind: "range", min: 0, minExclusive: true }, default: [3 / 4, 4 / 3], doc: "range of the aspect ratio (log-uniform)" },
      interpolation: { type: { kind: "enum", values: ["bicubic", "bilinear", "nearest"] }, default: "bicubic", doc: "resampling filter" },
    },
  },
  color_jitter: {
    name: "color_jitter",
    doc: "With probability p, jitter brightness, contrast, saturation and hue (in a random order).",
    params: {
      p: { type: prob, default: 0.8, doc: "probability of applying the jitter" },
      brightness: { type: nonNegative, default: 0.8, doc: "factor drawn in [max(0, 1-b), 1+b]" },
      contrast: { type: nonNegative, default: 0.8, doc: "factor drawn in [max(0, 1-c), 1+c]" },
      saturation: { type: nonNegative, default: 0.8, doc: "factor drawn in [max(0, 1-s), 1+s]" },
      hue: { type: { kind: "number", min: 0, max: 0.5 }, default: 0.2, doc: "hue shift drawn in [-h, h]" },
    },
  },
  grayscale: {
    name: "grayscale",
    doc: "With probability p, convert to grayscale (PIL luma weights).",
    params: { p: { type: prob, default: 0.2, doc: "probability" } },
  },
  gaussian_blur: {
    name: "gaussian_blur",
    doc: "With probability p, blur with sigma drawn uniformly from `sigma` (PIL radius).",
    params: {
      p: { type: prob, default: 0.5, doc: "probability" },
      sigma: { type: { kind: "range", min: 0, minExclusive: true }, default: [0.1, 2.0], doc: "range of sigma" },
    },
  },
  solarize: {
    name: "solarize",
    doc: "With probability p, invert every pixel at or above `threshold` (0..255 scale).",
    params: {
      p: { type: prob, default: 0.0, doc: "probability" },
      threshold: { type: { kind: "number", min: 0, max: 256 }, default: 128, doc: "threshold on the 0..255 scale" },
    },
  },
  equalize: {
    name: "equalize",
    doc: "With probability p, equalise the image's histogram.",
    params: { p: { type: prob, default: 0.0, doc: "probability" } },
  },
  horizontal_flip: {
    name: "horizontal_flip",
    doc: "With probability p, mirror the image left-right.",
    params: { p: { type: prob, default: 0.5, doc: "probability" } },
  },
};

/** `strength = s` on an augmentation: scales its ops as ir/augment-strength.ts defines. */
export const AUGMENT_STRENGTH: ParamSpec = {
  type: { kind: "number", min: STRENGTH_MIN, max: STRENGTH_MAX },
  default: 1,
  doc: "augmentation strength: 1 = the preset as written, 0 = its weakest form (docs/language.md)",
};

// ---------------------------------------------------------------- data sources

const sourceCommon: CallSpec["params"] = {
  size: { type: posInt, default: null, doc: "number of images (lets lint and epoch-based settings work without reading the file)" },
  shape: { type: { kind: "numbers", length: 3, integer: true, min: 1 }, default: null, doc: "image shape (height, width, channels)" },
  classes: { type: posInt, default: null, doc: "number of classes of a labelled set" },
  mean: { type: { kind: "numbers", min: 0, max: 1 }, default: null, doc: "per-channel mean on the 0..1 scale" },
  std: { type: { kind: "numbers", min: 0, minExclusive: true }, default: null, doc: "per-channel std on the 0..1 scale" },
};

export const SOURCE_FORMATS: SpecTable = {
  npz: {
    name: "npz",
    doc: "A numpy .npz archive with `image` (N,H,W,C uint8) and `label` arrays, as the reference converter writes.",
    params: {
      path: { type: { kind: "string" }, position: 0, doc: "path of the .npz file" },
      origin: { type: { kind: "enum", values: ["generated", "real"] }, default: "generated", doc: "generated images carry label -1" },
      fid: { type: nonNegative, default: null, doc: "FID of the generated set, for lint" },
      channels: { type: { kind: "enum", values: ["rgb", "bgr"] }, default: null, doc: "channel order of the stored pixels (the reference converter writes OpenCV's BGR)" },
      layout: { type: { kind: "enum", values: ["nhwc", "nchw"] }, default: "nhwc", doc: "array layout" },
      stand_in: {
        type: { kind: "bool" },
        default: false,
        doc: "the file is the built-in stand-in generator's output: when it is missing, `adainfc run` makes it (adainfc generate, fitted on the pipeline's real data)",
      },
      ...sourceCommon,
    },
  },
  folder: {
    name: "folder",
    doc: "A folder of PNG/JPEG/WebP images (unlabelled).",
    params: {
      path: { type: { kind: "string" }, position: 0, doc: "the folder" },
      origin: { type: { kind: "enum", values: ["generated", "real"] }, default: "generated", doc: "generated images carry label -1" },
      fid: { type: nonNegative, default: null, doc: "FID of the generated set, for lint" },
      ...sourceCommon,
    },
  },
};

/** Parameters of a call to a `dataset` preset: `cifar10("datasets/cifar10", split = train)`. */
export const DATASET_CALL: CallSpec = {
  name: "dataset",
  doc: "A dataset preset from stdlib (cifar10, cifar100, mnist) or the project.",
  params: {
    path: { type: { kind: "string" }, position: 0, default: null, doc: "where the files are (not needed for mnist)" },
    split: { type: { kind: "enum", values: ["train", "test"] }, default: "train", doc: "which split" },
    size: { type: posInt, default: null, doc: "use only the first N images of the split (data-scarce experiments)" },
  },
};

/** Fields of a `dataset NAME { ... }` declaration. */
export const DATASET_FIELDS: CallSpec = {
  name: "dataset",
  doc: "A dataset preset.",
  params: {
    format: { type: { kind: "enum", values: ["cifar10", "cifar100", "mnist"] }, doc: "on-disk format" },
    shape: { type: { kind: "numbers", length: 3, integer: true, min: 1 }, doc: "image shape (height, width, channels)" },
    classes: { type: posInt, doc: "number of classes" },
    train_size: { type: posInt, doc: "images in the train split" },
    test_size: { type: posInt, doc: "images in the test split" },
    mean: { type: { kind: "numbers", min: 0, max: 1 }, doc: "per-channel mean (0..1)" },
    std: { type: { kind: "numbers", min: 0, minExclusive: true }, doc: "per-channel std (0..1)" },
    path: { type: { kind: "string" }, default: null, doc: "default location of the files" },
  },
};

// ---------------------------------------------------------------- model

export const BACKBONES: SpecTable = {
  resnet18: {
    name: "resnet18",
    doc: "ResNet-18; `stem = cifar` uses a 3x3 stride-1 first convolution and no max-pool (solo-learn).",
    params: { stem: { type: { kind: "enum", values: ["cifar", "imagenet"] }, default: "cifar", doc: "first layers" } },
  },
  convnet: {
    name: "convnet",
    doc: "A small convnet for CPU-sized runs: 3x3 convolutions (first stride 1, then stride 2), each with batch norm (optional) and ReLU, global average pooling, a linear layer.",
    params: {
      channels: { type: { kind: "numbers", integer: true, min: 1 }, default: [32, 64, 128], doc: "output channels of each convolution" },
      feature_dim: { type: posInt, default: 128, doc: "feature dimension" },
      batch_norm: { type: { kind: "bool" }, default: true, doc: "BatchNorm2d (torch semantics) after each convolution, before its ReLU" },
    },
  },
};

const momentum = {
  momentum_base: { type: prob, default: 0.99, doc: "target-encoder momentum at step 0" },
  momentum_final: { type: prob, default: 1.0, doc: "target-encoder momentum at the last step (cosine increase)" },
};

export const METHODS: SpecTable = {
  simclr: {
    name: "simclr",
    doc: "SimCLR (NT-Xent loss).",
    params: {
      proj_hidden_dim: { type: posInt, default: 2048, doc: "projector hidden width" },
      proj_output_dim: { type: posInt, default: 256, doc: "projector output width" },
      temperature: { type: positive, default: 0.2, doc: "softmax temperature" },
    },
  },
  mocov2plus: {
    name: "mocov2plus",
    doc: "MoCo v2+ (momentum encoder and a queue of negatives).",
    params: {
      proj_hidden_dim: { type: posInt, default: 2048, doc: "projector hidden width" },
      proj_output_dim: { type: posInt, default: 256, doc: "projector output width" },
      temperature: { type: positive, default: 0.2, doc: "softmax temperature" },
      queue_size: { type: posInt, default: 32768, doc: "negatives kept in the queue" },
      momentum_base: { type: prob, default: 0.99, doc: "target-encoder momentum at step 0" },
      momentum_final: { type: prob, default: 0.999, doc: "target-encoder momentum at the last step" },
    },
  },
  byol: {
    name: "byol",
    doc: "BYOL (predictor and momentum target).",
    params: {
      proj_hidden_dim: { type: posInt, default: 4096, doc: "projector hidden width" },
      proj_output_dim: { type: posInt, default: 256, doc: "projector output width" },
      pred_hidden_dim: { type: posInt, default: 4096, doc: "predictor hidden width" },
      ...momentum,
    },
  },
  barlow: {
    name: "barlow",
    doc: "Barlow Twins (cross-correlation towards the identity).",
    params: {
      proj_hidden_dim: { type: posInt, default: 2048, doc: "projector hidden width" },
      proj_output_dim: { type: posInt, default: 2048, doc: "projector output width" },
      scale_loss: { type: positive, default: 0.1, doc: "scale of the loss" },
      lambda: { type: nonNegative, default: 0.0051, doc: "weight of the off-diagonal term (solo-learn `lamb`)" },
    },
  },
};

// ---------------------------------------------------------------- training

export const OPTIMIZERS: SpecTable = {
  lars: {
    name: "lars",
    doc: "LARS as in solo-learn.",
    params: {
      lr: { type: positive, doc: "base learning rate" },
      weight_decay: { type: nonNegative, default: 1e-4, doc: "weight decay" },
      momentum: { type: { kind: "number", min: 0, max: 1, maxExclusive: true }, default: 0.9, doc: "momentum" },
      eta: { type: positive, default: 0.02, doc: "trust coefficient" },
      clip_lr: { type: { kind: "bool" }, default: true, doc: "clip the adaptive rate at 1" },
      exclude_bias_n_norm: { type: { kind: "bool" }, default: true, doc: "no adaptation or decay for biases and norm layers" },
    },
  },
  sgd: {
    name: "sgd",
    doc: "SGD with momentum.",
    params: {
      lr: { type: positive, doc: "base learning rate" },
      weight_decay: { type: nonNegative, default: 1e-4, doc: "weight decay" },
      momentum: { type: { kind: "number", min: 0, max: 1, maxExclusive: true }, default: 0.9, doc: "momentum" },
    },
  },
  adamw: {
    name: "adamw",
    doc: "AdamW.",
    params: {
      lr: { type: positive, doc: "base learning rate" },
      weight_decay: { type: nonNegative, default: 1e-4, doc: "decoupled weight decay" },
      beta1: { type: { kind: "number", min: 0, max: 1, maxExclusive: true }, default: 0.9, doc: "beta1" },
      beta2: { type: { kind: "number", min: 0, max: 1, maxExclusive: true }, default: 0.999, doc: "beta2" },
    },
  },
};

export const SCHEDULES: SpecTable = {
  warmup_cosine: {
    name: "warmup_cosine",
    doc: "Linear warm-up from warmup_start_lr, then cosine decay to min_lr (solo-learn).",
    params: {
      warmup: { type: { kind: "duration" }, default: { value: 1000, unit: "steps" }, doc: "warm-up length (the AdaInf runs: 1,000 steps)" },
      warmup_start_lr: { type: nonNegative, default: 3e-5, doc: "learning rate at step 0" },
      min_lr: { type: nonNegative, default: 0, doc: "learning rate at the end" },
    },
  },
  constant: { name: "constant", doc: "A constant learning rate.", params: {} },
};

export const TRAIN_FIELDS: CallSpec = {
  name: "train",
  doc: "Training settings.",
  params: {
    batch_size: { type: posInt, default: 256, doc: "images per view per step over all devices (the effective batch); each device takes batch_size / devices" },
    devices: { type: { kind: "int", min: 1, max: 1024 }, default: 1, doc: "data-parallel replicas (GPUs) the batch is split over; `adainfc run` trains the whole batch on one device" },
    lr_scaling: {
      type: { kind: "enum", values: ["none", "linear"] },
      default: "none",
      doc: "`none`: the optimizer's and online classifier's lr are the rates trained with; `linear`: they are per 256 images and the run multiplies them by batch_size / 256 (solo-learn's rule)",
    },
    steps: { type: { kind: "duration" }, default: { value: 100_000, unit: "steps" }, doc: "training length" },
  },
};

export const EVALUATORS: SpecTable = {
  online_linear: {
    name: "online_linear",
    doc: "A linear classifier trained online on detached features (labels -1 skipped).",
    params: {
      lr: { type: positive, default: 0.1, doc: "learning rate of the classifier" },
      every: { type: { kind: "duration" }, default: { value: 200, unit: "steps" }, doc: "validation interval" },
    },
  },
  knn: {
    name: "knn",
    doc: "Weighted k-nearest-neighbour classification of the evaluation set.",
    params: {
      k: { type: posInt, default: 200, doc: "neighbours" },
      temperature: { type: positive, default: 0.1, doc: "weighting temperature" },
      distance: { type: { kind: "enum", values: ["cosine", "euclidean"] }, default: "cosine", doc: "similarity" },
      every: { type: { kind: "duration", allowNone: true }, default: null, doc: "interval; default: only at the end" },
    },
  },
  linear_probe: {
    name: "linear_probe",
    doc: "Offline linear probe of the final encoder.",
    params: {
      epochs: { type: posInt, default: 100, doc: "probe epochs" },
      lr: { type: positive, default: 0.1, doc: "probe learning rate" },
      batch_size: { type: posInt, default: 256, doc: "probe batch size" },
    },
  },
};

export const OUTPUT_FIELDS: CallSpec = {
  name: "output",
  doc: "Where the run writes.",
  params: {
    dir: { type: { kind: "string" }, default: null, doc: "run directory; default runs/<pipeline>" },
    checkpoint_every: { type: { kind: "duration", allowNone: true }, default: null, doc: "checkpoint interval; default: only at the end" },
    keep: { type: posInt, default: 3, doc: "checkpoints kept" },
  },
};

export const PIPELINE_FIELDS = ["seed", "data", "inflate", "augment", "model", "train", "evaluate", "output", "lint", "sweep"] as const;
export const MODEL_FIELDS = ["backbone", "method"] as const;
export const TRAIN_KEYS = ["batch_size", "devices", "lr_scaling", "steps", "optimizer", "schedule"] as const;

/** `lr_scaling = linear`: rates are per this many images (solo-learn's args/pretrain.py). */
export const LR_SCALING_BASE_BATCH = 256;

export const seedSpec = { type: nonNegInt, default: 0, doc: "seed of every random choice" };
