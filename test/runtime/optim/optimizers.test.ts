// Each optimiser against its update rule written out in plain JS, over three steps with
// changing gradients and learning rates; leak and checkpoint checks.
import { beforeAll, describe, expect, it } from "vitest";
import type * as tfc from "@tensorflow/tfjs-core";
import { AdamW, buildOptimizer, Lars, Sgd, type Optimizer } from "../../../src/runtime/optim/index.js";
import { cpuTf, expectAllClose } from "../methods/helpers.js";

let tf: typeof tfc;
beforeAll(async () => {
  tf = await cpuTf();
});

// A 2x3 weight (LARS adapts it) and a 3-vector bias (LARS may exclude it).
const W0 = [0.5, -1.0, 0.25, 2.0, -0.75, 1.5];
const B0 = [0.1, -0.2, 0.3];
const GW = [
  [0.2, 0.1, -0.3, 0.05, 0.4, -0.1],
  [-0.1, 0.3, 0.2, -0.2, 0.1, 0.0],
  [0.05, -0.05, 0.1, 0.3, -0.2, 0.25],
];
const GB = [
  [0.3, -0.1, 0.2],
  [0.1, 0.1, -0.4],
  [-0.2, 0.05, 0.1],
];
const LRS = [0.1, 0.05, 0.2];

type Rule = (p: number[], g: number[], lr: number, state: Record<string, number[] | number>, oneD: boolean) => number[];

function runJs(rule: Rule): { w: number[]; b: number[] } {
  let w = [...W0];
  let b = [...B0];
  const sw: Record<string, number[] | number> = {};
  const sb: Record<string, number[] | number> = {};
  for (let s = 0; s < 3; s++) {
    w = rule(w, GW[s]!, LRS[s]!, sw, false);
    b = rule(b, GB[s]!, LRS[s]!, sb, true);
  }
  return { w, b };
}

function runTf(opt: Optimizer, steps = 3, from = 0, vars?: tfc.Variable[]): tfc.Variable[] {
  const params = vars ?? [tf.variable(tf.tensor2d(W0, [2, 3])), tf.variable(tf.tensor1d(B0))];
  for (let s = from; s < from + steps; s++) {
    const grads = [tf.tensor2d(GW[s]!, [2, 3]), tf.tensor1d(GB[s]!)];
    opt.step(params, grads, LRS[s]!);
    tf.dispose(grads);
  }
  return params;
}

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

function sgdRule(momentum: number, wd: number): Rule {
  return (p, g, lr, st) => {
    const d = g.map((gi, i) => gi + wd * p[i]!);
    const prev = st["buf"] as number[] | undefined;
    const buf = prev ? prev.map((b, i) => momentum * b + d[i]!) : d;
    st["buf"] = buf;
    return p.map((x, i) => x - lr * buf[i]!);
  };
}

function larsRule(o: { momentum: number; wd: number; eta: number; clip: boolean; exclude: boolean }): Rule {
  return (p, g, lr, st, oneD) => {
    let d = [...g];
    if (!(oneD && o.exclude)) {
      const pn = norm(p);
      const gn = norm(g);
      if (pn !== 0 && gn !== 0) {
        let larsLr = (o.eta * pn) / (gn + pn * o.wd + 1e-8);
        if (o.clip) larsLr = Math.min(larsLr / lr, 1);
        d = g.map((gi, i) => (gi + o.wd * p[i]!) * larsLr);
      }
    }
    const prev = st["buf"] as number[] | undefined;
    const buf = prev ? prev.map((b, i) => o.momentum * b + d[i]!) : d;
    st["buf"] = buf;
    return p.map((x, i) => x - lr * buf[i]!);
  };
}

function adamwRule(wd: number, b1: number, b2: number, eps = 1e-8): Rule {
  return (p, g, lr, st) => {
    const t = ((st["t"] as number | undefined) ?? 0) + 1;
    st["t"] = t;
    const m0 = (st["m"] as number[] | undefined) ?? g.map(() => 0);
    const v0 = (st["v"] as number[] | undefined) ?? g.map(() => 0);
    const m = m0.map((x, i) => b1 * x + (1 - b1) * g[i]!);
    const v = v0.map((x, i) => b2 * x + (1 - b2) * g[i]! * g[i]!);
    st["m"] = m;
    st["v"] = v;
    const bc1 = 1 - b1 ** t;
    const bc2 = 1 - b2 ** t;
    return p.map((x, i) => x * (1 - lr * wd) - (lr / bc1) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + eps)));
  };
}

function check(opt: Optimizer, rule: Rule): void {
  const [w, b] = runTf(opt);
  const want = runJs(rule);
  expectAllClose(w!.dataSync(), want.w, 1e-5);
  expectAllClose(b!.dataSync(), want.b, 1e-5);
}

describe("SGD (torch semantics)", () => {
  it("momentum 0.9 with weight decay", () => check(new Sgd(tf, { momentum: 0.9, weightDecay: 1e-4 }), sgdRule(0.9, 1e-4)));
  it("plain SGD, large decay", () => check(new Sgd(tf, { momentum: 0, weightDecay: 0.1 }), sgdRule(0, 0.1)));
  it("first step: p - lr * (g + wd p)", () => {
    const opt = new Sgd(tf, { momentum: 0.9, weightDecay: 0.5 });
    const [w] = runTf(opt, 1);
    expectAllClose(
      w!.dataSync(),
      W0.map((p, i) => p - 0.1 * (GW[0]![i]! + 0.5 * p)),
      1e-6,
    );
  });
});

describe("LARS (solo-learn)", () => {
  it("eta 0.02, clip_lr, bias and norm excluded (the reference's setting)", () => {
    const o = { momentum: 0.9, wd: 1e-4, eta: 0.02, clip: true, exclude: true };
    check(new Lars(tf, { momentum: 0.9, weightDecay: 1e-4, eta: 0.02, clipLr: true, excludeBiasAndNorm: true }), larsRule(o));
  });

  it("without clipping and without exclusion, large decay", () => {
    const o = { momentum: 0.9, wd: 0.05, eta: 0.5, clip: false, exclude: false };
    check(new Lars(tf, { momentum: 0.9, weightDecay: 0.05, eta: 0.5, clipLr: false, excludeBiasAndNorm: false }), larsRule(o));
  });

  it("clipping caps the effective rate at lr (trust ratio >= 1 gives plain SGD + decay)", () => {
    // eta huge: lars_lr / lr > 1, so the clipped factor is 1: d = g + wd p
    const opt = new Lars(tf, { momentum: 0, weightDecay: 0.1, eta: 1e6, clipLr: true, excludeBiasAndNorm: true });
    const [w, b] = runTf(opt, 1);
    expectAllClose(
      w!.dataSync(),
      W0.map((p, i) => p - 0.1 * (GW[0]![i]! + 0.1 * p)),
      1e-6,
    );
    // the excluded bias gets neither adaptation nor weight decay
    expectAllClose(
      b!.dataSync(),
      B0.map((p, i) => p - 0.1 * GB[0]![i]!),
      1e-6,
    );
  });

  it("a zero parameter is not adapted (||p|| = 0): d = g, no decay", () => {
    const opt = new Lars(tf, { momentum: 0.9, weightDecay: 0.1, eta: 0.02, clipLr: true, excludeBiasAndNorm: true });
    const p = tf.variable(tf.zeros([2, 3]));
    opt.step([p], [tf.tensor2d(GW[0]!, [2, 3])], 0.1);
    expectAllClose(
      p.dataSync(),
      GW[0]!.map((g) => -0.1 * g),
      1e-6,
    );
  });

  it("the bias-or-norm test can be overridden", () => {
    const opt = new Lars(tf, {
      momentum: 0,
      weightDecay: 0,
      eta: 1e6,
      clipLr: false,
      excludeBiasAndNorm: true,
      isBiasOrNorm: () => true,
    });
    const [w] = runTf(opt, 1);
    expectAllClose(
      w!.dataSync(),
      W0.map((p, i) => p - 0.1 * GW[0]![i]!),
      1e-6,
    );
  });
});

describe("AdamW (torch semantics)", () => {
  it("three steps with decoupled weight decay", () => check(new AdamW(tf, { weightDecay: 0.01, beta1: 0.9, beta2: 0.999 }), adamwRule(0.01, 0.9, 0.999)));
  it("other betas", () => check(new AdamW(tf, { weightDecay: 0.1, beta1: 0.5, beta2: 0.9 }), adamwRule(0.1, 0.5, 0.9)));
});

describe("all optimisers", () => {
  const makers: [string, () => Optimizer][] = [
    ["sgd", () => buildOptimizer(tf, { name: "sgd", lr: 0.1, weightDecay: 1e-4, momentum: 0.9 })],
    ["lars", () => buildOptimizer(tf, { name: "lars", lr: 0.1, weightDecay: 1e-4, momentum: 0.9, eta: 0.02, clipLr: true, excludeBiasAndNorm: true })],
    ["adamw", () => buildOptimizer(tf, { name: "adamw", lr: 0.1, weightDecay: 0.01, beta1: 0.9, beta2: 0.999 })],
  ];

  it("keep the tensor count constant across steps", () => {
    for (const [name, make] of makers) {
      const opt = make();
      const params = runTf(opt, 1);
      const count = tf.memory().numTensors;
      runTf(opt, 2, 1, params);
      expect(tf.memory().numTensors, name).toBe(count);
      opt.dispose();
      tf.dispose(params);
    }
  });

  it("resume from a saved state exactly where they left off", async () => {
    for (const [name, make] of makers) {
      const straight = runTf(make());
      const first = make();
      const params = runTf(first, 1);
      const saved = await first.state();
      const savedParams = params.map((p) => Array.from(p.dataSync()));
      const second = make();
      second.loadState(saved);
      const resumed = [tf.variable(tf.tensor2d(savedParams[0]!, [2, 3])), tf.variable(tf.tensor1d(savedParams[1]!))];
      runTf(second, 2, 1, resumed);
      expectAllClose(resumed[0]!.dataSync(), straight[0]!.dataSync(), 1e-6);
      expectAllClose(resumed[1]!.dataSync(), straight[1]!.dataSync(), 1e-6);
      expect(Object.keys(saved.tensors).length, name).toBeGreaterThan(0);
    }
  });

  it("skip parameters without a gradient and reject mismatched lists", () => {
    for (const [, make] of makers) {
      const opt = make();
      const p = tf.variable(tf.tensor1d([1, 2]));
      opt.step([p], [null], 0.1);
      expect(Array.from(p.dataSync())).toEqual([1, 2]);
      expect(() => opt.step([p], [], 0.1)).toThrow(/1 parameters but 0 gradients/);
      expect(() => opt.step([p], [tf.tensor1d([1, 1])], NaN)).toThrow(/not finite/);
    }
  });
});
