// Our Mean and Sum gradients (src/runtime/backend/gradients.ts) against tfjs-core 4.22's
// formula, dy * ones(x.shape) (then / n for Mean), on cpu and wasm: the same bits for
// global pooling, a loss's mean, keepDims and negative axes; and what runs: a Tile, no
// ones tensor made on the CPU (no tensor made from JS values but Mean's divisor) and no
// Multiply.
import type { NamedAttrMap, Tensor } from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countKernelCalls } from "../../../bench/kernel-calls.js";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});
afterAll(async () => {
  await releaseBackends();
});

/** tfjs-core 4.22's Sum/Mean gradient, written out: reshape dy, multiply by ones of x's shape, divide by n for Mean. */
function tfjsFormula(kind: "Sum" | "Mean", x: Tensor, dy: Tensor, attrs: NamedAttrMap): Tensor {
  const axes = tf.util.parseAxisParam(attrs["axis"] as number | number[], x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  const times = tf.mul(tf.reshape(dy, shape), tf.ones(x.shape, "float32"));
  if (kind === "Sum") return times;
  return tf.div(
    times,
    axes.reduce((n, a) => n * x.shape[a]!, 1),
  );
}

const cases: Array<{ kind: "Sum" | "Mean"; shape: number[]; axis: number | number[]; keepDims?: boolean }> = [
  { kind: "Mean", shape: [6, 4, 4, 8], axis: [1, 2] }, // global average pooling
  { kind: "Mean", shape: [7], axis: 0 }, // a loss's mean
  { kind: "Mean", shape: [3, 5, 2], axis: [-1, 0], keepDims: true },
  { kind: "Sum", shape: [10, 6], axis: 1, keepDims: true }, // a row's norm
  { kind: "Sum", shape: [4, 3, 5], axis: [0, 2] },
];

for (const backend of ["cpu", "wasm"] as const) {
  describe(backend, () => {
    beforeAll(async () => {
      await selectBackend(backend);
    });
    for (const c of cases) {
      it(`${c.kind} over ${JSON.stringify(c.axis)} of [${c.shape}]${c.keepDims ? ", keepDims" : ""}: tfjs's bits`, async () => {
        const x = tf.randomNormal(c.shape, 0, 1, "float32", 1);
        const reduce = (t: Tensor) => (c.kind === "Sum" ? tf.sum(t, c.axis, c.keepDims) : tf.mean(t, c.axis, c.keepDims));
        const w = tf.randomNormal(reduce(x).shape, 0, 3, "float32", 2);
        const g = tf.grad((t: Tensor) => tf.sum(tf.mul(reduce(t), w)))(x);
        const expected = tfjsFormula(c.kind, x, w, { axis: c.axis });
        expect(g.shape).toEqual(x.shape);
        expect(Buffer.from((await g.data()).buffer).equals(Buffer.from((await expected.data()).buffer))).toBe(true);
        tf.dispose([x, w, g, expected]);
      });
    }

    it("what runs for global pooling's gradient: a Tile, no Multiply, no kernel fed a fresh ones tensor", async () => {
      const x = tf.randomNormal([4, 2, 2, 3], 0, 1, "float32", 1);
      const before = tf.memory().numTensors;
      const info = await tf.profile(() => tf.grad((t: Tensor) => tf.sum(tf.mean(t, [1, 2])))(x));
      const names = info.kernels.map((k) => k.name);
      expect(names).toContain("Tile");
      expect(names).not.toContain("Multiply");
      expect(names).not.toContain("OnesLike");
      expect(names).not.toContain("Fill");
      (info.result as Tensor).dispose();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    });
  });
}

describe("the backward passes make no tensor from JS values (each an upload on a GPU)", () => {
  beforeAll(async () => {
    await selectBackend("cpu");
  });
  const backwardUploads = (f: (x: Tensor) => Tensor): number => {
    const x = tf.randomNormal([8, 4, 4, 6], 0, 1, "float32", 3);
    const dy = tf.tidy(() => tf.onesLike(f(x)));
    const c = countKernelCalls(tf, () => tf.tidy(() => tf.grad((a: Tensor) => f(a))(x, dy)));
    c.result.dispose();
    tf.dispose([x, dy]);
    return c.madeFromValues;
  };
  it("Sum's: none; Mean's: its divisor (tfjs's made a ones tensor the size of x besides)", () => {
    expect(backwardUploads((x) => tf.sum(x, [1, 2]))).toBe(0);
    expect(backwardUploads((x) => tf.mean(x, [1, 2]))).toBe(1);
    expect(backwardUploads((x) => tf.logSumExp(tf.reshape(x, [8, 96]), 1))).toBe(0);
  });
});
