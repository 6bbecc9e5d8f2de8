// SGD on each backend against its update written op for op as it was before the fused
// momentum update (tf.mul / tf.add / tf.sub, each result rounded to f32): bit for bit on
// cpu and wasm (no AdainfAxpby there, so SGD keeps those very ops), within float
// tolerance on webgpu (AdainfAxpby, whose WGSL a shader compiler may contract into an
// FMA). Parameters, momentum buffers, state()/loadState() and a resumed run, over several
// steps with and without momentum and weight decay; and the kernels one step runs. Where
// Dawn finds no adapter, the webgpu tests skip and their names say why.
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { probeWebGpu } from "../../../src/runtime/backend/webgpu.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { Sgd } from "../../../src/runtime/optim/index.js";
import type { SgdOptions } from "../../../src/runtime/optim/sgd.js";
import { Rng } from "../../../src/runtime/rng.js";

const probed = await probeWebGpu();
const why = typeof probed === "string" ? probed : null;
const label = (name: string): string => (why ? `${name} (skipped: ${why})` : name);

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
  await selectBackend("wasm");
  if (!why) await selectBackend("webgpu");
});
afterAll(async () => {
  await releaseBackends();
});

// Sizes that are not multiples of 4 or of a workgroup, a conv kernel and a bias among them.
const SHAPES: number[][] = [[3, 3, 4, 8], [8], [17], [5, 7]];
const LRS = [0.05, 0.1, 0.0375, 0.2, 0.013];
const SETTINGS: [string, SgdOptions][] = [
  ["momentum 0.9, weight decay 5e-4", { momentum: 0.9, weightDecay: 5e-4 }],
  ["momentum 0.9, no weight decay (bench/gpu_step.py's)", { momentum: 0.9, weightDecay: 0 }],
  ["no momentum, weight decay 0.1", { momentum: 0, weightDecay: 0.1 }],
  ["no momentum, no weight decay", { momentum: 0, weightDecay: 0 }],
];

/**
 * The reference: one parameter's update exactly as Sgd and momentumUpdate computed it
 * before the fused path (d = g + wd p; buf = m buf + d, or d at the first step; p - lr buf).
 */
function oldUpdate(tf: Tf, p: Tensor, g: Tensor, prev: Tensor | null, o: SgdOptions, lr: number): [Tensor, Tensor?] {
  return tf.tidy(() => {
    const d = o.weightDecay !== 0 ? tf.add(g, tf.mul(p, o.weightDecay)) : g;
    if (o.momentum === 0) return [tf.sub(p, tf.mul(d, lr))];
    const b = prev ? tf.add(tf.mul(prev, o.momentum), d) : d.clone();
    return [tf.sub(p, tf.mul(b, lr)), b];
  }) as [Tensor, Tensor?];
}

function values(seed: number, shape: number[], scale: number): Float32Array {
  const rng = new Rng(seed);
  return new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => rng.normal() * scale);
}

const gradient = (step: number, i: number): Float32Array => values(1000 + 17 * step + i, SHAPES[i]!, 0.3);

interface Run {
  params: Float32Array[];
  buffers: (Float32Array | null)[];
}

/** `steps` steps from step `from`, the old formula on plain tensors. */
async function referenceRun(o: SgdOptions, steps: number, start?: Run, from = 0): Promise<Run> {
  let params: Tensor[] = SHAPES.map((s, i) => tf.tensor(start?.params[i] ?? values(i + 1, s, 1), s));
  let bufs: (Tensor | null)[] = SHAPES.map((s, i) => (start?.buffers[i] ? tf.tensor(start.buffers[i]!, s) : null));
  for (let step = from; step < from + steps; step++) {
    const next = params.map((p, i) => {
      const g = tf.tensor(gradient(step, i), SHAPES[i]);
      const out = oldUpdate(tf, p, g, bufs[i]!, o, LRS[step]!);
      g.dispose();
      return out;
    });
    tf.dispose([...params, ...bufs.filter((b): b is Tensor => b !== null)]);
    params = next.map(([p]) => p);
    bufs = next.map(([, b]) => b ?? null);
  }
  const run = await read(params, bufs);
  tf.dispose([...params, ...bufs.filter((b): b is Tensor => b !== null)]);
  return run;
}

async function read(params: Tensor[], bufs: (Tensor | null)[]): Promise<Run> {
  return {
    params: await Promise.all(params.map(async (p) => (await p.data()) as Float32Array)),
    buffers: await Promise.all(bufs.map(async (b) => (b ? ((await b.data()) as Float32Array) : null))),
  };
}

/** `steps` steps of the runtime's Sgd from step `from`; its parameters and saved buffers. */
async function sgdRun(o: SgdOptions, steps: number, opt = new Sgd(tf, o), vars?: Variable[], from = 0): Promise<Run & { opt: Sgd; vars: Variable[] }> {
  const params = vars ?? SHAPES.map((s, i) => tf.variable(tf.tensor(values(i + 1, s, 1), s)));
  for (let step = from; step < from + steps; step++) {
    const grads = SHAPES.map((s, i) => tf.tensor(gradient(step, i), s));
    opt.step(params, grads, LRS[step]!);
    tf.dispose(grads);
  }
  const state = await opt.state();
  const buffers = SHAPES.map((_, i) => {
    const t = state.tensors[`momentum_buffer.${i}`];
    return t ? Float32Array.from(t.values) : null;
  });
  return { params: await Promise.all(params.map(async (p) => (await p.data()) as Float32Array)), buffers, opt, vars: params };
}

/** The first element whose bits differ (NaN payloads included), or -1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return ua.findIndex((v, i) => v !== ub[i]);
}

function expectBitIdentical(got: Run, want: Run): void {
  got.params.forEach((p, i) => {
    const at = firstBitDifference(p, want.params[i]!);
    expect(at, `parameter ${i} differs at ${at}: ${p[at]} against ${want.params[i]![at]}`).toBe(-1);
  });
  got.buffers.forEach((b, i) => {
    const w = want.buffers[i] ?? null;
    expect(b === null, `buffer ${i} present`).toBe(w === null);
    if (b && w) {
      const at = firstBitDifference(b, w);
      expect(at, `buffer ${i} differs at ${at}: ${b[at]} against ${w[at]}`).toBe(-1);
    }
  });
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0) / scale;
}

/** The kernels one step (the second: buffers exist) runs, by name. */
async function kernelsOfOneStep(step: () => void): Promise<Record<string, number>> {
  const info = await tf.profile(step);
  const counts: Record<string, number> = {};
  for (const k of info.kernels) counts[k.name] = (counts[k.name] ?? 0) + 1;
  return counts;
}

async function stepKernels(o: SgdOptions, reference: boolean): Promise<Record<string, number>> {
  const params = SHAPES.map((s, i) => tf.variable(tf.tensor(values(i + 1, s, 1), s)));
  const grads = SHAPES.map((s, i) => tf.tensor(gradient(0, i), s));
  const defined = (ts: (Tensor | null | undefined)[]): Tensor[] => ts.filter((t): t is Tensor => t != null);
  let counts: Record<string, number>;
  if (reference) {
    const first = params.map((p, i) => oldUpdate(tf, p, grads[i]!, null, o, 0.1));
    const prev = first.map(([, b]) => b ?? null);
    counts = await kernelsOfOneStep(() => {
      tf.dispose(defined(params.flatMap((p, i) => oldUpdate(tf, p, grads[i]!, prev[i]!, o, 0.1))));
    });
    tf.dispose(defined(first.flat()));
  } else {
    const opt = new Sgd(tf, o);
    opt.step(params, grads, 0.1);
    counts = await kernelsOfOneStep(() => opt.step(params, grads, 0.1));
    opt.dispose();
  }
  tf.dispose([...params, ...grads]);
  return counts;
}

for (const backend of ["cpu", "wasm"]) {
  describe(`SGD on ${backend}: bit for bit the old formula`, () => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });
    for (const [name, o] of SETTINGS) {
      it(`${name}: five steps, parameters and buffers`, async () => {
        const want = await referenceRun(o, 5);
        const got = await sgdRun(o, 5);
        expectBitIdentical(got, want);
        got.opt.dispose();
        tf.dispose(got.vars);
      });
    }

    it("a checkpoint after two steps holds the same buffers, and resuming from it gives the same bits", async () => {
      const o = SETTINGS[0]![1];
      const two = await referenceRun(o, 2);
      const first = await sgdRun(o, 2);
      expectBitIdentical(first, two);
      const saved = await first.opt.state();
      const resumedOpt = new Sgd(tf, o);
      resumedOpt.loadState(saved);
      const vars = first.params.map((p, i) => tf.variable(tf.tensor(p, SHAPES[i])));
      const resumed = await sgdRun(o, 3, resumedOpt, vars, 2);
      expectBitIdentical(resumed, await referenceRun(o, 3, two, 2));
      expectBitIdentical(resumed, await referenceRun(o, 5));
      for (const r of [first, resumed]) {
        r.opt.dispose();
        tf.dispose(r.vars);
      }
    });

    it("one step runs the same kernels as the old formula", async () => {
      for (const [name, o] of SETTINGS) {
        expect(await stepKernels(o, false), name).toEqual(await stepKernels(o, true));
      }
    });
  });
}

describe.skipIf(why !== null)(label("SGD on webgpu: the old formula within float tolerance, in fewer kernels"), () => {
  beforeAll(async () => {
    await tf.setBackend("webgpu");
  });

  for (const [name, o] of SETTINGS) {
    it(`${name}: five steps against the old formula on webgpu and on wasm`, async () => {
      expect(tf.getKernel("AdainfAxpby", "webgpu")).toBeDefined();
      const got = await sgdRun(o, 5);
      const want = await referenceRun(o, 5);
      await tf.setBackend("wasm");
      const wasm = await referenceRun(o, 5);
      await tf.setBackend("webgpu");
      for (const ref of [want, wasm]) {
        got.params.forEach((p, i) => expect(maxRelDiff(p, ref.params[i]!), `parameter ${i}`).toBeLessThan(1e-5));
        got.buffers.forEach((b, i) => {
          expect(b === null).toBe(ref.buffers[i] === null);
          if (b) expect(maxRelDiff(b, ref.buffers[i]!), `buffer ${i}`).toBeLessThan(1e-5);
        });
      }
      got.opt.dispose();
      tf.dispose(got.vars);
    });
  }

  it("one step: AdainfAxpby only, one per operation the old formula fused (2 or 3 per parameter with momentum, 1 or 2 without)", async () => {
    const n = SHAPES.length;
    const perParam = (o: SgdOptions): number => (o.momentum !== 0 ? 2 : 1) + (o.weightDecay !== 0 ? 1 : 0);
    for (const [name, o] of SETTINGS) {
      const counts = await stepKernels(o, false);
      expect(counts, name).toEqual({ AdainfAxpby: n * perParam(o) });
      const old = await stepKernels(o, true);
      const oldTotal = Object.values(old).reduce((a, b) => a + b, 0);
      expect(oldTotal, name).toBe(n * 2 * perParam(o));
    }
  });
});
