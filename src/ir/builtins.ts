// The one definition of the language's builtins: every dataset format, augmentation op,
// backbone, method, optimizer, schedule, evaluator and block field, with its type,
// range, default (the paper's, docs/paper.md §2-3), unit and docs. Keys are the IR's
// field names; a field's name in the language is the key in snake_case unless it says
// otherwise. From here come the resolver's tables (resolve/), the IR's types and JSON
// Schema (ir/schema.ts, ir/types.ts), the runtime's defaults (runtime/train/eval-run.ts)
// and the builtin tables of docs/language.md (ir/builtin-docs.ts).
import { STRENGTH_MAX, STRENGTH_MIN } from "./augment-strength.js";
import { block, bool, builtin, duration, filledIn, fixed, group, int, number, numbers, oneOf, range, string } from "./define.js";

const prob = { min: 0, max: 1 };
const nonNegative = { min: 0 };
const positive = { min: 0, minExclusive: true };
const posInt = { min: 1 };
const below1 = { min: 0, max: 1, maxExclusive: true };

// ---------------------------------------------------------------- augmentation ops

export const RANDOM_RESIZED_CROP = builtin(
  "op",
  "random_resized_crop",
  "Crop a random area (fraction `scale` of the image, aspect ratio in `ratio`) and resize it to `size`.",
  {
    size: filledIn(int({ min: 1, max: 4096 }, { default: null, unit: "pixels", doc: "output size (square); default: the dataset's image size" })),
    scale: range({ min: 0, max: 1, minExclusive: true }, { default: [0.08, 1.0], doc: "range of the crop's area as a fraction of the image" }),
    ratio: range(positive, { default: [3 / 4, 4 / 3], doc: "range of the aspect ratio (log-uniform), torchvision's [3/4, 4/3]" }),
    interpolation: oneOf(["bicubic", "bilinear", "nearest"], { default: "bicubic", doc: "resampling filter" }),
  },
);

export const AUGMENT_OPS = {
  random_resized_crop: RANDOM_RESIZED_CROP,
  color_jitter: builtin("op", "color_jitter", "With probability p, jitter brightness, contrast, saturation and hue (in a random order).", {
    p: number(prob, { default: 0.8, doc: "probability of applying the jitter" }),
    brightness: number(nonNegative, { default: 0.8, doc: "factor drawn in [max(0, 1-b), 1+b]" }),
    contrast: number(nonNegative, { default: 0.8, doc: "factor drawn in [max(0, 1-c), 1+c]" }),
    saturation: number(nonNegative, { default: 0.8, doc: "factor drawn in [max(0, 1-s), 1+s]" }),
    hue: number({ min: 0, max: 0.5 }, { default: 0.2, doc: "hue shift drawn in [-h, h]" }),
  }),
  grayscale: builtin("op", "grayscale", "With probability p, convert to grayscale (PIL luma weights).", {
    p: number(prob, { default: 0.2, doc: "probability" }),
  }),
  gaussian_blur: builtin("op", "gaussian_blur", "With probability p, blur with sigma drawn uniformly from `sigma` (PIL radius).", {
    p: number(prob, { default: 0.5, doc: "probability" }),
    sigma: range(positive, { default: [0.1, 2.0], doc: "range of sigma" }),
  }),
  solarize: builtin("op", "solarize", "With probability p, invert every pixel at or above `threshold`.", {
    p: number(prob, { default: 0.0, doc: "probability" }),
    threshold: number({ min: 0, max: 256 }, { default: 128, unit: "0..255 scale", doc: "threshold" }),
  }),
  equalize: builtin("op", "equalize", "With probability p, equalise the image's histogram.", {
    p: number(prob, { default: 0.0, doc: "probability" }),
  }),
  horizontal_flip: builtin("op", "horizontal_flip", "With probability p, mirror the image left-right.", {
    p: number(prob, { default: 0.5, doc: "probability" }),
  }),
} as const;

/** The op every view ends with; the resolver appends it with the training data's statistics (not written in the language). */
export const NORMALIZE = builtin("op", "normalize", "Subtract the mean and divide by the std, per channel (appended to every view).", {
  mean: fixed<number[]>([], { type: "array", items: { type: "number" } }, "per-channel mean (0..1 scale) of the training data"),
  std: fixed<number[]>([], { type: "array", items: { type: "number" } }, "per-channel std (0..1 scale) of the training data"),
});

/** `strength = s` on an augmentation: scales its ops as ir/augment-strength.ts defines. */
export const AUGMENT = block("augment", "The augmentation's settings besides its views.", {
  strength: number(
    { min: STRENGTH_MIN, max: STRENGTH_MAX },
    { default: 1, doc: "augmentation strength: 1 = the preset as written, 0 = its weakest form (docs/language.md)" },
  ),
});

// ---------------------------------------------------------------- data sources

const sourceCommon = {
  size: int(posInt, {
    default: null,
    doc: "number of images: the first N when the data holds more, an error when it holds fewer (lets lint and epoch-based settings work without reading the file)",
  }),
  shape: numbers({ length: 3, integer: true, min: 1 }, { default: null, doc: "image shape (height, width, channels)" }),
  classes: int(posInt, { default: null, doc: "number of classes of a labelled set" }),
  mean: numbers({ min: 0, max: 1 }, { default: null, doc: "per-channel mean on the 0..1 scale" }),
  std: numbers({ min: 0, minExclusive: true }, { default: null, doc: "per-channel std on the 0..1 scale" }),
};
const origin = oneOf(["generated", "real"], { default: "generated", doc: "generated images carry label -1" });
const fid = number(nonNegative, { default: null, doc: "FID of the generated set, for lint" });

export const NPZ = block("npz", "A numpy .npz archive with `image` (N,H,W,C uint8) and `label` arrays, as the reference converter writes.", {
  path: string({ position: 0, doc: "path of the .npz file" }),
  origin,
  fid,
  channelOrder: oneOf(["rgb", "bgr"], {
    default: null,
    lang: "channels",
    doc: "channel order of the stored pixels (the reference converter writes OpenCV's BGR)",
  }),
  layout: oneOf(["nhwc", "nchw"], { default: "nhwc", doc: "array layout" }),
  standIn: bool({
    default: false,
    doc: "the file is the built-in stand-in generator's output: when it is missing, `adainfc run` makes it (adainfc generate, fitted on the pipeline's real data; generated sets only)",
  }),
  ...sourceCommon,
});

export const FOLDER = block("folder", "A folder of PNG/JPEG/WebP images (unlabelled).", {
  path: string({ position: 0, doc: "the folder" }),
  origin,
  fid,
  ...sourceCommon,
});

/** The source formats a pipeline calls directly (dataset presets are declared in stdlib/). */
export const SOURCE_FORMATS = { npz: NPZ, folder: FOLDER } as const;
export const FILE_FORMATS = ["npz", "folder"] as const satisfies readonly (keyof typeof SOURCE_FORMATS)[];
/** The on-disk formats of a dataset preset (stdlib/datasets.adainf). */
export const DATASET_FORMATS = ["cifar10", "cifar100", "mnist"] as const;

/** Parameters of a call to a `dataset` preset: `cifar10("datasets/cifar10", split = train)`. */
export const DATASET_CALL = block("dataset", "A dataset preset from stdlib (cifar10, cifar100, mnist) or the project.", {
  path: string({ position: 0, default: null, doc: "where the files are (not needed for mnist)" }),
  split: oneOf(["train", "test"], { default: "train", doc: "which split" }),
  size: int(posInt, { default: null, doc: "use only the first N images of the split (data-scarce experiments)" }),
});

/** Fields of a `dataset NAME { ... }` declaration. */
export const DATASET_FIELDS = block("dataset", "A dataset preset.", {
  format: oneOf(DATASET_FORMATS, { doc: "on-disk format" }),
  shape: numbers({ length: 3, integer: true, min: 1 }, { doc: "image shape (height, width, channels)" }),
  classes: int(posInt, { doc: "number of classes" }),
  trainSize: int(posInt, { doc: "images in the train split" }),
  testSize: int(posInt, { doc: "images in the test split" }),
  mean: numbers({ min: 0, max: 1 }, { doc: "per-channel mean (0..1)" }),
  std: numbers({ min: 0, minExclusive: true }, { doc: "per-channel std (0..1)" }),
  path: string({ default: null, doc: "default location of the files" }),
});

// ---------------------------------------------------------------- model

export const BACKBONES = {
  resnet18: builtin("name", "resnet18", "ResNet-18.", {
    stem: oneOf(["cifar", "imagenet"], {
      default: "cifar",
      doc: "first layers: `cifar` is a 3x3 stride-1 convolution and no max-pool (solo-learn's CIFAR stem)",
    }),
    featureDim: fixed(512, { type: "integer", minimum: 1 }, "feature dimension after global pooling"),
  }),
  convnet: builtin(
    "name",
    "convnet",
    "A small convnet for CPU-sized runs: 3x3 convolutions (first stride 1, then stride 2), each with batch norm (optional) and ReLU, global average pooling, a linear layer.",
    {
      channels: numbers({ integer: true, min: 1 }, { default: [32, 64, 128], doc: "output channels of each convolution" }),
      featureDim: int(posInt, { default: 128, doc: "feature dimension" }),
      batchNorm: bool({
        default: true,
        doc: "BatchNorm2d (torch semantics) after each convolution, before its ReLU; `false` is the plain network of torch_reference.py",
      }),
    },
  ),
} as const;

const projHiddenDim = (d: number) => int(posInt, { default: d, doc: "projector hidden width" });
const projOutputDim = (d: number) => int(posInt, { default: d, doc: "projector output width" });
const temperature = number(positive, { default: 0.2, doc: "softmax temperature" });
const momentum = (final: number) =>
  group("target-encoder momentum, increased from base to final along a cosine (solo-learn)", {
    base: number(prob, { default: 0.99, doc: "target-encoder momentum at step 0" }),
    final: number(prob, { default: final, doc: "target-encoder momentum at the last step" }),
  });

export const METHODS = {
  simclr: builtin("name", "simclr", "SimCLR (NT-Xent loss).", {
    projHiddenDim: projHiddenDim(2048),
    projOutputDim: projOutputDim(256),
    temperature,
  }),
  mocov2plus: builtin("name", "mocov2plus", "MoCo v2+ (momentum encoder and a queue of negatives).", {
    projHiddenDim: projHiddenDim(2048),
    projOutputDim: projOutputDim(256),
    temperature,
    queueSize: int(posInt, { default: 32768, doc: "negatives kept in the queue" }),
    momentum: momentum(0.999),
  }),
  byol: builtin("name", "byol", "BYOL (predictor and momentum target).", {
    projHiddenDim: projHiddenDim(4096),
    projOutputDim: projOutputDim(256),
    predHiddenDim: int(posInt, { default: 4096, doc: "predictor hidden width" }),
    momentum: momentum(1.0),
  }),
  barlow: builtin("name", "barlow", "Barlow Twins (cross-correlation towards the identity).", {
    projHiddenDim: projHiddenDim(2048),
    projOutputDim: projOutputDim(2048),
    scaleLoss: number(positive, { default: 0.1, doc: "scale of the loss" }),
    lambda: number(nonNegative, { default: 0.0051, doc: "weight of the off-diagonal term (solo-learn `lamb`)" }),
  }),
} as const;

// ---------------------------------------------------------------- training

const lr = number(positive, { doc: "base learning rate" });
const weightDecay = number(nonNegative, { default: 1e-4, doc: "weight decay" });
const sgdMomentum = number(below1, { default: 0.9, doc: "momentum" });

export const OPTIMIZERS = {
  lars: builtin("name", "lars", "LARS as in solo-learn.", {
    lr,
    weightDecay,
    momentum: sgdMomentum,
    eta: number(positive, { default: 0.02, doc: "trust coefficient" }),
    clipLr: bool({ default: true, doc: "clip the adaptive rate at 1" }),
    excludeBiasAndNorm: bool({ default: true, lang: "exclude_bias_n_norm", doc: "no adaptation or decay for biases and norm layers" }),
  }),
  sgd: builtin("name", "sgd", "SGD with momentum.", { lr, weightDecay, momentum: sgdMomentum }),
  adamw: builtin("name", "adamw", "AdamW.", {
    lr,
    weightDecay: number(nonNegative, { default: 1e-4, doc: "decoupled weight decay" }),
    beta1: number(below1, { default: 0.9, doc: "beta1" }),
    beta2: number(below1, { default: 0.999, doc: "beta2" }),
  }),
} as const;

export const SCHEDULES = {
  warmup_cosine: builtin("name", "warmup_cosine", "Linear warm-up from warmup_start_lr, then cosine decay to min_lr (solo-learn).", {
    warmupSteps: duration(
      {},
      {
        default: { value: 1000, unit: "steps" },
        lang: "warmup",
        what: "warmup",
        // 0: no warm-up, which a hand-written IR may say.
        ir: { type: "integer", minimum: 0 },
        doc: "warm-up length (what the AdaInf reference configs give: `warmup_epochs` 10 x `max_steps` / `compute_warm_step_epoch` 1000 = 1,000 steps)",
      },
    ),
    warmupStartLr: number(nonNegative, { default: 3e-5, doc: "learning rate at step 0" }),
    minLr: number(nonNegative, { default: 0, doc: "learning rate at the end" }),
  }),
  constant: builtin("name", "constant", "A constant learning rate.", {}),
} as const;

/** The schedule of a `train` block that names none. */
export const DEFAULT_SCHEDULE = SCHEDULES.warmup_cosine;

/** `lr_scaling = linear`: rates are per this many images (solo-learn's args/pretrain.py). */
export const LR_SCALING_BASE_BATCH = 256;

export const TRAIN = block("train", "Training settings.", {
  batchSize: int(posInt, { default: 256, doc: "images per view per step over all devices (the effective batch); each device takes batch_size / devices" }),
  devices: int(
    { min: 1, max: 1024 },
    { default: 1, doc: "data-parallel replicas (GPUs) the batch is split over; `adainfc run` trains the whole batch on one device" },
  ),
  lrScaling: oneOf(["none", "linear"], {
    default: "none",
    doc: `\`none\`: the optimizer's and online classifier's lr are the rates trained with; \`linear\`: they are per ${LR_SCALING_BASE_BATCH} images and the run multiplies them by batch_size / ${LR_SCALING_BASE_BATCH} (solo-learn's rule)`,
  }),
  steps: duration({}, { default: { value: 100_000, unit: "steps" }, doc: "training length" }),
});

/** Keys of a `train` block besides its fields: the builtins it calls. */
export const TRAIN_CALLS = { optimizer: OPTIMIZERS, schedule: SCHEDULES } as const;

/** The evaluators of an `evaluate` block; the IR has each under its name in camelCase, or null when off. */
export const EVALUATORS = {
  online_linear: block("online_linear", "A linear classifier trained online on detached features (labels -1 skipped).", {
    lr: number(positive, { default: 0.1, doc: "learning rate of the classifier" }),
    every: duration({}, { default: { value: 200, unit: "steps" }, doc: "validation interval" }),
  }),
  knn: block("knn", "Weighted k-nearest-neighbour classification of the evaluation set.", {
    k: int(posInt, { default: 200, doc: "neighbours" }),
    temperature: number(positive, { default: 0.1, doc: "weighting temperature" }),
    distance: oneOf(["cosine", "euclidean"], { default: "cosine", doc: "similarity" }),
    every: duration({ allowNone: true }, { default: null, doc: "interval; default (none): only at the end" }),
  }),
  linear_probe: block("linear_probe", "Offline linear probe of the final encoder.", {
    epochs: int(posInt, { default: 100, doc: "probe epochs" }),
    lr: number(positive, { default: 0.1, doc: "probe learning rate" }),
    batchSize: int(posInt, { default: 256, doc: "probe batch size" }),
  }),
} as const;

export const OUTPUT = block("output", "Where the run writes.", {
  dir: filledIn(string({ default: null, doc: "run directory (metrics.jsonl, checkpoints, the resolved IR); default runs/<pipeline>" })),
  checkpointEvery: duration({ allowNone: true }, { default: null, doc: "checkpoint interval; default (none): only at the end" }),
  keep: int(posInt, { default: 3, doc: "checkpoints kept (oldest removed first)" }),
});

/** Severities of a lint rule as a pipeline's `lint` block sets them. */
export const RULE_SEVERITIES = ["off", "info", "warn", "error"] as const;

/** Where a pipeline's run writes when `output { dir }` does not say. */
export function defaultOutputDir(pipeline: string): string {
  return `runs/${pipeline}`;
}

export const SEED = block("pipeline", "The pipeline's own settings.", {
  seed: int({ min: 0 }, { default: 0, doc: "seed of every random choice (sampler, augmentation, init)" }),
});

/** The blocks of a pipeline body, in the order the docs list them. */
export const PIPELINE_FIELDS = ["seed", "data", "inflate", "augment", "model", "train", "evaluate", "output", "lint", "sweep"] as const;
export const MODEL_CALLS = { backbone: BACKBONES, method: METHODS } as const;
