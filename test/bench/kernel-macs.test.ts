// bench/kernel-macs.ts against tfjs's own records: a convolution, both its gradients and
// a matrix product profiled on the cpu backend, their multiply-adds counted by hand.
import type { Tensor2D, Tensor4D } from "@tensorflow/tfjs-core";
import { beforeAll, expect, test } from "vitest";
import { kernelMacs } from "../../bench/kernel-macs.js";
import { selectBackend } from "../../src/runtime/backend/select.js";
import type { Tf } from "../../src/runtime/methods/tf.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

test("Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter and BatchMatMul: the multiply-adds of their shapes", async () => {
  // x [2, 8, 8, 3] * W [3, 3, 3, 5], stride 2, same padding: y [2, 4, 4, 5]
  const x = tf.randomNormal([2, 8, 8, 3]) as Tensor4D;
  const w = tf.randomNormal([3, 3, 3, 5]) as Tensor4D;
  const a = tf.randomNormal([6, 7]) as Tensor2D;
  const b = tf.randomNormal([4, 7]) as Tensor2D;
  const info = await tf.profile(() => {
    const grads = tf.grads((xx, ww) => tf.sum(tf.conv2d(xx as typeof x, ww as typeof w, 2, "same")))([x, w]);
    grads.forEach((g) => g.dispose());
    tf.matMul(a, b, false, true).dispose(); // [6, 7] x [7, 4]
  });
  const macs = new Map<string, number>();
  for (const k of info.kernels) {
    const m = kernelMacs(k.name, k.inputShapes as number[][], k.outputShapes as number[][]);
    if (m !== null) macs.set(k.name, (macs.get(k.name) ?? 0) + m);
  }
  const conv = 2 * 4 * 4 * 5 * (3 * 3 * 3); // each of y's 160 values is a 27-tap sum
  expect(Object.fromEntries(macs)).toEqual({
    Conv2D: conv,
    Conv2DBackpropInput: conv,
    Conv2DBackpropFilter: conv,
    BatchMatMul: 6 * 4 * 7,
  });
  expect(kernelMacs("Relu", [[2, 3]], [[2, 3]])).toBeNull();
  // a broadcast batch: [1, 6, 7] x [5, 7, 4] = [5, 6, 4]
  expect(
    kernelMacs(
      "BatchMatMul",
      [
        [1, 6, 7],
        [5, 7, 4],
      ],
      [[5, 6, 4]],
    ),
  ).toBe(5 * 6 * 4 * 7);
  tf.dispose([x, w, a, b]);
});
