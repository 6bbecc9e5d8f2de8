// When a loop of our wasm training kernels throws (a trap, an allocation that fails),
// the kernel leaves nothing on the wasm heap: batch norm's outputs and scratch, the
// filter gradient's im2col, its slice of dy and the chunks' partial sums are freed
// before the error goes on. The SIMD kernels are made to throw one at a time here
// (train-wasm.ts mocked around the real ones); the heap's tensors are counted.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Conv2DBackpropFilter, getKernel, type TensorInfo } from "@tensorflow/tfjs-core";
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from "../../../src/runtime/backend/batch-norm-kernels.js";
import { selectBackend } from "../../../src/runtime/backend/select.js";
import { filterGradChunking } from "../../../src/runtime/backend/wasm-kernels/conv2d-backprop-filter.js";
import type { TrainKernels } from "../../../src/runtime/backend/wasm-kernels/train-wasm.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";

/** The SIMD kernel that throws, when one does. */
const failing = vi.hoisted(() => ({ kernel: null as string | null }));

vi.mock("../../../src/runtime/backend/wasm-kernels/train-wasm.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/runtime/backend/wasm-kernels/train-wasm.js")>();
  return {
    ...real,
    trainKernels: (backend: Parameters<typeof real.trainKernels>[0]): TrainKernels | null => {
      const k = real.trainKernels(backend);
      const name = failing.kernel;
      if (k === null || name === null) return k;
      return {
        ...k,
        [name]: () => {
          throw new Error(`${name} trapped`);
        },
      };
    },
  };
});

let tf: Tf;
const saved = { ...filterGradChunking };
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
});
afterAll(() => {
  failing.kernel = null;
  Object.assign(filterGradChunking, saved);
});

/** Runs the wasm kernel `name` on tensors' infos; the outputs are disposed. */
function run(name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): void {
  const kernel = getKernel(name, "wasm");
  if (kernel === undefined) throw new Error(`${name} is not registered`);
  const backend = tf.backend();
  const out = kernel.kernelFunc({ inputs, attrs, backend } as never);
  for (const t of Array.isArray(out) ? out : [out]) backend.disposeData(t.dataId);
}

/** The tensors on the heap after `body`, less those before it. */
function leftBy(body: () => void): number {
  const before = tf.backend().numDataIds();
  body();
  return tf.backend().numDataIds() - before;
}

describe("wasm training kernels that throw leave nothing on the heap", () => {
  const attrs = { varianceEpsilon: 1e-3, relu: true };

  it.each(["channelMoments", "normalize", "normalizeGrad"])("batch norm, %s throwing", (kernel) => {
    const x = tf.randomNormal([2, 4, 4, 6]);
    const dy = tf.randomNormal([2, 4, 4, 6]);
    const scale = tf.ones([6]);
    const offset = tf.zeros([6]);
    const mean = tf.zeros([6]);
    const variance = tf.ones([6]);
    const forward = () => run(BATCH_NORM_TRAIN, { x, scale, offset }, attrs);
    const backward = () => run(BATCH_NORM_TRAIN_GRAD, { dy, x, mean, variance, scale, y: x }, attrs);
    const body = kernel === "normalizeGrad" ? backward : forward;
    // The kernels work and leave nothing once their outputs are disposed.
    expect(leftBy(body)).toBe(0);
    failing.kernel = kernel;
    try {
      expect(leftBy(() => expect(body).toThrow(`${kernel} trapped`))).toBe(0);
    } finally {
      failing.kernel = null;
    }
    tf.dispose([x, dy, scale, offset, mean, variance]);
  });

  it.each(["im2colT", "accumulate"])("the filter gradient over three chunks, %s throwing", (kernel) => {
    // One batch item a chunk: each chunk has its own slice of dy, and the sum has parts to add.
    filterGradChunking.maxColumns = 16;
    const x = tf.randomNormal([3, 4, 4, 2]);
    const dy = tf.randomNormal([3, 4, 4, 5]);
    const filterGrad = () =>
      run(Conv2DBackpropFilter, { x, dy }, { strides: [1, 1], pad: "same", dataFormat: "NHWC", dimRoundingMode: undefined, filterShape: [3, 3, 2, 5] });
    expect(leftBy(filterGrad)).toBe(0);
    failing.kernel = kernel;
    try {
      expect(leftBy(() => expect(filterGrad).toThrow(`${kernel} trapped`))).toBe(0);
    } finally {
      failing.kernel = null;
      Object.assign(filterGradChunking, saved);
    }
    tf.dispose([x, dy]);
  });
});
