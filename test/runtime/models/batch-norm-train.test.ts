// The training-mode batch norm op (hand-written gradient; fused kernels on wasm,
// composite tf ops elsewhere) against tfjs's own autodiff of tf.moments +
// tf.batchNorm on the cpu backend: outputs, all three gradients, running statistics,
// and what it keeps alive; an empty batch is refused, not turned into NaN.
import { beforeAll, describe, expect, it } from "vitest";
import type { Scalar, Tensor, Tensor2D, Tensor4D } from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../src/runtime/backend/select.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { BATCH_NORM_TRAIN } from "../../../src/runtime/backend/batch-norm-kernels.js";
import { channelMoments, normalizeGrad } from "../../../src/runtime/backend/wasm-kernels/batch-norm-math.js";
import { addRelu, batchNormTrain } from "../../../src/runtime/models/batch-norm-train.js";
import { batchNorm, VariableStore } from "../../../src/runtime/models/layers.js";
import { BatchNorm1d } from "../../../src/runtime/methods/batchnorm1d.js";
import { RuntimeProblem } from "../../../src/runtime/errors.js";
import { Rng } from "../../../src/runtime/rng.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
  await import("@tensorflow/tfjs-backend-cpu");
});

const EPS = 1e-5;

function normal(size: number, seed: number, offset = 0, scale = 1): Float32Array {
  const rng = new Rng(seed);
  return new Float32Array(size).map(() => offset + scale * rng.normal());
}

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i] as number));
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m / scale;
}

interface Result {
  y: Float32Array;
  dx: Float32Array;
  dgamma: Float32Array;
  dbeta: Float32Array;
}

type Impl = "ours" | "autodiff";

/** y and the gradients of sum(y * r) for a random r, on one backend, by one implementation. */
function run(backend: string, impl: Impl, shape: [number, number, number, number], seed: number, offset: number, relu = false): Result {
  const c = shape[3];
  const size = shape.reduce((a, b) => a * b, 1);
  const xData = normal(size, seed, offset, 2);
  const gData = normal(c, seed + 1, 1, 0.5);
  const bData = normal(c, seed + 2);
  const rData = normal(size, seed + 3);
  const prev = tf.getBackend();
  tf.setBackend(backend);
  try {
    return tf.tidy(() => {
      const x = tf.tensor4d(xData, shape);
      const gamma = tf.tensor1d(gData);
      const beta = tf.tensor1d(bData);
      const r = tf.tensor4d(rData, shape);
      const f = (xi: Tensor, gi: Tensor, bi: Tensor): Tensor4D => {
        if (impl === "ours") return batchNormTrain(tf, xi as Tensor4D, gi, bi, EPS, () => {}, relu);
        const { mean, variance } = tf.moments(xi, [0, 1, 2]);
        const y = tf.batchNorm(xi as Tensor4D, mean, variance, bi, gi, EPS) as Tensor4D;
        return relu ? tf.relu(y) : y;
      };
      const y = f(x, gamma, beta);
      const [dx, dg, db] = tf.grads((...[a, b, d]: Tensor[]) => tf.sum(tf.mul(f(a!, b!, d!), r)) as Scalar)([x, gamma, beta]);
      return {
        y: y.dataSync() as Float32Array,
        dx: dx!.dataSync() as Float32Array,
        dgamma: dg!.dataSync() as Float32Array,
        dbeta: db!.dataSync() as Float32Array,
      };
    });
  } finally {
    tf.setBackend(prev);
  }
}

const SHAPES: Array<[number, number, number, number]> = [
  [4, 5, 3, 6],
  [2, 8, 8, 16],
  [3, 1, 1, 5], // 3 values per channel
  [1, 7, 2, 1], // one channel
  [16, 2, 2, 64],
];

describe("batchNormTrain against tfjs's autodiff of moments + batchNorm (cpu)", () => {
  it("uses the fused kernels on wasm and not on cpu", () => {
    expect(tf.getKernel(BATCH_NORM_TRAIN, "wasm")).toBeDefined();
    expect(tf.getKernel(BATCH_NORM_TRAIN, "cpu")).toBeUndefined();
  });

  SHAPES.forEach((shape, i) => {
    it(`matches y, dx, dgamma, dbeta for [${shape.join(", ")}] (wasm fused and cpu composite)`, () => {
      const offset = i % 2 === 0 ? 0 : 30; // a large mean must not cost precision
      const ref = run("cpu", "autodiff", shape, 10 * i, offset);
      for (const backend of ["wasm", "cpu"]) {
        const got = run(backend, "ours", shape, 10 * i, offset);
        expect(maxRelDiff(got.y, ref.y), `${backend} y`).toBeLessThan(1e-5);
        expect(maxRelDiff(got.dx, ref.dx), `${backend} dx`).toBeLessThan(2e-4);
        expect(maxRelDiff(got.dgamma, ref.dgamma), `${backend} dgamma`).toBeLessThan(1e-4);
        expect(maxRelDiff(got.dbeta, ref.dbeta), `${backend} dbeta`).toBeLessThan(1e-5);
      }
      // Not trivially zero: a real gradient was compared.
      expect(ref.dx.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    });
  });

  it("with a fused ReLU, matches autodiff of relu(batchNorm(x)) on wasm and cpu", () => {
    const shape: [number, number, number, number] = [3, 4, 4, 10];
    const ref = run("cpu", "autodiff", shape, 77, 0.5, true);
    expect(ref.y.some((v) => v === 0)).toBe(true); // the mask matters
    for (const backend of ["wasm", "cpu"]) {
      const got = run(backend, "ours", shape, 77, 0.5, true);
      expect(maxRelDiff(got.y, ref.y), `${backend} y`).toBeLessThan(1e-5);
      expect(maxRelDiff(got.dx, ref.dx), `${backend} dx`).toBeLessThan(2e-4);
      expect(maxRelDiff(got.dgamma, ref.dgamma), `${backend} dgamma`).toBeLessThan(1e-4);
      expect(maxRelDiff(got.dbeta, ref.dbeta), `${backend} dbeta`).toBeLessThan(1e-5);
    }
  });

  it("addRelu matches autodiff of relu(a + b), for both inputs, and when one input is reused", () => {
    const shape: [number, number, number, number] = [2, 3, 3, 4];
    const a = normal(72, 1);
    const b = normal(72, 2);
    const r = normal(72, 3);
    const results: Float32Array[][] = [];
    for (const [backend, ours] of [
      ["cpu", false],
      ["wasm", true],
      ["cpu", true],
    ] as const) {
      tf.setBackend(backend);
      results.push(
        tf.tidy(() => {
          const ta = tf.tensor4d(a, shape);
          const tb = tf.tensor4d(b, shape);
          const rt = tf.tensor4d(r, shape);
          // b feeds both the sum and a second term, so its gradient accumulates.
          const f = (x: Tensor, y: Tensor) => {
            const s = ours ? addRelu(tf, x as Tensor4D, y as Tensor4D) : tf.relu(tf.add(x, y));
            return tf.add(tf.sum(tf.mul(s, rt)), tf.sum(tf.square(y))) as Scalar;
          };
          const [ga, gb] = tf.grads((...[x, y]: Tensor[]) => f(x!, y!))([ta, tb]);
          return [ga!.dataSync() as Float32Array, gb!.dataSync() as Float32Array];
        }),
      );
    }
    tf.setBackend("wasm");
    const [ref, ...others] = results;
    for (const got of others) {
      expect(maxRelDiff(got[0]!, ref![0]!)).toBeLessThan(1e-6);
      expect(maxRelDiff(got[1]!, ref![1]!)).toBeLessThan(1e-6);
    }
  });

  it("keeps no tensors after a gradient and leaks none", () => {
    for (const backend of ["wasm", "cpu"]) {
      tf.setBackend(backend);
      const x = tf.tensor4d(normal(2 * 4 * 4 * 8, 1), [2, 4, 4, 8]);
      const g = tf.ones([8]);
      const b = tf.zeros([8]);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 2; i++) {
        const grads = tf.grads((...[a, gi, bi]: Tensor[]) => tf.sum(tf.square(batchNormTrain(tf, a as Tensor4D, gi!, bi!, EPS, () => {}))))([x, g, b]);
        tf.dispose(grads);
      }
      tf.dispose(batchNormTrain(tf, x, g, b, EPS, () => {}));
      expect(tf.memory().numTensors, backend).toBe(before);
      tf.dispose([x, g, b]);
    }
    tf.setBackend("wasm");
  });
});

describe("batch norm layer (training mode) running statistics", () => {
  it("updates running mean / unbiased variance with momentum 0.1 on wasm and cpu alike", async () => {
    const shape: [number, number, number, number] = [3, 4, 5, 7];
    const data = normal(3 * 4 * 5 * 7, 5, 3, 1.5);
    const states: Array<Record<string, Float32Array>> = [];
    for (const backend of ["wasm", "cpu"]) {
      tf.setBackend(backend);
      const store = new VariableStore(tf);
      const bn = batchNorm(store, "bn", 7);
      const x = tf.tensor4d(data, shape);
      tf.dispose(bn.apply(x, true));
      tf.dispose(bn.apply(x, true));
      const s = await store.getState();
      states.push({ mean: s["bn.running_mean"]!.data, var: s["bn.running_var"]!.data });
      x.dispose();
      store.dispose();
    }
    // Expected from the data itself, in float64.
    const m = 3 * 4 * 5;
    for (let c = 0; c < 7; c++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += data[i * 7 + c] as number;
      const mean = s / m;
      let q = 0;
      for (let i = 0; i < m; i++) q += ((data[i * 7 + c] as number) - mean) ** 2;
      const unbiased = q / (m - 1);
      // Two updates from (0, 1): mean 0.19 * mu, var 0.81 + 0.19 * unbiased.
      for (const st of states) {
        expect(st["mean"]![c]).toBeCloseTo(0.19 * mean, 4);
        expect(st["var"]![c]).toBeCloseTo(0.81 + 0.19 * unbiased, 4);
      }
    }
  });
});

describe("batch-norm math (the loops behind the wasm kernels)", () => {
  it("channelMoments is accurate for a large mean and a small spread", () => {
    const c = 3;
    const x = new Float32Array(3000).map((_, i) => 1000 + (i % c) + 0.01 * Math.sin(i));
    const mean = new Float32Array(c);
    const variance = new Float32Array(c);
    channelMoments(x, c, mean, variance);
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let i = j; i < x.length; i += c) s += x[i] as number;
      const mu = s / (x.length / c);
      let q = 0;
      for (let i = j; i < x.length; i += c) q += ((x[i] as number) - mu) ** 2;
      expect(mean[j]).toBeCloseTo(mu, 3);
      expect(Math.abs((variance[j] as number) - q / (x.length / c))).toBeLessThan(1e-7);
      expect(variance[j]).toBeGreaterThan(1e-5); // not cancelled to zero
    }
  });

  it("normalizeGrad's dx is orthogonal to 1 and to xhat per channel (the BN invariances)", () => {
    const c = 4;
    const m = 50;
    const x = normal(m * c, 3, 2);
    const dy = normal(m * c, 4);
    const mean = new Float32Array(c);
    const variance = new Float32Array(c);
    channelMoments(x, c, mean, variance);
    const dx = new Float32Array(m * c);
    const dscale = new Float32Array(c);
    const doffset = new Float32Array(c);
    normalizeGrad(dy, x, c, mean, variance, new Float32Array(c).fill(1.5), EPS, null, dx, dscale, doffset);
    for (let j = 0; j < c; j++) {
      let s = 0;
      let sx = 0;
      let norm = 0;
      for (let i = 0; i < m; i++) {
        const v = dx[i * c + j] as number;
        s += v;
        sx += v * ((x[i * c + j] as number) - (mean[j] as number));
        norm += v * v;
      }
      // Shifting or scaling one channel's input leaves y unchanged up to gamma/beta.
      expect(Math.abs(s)).toBeLessThan(1e-4 * Math.sqrt(norm));
      expect(Math.abs(sx)).toBeLessThan(1e-4 * Math.sqrt(norm));
    }
  });
});

describe("an empty batch (the last guard: the run refuses such a batch long before)", () => {
  const empty = /^batch norm over an empty batch \(x of shape \[0, 3, 3, 4\]\): its mean and variance would be NaN; a training batch needs at least one image$/;
  for (const backend of ["wasm", "cpu"]) {
    it(`${backend}: the op refuses it with a RuntimeProblem instead of NaN statistics, and leaves no tensor`, async () => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.zeros([0, 3, 3, 4]) as Tensor4D;
      const [gamma, beta] = [tf.ones([4]), tf.zeros([4])];
      const call = (): unknown => batchNormTrain(tf, x, gamma, beta, EPS, () => undefined, true);
      expect(call).toThrow(RuntimeProblem);
      expect(call).toThrow(empty);
      tf.dispose([x, gamma, beta]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it("the wasm kernel itself refuses it, and so does the projector's BatchNorm1d in training mode", async () => {
    await tf.setBackend("wasm");
    const x = tf.zeros([0, 3, 3, 4]);
    const [scale, offset] = [tf.ones([4]), tf.zeros([4])];
    expect(() => tf.engine().runKernel(BATCH_NORM_TRAIN, { x, scale, offset }, { varianceEpsilon: EPS, relu: false })).toThrow(empty);
    const bn = BatchNorm1d.create(tf, "bn", 4);
    const z = tf.zeros([0, 4]) as Tensor2D;
    expect(() => bn.apply(z, true)).toThrow(/^batch norm over an empty batch \(x of shape \[0, 4\]\)/);
    expect(Array.from(await bn.runningMean.data())).toEqual([0, 0, 0, 0]);
    tf.dispose([x, scale, offset, z, ...bn.params().map((p) => p.variable), ...bn.buffers().map((b) => b.variable)]);
  });
});
