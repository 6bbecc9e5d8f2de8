// Evaluation of the encoder during and after training, from features extracted in eval
// mode (batch norm on running statistics, no augmentation):
//   - the online linear classifier on the evaluation source (val_acc1);
//   - weighted kNN: training bank = the real, labelled training sources;
//   - the offline linear probe on the same features (end of training, `adainfc eval`).
// On webgpu, images go through in batches the device can bind at their own size, the
// kNN bank in blocks that each fit one binding (eval/knn.ts), and what the GPU still
// rejects stops the evaluation with an error, never wrong figures. Each takes the run's
// AbortSignal: an abort stops it at the next batch or block (Interrupted, src/runtime/abort.ts).
import type { Tensor2D } from "@tensorflow/tfjs-core";
import type { PipelineIR } from "../../ir/types.js";
import type { Tf } from "../methods/tf.js";
import type { ImageSource } from "../data/index.js";
import { extractFeatures, trainLinearProbe, weightedKnn, type FeatureSet, type OnlineLinearClassifier } from "../eval/index.js";
import type { Backbone } from "../models/backbone.js";
import { Rng } from "../rng.js";
import { labelledBatches } from "./eval-batches.js";
import { INIT_STREAMS } from "./model.js";
import type { EncoderMetrics } from "../../formats/run-dir.js";
import { bindableBytes, evalBatchFor, largestActivationBytes, type BufferLimits } from "../backend/limits.js";
import { deviceBufferLimits, withDeviceErrorScope } from "../backend/webgpu.js";
import { RunSetupError } from "./errors.js";
import { AbortPoint } from "../abort.js";

/** Images per evaluation batch, or fewer where a GPU cannot bind that many (evalBatchFor). */
export const EVAL_BATCH = 256;

/**
 * Why not even one image of `source` can be evaluated on a device with these limits
 * (its largest activation at the image's own size is over what one shader binds), or null.
 */
export function evaluationFitProblem(limits: BufferLimits, ir: PipelineIR, source: ImageSource, device: string): string | null {
  if (evalBatchFor(limits, ir.model.backbone, source.shape, 1) >= 1) return null;
  const [h, w] = source.shape;
  const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
  return (
    `one ${h}x${w} image of '${source.name}' does not fit this GPU for evaluation: ${ir.model.backbone.name}'s largest activation ` +
    `would be ${mib(largestActivationBytes(ir.model.backbone, source.shape))} MiB, over the ` +
    `${mib(bindableBytes(limits))} MiB one shader can bind on ${device}; ` +
    "evaluate on another backend (adainfc eval --backend wasm)"
  );
}

/**
 * Runs evaluation work on the device; what the GPU rejects (a binding over its limits)
 * stops it with an error instead of giving wrong figures.
 */
async function onDevice<T>(tf: Tf, what: string, work: () => Promise<T>): Promise<T> {
  const { value, deviceError } = await withDeviceErrorScope(tf, work);
  if (deviceError !== null) throw new RunSetupError(`the GPU failed while ${what}: ${deviceError}; the evaluation stopped (its figures would be wrong)`);
  return value;
}

/** Features of every image of `source` in eval mode, in batches the device can bind. */
export async function featuresOf(tf: Tf, backbone: Backbone, source: ImageSource, ir: PipelineIR, signal?: AbortSignal): Promise<FeatureSet> {
  const limits = deviceBufferLimits(tf);
  const batch = evalBatchFor(limits, ir.model.backbone, source.shape, EVAL_BATCH);
  if (limits !== null && batch < 1) throw new RunSetupError(evaluationFitProblem(limits, ir, source, "this GPU")!);
  const set = await onDevice(tf, `extracting the features of '${source.name}'`, () =>
    extractFeatures((x, o) => backbone.forward(x, o.training), labelledBatches(tf, source, ir.augment, batch), signal ? { signal } : {}),
  );
  // Unlabelled rows are dropped before kNN, the probe and the classifier's accuracy: a
  // source with none left would fail inside kNN, or give 0% as if measured.
  if (source.classes !== null && set.labels.length > 0 && !set.labels.some((l) => l >= 0)) {
    const file = ir.data.sources.find((s) => s.name === source.name)?.path ?? source.name;
    throw new RunSetupError(
      `source '${source.name}' declares classes = ${source.classes}, but none of the ${set.labels.length} images of ${file} has a label (all are -1): ` +
        "evaluation would have nothing to work on; give the file its labels, or drop classes from the source (its evaluation is then off)",
    );
  }
  return set;
}

/** Names of the real, labelled sources of the training mixture (the kNN / probe bank). */
export function bankSourceNames(ir: PipelineIR, sources: ReadonlyMap<string, ImageSource>): string[] {
  const names: string[] = [];
  for (const t of ir.data.train) {
    const s = sources.get(t.source);
    if (s?.origin !== "real" || s.classes === null || t.replicate === 0 || names.includes(t.source)) continue;
    names.push(t.source);
  }
  return names;
}

export function concatFeatures(sets: FeatureSet[]): FeatureSet {
  if (sets.length === 1) return sets[0]!;
  const dim = sets.find((s) => s.dim > 0)?.dim ?? 0;
  const n = sets.reduce((a, s) => a + s.labels.length, 0);
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  let at = 0;
  for (const s of sets) {
    features.set(s.features, at * dim);
    labels.set(s.labels, at);
    at += s.labels.length;
  }
  return { features, labels, dim };
}

/** Loss and top-1 of the online classifier over a whole feature set. */
export async function onlineAccuracy(
  tf: Tf,
  classifier: OnlineLinearClassifier,
  set: FeatureSet,
  signal?: AbortSignal,
): Promise<{ val_acc1: number; val_loss: number }> {
  return onDevice(tf, "evaluating the online classifier", () => onlineAccuracyOf(tf, classifier, set, new AbortPoint(signal)));
}

async function onlineAccuracyOf(
  tf: Tf,
  classifier: OnlineLinearClassifier,
  set: FeatureSet,
  stop: AbortPoint,
): Promise<{ val_acc1: number; val_loss: number }> {
  let hits = 0;
  let lossSum = 0;
  let labelled = 0;
  for (let s = 0; s < set.labels.length; s += EVAL_BATCH) {
    await stop.check();
    const b = Math.min(EVAL_BATCH, set.labels.length - s);
    const x = tf.tensor2d(set.features.subarray(s * set.dim, (s + b) * set.dim), [b, set.dim]) as Tensor2D;
    const r = await classifier.evaluate(x, set.labels.subarray(s, s + b)).finally(() => x.dispose());
    hits += (r.acc1 / 100) * r.labelled;
    lossSum += r.loss * r.labelled;
    labelled += r.labelled;
  }
  return { val_acc1: labelled > 0 ? (100 * hits) / labelled : 0, val_loss: labelled > 0 ? lossSum / labelled : 0 };
}

/** kNN (when the IR asks for it) and, with `probe`, the offline linear probe. */
export async function evaluateFeatures(
  tf: Tf,
  ir: PipelineIR,
  bank: FeatureSet,
  test: FeatureSet,
  numClasses: number | undefined,
  what: { knn: boolean; probe: boolean },
  signal?: AbortSignal,
): Promise<EncoderMetrics> {
  const parts = [what.knn && ir.evaluate.knn ? "kNN" : null, what.probe && ir.evaluate.linearProbe ? "the linear probe" : null];
  const label = `evaluating ${parts.filter((p) => p !== null).join(" and ") || "the encoder"}`;
  return onDevice(tf, label, async () => {
    const out: EncoderMetrics = {};
    const knn = ir.evaluate.knn;
    if (what.knn && knn) {
      const r = await weightedKnn(tf, bank, test, {
        k: knn.k,
        temperature: knn.temperature,
        distance: knn.distance,
        limits: deviceBufferLimits(tf),
        ...(numClasses ? { numClasses } : {}),
        ...(signal ? { signal } : {}),
      });
      out.knn_acc1 = r.acc1;
      out.knn_acc5 = r.acc5;
    }
    const probe = ir.evaluate.linearProbe;
    if (what.probe && probe) {
      // Standardised features: the probe's fixed lr then suits an untrained encoder (tiny
      // features) as well as a trained one, so the two are compared fairly.
      const { train, test: t } = standardize(bank, test);
      const r = await trainLinearProbe(tf, train, t, probe, new Rng(ir.seed, INIT_STREAMS.probe), {
        ...(numClasses ? { numClasses } : {}),
        ...(signal ? { signal } : {}),
      });
      out.probe_acc1 = r.acc1;
      out.probe_train_acc1 = r.trainAcc1;
    }
    return out;
  });
}

/** Both sets shifted and scaled by the training set's per-dimension mean and std. */
export function standardize(train: FeatureSet, test: FeatureSet): { train: FeatureSet; test: FeatureSet } {
  const d = train.dim;
  const n = train.labels.length;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = train.features[i * d + j]!;
      mean[j]! += v;
      sq[j]! += v * v;
    }
  }
  const scale = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j]! /= Math.max(1, n);
    const variance = sq[j]! / Math.max(1, n) - mean[j]! * mean[j]!;
    scale[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 1;
  }
  const apply = (s: FeatureSet): FeatureSet => {
    const f = new Float32Array(s.features.length);
    for (let i = 0; i < f.length; i++) f[i] = (s.features[i]! - mean[i % d]!) * scale[i % d]!;
    return { features: f, labels: s.labels, dim: s.dim };
  };
  return { train: apply(train), test: apply(test) };
}
