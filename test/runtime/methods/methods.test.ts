// The four methods end to end on tiny shapes: heads as the reference builds them, the
// loss against plain JS, gradients, momentum targets, state round trips, no leaks.
import { beforeAll, describe, expect, it } from "vitest";
import type * as tfc from "@tensorflow/tfjs-core";
import type { BarlowTwinsIR, BYOLIR, MethodIR, MoCoV2PlusIR, SimCLRIR } from "../../../src/ir/types.js";
import { buildMethod, simclrLoss, type Method, type StateDict } from "../../../src/runtime/methods/index.js";
import { type BarlowTwins, barlowLoss } from "../../../src/runtime/methods/barlow.js";
import type { SimCLR } from "../../../src/runtime/methods/simclr.js";
import { Rng } from "../../../src/runtime/rng.js";
import { batchNormJs, cpuTf, dot, expectAllClose, expectClose, linearJs, normalizeRows, randomMatrix, reluJs, toMatrix, type Matrix } from "./helpers.js";

let tf: typeof tfc;
beforeAll(async () => {
  tf = await cpuTf();
});

const FEAT = 6;
const simclrIr: SimCLRIR = { name: "simclr", projHiddenDim: 8, projOutputDim: 4, temperature: 0.2 };
const mocoIr: MoCoV2PlusIR = {
  name: "mocov2plus",
  projHiddenDim: 8,
  projOutputDim: 4,
  temperature: 0.2,
  queueSize: 8,
  momentum: { base: 0.99, final: 0.999 },
};
const byolIr: BYOLIR = {
  name: "byol",
  projHiddenDim: 8,
  projOutputDim: 4,
  predHiddenDim: 8,
  momentum: { base: 0.99, final: 1.0 },
};
const barlowIr: BarlowTwinsIR = { name: "barlow", projHiddenDim: 8, projOutputDim: 8, scaleLoss: 0.1, lambda: 0.0051 };
const ALL: MethodIR[] = [simclrIr, mocoIr, byolIr, barlowIr];

function views(seed: number, n = 4): tfc.Tensor2D[] {
  const rng = new Rng(seed);
  return [tf.tensor2d(randomMatrix(rng, n, FEAT)), tf.tensor2d(randomMatrix(rng, n, FEAT))];
}

function lossOf(m: Method, seed: number, step = 0): number {
  const f = views(seed);
  const t = m.usesMomentumBackbone ? views(seed + 100) : undefined;
  const l = m.loss({ features: f, ...(t ? { targetFeatures: t } : {}), step, totalSteps: 10 });
  const v = l.dataSync()[0]!;
  tf.dispose([l, ...f, ...(t ?? [])]);
  return v;
}

describe("heads", () => {
  it("have the reference's layer shapes", () => {
    const shapes = (ir: MethodIR) =>
      buildMethod(tf, ir, FEAT, new Rng(1))
        .params()
        .map((p) => `${p.name}:${p.variable.shape.join("x")}`);
    expect(shapes(simclrIr)).toEqual(["projector.0.weight:6x8", "projector.0.bias:8", "projector.2.weight:8x4", "projector.2.bias:4"]);
    expect(shapes(mocoIr)).toEqual(["projector.0.weight:6x8", "projector.0.bias:8", "projector.2.weight:8x4", "projector.2.bias:4"]);
    expect(shapes(byolIr)).toEqual([
      "projector.0.weight:6x8",
      "projector.0.bias:8",
      "projector.1.weight:8",
      "projector.1.bias:8",
      "projector.3.weight:8x4",
      "projector.3.bias:4",
      "predictor.0.weight:4x8",
      "predictor.0.bias:8",
      "predictor.1.weight:8",
      "predictor.1.bias:8",
      "predictor.3.weight:8x4",
      "predictor.3.bias:4",
    ]);
    expect(shapes(barlowIr)).toEqual([
      "projector.0.weight:6x8",
      "projector.0.bias:8",
      "projector.1.weight:8",
      "projector.1.bias:8",
      "projector.3.weight:8x8",
      "projector.3.bias:8",
      "projector.4.weight:8",
      "projector.4.bias:8",
      "projector.6.weight:8x8",
      "projector.6.bias:8",
    ]);
  });

  it("flag exactly the 1-D parameters as bias-or-norm", () => {
    for (const ir of ALL) {
      for (const p of buildMethod(tf, ir, FEAT, new Rng(1)).params()) expect(p.biasOrNorm).toBe(p.variable.rank === 1);
    }
  });

  it("are initialised from the seed: same seed same weights, other seed other weights", () => {
    for (const ir of ALL) {
      const a = buildMethod(tf, ir, FEAT, new Rng(42))
        .params()
        .map((p) => Array.from(p.variable.dataSync()));
      const b = buildMethod(tf, ir, FEAT, new Rng(42))
        .params()
        .map((p) => Array.from(p.variable.dataSync()));
      const c = buildMethod(tf, ir, FEAT, new Rng(43))
        .params()
        .map((p) => Array.from(p.variable.dataSync()));
      expect(a).toEqual(b);
      expect(a[0]).not.toEqual(c[0]);
      // torch.nn.Linear bounds: |w| <= 1/sqrt(fan_in)
      expect(Math.max(...a[0]!.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(FEAT));
    }
  });
});

describe("simclr method", () => {
  it("projects with Linear-ReLU-Linear and applies the NT-Xent loss", () => {
    const m = buildMethod(tf, simclrIr, FEAT, new Rng(3));
    const [w1, b1, w2, b2] = m.params().map((p) => p.variable);
    const f = views(5);
    const z = f.map((x) => linearJs(reluJs(linearJs(toMatrix(x), toMatrix(w1!), Array.from(b1!.dataSync()))), toMatrix(w2!), Array.from(b2!.dataSync())));
    const all = normalizeRows([...z[0]!, ...z[1]!]);
    const n = 4;
    let expected = 0;
    for (let i = 0; i < 2 * n; i++) {
      let pos = 0;
      let neg = 0;
      for (let j = 0; j < 2 * n; j++) {
        if (i === j) continue;
        const s = Math.exp(dot(all[i]!, all[j]!) / simclrIr.temperature);
        if (i % n === j % n) pos += s;
        else neg += s;
      }
      expected -= Math.log(pos / (pos + neg)) / (2 * n);
    }
    expectClose(lossOf(m, 5), expected, 1e-5);
  });
});

describe("gradients through the heads", () => {
  it("are finite and non-zero for every head parameter and for the features", () => {
    for (const ir of ALL) {
      const m = buildMethod(tf, ir, FEAT, new Rng(7));
      const f = views(8).map((t) => tf.variable(t));
      const t = m.usesMomentumBackbone ? views(9) : undefined;
      const vars = [...m.params().map((p) => p.variable), ...f];
      const { value, grads } = tf.variableGrads(
        () => m.loss({ features: f as unknown as tfc.Tensor2D[], ...(t ? { targetFeatures: t } : {}), step: 0, totalSteps: 10 }),
        vars,
      );
      expect(Number.isFinite(value.dataSync()[0]!), ir.name).toBe(true);
      for (const v of vars) {
        const g = grads[v.name];
        expect(g, `${ir.name} ${v.name}`).toBeDefined();
        const data = Array.from(g!.dataSync());
        expect(data.every(Number.isFinite), `${ir.name} ${v.name}`).toBe(true);
      }
      // the weights of the first layer always receive some gradient
      expect(
        Array.from(grads[vars[0]!.name]!.dataSync()).some((x) => x !== 0),
        ir.name,
      ).toBe(true);
      tf.dispose([value, ...Object.values(grads)]);
      f.forEach((x) => x.dispose());
      m.dispose();
    }
  });
});

describe("momentum targets", () => {
  it("BYOL sums 2 - 2 cos(p, z_target) over both view orders (JS with BN in training mode)", async () => {
    const m = buildMethod(tf, byolIr, FEAT, new Rng(12));
    const s = await m.state();
    const f = views(13);
    const t = views(14);
    // gamma = 1, beta = 0 at initialisation, so BN is plain standardisation
    const mlp = (x: Matrix, prefix: string) =>
      linearJs(
        reluJs(batchNormJs(linearJs(x, weight(s, `${prefix}.0.weight`), bias(s, `${prefix}.0.bias`)))),
        weight(s, `${prefix}.3.weight`),
        bias(s, `${prefix}.3.bias`),
      );
    const p = f.map((x) => mlp(mlp(toMatrix(x), "projector"), "predictor"));
    const zt = t.map((x) => mlp(toMatrix(x), "momentum_projector"));
    const byol = (a: Matrix, b: Matrix) => {
      const an = normalizeRows(a);
      const bn = normalizeRows(b);
      return 2 - (2 * an.reduce((acc, r, i) => acc + dot(r, bn[i]!), 0)) / a.length;
    };
    const expected = byol(p[1]!, zt[0]!) + byol(p[0]!, zt[1]!);
    const l = m.loss({ features: f, targetFeatures: t, step: 0, totalSteps: 10 });
    expectClose(l.dataSync()[0]!, expected, 1e-4);
  });

  it("tau follows the cosine schedule and afterStep applies the EMA formula exactly", () => {
    for (const ir of [mocoIr, byolIr]) {
      const m = buildMethod(tf, ir, FEAT, new Rng(11));
      const { base, final } = ir.momentum;
      expectClose(m.tau(0, 100)!, base, 1e-12);
      expectClose(m.tau(50, 100)!, (base + final) / 2, 1e-12);
      expectClose(m.tau(100, 100)!, final, 1e-12);
      expectClose(m.tau(25, 100)!, final - ((final - base) * (Math.cos(Math.PI / 4) + 1)) / 2, 1e-12);

      const pairs = m.momentumPairs();
      expect(pairs.length).toBe(ir.name === "byol" ? 6 : 4);
      // targets start equal to the online heads
      for (const [o, t] of pairs) expect(Array.from(t.dataSync())).toEqual(Array.from(o.dataSync()));
      expect(pairs.every(([, t]) => !t.trainable)).toBe(true);
      // move the online weights, then one update at step 30 of 100
      for (const [o] of pairs) {
        const moved = tf.tidy(() => tf.add(o, 0.5));
        o.assign(moved);
        moved.dispose();
      }
      const before = pairs.map(([o, t]) => [Array.from(o.dataSync()), Array.from(t.dataSync())] as const);
      const backboneOnline = tf.variable(tf.tensor1d([1, 2, 3]));
      const backboneTarget = tf.variable(tf.tensor1d([0, 0, 0]), false);
      m.afterStep(30, 100, [[backboneOnline, backboneTarget]]);
      const tau = final - ((final - base) * (Math.cos((Math.PI * 30) / 100) + 1)) / 2;
      pairs.forEach(([, t], i) => {
        const [o, t0] = before[i]!;
        expectAllClose(
          t.dataSync(),
          t0.map((x, j) => tau * x + (1 - tau) * o[j]!),
          1e-6,
        );
      });
      expectAllClose(
        backboneTarget.dataSync(),
        [1, 2, 3].map((x) => (1 - tau) * x),
        1e-6,
      );
      backboneOnline.dispose();
      backboneTarget.dispose();
    }
  });

  it("methods without momentum refuse a backbone pair", () => {
    const m = buildMethod(tf, simclrIr, FEAT, new Rng(1));
    expect(m.tau(3, 10)).toBeNull();
    const a = tf.variable(tf.tensor1d([1]));
    const b = tf.variable(tf.tensor1d([1]), false);
    expect(() => m.afterStep(0, 10, [[a, b]])).toThrow(/no momentum backbone/);
  });

  it("require the momentum-backbone features", () => {
    const m = buildMethod(tf, mocoIr, FEAT, new Rng(1));
    expect(() => m.loss({ features: views(1), step: 0, totalSteps: 1 })).toThrow(/momentum-backbone features/);
  });
});

describe("MoCo v2+ queue", () => {
  it("is FIFO: keys of each step land at the pointer, oldest overwritten first", async () => {
    const m = buildMethod(tf, mocoIr, FEAT, new Rng(21)) as Method & { queueTensor: tfc.Tensor3D; queuePointer: number };
    const size = mocoIr.queueSize;
    const dim = mocoIr.projOutputDim;
    // the initial queue: unit-norm random keys
    const q0 = m.queueTensor.arraySync() as number[][][];
    for (const v of q0) for (const key of v) expectClose(Math.sqrt(dot(key, key)), 1, 1e-5);
    const model: Matrix[] = q0.map((v) => v.map((r) => [...r]));
    let ptr = 0;
    const batch = 3; // does not divide 8: exercises the wrap-around
    for (let step = 0; step < 5; step++) {
      const f = views(30 + step, batch);
      const t = views(60 + step, batch);
      const l = m.loss({ features: f, targetFeatures: t, step, totalSteps: 5 });
      // the keys the method pushes: normalised momentum projections of t
      const keys = await Promise.all(t.map(async (x) => normalizeRows(await momentumProject(m, x))));
      m.afterStep(step, 5);
      for (let i = 0; i < batch; i++) {
        model[0]![(ptr + i) % size] = keys[0]![i]!;
        model[1]![(ptr + i) % size] = keys[1]![i]!;
      }
      ptr = (ptr + batch) % size;
      expect(m.queuePointer).toBe(ptr);
      expectAllClose((m.queueTensor.arraySync() as number[][][]).flat(2), model.flat(2), 1e-5);
      tf.dispose([l, ...f, ...t]);
    }
    expect(m.queueTensor.shape).toEqual([2, size, dim]);
  });

  it("pairs each view's queries with the other view's keys and that view's queue", async () => {
    const m = buildMethod(tf, mocoIr, FEAT, new Rng(22)) as Method & { queueTensor: tfc.Tensor3D };
    const s = await m.state();
    const f = views(23);
    const t = views(24);
    const project = (x: Matrix, prefix: string) =>
      normalizeRows(
        linearJs(
          reluJs(linearJs(x, weight(s, `${prefix}.0.weight`), bias(s, `${prefix}.0.bias`))),
          weight(s, `${prefix}.2.weight`),
          bias(s, `${prefix}.2.bias`),
        ),
      );
    const q = f.map((x) => project(toMatrix(x), "projector"));
    const k = t.map((x) => project(toMatrix(x), "momentum_projector"));
    const queue = m.queueTensor.arraySync() as number[][][];
    const T = mocoIr.temperature;
    const ce = (qs: Matrix, ks: Matrix, negs: Matrix) =>
      qs.reduce((acc, qi, i) => {
        const logits = [dot(qi, ks[i]!) / T, ...negs.map((n) => dot(qi, n) / T)];
        return acc - Math.log(Math.exp(logits[0]!) / logits.reduce((a2, l) => a2 + Math.exp(l), 0));
      }, 0) / qs.length;
    const expected = (ce(q[0]!, k[1]!, queue[1]!) + ce(q[1]!, k[0]!, queue[0]!)) / 2;
    const l = m.loss({ features: f, targetFeatures: t, step: 0, totalSteps: 10 });
    expectClose(l.dataSync()[0]!, expected, 1e-5);
  });
});

function weight(s: StateDict, k: string): Matrix {
  const t = s.tensors[k]!;
  const cols = t.shape[1]!;
  return Array.from({ length: t.shape[0]! }, (_, i) => Array.from(t.values.subarray(i * cols, (i + 1) * cols)));
}

function bias(s: StateDict, k: string): number[] {
  return Array.from(s.tensors[k]!.values);
}

/** The momentum projector's output computed in JS from its current weights (MoCo: no BN). */
async function momentumProject(m: Method, x: tfc.Tensor2D): Promise<Matrix> {
  const s = await m.state();
  const h = reluJs(linearJs(toMatrix(x), weight(s, "momentum_projector.0.weight"), bias(s, "momentum_projector.0.bias")));
  return linearJs(h, weight(s, "momentum_projector.2.weight"), bias(s, "momentum_projector.2.bias"));
}

describe("state", () => {
  it("round-trips: a method built from another seed gives the same loss after loadState", async () => {
    for (const ir of ALL) {
      const a = buildMethod(tf, ir, FEAT, new Rng(1));
      // make the state non-trivial: a step of EMA / queue / BN statistics
      lossOf(a, 2);
      a.afterStep(0, 10);
      const saved = await a.state();
      const b = buildMethod(tf, ir, FEAT, new Rng(99));
      expect(lossOf(b, 3)).not.toBeCloseTo(lossOf(a, 3), 6);
      b.loadState(saved);
      expectClose(lossOf(b, 4), lossOf(a, 4), 1e-6);
      if (ir.name === "mocov2plus") expect(saved.numbers["queue_ptr"]).toBe(4);
      if (ir.name === "byol" || ir.name === "barlow") expect(Object.keys(saved.tensors).some((k) => k.endsWith("running_var"))).toBe(true);
    }
  });

  it("rejects a state of the wrong shape", async () => {
    const a = buildMethod(tf, simclrIr, FEAT, new Rng(1));
    const b = buildMethod(tf, { ...simclrIr, projHiddenDim: 5 }, FEAT, new Rng(1));
    const saved = await a.state();
    expect(() => b.loadState(saved)).toThrow(/shape/);
  });
});

describe("no tensor leaks", () => {
  it("a full step (loss, gradients, afterStep) keeps the tensor count constant", () => {
    for (const ir of ALL) {
      const m = buildMethod(tf, ir, FEAT, new Rng(5));
      const vars = m.params().map((p) => p.variable);
      const f = views(1);
      const t = views(2);
      const step = (s: number) => {
        const { value, grads } = tf.variableGrads(
          () => m.loss({ features: f, ...(m.usesMomentumBackbone ? { targetFeatures: t } : {}), step: s, totalSteps: 10 }),
          vars,
        );
        tf.dispose([value, ...Object.values(grads)]);
        m.afterStep(s, 10);
      };
      step(0);
      const count = tf.memory().numTensors;
      for (let s = 1; s < 4; s++) step(s);
      expect(tf.memory().numTensors, ir.name).toBe(count);
      tf.dispose([...f, ...t]);
      m.dispose();
    }
  });
});

describe("constants of the losses, kept across steps", () => {
  it("are built once per batch shape, give the same bits as per-step masks, and are freed by dispose", () => {
    const start = tf.memory().numTensors;
    const m = buildMethod(tf, simclrIr, FEAT, new Rng(5));
    const vars = m.params().map((p) => p.variable);
    const step = (f: tfc.Tensor2D[]): number => {
      const { value, grads } = tf.variableGrads(() => m.loss({ features: f, step: 0, totalSteps: 10 }), vars);
      const v = value.dataSync()[0]!;
      tf.dispose([value, ...Object.values(grads)]);
      return v;
    };
    // Each loss against simclrLoss with masks it builds itself (the uncached path).
    const direct = (f: tfc.Tensor2D[]): number =>
      tf.tidy(() => {
        const z = f.map((x) => (m as unknown as { projector: { apply(x: tfc.Tensor2D, t: boolean): tfc.Tensor2D } }).projector.apply(x, true));
        return simclrLoss(tf, z, simclrIr.temperature).dataSync()[0]!;
      });
    const cached = () => (m as SimCLR).masks.peek()?.pos;
    const f4 = views(1);
    const first = step(f4);
    const afterFirst = tf.memory().numTensors;
    const pos = cached();
    expect(pos?.shape).toEqual([8, 8]);
    expect(step(f4)).toBe(first);
    expect(cached()).toBe(pos);
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(first).toBe(direct(f4));
    // A new batch shape (a last short batch) rebuilds them: still constant, still equal.
    const f3 = views(2, 3);
    const withF3 = tf.memory().numTensors;
    const short = step(f3);
    expect(tf.memory().numTensors).toBe(withF3);
    expect(cached()?.shape).toEqual([6, 6]);
    expect(pos?.isDisposed).toBe(true);
    expect(short).toBe(direct(f3));
    tf.dispose([...f4, ...f3]);
    m.dispose();
    for (const v of vars) v.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it("Barlow Twins builds its identity and weights once, with the same bits as per-step ones, and frees them", () => {
    const start = tf.memory().numTensors;
    const m = buildMethod(tf, barlowIr, FEAT, new Rng(5)) as BarlowTwins;
    const vars = m.params().map((p) => p.variable);
    const f = views(1);
    const withF = tf.memory().numTensors;
    const step = (): number => {
      const { value, grads } = tf.variableGrads(() => m.loss({ features: f, step: 0, totalSteps: 10 }), vars);
      const v = value.dataSync()[0]!;
      tf.dispose([value, ...Object.values(grads)]);
      return v;
    };
    const first = step();
    const eye = m.constants.peek()?.eye;
    expect(eye?.shape).toEqual([barlowIr.projOutputDim, barlowIr.projOutputDim]);
    const after = tf.memory().numTensors;
    expect(after).toBe(withF + 2);
    expect(step()).toBe(first);
    expect(m.constants.peek()?.eye).toBe(eye);
    expect(tf.memory().numTensors).toBe(after);
    // Against the loss with constants it makes itself (the projector in training mode
    // updates its running statistics, which the loss does not read).
    const direct = tf.tidy(() => {
      const head = (m as unknown as { projector: { apply(x: tfc.Tensor2D, t: boolean): tfc.Tensor2D } }).projector;
      const [z1, z2] = f.map((x) => head.apply(x, true)) as [tfc.Tensor2D, tfc.Tensor2D];
      return barlowLoss(tf, z1, z2, barlowIr.lambda, barlowIr.scaleLoss).dataSync()[0]!;
    });
    expect(direct).toBe(first);
    tf.dispose(f);
    m.dispose();
    for (const v of vars) v.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
