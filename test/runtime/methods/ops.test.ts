// The reductions of methods/ops.ts (sum, mean, logSumExp, moments) against tfjs's own ops,
// and the masked cross-entropy against its formula as written before (-sum / count):
// values and gradients bit for bit on cpu and wasm, over shapes, axes and keepDims; and
// their backward passes make no tensor from JS values (tfjs's Sum and Mean gradients
// make ones(x.shape), uploaded on a GPU), but for mean's divisor.
import type { Scalar, Tensor, Tensor2D } from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countKernelCalls } from "../../../bench/kernel-calls.js";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { maskedCrossEntropy } from "../../../src/runtime/eval/cross-entropy.js";
import { logSumExp, mean, moments, sum } from "../../../src/runtime/methods/ops.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { Rng } from "../../../src/runtime/rng.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
  await selectBackend("wasm");
});
afterAll(async () => {
  await releaseBackends();
});

function values(seed: number, n: number, scale: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}

/** The value of f(x) and its gradient under an upstream gradient w (so dy is not all ones). */
async function valueAndGrad(f: (x: Tensor) => Tensor, x: Tensor): Promise<Float32Array[]> {
  const out = tf.tidy(() => {
    const y = f(x);
    const w = tf.tensor(values(7, y.size, 1), y.shape);
    const g = tf.grad((a: Tensor) => tf.sum(tf.mul(f(a), w)))(x);
    return [y, g];
  });
  const data = await Promise.all(out.map(async (t) => Float32Array.from((await t.data()) as Float32Array)));
  tf.dispose(out);
  return data;
}

function bits(a: Float32Array): number[] {
  return Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
}

async function expectSameBits(ours: (x: Tensor) => Tensor, theirs: (x: Tensor) => Tensor, shape: number[], scale = 1): Promise<void> {
  const x = tf.tensor(
    values(
      shape.length * 31 + shape[0]!,
      shape.reduce((a, b) => a * b, 1),
      scale,
    ),
    shape,
  );
  const [a, b] = [await valueAndGrad(ours, x), await valueAndGrad(theirs, x)];
  x.dispose();
  expect(a.map(bits)).toEqual(b.map(bits));
}

const REDUCTIONS: [number[], number | number[] | null, boolean][] = [
  [[5, 7], 1, false],
  [[5, 7], 1, true],
  [[5, 7], 0, false],
  [[5, 7], null, false],
  [[3, 4, 4, 6], [1, 2], false],
  [[3, 1, 1, 6], [1, 2], false],
  [[2, 3, 5], -1, true],
];

for (const backend of ["cpu", "wasm"]) {
  describe(`methods/ops.ts on ${backend}: bit for bit tfjs's ops`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });

    it.each(REDUCTIONS)("sum and mean of %j over %j (keepDims %s)", async (shape, axis, keepDims) => {
      await expectSameBits(
        (x) => sum(tf, x, axis, keepDims),
        (x) => tf.sum(x, axis ?? undefined, keepDims),
        shape,
      );
      await expectSameBits(
        (x) => mean(tf, x, axis, keepDims),
        (x) => tf.mean(x, axis ?? undefined, keepDims),
        shape,
      );
    });

    it("logSumExp over rows, large logits and masked (-1e9) entries among them", async () => {
      await expectSameBits(
        (x) => logSumExp(tf, x as Tensor2D, 1),
        (x) => tf.logSumExp(x, 1),
        [6, 9],
        30,
      );
      const masked = (f: (x: Tensor2D) => Tensor) => (x: Tensor) => f(tf.add(x, tf.mul(tf.eye(6), -1e9)) as Tensor2D);
      await expectSameBits(
        masked((x) => logSumExp(tf, x, 1)),
        masked((x) => tf.logSumExp(x, 1)),
        [6, 6],
        5,
      );
    });

    it("moments over the batch, both outputs differentiated and x used again after (as batch norm does)", async () => {
      const standardise = (m: (x: Tensor) => { mean: Tensor; variance: Tensor }) => (x: Tensor) => {
        const { mean: mu, variance } = m(x);
        return tf.div(tf.sub(x, mu), tf.sqrt(tf.add(variance, 1e-5)));
      };
      await expectSameBits(
        standardise((x) => moments(tf, x, 0)),
        standardise((x) => tf.moments(x, 0)),
        [7, 5],
        3,
      );
    });

    it("the masked cross-entropy: its value and gradient as -sum(log softmax * target) / count", async () => {
      const labels = [2, -1, 0, 3, -1];
      const target = new Float32Array(5 * 4);
      labels.forEach((l, i) => l >= 0 && (target[i * 4 + l] = 1));
      await expectSameBits(
        (x) => maskedCrossEntropy(tf, x as Tensor2D, labels),
        (x) => tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(x), tf.tensor2d(target, [5, 4])))), 3) as Scalar,
        [5, 4],
        4,
      );
    });
  });
}

describe("the backward passes make no tensor from JS values", () => {
  beforeAll(async () => {
    await tf.setBackend("cpu");
  });

  const backwardUploads = (f: (x: Tensor) => Tensor): number => {
    const x = tf.tensor(values(3, 8 * 4 * 4 * 6, 1), [8, 4, 4, 6]);
    const dy = tf.tidy(() => tf.onesLike(f(x)));
    const c = countKernelCalls(tf, () => tf.tidy(() => tf.grad((a: Tensor) => f(a))(x, dy)));
    c.result.dispose();
    tf.dispose([x, dy]);
    return c.madeFromValues;
  };

  it("sum: none; mean: its divisor; tfjs's: a ones tensor the size of x as well", () => {
    expect(backwardUploads((x) => sum(tf, x, [1, 2]))).toBe(0);
    expect(backwardUploads((x) => mean(tf, x, [1, 2]))).toBe(1);
    expect(backwardUploads((x) => tf.sum(x, [1, 2]))).toBe(1);
    expect(backwardUploads((x) => tf.mean(x, [1, 2]))).toBe(2);
  });
});
