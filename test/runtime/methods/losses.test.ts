// Each loss against the same formula computed with plain JS loops on tiny inputs.
import { beforeAll, describe, expect, it } from "vitest";
import type * as tfc from "@tensorflow/tfjs-core";
import { barlowLoss, byolLoss, mocoLoss, simclrLoss } from "../../../src/runtime/methods/index.js";
import { Rng } from "../../../src/runtime/rng.js";
import { batchNormJs, cpuTf, dot, expectClose, normalizeRows, randomMatrix, type Matrix } from "./helpers.js";

let tf: typeof tfc;
beforeAll(async () => {
  tf = await cpuTf();
});

/** solo-learn's simclr_loss_func, written out: exp similarities, masks, log ratio. */
function simclrJs(views: Matrix[], t: number): number {
  const n = views[0]!.length;
  const z = normalizeRows(views.flat());
  const m = z.length;
  let total = 0;
  for (let i = 0; i < m; i++) {
    let pos = 0;
    let neg = 0;
    for (let j = 0; j < m; j++) {
      if (i === j) continue;
      const s = Math.exp(dot(z[i]!, z[j]!) / t);
      if (i % n === j % n) pos += s;
      else neg += s;
    }
    total += Math.log(pos / (pos + neg));
  }
  return -total / m;
}

function mocoJs(q: Matrix, k: Matrix, queue: Matrix, t: number): number {
  let total = 0;
  q.forEach((qi, i) => {
    const logits = [dot(qi, k[i]!) / t, ...queue.map((key) => dot(qi, key) / t)];
    const denom = logits.reduce((s, l) => s + Math.exp(l), 0);
    total += -Math.log(Math.exp(logits[0]!) / denom);
  });
  return total / q.length;
}

function byolJs(p: Matrix, z: Matrix): number {
  const pn = normalizeRows(p);
  const zn = normalizeRows(z);
  const meanCos = pn.reduce((s, r, i) => s + dot(r, zn[i]!), 0) / p.length;
  return 2 - 2 * meanCos;
}

function barlowJs(z1: Matrix, z2: Matrix, lambda: number, scale: number): number {
  const a = batchNormJs(z1);
  const b = batchNormJs(z2);
  const n = z1.length;
  const d = z1[0]!.length;
  let loss = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      let c = 0;
      for (let r = 0; r < n; r++) c += a[r]![i]! * b[r]![j]!;
      c /= n;
      loss += i === j ? (1 - c) ** 2 : lambda * c * c;
    }
  }
  return scale * loss;
}

describe("simclr loss", () => {
  it("matches the hand-computed NT-Xent value (2 views)", () => {
    const rng = new Rng(1);
    const v1 = randomMatrix(rng, 4, 3);
    const v2 = randomMatrix(rng, 4, 3);
    const got = simclrLoss(tf, [tf.tensor2d(v1), tf.tensor2d(v2)], 0.2);
    expectClose(got.dataSync()[0]!, simclrJs([v1, v2], 0.2), 1e-5);
  });

  it("matches with 3 views and a small temperature", () => {
    const rng = new Rng(2);
    const views = [randomMatrix(rng, 3, 5), randomMatrix(rng, 3, 5), randomMatrix(rng, 3, 5)];
    const got = simclrLoss(
      tf,
      views.map((v) => tf.tensor2d(v)),
      0.07,
    );
    expectClose(got.dataSync()[0]!, simclrJs(views, 0.07), 1e-5);
  });

  it("a hand-checkable case: two images, orthogonal, views identical", () => {
    // z = e1, e2, e1, e2: for row 0, pos = exp(1/T), neg = exp(0) + exp(0)... row 0 sees
    // j=1 (other image, sim 0), j=2 (its positive, sim 1), j=3 (other image, sim 0).
    const t = 0.5;
    const e = [
      [1, 0],
      [0, 1],
    ];
    const got = simclrLoss(tf, [tf.tensor2d(e), tf.tensor2d(e)], t).dataSync()[0]!;
    const pos = Math.exp(1 / t);
    expectClose(got, -Math.log(pos / (pos + 2)), 1e-6);
  });
});

describe("mocov2+ loss", () => {
  it("matches cross-entropy over [positive, queue] logits", () => {
    const rng = new Rng(3);
    const q = normalizeRows(randomMatrix(rng, 4, 3));
    const k = normalizeRows(randomMatrix(rng, 4, 3));
    const queue = normalizeRows(randomMatrix(rng, 6, 3));
    const got = mocoLoss(tf, tf.tensor2d(q), tf.tensor2d(k), tf.tensor2d(queue), 0.2);
    expectClose(got.dataSync()[0]!, mocoJs(q, k, queue, 0.2), 1e-5);
  });
});

describe("byol loss", () => {
  it("matches 2 - 2 mean cosine", () => {
    const rng = new Rng(4);
    const p = randomMatrix(rng, 5, 4);
    const z = randomMatrix(rng, 5, 4);
    expectClose(byolLoss(tf, tf.tensor2d(p), tf.tensor2d(z)).dataSync()[0]!, byolJs(p, z), 1e-5);
  });

  it("is 0 when p == z (and stays 0 under scaling of z)", () => {
    const rng = new Rng(5);
    const p = randomMatrix(rng, 5, 4);
    expect(Math.abs(byolLoss(tf, tf.tensor2d(p), tf.tensor2d(p)).dataSync()[0]!)).toBeLessThan(1e-6);
    const scaled = p.map((r) => r.map((x) => 3 * x));
    expect(Math.abs(byolLoss(tf, tf.tensor2d(p), tf.tensor2d(scaled)).dataSync()[0]!)).toBeLessThan(1e-6);
  });

  it("passes no gradient to the target z", () => {
    const p = tf.tensor2d([
      [1, 2],
      [3, -1],
    ]);
    const z = tf.tensor2d([
      [0.5, 1],
      [-2, 1],
    ]);
    const [gp, gz] = tf.grads((a: tfc.Tensor, b: tfc.Tensor) => byolLoss(tf, a as tfc.Tensor2D, b as tfc.Tensor2D))([p, z]);
    expect(Math.max(...Array.from(tf.abs(gz!).dataSync()))).toBe(0);
    expect(Math.max(...Array.from(tf.abs(gp!).dataSync()))).toBeGreaterThan(0);
  });
});

describe("barlow twins loss", () => {
  it("matches on-diagonal + lambda * off-diagonal of the batch-normalised cross-correlation", () => {
    const rng = new Rng(6);
    const z1 = randomMatrix(rng, 6, 3);
    const z2 = randomMatrix(rng, 6, 3);
    const got = barlowLoss(tf, tf.tensor2d(z1), tf.tensor2d(z2), 0.0051, 0.1).dataSync()[0]!;
    expectClose(got, barlowJs(z1, z2, 0.0051, 0.1), 1e-5);
  });

  it("is ~0 on the diagonal when both views are equal and features uncorrelated", () => {
    // columns are orthogonal, centred, equal-variance: c = I (up to eps), loss ~ 0
    const z = [
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ];
    const got = barlowLoss(tf, tf.tensor2d(z), tf.tensor2d(z), 0.5, 1).dataSync()[0]!;
    expect(got).toBeLessThan(1e-4);
  });
});

describe("gradients", () => {
  it("are finite for every loss", () => {
    const rng = new Rng(7);
    const a = tf.tensor2d(randomMatrix(rng, 4, 3));
    const b = tf.tensor2d(randomMatrix(rng, 4, 3));
    const queue = tf.tensor2d(normalizeRows(randomMatrix(rng, 5, 3)));
    const losses: [string, (x: tfc.Tensor2D) => tfc.Scalar][] = [
      ["simclr", (x) => simclrLoss(tf, [x, b], 0.1)],
      ["moco", (x) => mocoLoss(tf, x, b, queue, 0.2)],
      ["byol", (x) => byolLoss(tf, x, b)],
      ["barlow", (x) => barlowLoss(tf, x, b, 0.005, 0.1)],
    ];
    for (const [name, f] of losses) {
      const g = tf.grad((x: tfc.Tensor) => f(x as tfc.Tensor2D))(a);
      const values = Array.from(g.dataSync());
      expect(values.every(Number.isFinite), name).toBe(true);
      expect(
        values.some((v) => v !== 0),
        name,
      ).toBe(true);
    }
  });
});
