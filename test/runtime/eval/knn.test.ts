// Weighted kNN on tiny hand-made sets whose answers can be worked out on paper.
import { beforeAll, describe, expect, it } from "vitest";
import type * as tfc from "@tensorflow/tfjs-core";
import { weightedKnn, type FeatureSet } from "../../../src/runtime/eval/index.js";
import { cpuTf } from "../methods/helpers.js";

let tf: typeof tfc;
beforeAll(async () => {
  tf = await cpuTf();
});

function set(rows: number[][], labels: number[]): FeatureSet {
  return { features: Float32Array.from(rows.flat()), labels: Int32Array.from(labels), dim: rows[0]!.length };
}

const deg = (a: number) => [Math.cos((a * Math.PI) / 180), Math.sin((a * Math.PI) / 180)];

// Training points on the unit circle: class 0 around 0 deg, class 1 around 90 deg,
// class 2 around 180 deg. Lengths vary to show cosine ignores them.
const train = set([deg(0), deg(10).map((x) => 3 * x), deg(-10), deg(80), deg(90).map((x) => 0.5 * x), deg(100), deg(175), deg(185)], [0, 0, 0, 1, 1, 1, 2, 2]);

describe("weighted kNN, cosine", () => {
  it("classifies points near each cluster (k = 3)", async () => {
    const test = set([deg(5), deg(95), deg(178), deg(-5)], [0, 1, 2, 0]);
    const r = await weightedKnn(tf, train, test, { k: 3, temperature: 0.07, distance: "cosine" });
    expect(r.acc1).toBe(100);
    expect(r.evaluated).toBe(4);
  });

  it("weights votes by exp(sim / T): one very close neighbour can outvote two far ones", async () => {
    // one class-0 point close to the query, two class-1 points further away
    const bank = set([deg(0), deg(60), deg(65)], [0, 1, 1]);
    const q = set([deg(15)], [0]);
    // sims: cos 15 = 0.9659 (class 0), cos 45 = 0.7071, cos 50 = 0.6428 (class 1)
    // T = 0.05: exp(19.32) = 2.46e8 vs exp(14.14) + exp(12.86) = 1.38e6 + 3.8e5 -> class 0
    expect((await weightedKnn(tf, bank, q, { k: 3, temperature: 0.05, distance: "cosine" })).acc1).toBe(100);
    // T = 10: weights ~ 1.10, 1.07, 1.07 -> two votes beat one -> class 1
    expect((await weightedKnn(tf, bank, q, { k: 3, temperature: 10, distance: "cosine" })).acc1).toBe(0);
    // k = 1: only the nearest votes
    expect((await weightedKnn(tf, bank, q, { k: 1, temperature: 10, distance: "cosine" })).acc1).toBe(100);
  });

  it("reports top-5 and counts misses exactly", async () => {
    const test = set([deg(5), deg(95), deg(100)], [1, 1, 2]);
    // predictions: 0 (wrong), 1 (right), 1 (wrong); top-5 covers all 3 classes
    const r = await weightedKnn(tf, train, test, { k: 3, temperature: 0.1, distance: "cosine" });
    expect(r.acc1).toBeCloseTo(100 / 3, 10);
    expect(r.acc5).toBe(100);
  });

  it("gives the same answer however the test rows are chunked", async () => {
    const test = set([deg(5), deg(95), deg(178), deg(-5), deg(92), deg(20)], [0, 1, 2, 0, 1, 1]);
    const whole = await weightedKnn(tf, train, test, { k: 3, temperature: 0.07, distance: "cosine" });
    for (const max of [1, 8, 17, 1e6]) {
      expect(await weightedKnn(tf, train, test, { k: 3, temperature: 0.07, distance: "cosine", maxDistanceMatrixSize: max })).toEqual(whole);
    }
  });

  it("skips unlabelled (-1) training rows", async () => {
    // a -1 point sitting exactly on the query changes nothing
    const polluted = set(
      [...Array.from({ length: 8 }, (_, i) => Array.from(train.features.subarray(2 * i, 2 * i + 2))), deg(95), deg(95)],
      [...train.labels, -1, -1],
    );
    const test = set([deg(95), deg(5)], [1, 0]);
    const a = await weightedKnn(tf, train, test, { k: 3, temperature: 0.07, distance: "cosine" });
    const b = await weightedKnn(tf, polluted, test, { k: 3, temperature: 0.07, distance: "cosine" });
    expect(b).toEqual(a);
    expect(a.acc1).toBe(100);
  });

  it("does not leak tensors", async () => {
    const before = tf.memory().numTensors;
    await weightedKnn(tf, train, set([deg(5)], [0]), { k: 3, temperature: 0.07, distance: "cosine", maxDistanceMatrixSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("weighted kNN, euclidean", () => {
  it("votes with 1 / (distance + eps), so scale matters", async () => {
    const bank = set(
      [
        [0, 0],
        [10, 0],
        [11, 0],
      ],
      [0, 1, 1],
    );
    // query at (3, 0): distances 3, 7, 8 -> weights 0.333 vs 0.143 + 0.125 = 0.268 -> class 0
    expect((await weightedKnn(tf, bank, set([[3, 0]], [0]), { k: 3, temperature: 1, distance: "euclidean" })).acc1).toBe(100);
    // query at (4, 0): distances 4, 6, 7 -> 0.25 vs 0.167 + 0.143 = 0.310 -> class 1
    expect((await weightedKnn(tf, bank, set([[4, 0]], [1]), { k: 3, temperature: 1, distance: "euclidean" })).acc1).toBe(100);
  });
});
