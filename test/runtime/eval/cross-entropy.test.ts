// The masked cross-entropy (eval/cross-entropy.ts), written as sum / -count, against its
// formula as written before (-sum / count): value and gradient bit for bit on cpu and
// wasm (a division's sign is apart from its rounding), with unlabelled rows among them.
import type { Scalar, Tensor, Tensor2D } from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { maskedCrossEntropy } from "../../../src/runtime/eval/cross-entropy.js";
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

/** f(x) and its gradient under an upstream gradient that is not all ones, as bits. */
async function valueAndGradBits(f: (x: Tensor) => Tensor, x: Tensor): Promise<number[][]> {
  const out = tf.tidy(() => {
    const y = f(x);
    const w = tf.tensor(values(7, y.size, 1), y.shape);
    return [y, tf.grad((a: Tensor) => tf.sum(tf.mul(f(a), w)))(x)];
  });
  const data = await Promise.all(out.map(async (t) => Array.from(new Uint32Array(Float32Array.from((await t.data()) as Float32Array).buffer))));
  tf.dispose(out);
  return data;
}

for (const backend of ["cpu", "wasm"]) {
  describe(backend, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });
    it("value and gradient as -sum(log softmax * target) / count", async () => {
      const labels = [2, -1, 0, 3, -1];
      const target = new Float32Array(5 * 4);
      labels.forEach((l, i) => l >= 0 && (target[i * 4 + l] = 1));
      const x = tf.tensor(values(11, 20, 4), [5, 4]);
      const ours = await valueAndGradBits((a) => maskedCrossEntropy(tf, a as Tensor2D, labels), x);
      const before = await valueAndGradBits((a) => tf.div(tf.neg(tf.sum(tf.mul(tf.logSoftmax(a), tf.tensor2d(target, [5, 4])))), 3) as Scalar, x);
      expect(ours).toEqual(before);
      x.dispose();
    });
  });
}
