// The online classifier and the offline probe learn linearly separable features; label
// -1 rows change nothing; feature extraction gathers what the encoder returns.
import { beforeAll, describe, expect, it } from "vitest";
import type * as tfc from "@tensorflow/tfjs-core";
import { extractFeatures, maskedCrossEntropy, OnlineLinearClassifier, trainLinearProbe, type FeatureSet } from "../../../src/runtime/eval/index.js";
import { Rng } from "../../../src/runtime/rng.js";
import { cpuTf, expectAllClose, expectClose } from "../methods/helpers.js";

let tf: typeof tfc;
beforeAll(async () => {
  tf = await cpuTf();
});

const CENTRES = [
  [3, 0, 0, 1],
  [0, 3, 0, -1],
  [0, 0, 3, 1],
  [-3, -3, -3, 0],
];

/** Four well-separated Gaussian blobs in 4-D. */
function blobs(seed: number, perClass: number, unlabelledEvery = 0): FeatureSet {
  const rng = new Rng(seed);
  const rows: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < perClass * CENTRES.length; i++) {
    const c = i % CENTRES.length;
    for (const m of CENTRES[c]!) rows.push(m + 0.4 * rng.normal());
    labels.push(unlabelledEvery > 0 && i % unlabelledEvery === 0 ? -1 : c);
  }
  return { features: Float32Array.from(rows), labels: Int32Array.from(labels), dim: 4 };
}

function batch(set: FeatureSet, start: number, n: number): [tfc.Tensor2D, Int32Array] {
  return [tf.tensor2d(set.features.subarray(start * set.dim, (start + n) * set.dim), [n, set.dim]), set.labels.subarray(start, start + n)];
}

describe("masked cross-entropy", () => {
  it("equals the mean over labelled rows, and 0 with none", () => {
    const logits = tf.tensor2d([
      [1, 2, 0],
      [0.5, 0.5, 3],
      [2, 0, 0],
    ]);
    const lse = (r: number[]) => Math.log(r.reduce((s, x) => s + Math.exp(x), 0));
    const expected = (lse([1, 2, 0]) - 2 + (lse([2, 0, 0]) - 2)) / 2;
    expectClose(maskedCrossEntropy(tf, logits, [1, -1, 0]).dataSync()[0]!, expected, 1e-6);
    expect(maskedCrossEntropy(tf, logits, [-1, -1, -1]).dataSync()[0]).toBe(0);
  });
});

describe("online linear classifier", () => {
  it("reaches ~100% on linearly separable features", async () => {
    const train = blobs(1, 64);
    const test = blobs(2, 25);
    const clf = new OnlineLinearClassifier(tf, 4, 4, { lr: 0.05, every: 200 }, new Rng(3));
    for (let epoch = 0; epoch < 10; epoch++) {
      for (let s = 0; s < 256; s += 32) {
        const [x, y] = batch(train, s, 32);
        // two "views": the same features, as if both augmentations agreed
        await clf.trainStep([x, x], y);
        x.dispose();
      }
    }
    const [x, y] = batch(test, 0, 100);
    const m = await clf.evaluate(x, y);
    expect(m.acc1).toBeGreaterThanOrEqual(99);
    expect(m.labelled).toBe(100);
    expect(m.loss).toBeLessThan(0.1);
  });

  it("label -1 rows change nothing compared with dropping them", async () => {
    const data = blobs(4, 16, 3); // every third row unlabelled
    const a = new OnlineLinearClassifier(tf, 4, 4, { lr: 0.1, every: 1 }, new Rng(5));
    const b = new OnlineLinearClassifier(tf, 4, 4, { lr: 0.1, every: 1 }, new Rng(5));
    for (let s = 0; s < 64; s += 16) {
      const [x, y] = batch(data, s, 16);
      const ma = await a.trainStep([x], y);
      const keep = Array.from(y.keys()).filter((i) => y[i]! >= 0);
      const xb = tf.gather(x, keep);
      const mb = await b.trainStep([xb as tfc.Tensor2D], Int32Array.from(keep.map((i) => y[i]!)));
      expectClose(ma.loss, mb.loss, 1e-6);
      expect(ma.acc1).toBeCloseTo(mb.acc1, 10);
      expect(ma.labelled).toBe(keep.length);
      tf.dispose([x, xb]);
    }
    const sa = await a.state();
    const sb = await b.state();
    expectAllClose(sa.tensors["classifier.weight"]!.values, sb.tensors["classifier.weight"]!.values, 1e-6);
    expectAllClose(sa.tensors["classifier.bias"]!.values, sb.tensors["classifier.bias"]!.values, 1e-6);
  });

  it("a batch of only generated images leaves the weights unchanged", async () => {
    const clf = new OnlineLinearClassifier(tf, 4, 4, { lr: 0.1, every: 1 }, new Rng(6));
    const before = (await clf.state()).tensors["classifier.weight"]!.values;
    const x = tf.randomNormal([8, 4]) as tfc.Tensor2D;
    const m = await clf.trainStep([x], new Int32Array(8).fill(-1));
    expect(m.loss).toBe(0);
    expect(m.labelled).toBe(0);
    expect(Array.from((await clf.state()).tensors["classifier.weight"]!.values)).toEqual(Array.from(before));
    x.dispose();
  });

  it("keeps the tensor count constant and round-trips its state", async () => {
    const clf = new OnlineLinearClassifier(tf, 4, 4, { lr: 0.1, every: 1 }, new Rng(7));
    const data = blobs(8, 8);
    const [x, y] = batch(data, 0, 32);
    await clf.trainStep([x, x], y);
    const count = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await clf.trainStep([x, x], y);
    expect(tf.memory().numTensors).toBe(count);
    const copy = new OnlineLinearClassifier(tf, 4, 4, { lr: 0.1, every: 1 }, new Rng(99));
    copy.loadState(await clf.state());
    const r1 = await clf.trainStep([x], y);
    const r2 = await copy.trainStep([x], y);
    expectClose(r1.loss, r2.loss, 1e-6);
    expectAllClose((await copy.state()).tensors["classifier.weight"]!.values, (await clf.state()).tensors["classifier.weight"]!.values, 1e-6);
    x.dispose();
  });
});

describe("offline linear probe", () => {
  it("reaches ~100% top-1 on separable features and ignores -1 rows", async () => {
    const train = blobs(10, 50, 7);
    const test = blobs(11, 25);
    const epochs: number[] = [];
    const r = await trainLinearProbe(tf, train, test, { epochs: 5, lr: 0.1, batchSize: 32 }, new Rng(12), {
      onEpoch: (e) => epochs.push(e),
    });
    expect(r.acc1).toBeGreaterThanOrEqual(99);
    expect(r.trainAcc1).toBeGreaterThanOrEqual(99);
    const labelled = Array.from(train.labels).filter((l) => l >= 0).length;
    expect(r.steps).toBe(5 * Math.ceil(labelled / 32));
    expect(epochs).toEqual([0, 1, 2, 3, 4]);
  });

  it("is deterministic for a seed and does not leak", async () => {
    const train = blobs(13, 10);
    const test = blobs(14, 5);
    const before = tf.memory().numTensors;
    const a = await trainLinearProbe(tf, train, test, { epochs: 2, lr: 0.05, batchSize: 8 }, new Rng(1));
    const b = await trainLinearProbe(tf, train, test, { epochs: 2, lr: 0.05, batchSize: 8 }, new Rng(1));
    expect(a).toEqual(b);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("feature extraction", () => {
  it("runs the encoder in eval mode over every batch and keeps labels in order", async () => {
    const modes: boolean[] = [];
    // encoder: mean over height and width -> [B, C]
    const forward = (x: tfc.Tensor4D, opts: { training: boolean }) => {
      modes.push(opts.training);
      return tf.mean(x, [1, 2]) as tfc.Tensor2D;
    };
    async function* batches() {
      for (let b = 0; b < 3; b++) {
        const n = b === 2 ? 1 : 2;
        const values = Array.from({ length: n * 2 * 2 * 3 }, (_, i) => b * 100 + i);
        yield { images: tf.tensor4d(values, [n, 2, 2, 3]), labels: Array.from({ length: n }, (_, i) => (b === 1 ? -1 : b * 10 + i)) };
      }
    }
    const before = tf.memory().numTensors;
    const set = await extractFeatures(forward, batches());
    expect(modes).toEqual([false, false, false]);
    expect(set.dim).toBe(3);
    expect(Array.from(set.labels)).toEqual([0, 1, -1, -1, 20]);
    // first image of batch 0: pixels i = 0..11, channel c holds i = c, c+3, c+6, c+9
    expectAllClose(set.features.subarray(0, 3), [4.5, 5.5, 6.5], 1e-6);
    // last image (batch 2): 200 + the same pattern
    expectAllClose(set.features.subarray(12, 15), [204.5, 205.5, 206.5], 1e-6);
    expect(tf.memory().numTensors).toBe(before);
  });
});
