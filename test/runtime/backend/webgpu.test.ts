// The webgpu backend (Dawn) against wasm: ResNet-18's loss, gradients and running
// statistics in training mode, and whole tiny runs of each method (losses per step,
// evaluation, checkpoints) give the same numbers, and kNN's bank searched in blocks finds
// wasm's neighbours. On a machine without a GPU this runs
// on Mesa's lavapipe (software Vulkan, .ci/install-webgpu); where Dawn finds no adapter
// at all, every test here skips and its name says why.
import fs from "node:fs";
import path from "node:path";
import type { Scalar, Tensor, Tensor4D } from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileFileSync } from "../../../src/driver.js";
import type { PipelineIR, ResNet18IR } from "../../../src/ir/types.js";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { probeWebGpu } from "../../../src/runtime/backend/webgpu.js";
import { axpby } from "../../../src/runtime/backend/fused-kernels.js";
import { batchNormTrain } from "../../../src/runtime/models/batch-norm-train.js";
import { Lars } from "../../../src/runtime/optim/index.js";
import { buildBackbone } from "../../../src/runtime/models/build.js";
import { nearestNeighbours, weightedKnn, type FeatureSet } from "../../../src/runtime/eval/index.js";
import { Rng } from "../../../src/runtime/rng.js";
import { loadCheckpoint, readMetrics, RunSetupError, runPipeline, type StepMetrics } from "../../../src/runtime/train/index.js";
import { tinyProject, type TinyOptions } from "../../train/fixtures.js";

const probed = await probeWebGpu();
const why = typeof probed === "string" ? probed : null;
const label = (name: string): string => (why ? `${name} (skipped: ${why})` : name);

let tf: Tf;
beforeAll(async () => {
  if (why) return;
  tf = (await selectBackend("wasm")).tf;
  const sel = await selectBackend("webgpu");
  expect(sel.adapter).toBeDefined();
  expect(sel.description).toMatch(/^webgpu \(Dawn on /);
});
afterAll(async () => {
  await releaseBackends();
});

describe.skipIf(why !== null)(label("webgpu against wasm"), () => {
  it("ResNet-18 in training mode: same loss, gradients and running statistics", async () => {
    const c = { side: 4, batch: 4, seed: 8, inputSeed: 12 };
    const wasm = await resnetLossAndGrads("wasm", c);
    const gpu = await resnetLossAndGrads("webgpu", c);
    expect(Math.abs(gpu.loss - wasm.loss)).toBeLessThan(1e-3 * Math.max(1, Math.abs(wasm.loss)));
    expect(worstGradientDiff(wasm.grads, gpu.grads)).toBeLessThan(1e-2);
    for (const k of ["bn1.running_mean", "layer2.0.downsample.1.running_var", "layer4.1.bn2.running_mean"]) {
      expect(maxAbsDiff(wasm.state[k]!, gpu.state[k]!), k).toBeLessThan(1e-4);
    }
    for (const g of gpu.grads) expect(g.some((v) => v !== 0)).toBe(true);
  }, 300_000);

  const methods: Array<[string, string]> = [
    ["SimCLR (LARS)", "simclr(proj_hidden_dim = 16, proj_output_dim = 8)"],
    ["MoCo v2+", "mocov2plus(proj_hidden_dim = 16, proj_output_dim = 8, queue_size = 32)"],
    ["BYOL", "byol(proj_hidden_dim = 16, proj_output_dim = 8, pred_hidden_dim = 16)"],
    ["Barlow Twins", "barlow(proj_hidden_dim = 16, proj_output_dim = 16)"],
  ];
  it("ResNet-18 + SimCLR + LARS: a tiny run gives the same losses and checkpoint (every kernel of ours in one run)", async () => {
    const o: TinyOptions = { steps: 2, checkpointEvery: null, evaluate: "knn(k = 5)" };
    const withResnet = (ir: PipelineIR): PipelineIR => ({ ...ir, model: { ...ir.model, backbone: RESNET } });
    const wasm = await tinyRun("wasm", o, withResnet);
    const gpu = await tinyRun("webgpu", o, withResnet);
    gpu.metrics.forEach((m, i) => {
      expect(Math.abs(m.loss - wasm.metrics[i]!.loss), `loss at step ${i}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(wasm.metrics[i]!.loss)));
    });
    let worst = 0;
    for (const [k, v] of wasm.checkpoint) worst = Math.max(worst, maxAbsDiff(v, gpu.checkpoint.get(k)!));
    expect(worst).toBeLessThan(1e-3);
  }, 300_000);

  for (const [name, method] of methods) {
    it(`${name}: a tiny run gives the same losses, evaluation and checkpoint`, async () => {
      const o: TinyOptions = { method, steps: 4, checkpointEvery: 2, keep: 2 };
      const wasm = await tinyRun("wasm", o);
      const gpu = await tinyRun("webgpu", o);
      expect(gpu.metrics.map((m) => m.step)).toEqual([0, 1, 2, 3]);
      gpu.metrics.forEach((m, i) => {
        const w = wasm.metrics[i]!;
        expect(Math.abs(m.loss - w.loss), `loss at step ${i}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(w.loss)));
        expect(m.lr).toBe(w.lr);
      });
      // Evaluation ran on the GPU (async reads only) and agrees.
      const last = (ms: StepMetrics[]): StepMetrics => ms.at(-1)!;
      expect(last(gpu.metrics).knn_acc1).toBeDefined();
      expect(Math.abs(last(gpu.metrics).knn_acc1! - last(wasm.metrics).knn_acc1!)).toBeLessThanOrEqual(10);
      // The checkpoint holds the same weights, to float tolerance.
      let worst = 0;
      for (const [k, v] of wasm.checkpoint) worst = Math.max(worst, maxAbsDiff(v, gpu.checkpoint.get(k)!));
      expect(worst).toBeLessThan(1e-3);
    }, 300_000);
  }
});

describe.skipIf(why !== null)(label("webgpu batch-norm kernels (WGSL)"), () => {
  // Shapes: C below, at and over one 64-channel workgroup; M over one slice and over many.
  const cases: Array<[number[], boolean]> = [
    [[2, 3, 3, 5], false],
    [[4, 8, 8, 64], true],
    [[3, 7, 5, 130], true],
    [[64, 16, 16, 8], false],
  ];
  for (const [shape, relu] of cases) {
    it(`[${shape.join(", ")}]${relu ? " + ReLU" : ""}: output, statistics and gradients equal wasm's`, async () => {
      const wasm = await batchNormCase("wasm", shape, relu);
      const gpu = await batchNormCase("webgpu", shape, relu);
      expect(tf.getKernel("AdainfBatchNormTrain", "webgpu")).toBeDefined();
      for (const k of ["y", "mean", "variance", "dx", "dgamma", "dbeta"] as const) {
        const scale = wasm[k].reduce((m, v) => Math.max(m, Math.abs(v)), 1);
        expect(maxAbsDiff(wasm[k], gpu[k]) / scale, k).toBeLessThan(2e-5);
      }
    });
  }

  it("refuses an empty batch with one line instead of NaN statistics", async () => {
    await tf.setBackend("webgpu");
    const [x, scale, offset] = [tf.zeros([0, 2, 2, 3]), tf.ones([3]), tf.zeros([3])];
    expect(() => tf.engine().runKernel("AdainfBatchNormTrain", { x, scale, offset }, { varianceEpsilon: 1e-5, relu: false })).toThrow(
      /^batch norm over an empty batch \(x of shape \[0, 2, 2, 3\]\)/,
    );
    tf.dispose([x, scale, offset]);
  });

  it("keeps the tensor count: the slices' partial sums are freed", async () => {
    await tf.setBackend("webgpu");
    await batchNormCase("webgpu", [4, 8, 8, 64], true);
    const before = tf.memory().numTensors;
    await batchNormCase("webgpu", [4, 8, 8, 64], true);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.skipIf(why !== null)(label("webgpu convolution gradients (ours and tfjs's matrix-product input gradient)"), () => {
  // [x shape, filter shape, stride, pad]: ResNet's 3x3 stride 1 and 2, its 1x1 down-sampling,
  // the stem (3 input channels), ImageNet's 7x7 stride 2, filter rows and channel counts
  // off the filter gradient's 64-tile and its 4-wide thread tiles, a ResNet stage's
  // down-sampling 3x3 (several tiles each way), and enough positions for many split-K slices.
  const cases: Array<[[number, number, number, number], [number, number, number, number], number, "same" | "valid" | number]> = [
    [[2, 8, 8, 3], [3, 3, 3, 16], 1, "same"],
    [[3, 9, 7, 20], [3, 3, 20, 40], 2, 1],
    [[2, 8, 8, 33], [1, 1, 33, 65], 2, "valid"],
    [[1, 16, 16, 5], [7, 7, 5, 9], 2, 3],
    [[32, 16, 16, 8], [3, 3, 8, 8], 1, "same"],
    [[4, 8, 8, 64], [3, 3, 64, 130], 2, 1],
  ];
  for (const [xs, fs, stride, pad] of cases) {
    it(`x [${xs.join(", ")}], filter [${fs.join(", ")}], stride ${stride}, pad ${pad}: both gradients equal wasm's`, async () => {
      const wasm = await convGrads("wasm", xs, fs, stride, pad);
      const gpu = await convGrads("webgpu", xs, fs, stride, pad);
      for (const k of ["dw", "dx"] as const) {
        const scale = wasm[k].reduce((m, v) => Math.max(m, Math.abs(v)), 1e-3);
        expect(maxAbsDiff(wasm[k], gpu[k]) / scale, k).toBeLessThan(1e-4);
      }
    });
  }
});

describe.skipIf(why !== null)(label("webgpu fused optimiser kernels"), () => {
  const settings: Array<[string, ConstructorParameters<typeof Lars>[1]]> = [
    ["clipped, bias and norm excluded", { momentum: 0.9, weightDecay: 1e-4, eta: 0.02, clipLr: true, excludeBiasAndNorm: true }],
    ["unclipped, nothing excluded", { momentum: 0.9, weightDecay: 0.05, eta: 0.5, clipLr: false, excludeBiasAndNorm: false }],
    ["no momentum", { momentum: 0, weightDecay: 0.1, eta: 0.02, clipLr: true, excludeBiasAndNorm: true }],
  ];
  for (const [name, opts] of settings) {
    it(`LARS (${name}): three steps equal the composed ops on wasm, a zero parameter included`, async () => {
      const wasm = await larsRun("wasm", opts);
      const gpu = await larsRun("webgpu", opts);
      expect(tf.getKernel("AdainfLarsStep", "webgpu")).toBeDefined();
      wasm.forEach((w, i) => {
        const scale = w.reduce((m, v) => Math.max(m, Math.abs(v)), 1e-6);
        expect(maxAbsDiff(w, gpu[i]!) / scale, `parameter ${i}`).toBeLessThan(1e-5);
      });
    });
  }

  it("a x + b (c y) equals the composed ops", async () => {
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const rng = new Rng(5);
      const x = tf.tensor1d(new Float32Array(1000).map(() => rng.normal()));
      const y = tf.tensor1d(new Float32Array(1000).map(() => rng.normal()));
      const out = axpby(tf, x, y, 0.9, 0.1, 1.0001);
      const v = (await out.data()) as Float32Array;
      tf.dispose([x, y, out]);
      return v;
    };
    expect(maxAbsDiff(await run("wasm"), await run("webgpu"))).toBeLessThan(1e-6);
  });
});

describe.skipIf(why !== null)(label("webgpu limits"), () => {
  it("refuses a batch whose largest activation one shader cannot bind, naming the largest that fits", async () => {
    await tf.setBackend("webgpu");
    const dir = tinyProject({ steps: 1 });
    const ir = compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir;
    const adapter = probed as Exclude<typeof probed, string>;
    // ResNet-18's CIFAR stem: 64 float channels at the view's size; one image more than the binding holds.
    const crop = ir.augment.views[0]!.ops.find((op) => op.op === "random_resized_crop");
    const side = crop && crop.op === "random_resized_crop" ? crop.size : 12;
    const fits = Math.floor(adapter.limits.maxStorageBufferBindingSize / (side * side * 64 * 4));
    const big: PipelineIR = { ...ir, model: { ...ir.model, backbone: RESNET }, train: { ...ir.train, batchSize: fits + 1 } };
    const err = await runPipeline(big, { cwd: dir, tf, worker: "off", baseline: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunSetupError);
    expect((err as Error).message).toContain(`train.batch_size = ${fits + 1} does not fit this GPU`);
    expect((err as Error).message).toContain(`at most ${fits} images per view fit`);
  });

  it("kNN's bank in blocks of 3 (forced, and from limits that bind 3 features): the neighbours and accuracy of wasm's whole-bank search", async () => {
    const rng = new Rng(21);
    const set = (n: number, classes: number): FeatureSet => ({
      features: new Float32Array(n * 6).map(() => rng.normal()),
      labels: Int32Array.from({ length: n }, (_, i) => i % classes),
      dim: 6,
    });
    const [bank, test] = [set(20, 3), set(7, 3)];
    const neighbours = async (backend: string, bankRows: number): Promise<number[]> => {
      await tf.setBackend(backend);
      const out: number[] = [];
      await nearestNeighbours(tf, bank.features, test.features, 6, { k: 8, distance: "cosine", blocks: { bankRows, queryRows: 4 } }, (_f, _r, _v, i) => {
        out.push(...i);
      });
      return out;
    };
    const whole = await neighbours("wasm", 20);
    expect(await neighbours("webgpu", 3)).toEqual(whole);
    const opts = { k: 8, temperature: 0.1, distance: "euclidean" as const };
    await tf.setBackend("wasm");
    const reference = await weightedKnn(tf, bank, test, opts);
    await tf.setBackend("webgpu");
    const before = tf.memory().numTensors;
    expect(await weightedKnn(tf, bank, test, { ...opts, bankBlock: 3 })).toEqual(reference);
    const threeFeatures = { maxBufferSize: 3 * 6 * 4, maxStorageBufferBindingSize: 1 << 20 };
    expect(await weightedKnn(tf, bank, test, { ...opts, limits: threeFeatures })).toEqual(reference);
    expect(tf.memory().numTensors).toBe(before);
  });
});

async function tinyRun(
  backend: string,
  o: TinyOptions,
  change: (ir: PipelineIR) => PipelineIR = (ir) => ir,
): Promise<{ metrics: StepMetrics[]; checkpoint: Map<string, Float32Array> }> {
  await tf.setBackend(backend);
  const dir = tinyProject(o);
  const out = compileFileSync("tiny.adainf", { cwd: dir });
  expect(out.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const ir: PipelineIR = change(out.pipelines[0]!.ir);
  const result = await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false });
  expect(result.status === "done" && result.summary.backend).toBe(backend);
  const runDir = path.join(dir, "runs/tiny");
  const ckpt = loadCheckpoint(path.join(runDir, "checkpoints", fs.readdirSync(path.join(runDir, "checkpoints")).sort().at(-1)!));
  const checkpoint = new Map<string, Float32Array>();
  for (const [k, v] of ckpt.state.tensors) if (k.startsWith("backbone/")) checkpoint.set(k, v.values);
  return { metrics: readMetrics(path.join(runDir, "metrics.jsonl")), checkpoint };
}

const RESNET: ResNet18IR = { name: "resnet18", stem: "cifar", featureDim: 512 };

async function resnetLossAndGrads(backend: string, c: { side: number; batch: number; seed: number; inputSeed: number }) {
  await tf.setBackend(backend);
  const net = buildBackbone(tf, RESNET, [c.side, c.side, 3], new Rng(c.seed));
  const rng = new Rng(c.inputSeed);
  const x = tf.tensor4d(
    new Float32Array(c.batch * c.side * c.side * 3).map(() => rng.normal()),
    [c.batch, c.side, c.side, 3],
  ) as Tensor4D;
  const w = tf.tensor2d(
    new Float32Array(c.batch * 512).map((_, i) => Math.cos(i)),
    [c.batch, 512],
  );
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(net.forward(x, true), w)) as Scalar, net.params);
  const loss = (await value.data())[0] as number;
  const g: Float32Array[] = [];
  for (const p of net.named) g.push((await (grads[p.variable.name] as Tensor).data()) as Float32Array);
  const state = Object.fromEntries(Object.entries(await net.getState()).map(([k, v]) => [k, v.data]));
  tf.dispose([w, value, x, ...Object.values(grads)]);
  net.dispose();
  return { loss, grads: g, state };
}

/** Three LARS steps over parameters of several sizes (one all zero); the final values and buffers. */
async function larsRun(backend: string, opts: ConstructorParameters<typeof Lars>[1]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const rng = new Rng(11);
  const shapes = [[3, 3, 4, 8], [8], [100, 37], [5], [70000]];
  const params = shapes.map((sh, i) => {
    const n = sh.reduce((a, b) => a * b, 1);
    return tf.variable(
      tf.tensor(
        new Float32Array(n).map(() => (i === 3 ? 0 : rng.normal())),
        sh,
      ),
    );
  });
  const lars = new Lars(tf, opts);
  for (let step = 0; step < 3; step++) {
    const grads = params.map((p) =>
      tf.tensor(
        new Float32Array(p.size).map(() => 0.1 * rng.normal()),
        p.shape,
      ),
    );
    lars.step(params, grads, [0.1, 0.05, 0.2][step]!);
    tf.dispose(grads);
  }
  const out: Float32Array[] = [];
  for (const p of params) out.push((await p.data()) as Float32Array);
  const state = await lars.state();
  for (const t of Object.values(state.tensors)) out.push(t.values);
  lars.dispose();
  tf.dispose(params);
  return out;
}

/** dL/dw and dL/dx of sum(conv2d(x, w) * u) through the backend's gradient kernels. */
async function convGrads(
  backend: string,
  xs: [number, number, number, number],
  fs: [number, number, number, number],
  stride: number,
  pad: "same" | "valid" | number,
) {
  await tf.setBackend(backend);
  const rng = new Rng(xs.reduce((a, b) => a * 17 + b, fs[3]));
  const x = tf.tensor4d(
    new Float32Array(xs.reduce((a, b) => a * b, 1)).map(() => rng.normal()),
    xs,
  );
  const w = tf.tensor4d(
    new Float32Array(fs.reduce((a, b) => a * b, 1)).map(() => rng.normal() * 0.2),
    fs,
  );
  const y = tf.conv2d(x, w, stride, pad);
  const u = tf.tensor(
    new Float32Array(y.size).map(() => rng.normal()),
    y.shape,
  );
  const [dx, dw] = tf.grads((a: Tensor, b: Tensor) => tf.sum(tf.mul(tf.conv2d(a as Tensor4D, b as Tensor4D, stride, pad), u)))([x, w]);
  const out = { dx: (await dx!.data()) as Float32Array, dw: (await dw!.data()) as Float32Array };
  tf.dispose([x, w, y, u, dx!, dw!]);
  return out;
}

/** batchNormTrain forward (with its statistics) and the gradients of sum(y * w). */
async function batchNormCase(backend: string, shape: number[], relu: boolean) {
  await tf.setBackend(backend);
  const rng = new Rng(shape.reduce((a, b) => a * 31 + b, 7));
  const n = shape.reduce((a, b) => a * b, 1);
  const c = shape[3]!;
  const x = tf.tensor4d(
    new Float32Array(n).map(() => 3 + 2 * rng.normal()),
    shape as [number, number, number, number],
  );
  const w = tf.tensor4d(
    new Float32Array(n).map(() => rng.normal()),
    shape as [number, number, number, number],
  );
  const gamma = tf.tensor1d(new Float32Array(c).map(() => 1 + 0.3 * rng.normal()));
  const beta = tf.tensor1d(new Float32Array(c).map(() => 0.2 * rng.normal()));
  const stats: Tensor[] = [];
  const f = (xx: Tensor4D, g: Tensor, b: Tensor): Scalar =>
    tf.sum(
      tf.mul(
        batchNormTrain(tf, xx, g, b, 1e-5, (m, v) => stats.push(tf.keep(m.clone()), tf.keep(v.clone())), relu),
        w,
      ),
    ) as Scalar;
  const y = batchNormTrain(tf, x, gamma, beta, 1e-5, () => undefined, relu);
  const [dx, dgamma, dbeta] = tf.grads((a: Tensor, g: Tensor, b: Tensor) => f(a as Tensor4D, g, b))([x, gamma, beta]);
  const read = async (t: Tensor): Promise<Float32Array> => (await t.data()) as Float32Array;
  const out = {
    y: await read(y),
    mean: await read(stats[0]!),
    variance: await read(stats[1]!),
    dx: await read(dx!),
    dgamma: await read(dgamma!),
    dbeta: await read(dbeta!),
  };
  tf.dispose([x, w, gamma, beta, y, dx!, dgamma!, dbeta!, ...stats]);
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

/** The largest gradient difference, relative to each parameter's largest gradient. */
function worstGradientDiff(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((g, i) => {
    let scale = 1e-3;
    for (const v of g) scale = Math.max(scale, Math.abs(v));
    worst = Math.max(worst, maxAbsDiff(g, b[i]!) / scale);
  });
  return worst;
}
