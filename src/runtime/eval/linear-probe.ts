// Offline linear probe: a linear classifier trained on frozen features for `epochs`
// (SGD, momentum 0.9, no weight decay, cosine-decayed lr from LinearProbeIR.lr to 0,
// shuffled mini-batches from the seeded Rng), then top-1 on the test features.
// Rows labelled -1 are not used. An abort stops it between mini-batches (Interrupted).
import type { Tensor } from "@tensorflow/tfjs-core";
import type { LinearProbeIR } from "../../ir/types.js";
import { AbortPoint } from "../abort.js";
import { Linear } from "../methods/linear.js";
import type { Tf } from "../methods/tf.js";
import { Sgd } from "../optim/sgd.js";
import { learningRateAt } from "../optim/schedule.js";
import type { Rng } from "../rng.js";
import { maskedCrossEntropy, topKHits } from "./cross-entropy.js";
import { checkFeatureSet, classCount, labelledOnly, type FeatureSet } from "./feature-set.js";

export interface LinearProbeOptions {
  numClasses?: number;
  momentum?: number;
  weightDecay?: number;
  /** Called after each epoch (progress display). */
  onEpoch?: (epoch: number, meanLoss: number) => void;
  /** Stops the training or the accuracy pass between mini-batches (it throws Interrupted). */
  signal?: AbortSignal;
}

export interface LinearProbeResult {
  /** Top-1 accuracy in percent on the test features. */
  acc1: number;
  /** Top-1 in percent on the training features after the last epoch. */
  trainAcc1: number;
  finalLoss: number;
  steps: number;
}

export async function trainLinearProbe(
  tf: Tf,
  trainSet: FeatureSet,
  testSet: FeatureSet,
  ir: LinearProbeIR,
  rng: Rng,
  opts: LinearProbeOptions = {},
): Promise<LinearProbeResult> {
  checkFeatureSet(trainSet, "linear probe train set");
  checkFeatureSet(testSet, "linear probe test set");
  const train = labelledOnly(trainSet);
  const test = labelledOnly(testSet);
  const n = train.labels.length;
  const d = train.dim;
  if (n === 0) throw new Error("linear probe: no labelled training features");
  if (!(ir.batchSize > 0) || !(ir.epochs >= 0)) throw new Error("linear probe: bad batch size or epochs");
  const numClasses = opts.numClasses ?? classCount(train, test);
  const layer = Linear.create(tf, "probe", d, numClasses, rng);
  const sgd = new Sgd(tf, { momentum: opts.momentum ?? 0.9, weightDecay: opts.weightDecay ?? 0 });
  const vars = [layer.weight, layer.bias];
  const stepsPerEpoch = Math.ceil(n / ir.batchSize);
  const totalSteps = stepsPerEpoch * ir.epochs;
  const schedule = { name: "warmup_cosine", warmupSteps: 0, warmupStartLr: ir.lr, minLr: 0 } as const;
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const xb = new Float32Array(ir.batchSize * d);
  const yb = new Int32Array(ir.batchSize);
  let step = 0;
  let finalLoss = NaN;
  const stop = new AbortPoint(opts.signal);
  // The epoch's summed loss stays on the device: one read-back per epoch.
  let lossSum: Tensor | null = null;
  try {
    for (let epoch = 0; epoch < ir.epochs; epoch++) {
      rng.shuffle(order);
      lossSum = tf.scalar(0);
      for (let s = 0; s < n; s += ir.batchSize) {
        await stop.check();
        const b = Math.min(ir.batchSize, n - s);
        for (let r = 0; r < b; r++) {
          const i = order[s + r]!;
          xb.set(train.features.subarray(i * d, (i + 1) * d), r * d);
          yb[r] = train.labels[i]!;
        }
        const labels = yb.subarray(0, b);
        const x = tf.tensor2d(xb.subarray(0, b * d), [b, d]);
        const { value, grads } = tf.variableGrads(() => maskedCrossEntropy(tf, layer.apply(x), labels), vars);
        sgd.step(
          vars,
          vars.map((v) => grads[v.name]),
          learningRateAt(schedule, ir.lr, step, totalSteps),
        );
        const sum: Tensor = lossSum;
        lossSum = tf.tidy(() => tf.add(sum, tf.mul(value, b)));
        sum.dispose();
        value.dispose();
        x.dispose();
        for (const g of Object.values(grads)) g?.dispose();
        step++;
      }
      finalLoss = (await lossSum.data())[0]! / n;
      lossSum.dispose();
      lossSum = null;
      opts.onEpoch?.(epoch, finalLoss);
    }
    return {
      acc1: await accuracy(tf, layer, test, numClasses, stop),
      trainAcc1: await accuracy(tf, layer, train, numClasses, stop),
      finalLoss,
      steps: step,
    };
  } finally {
    lossSum?.dispose();
    layer.dispose();
    sgd.dispose();
  }
}

/** Top-1 in percent of a linear layer on a feature set, in batches of 1024 rows. */
async function accuracy(tf: Tf, layer: Linear, set: FeatureSet, numClasses: number, stop: AbortPoint): Promise<number> {
  const n = set.labels.length;
  if (n === 0) return 0;
  let hits = 0;
  for (let s = 0; s < n; s += 1024) {
    await stop.check();
    const b = Math.min(1024, n - s);
    const logits = tf.tidy(() => layer.apply(tf.tensor2d(set.features.subarray(s * set.dim, (s + b) * set.dim), [b, set.dim])));
    try {
      hits += topKHits((await logits.data()) as Float32Array, numClasses, set.labels.subarray(s, s + b), 1).hits;
    } finally {
      logits.dispose();
    }
  }
  return (100 * hits) / n;
}
