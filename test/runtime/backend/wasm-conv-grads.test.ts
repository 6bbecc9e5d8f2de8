// Our wasm Conv2DBackpropFilter / Conv2DBackpropInput against the cpu backend's
// gradients of conv2d, on random shapes, strides, paddings, batch and channel sizes.
import { beforeAll, describe, expect, it } from "vitest";
import type { Tensor, Tensor4D } from "@tensorflow/tfjs-core";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { selectBackend } from "../../../src/runtime/backend/select.js";
import { Rng } from "../../../src/runtime/rng.js";

type Pad = "same" | "valid" | number | [[0, 0], [number, number], [number, number], [0, 0]];
interface Case {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  stride: 1 | 2;
  pad: Pad;
}

function randomCases(count: number, seed: number): Case[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const cases: Case[] = [];
  while (cases.length < count) {
    const padKind = pick(["same", "valid", "number", "explicit"] as const);
    const kh = pick([1, 2, 3, 5]);
    // tfjs 4.22 sizes the output of a numeric pad from the filter height alone, so
    // conv2d itself is wrong (and the wasm forward overruns) for non-square kernels.
    const kw = padKind === "number" ? kh : pick([1, 3, 4]);
    const stride = pick([1, 2] as const);
    const h = kh + rng.int(9);
    const w = kw + rng.int(9);
    let pad: Pad;
    if (padKind === "number") pad = rng.int(3);
    else if (padKind === "explicit")
      pad = [
        [0, 0],
        [rng.int(3), rng.int(3)],
        [rng.int(3), rng.int(3)],
        [0, 0],
      ];
    else pad = padKind;
    cases.push({ n: 1 + rng.int(4), h, w, ci: 1 + rng.int(8), co: 1 + rng.int(8), kh, kw, stride, pad });
  }
  return cases;
}

function gradsOn(tf: Tf, backend: string, c: Case, xData: Float32Array, wData: Float32Array, seed: number) {
  return tf.tidy(() => {
    const x = tf.tensor4d(xData, [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(wData, [c.kh, c.kw, c.ci, c.co]);
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const r = tf.tensor(randomArray(y.size, seed), y.shape); // a random dy
    const [dx, dw] = tf.grads((...[a, b]: Tensor[]) => tf.sum(tf.mul(tf.conv2d(a as Tensor4D, b as Tensor4D, c.stride, c.pad), r)))([x, w]);
    return { backend, dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array, y: y.shape };
  });
}

function randomArray(size: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = rng.normal();
  return a;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
  await import("@tensorflow/tfjs-backend-cpu");
});

describe("wasm convolution gradients match the cpu backend", () => {
  const cases = randomCases(60, 20261127);
  it.each(cases.map((c, i) => [i, c] as const))("case %i %o", async (i, c) => {
    const xData = randomArray(c.n * c.h * c.w * c.ci, 1000 + i);
    const wData = randomArray(c.kh * c.kw * c.ci * c.co, 2000 + i);
    await tf.setBackend("cpu");
    let ref: ReturnType<typeof gradsOn>;
    try {
      ref = gradsOn(tf, "cpu", c, xData, wData, 3000 + i);
    } catch (e) {
      // A shape conv2d itself rejects (e.g. 'valid' larger than the input) is not a case.
      expect(String(e)).toMatch(/must be|should be|greater than|negative/i);
      return;
    }
    await tf.setBackend("wasm");
    const got = gradsOn(tf, "wasm", c, xData, wData, 3000 + i);
    expect(got.y).toEqual(ref.y);
    const scale = Math.max(1, Math.sqrt(c.kh * c.kw * c.co * c.n));
    expect(maxAbsDiff(got.dx, ref.dx)).toBeLessThan(1e-4 * scale);
    expect(maxAbsDiff(got.dw, ref.dw)).toBeLessThan(1e-4 * scale);
  });

  it("uses our kernels, not the ones tfjs-backend-wasm ships", async () => {
    const { getKernel } = tf;
    const { WASM_TRAINING_KERNELS } = await import("../../../src/runtime/backend/wasm-kernels/register.js");
    for (const { config } of WASM_TRAINING_KERNELS) {
      expect(getKernel(config.kernelName, "wasm")?.kernelFunc).toBe(config.kernelFunc);
    }
  });

  it("a large stride-2 layer (ResNet down-sampling shape) matches too", async () => {
    const c: Case = { n: 2, h: 16, w: 16, ci: 16, co: 32, kh: 3, kw: 3, stride: 2, pad: "same" };
    const xData = randomArray(c.n * c.h * c.w * c.ci, 7);
    const wData = randomArray(c.kh * c.kw * c.ci * c.co, 8);
    await tf.setBackend("cpu");
    const ref = gradsOn(tf, "cpu", c, xData, wData, 9);
    await tf.setBackend("wasm");
    const got = gradsOn(tf, "wasm", c, xData, wData, 9);
    expect(maxAbsDiff(got.dx, ref.dx)).toBeLessThan(1e-3);
    expect(maxAbsDiff(got.dw, ref.dw)).toBeLessThan(1e-3);
  });
});
