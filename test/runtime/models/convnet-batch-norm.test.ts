// convnet(batch_norm = true): forward pass and gradients in train and eval mode, and
// the running statistics, against a straightforward reference written here from
// torch's BatchNorm2d definition (batch mean / biased variance to normalise, running
// mean / unbiased variance with momentum 0.1, eps 1e-5, affine), on cpu and wasm;
// and the checkpoint state (bn parameters and buffers) round trip.
import { beforeAll, describe, expect, it } from "vitest";
import type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor4D, Variable } from "@tensorflow/tfjs-core";
import type { ConvNetIR } from "../../../src/ir/types.js";
import { selectBackend } from "../../../src/runtime/backend/select.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import type { ModelState } from "../../../src/runtime/models/backbone.js";
import { buildBackbone } from "../../../src/runtime/models/build.js";
import { Rng } from "../../../src/runtime/rng.js";

const IR: ConvNetIR = { name: "convnet", channels: [4, 6, 8], featureDim: 5, batchNorm: true };
const SIDE = 8;
const BATCH = 3;

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
  await import("@tensorflow/tfjs-backend-cpu");
});

function input(seed: number): Tensor4D {
  const rng = new Rng(seed);
  return tf.tensor4d(
    new Float32Array(BATCH * SIDE * SIDE * 3).map(() => rng.normal()),
    [BATCH, SIDE, SIDE, 3],
  );
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** Per-parameter difference relative to that parameter's largest gradient. */
function worstRelative(a: Record<string, number[]>, b: Record<string, number[]>): number {
  let worst = 0;
  for (const [k, g] of Object.entries(a)) {
    const scale = Math.max(1e-3, ...g.map(Math.abs));
    worst = Math.max(worst, maxAbsDiff(g, b[k] as number[]) / scale);
  }
  return worst;
}

/**
 * The reference: the same weights (from `state`), composed from plain tf ops under
 * autodiff. Returns the features and, in training mode, the running statistics torch
 * would hold after this one forward pass.
 */
function reference(state: ModelState, params: Record<string, Variable>, x: Tensor4D, training: boolean) {
  const stats: Record<string, Tensor1D> = {};
  let h: Tensor4D = x;
  IR.channels.forEach((_, i) => {
    const n = i + 1;
    h = tf.conv2d(h, params[`conv${n}.weight`] as Tensor4D, i === 0 ? 1 : 2, [
      [0, 0],
      [1, 1],
      [1, 1],
      [0, 0],
    ]);
    const gamma = params[`bn${n}.gamma`] as Tensor1D;
    const beta = params[`bn${n}.beta`] as Tensor1D;
    let mean: Tensor;
    let variance: Tensor;
    if (training) {
      mean = tf.mean(h, [0, 1, 2]);
      variance = tf.mean(tf.square(tf.sub(h, mean)), [0, 1, 2]); // biased, to normalise
      const count = h.size / (h.shape[3] as number);
      const rm = tf.tensor1d(state[`bn${n}.running_mean`]!.data);
      const rv = tf.tensor1d(state[`bn${n}.running_var`]!.data);
      stats[`bn${n}.running_mean`] = tf.add(tf.mul(rm, 0.9), tf.mul(mean, 0.1)) as Tensor1D;
      stats[`bn${n}.running_var`] = tf.add(tf.mul(rv, 0.9), tf.mul(tf.mul(variance, count / (count - 1)), 0.1)) as Tensor1D;
    } else {
      mean = tf.tensor1d(state[`bn${n}.running_mean`]!.data);
      variance = tf.tensor1d(state[`bn${n}.running_var`]!.data);
    }
    const xhat = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5)));
    h = tf.relu(tf.add(tf.mul(xhat, gamma), beta)) as Tensor4D;
  });
  const f = tf.matMul(tf.mean(h, [1, 2]) as Tensor2D, params["fc.weight"] as Tensor2D);
  return { f, stats };
}

/** Loss sum(f * cos(i)): value, gradients by parameter name, and the state after. */
function lossWeights(): Tensor2D {
  return tf.tensor2d(
    new Float32Array(BATCH * IR.featureDim).map((_, i) => Math.cos(i)),
    [BATCH, IR.featureDim],
  );
}

/** A state with non-trivial bn parameters and running statistics. */
function perturbed(state: ModelState, seed: number): ModelState {
  const rng = new Rng(seed);
  const out: ModelState = {};
  for (const [k, v] of Object.entries(state)) {
    const data = Float32Array.from(v.data);
    if (k.includes(".gamma") || k.includes("running_var")) data.forEach((_, i) => (data[i] = 0.5 + rng.uniform(0, 1)));
    if (k.includes(".beta") || k.includes("running_mean")) data.forEach((_, i) => (data[i] = rng.uniform(-0.5, 0.5)));
    out[k] = { shape: [...v.shape], data };
  }
  return out;
}

describe("convnet with batch norm against a torch-semantics reference", () => {
  for (const backend of ["cpu", "wasm"]) {
    for (const training of [true, false]) {
      it(`${backend}, ${training ? "train" : "eval"} mode: features, gradients and running statistics`, async () => {
        await tf.setBackend(backend);
        const net = buildBackbone(tf, IR, [SIDE, SIDE, 3], new Rng(5));
        const state = perturbed(await net.getState(), 6);
        net.setState(state);
        const x = input(7);
        const w = lossWeights();

        const ours = tf.variableGrads(() => tf.sum(tf.mul(net.forward(x, training), w)) as Scalar, net.params);
        const oursGrads: Record<string, number[]> = {};
        for (const p of net.named) oursGrads[p.name] = Array.from((ours.grads[p.variable.name] as Tensor).dataSync());
        const after = await net.getState();

        const names = net.named.map((p) => p.name);
        const params: Record<string, Variable> = {};
        for (const n of names) params[n] = tf.variable(tf.tensor(state[n]!.data, state[n]!.shape));
        let refStats: Record<string, Tensor1D> = {};
        const ref = tf.variableGrads(
          () => {
            const r = reference(state, params, x, training);
            refStats = Object.fromEntries(Object.entries(r.stats).map(([k, t]) => [k, tf.keep(t)]));
            return tf.sum(tf.mul(r.f, w)) as Scalar;
          },
          names.map((n) => params[n] as Variable),
        );
        const refGrads: Record<string, number[]> = {};
        for (const n of names) refGrads[n] = Array.from((ref.grads[(params[n] as Variable).name] as Tensor).dataSync());

        const lossOurs = ours.value.dataSync()[0] as number;
        const lossRef = ref.value.dataSync()[0] as number;
        expect(Math.abs(lossOurs - lossRef)).toBeLessThan(1e-4 * Math.max(1, Math.abs(lossRef)));
        expect(worstRelative(refGrads, oursGrads)).toBeLessThan(2e-3);
        // bn parameters are trained (non-zero gradients) and flagged for LARS's exclusion.
        for (const n of ["bn1.gamma", "bn3.beta"])
          expect(
            oursGrads[n]!.some((v) => v !== 0),
            n,
          ).toBe(true);
        expect(net.named.filter((p) => p.biasOrNorm).map((p) => p.name)).toEqual(["bn1.gamma", "bn1.beta", "bn2.gamma", "bn2.beta", "bn3.gamma", "bn3.beta"]);

        for (const n of [1, 2, 3]) {
          for (const s of ["running_mean", "running_var"]) {
            const k = `bn${n}.${s}`;
            const expected = training ? refStats[k]!.dataSync() : state[k]!.data;
            expect(maxAbsDiff(after[k]!.data, expected), k).toBeLessThan(1e-5);
          }
        }
        tf.dispose([
          x,
          w,
          ours.value,
          ...Object.values(ours.grads),
          ref.value,
          ...Object.values(ref.grads),
          ...Object.values(params),
          ...Object.values(refStats),
        ]);
        net.dispose();
      });
    }
  }

  it("train and eval modes differ; without batch norm they agree and the state has no bn entries", async () => {
    await tf.setBackend("wasm");
    const x = input(8);
    const withBn = buildBackbone(tf, IR, [SIDE, SIDE, 3], new Rng(2));
    const a = withBn.forward(x, true);
    const b = withBn.forward(x, false);
    expect(maxAbsDiff(a.dataSync(), b.dataSync())).toBeGreaterThan(1e-3);
    const plain = buildBackbone(tf, { ...IR, batchNorm: false }, [SIDE, SIDE, 3], new Rng(2));
    const c = plain.forward(x, true);
    const d = plain.forward(x, false);
    expect(maxAbsDiff(c.dataSync(), d.dataSync())).toBe(0);
    expect(Object.keys(await plain.getState()).some((k) => k.startsWith("bn"))).toBe(false);
    // Same seed, same convolution weights with or without batch norm (bn draws nothing).
    expect((await plain.getState())["conv2.weight"]).toEqual((await withBn.getState())["conv2.weight"]);
    tf.dispose([x, a, b, c, d]);
    withBn.dispose();
    plain.dispose();
  });
});

describe("convnet with batch norm: checkpoint state", () => {
  it("holds conv, bn parameters and running statistics; another model loads it and computes the same", async () => {
    await tf.setBackend("wasm");
    const a = buildBackbone(tf, IR, [SIDE, SIDE, 3], new Rng(3));
    const x = input(9);
    for (let i = 0; i < 3; i++) tf.dispose(a.forward(x, true)); // move the running statistics
    const saved = await a.getState();
    expect(Object.keys(saved)).toEqual([
      "conv1.weight",
      "bn1.gamma",
      "bn1.beta",
      "conv2.weight",
      "bn2.gamma",
      "bn2.beta",
      "conv3.weight",
      "bn3.gamma",
      "bn3.beta",
      "fc.weight",
      "bn1.running_mean",
      "bn1.running_var",
      "bn2.running_mean",
      "bn2.running_var",
      "bn3.running_mean",
      "bn3.running_var",
    ]);
    expect(saved["bn2.running_mean"]!.data.some((v) => v !== 0)).toBe(true);
    const b = buildBackbone(tf, IR, [SIDE, SIDE, 3], new Rng(99));
    const { "bn2.running_var": _dropped, ...missing } = saved;
    expect(() => b.setState(missing)).toThrow(/no entry 'bn2.running_var'/);
    b.setState(saved);
    expect(await b.getState()).toEqual(saved);
    const fa = a.forward(x, false);
    const fb = b.forward(x, false);
    expect(maxAbsDiff(fa.dataSync(), fb.dataSync())).toBe(0);
    tf.dispose([x, fa, fb]);
    a.dispose();
    b.dispose();
  });
});
