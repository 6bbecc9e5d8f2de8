// The wasm filter gradient splits the batch into chunks (one matrix product each,
// summed); every split must give the cpu backend's gradient. Also: the wasm
// Identity we register shares memory, and tensors that share it stay correct.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tensor, Tensor4D } from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../src/runtime/backend/select.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { filterGradChunking } from "../../../src/runtime/backend/wasm-kernels/conv2d-backprop-filter.js";
import { Rng } from "../../../src/runtime/rng.js";

let tf: Tf;
const saved = { ...filterGradChunking };
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
  await import("@tensorflow/tfjs-backend-cpu");
});
afterAll(() => {
  Object.assign(filterGradChunking, saved);
});

function randomArray(size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return new Float32Array(size).map(() => rng.normal());
}

interface Layer {
  n: number;
  h: number;
  ci: number;
  co: number;
  k: number;
  stride: number;
}

/** dw of sum(conv2d(x, w) * r) on the current backend, torch-style symmetric padding. */
function filterGrad(layer: Layer, seed: number): Float32Array {
  const { n, h, ci, co, k, stride } = layer;
  const p = (k - 1) >> 1;
  const pad: [[0, 0], [number, number], [number, number], [0, 0]] = [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  return tf.tidy(() => {
    const x = tf.tensor4d(randomArray(n * h * h * ci, seed), [n, h, h, ci]);
    const w = tf.tensor4d(randomArray(k * k * ci * co, seed + 1), [k, k, ci, co]);
    const oh = Math.floor((h + 2 * p - k) / stride) + 1;
    const r = tf.tensor4d(randomArray(n * oh * oh * co, seed + 2), [n, oh, oh, co]);
    const dw = tf.grad((wi: Tensor) => tf.sum(tf.mul(tf.conv2d(x, wi as Tensor4D, stride, pad), r)))(w);
    return dw.dataSync() as Float32Array;
  });
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe("chunked wasm Conv2DBackpropFilter", () => {
  const layers: Layer[] = [
    { n: 7, h: 6, ci: 5, co: 4, k: 3, stride: 1 },
    { n: 5, h: 9, ci: 3, co: 6, k: 3, stride: 2 },
    { n: 6, h: 8, ci: 4, co: 3, k: 1, stride: 2 },
  ];
  // maxColumns below one image's columns (one item per chunk), a few items per
  // chunk with a remainder, and the whole batch at once.
  const splits = [1, 40, 100, 1 << 30];

  layers.forEach((layer, i) => {
    it(`layer ${i} (n=${layer.n}, ${layer.k}x${layer.k} s${layer.stride}) gives cpu's dw for every split`, async () => {
      await tf.setBackend("cpu");
      const ref = filterGrad(layer, 10 * i);
      await tf.setBackend("wasm");
      const scale = Math.sqrt(layer.n * layer.h * layer.h);
      for (const maxColumns of splits) {
        filterGradChunking.maxColumns = maxColumns;
        const got = filterGrad(layer, 10 * i);
        expect(maxAbsDiff(got, ref), `maxColumns ${maxColumns}`).toBeLessThan(1e-4 * scale);
      }
      // The float bound splits too (one item's im2col is k*k*ci*oh*ow floats).
      filterGradChunking.maxColumns = 1 << 30;
      filterGradChunking.maxFloats = 1;
      expect(maxAbsDiff(filterGrad(layer, 10 * i), ref)).toBeLessThan(1e-4 * scale);
      Object.assign(filterGradChunking, saved);
    });
  });
});

describe("wasm Identity shares memory", () => {
  it("clone shares the data, and disposing either side leaves the other intact", async () => {
    await tf.setBackend("wasm");
    const a = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numDataBuffers;
    const b = tf.clone(a);
    expect(tf.memory().numDataBuffers).toBe(before); // no second buffer
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    const c = tf.add(b, 1);
    b.dispose();
    expect(Array.from(c.dataSync())).toEqual([2, 3, 4]);
    c.dispose();
  });

  it("a gradient that saves its inputs (clones) still computes correctly after they are disposed", async () => {
    await tf.setBackend("wasm");
    const x = tf.tensor1d([1, -2, 3]);
    const g = tf.grad((v: Tensor) => tf.sum(tf.mul(tf.relu(v), v)))(x);
    x.dispose();
    expect(Array.from(g.dataSync())).toEqual([2, 0, 6]);
    g.dispose();
  });
});
