// The JSON Schema of the IR (src/ir/types.ts), printed by `adainfc schema`.
// Every object is closed (additionalProperties: false) so a typo in an emitter or
// a hand-edited IR file is caught, not ignored.

const num = { type: "number" } as const;
const posInt = { type: "integer", minimum: 1 } as const;
const prob = { type: "number", minimum: 0, maximum: 1 } as const;
const str = { type: "string" } as const;
const pair = { type: "array", items: num, minItems: 2, maxItems: 2 } as const;
const nums = { type: "array", items: num } as const;
const nullable = (s: object) => ({ anyOf: [s, { type: "null" }] });

function obj(properties: Record<string, object>, required: string[] = Object.keys(properties)): object {
  return { type: "object", properties, required, additionalProperties: false };
}
function op(name: string, props: Record<string, object>): object {
  return obj({ op: { const: name }, ...props });
}

const momentum = obj({ base: prob, final: prob });

export const irSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://adainf.dev/schema/ir-v1.json",
  title: "adainf pipeline IR, version 1",
  description: "A resolved adainf pipeline: every preset expanded, every default filled in, every length in steps.",
  ...obj({
    version: { const: 1 },
    name: str,
    file: str,
    seed: { type: "integer", minimum: 0 },
    data: obj({
      sources: {
        type: "array",
        items: obj({
          name: str,
          format: { enum: ["cifar10", "cifar100", "mnist", "npz", "folder"] },
          path: nullable(str),
          split: { enum: ["train", "test", null] },
          origin: { enum: ["real", "generated"] },
          size: nullable(posInt),
          shape: { type: "array", items: posInt, minItems: 3, maxItems: 3 },
          classes: nullable(posInt),
          layout: { enum: ["nhwc", "nchw"] },
          channelOrder: { enum: ["rgb", "bgr", null] },
          fid: nullable({ type: "number", minimum: 0 }),
          standIn: { type: "boolean" },
          mean: nums,
          std: nums,
        }),
      },
      train: { type: "array", minItems: 1, items: obj({ source: str, replicate: posInt }) },
      eval: nullable(str),
    }),
    augment: obj({
      preset: nullable(str),
      strength: { type: "number", minimum: 0 },
      symmetric: { type: "boolean" },
      views: {
        type: "array",
        minItems: 1,
        items: obj({
          name: str,
          ops: {
            type: "array",
            items: {
              oneOf: [
                op("random_resized_crop", { size: posInt, scale: pair, ratio: pair, interpolation: { enum: ["bicubic", "bilinear", "nearest"] } }),
                op("color_jitter", { p: prob, brightness: num, contrast: num, saturation: num, hue: { type: "number", minimum: 0, maximum: 0.5 } }),
                op("grayscale", { p: prob }),
                op("gaussian_blur", { p: prob, sigma: pair }),
                op("solarize", { p: prob, threshold: num }),
                op("equalize", { p: prob }),
                op("horizontal_flip", { p: prob }),
                op("normalize", { mean: nums, std: nums }),
              ],
            },
          },
        }),
      },
    }),
    model: obj({
      backbone: {
        oneOf: [
          obj({ name: { const: "resnet18" }, stem: { enum: ["cifar", "imagenet"] }, featureDim: posInt }),
          obj({ name: { const: "convnet" }, channels: { type: "array", items: posInt, minItems: 1 }, featureDim: posInt, batchNorm: { type: "boolean" } }),
        ],
      },
      method: {
        oneOf: [
          obj({ name: { const: "simclr" }, projHiddenDim: posInt, projOutputDim: posInt, temperature: num }),
          obj({ name: { const: "mocov2plus" }, projHiddenDim: posInt, projOutputDim: posInt, temperature: num, queueSize: posInt, momentum }),
          obj({ name: { const: "byol" }, projHiddenDim: posInt, projOutputDim: posInt, predHiddenDim: posInt, momentum }),
          obj({ name: { const: "barlow" }, projHiddenDim: posInt, projOutputDim: posInt, scaleLoss: num, lambda: num }),
        ],
      },
    }),
    train: obj({
      batchSize: posInt,
      devices: posInt,
      batchPerDevice: posInt,
      lrScaling: obj({ rule: { enum: ["none", "linear"] }, factor: { type: "number", exclusiveMinimum: 0 } }),
      steps: posInt,
      optimizer: {
        oneOf: [
          obj({ name: { const: "lars" }, lr: num, weightDecay: num, momentum: num, eta: num, clipLr: { type: "boolean" }, excludeBiasAndNorm: { type: "boolean" } }),
          obj({ name: { const: "sgd" }, lr: num, weightDecay: num, momentum: num }),
          obj({ name: { const: "adamw" }, lr: num, weightDecay: num, beta1: num, beta2: num }),
        ],
      },
      schedule: {
        oneOf: [
          obj({ name: { const: "warmup_cosine" }, warmupSteps: { type: "integer", minimum: 0 }, warmupStartLr: num, minLr: num }),
          obj({ name: { const: "constant" } }),
        ],
      },
      epochSize: nullable(posInt),
    }),
    evaluate: obj({
      onlineLinear: nullable(obj({ lr: num, every: posInt })),
      knn: nullable(obj({ k: posInt, temperature: num, distance: { enum: ["cosine", "euclidean"] }, every: nullable(posInt) })),
      linearProbe: nullable(obj({ epochs: posInt, lr: num, batchSize: posInt })),
    }),
    output: obj({ dir: str, checkpointEvery: nullable(posInt), keep: posInt }),
    lint: obj({ rules: { type: "object", additionalProperties: { enum: ["off", "info", "warn", "error"] } } }),
    sweep: obj({ base: str, point: { type: "object", additionalProperties: str } }),
  }, ["version", "name", "file", "seed", "data", "augment", "model", "train", "evaluate", "output", "lint"]),
} as const;

