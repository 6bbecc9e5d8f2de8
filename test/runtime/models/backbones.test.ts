// Backbones: architecture (ResNet-18 parameter count, output widths), seeded
// initialisation, batch-norm train/eval semantics, checkpoint state, and the same
// forward/backward on the wasm backend (our kernels) as on the cpu backend.
import { beforeAll, describe, expect, it } from "vitest";
import type { Scalar, Tensor, Tensor4D } from "@tensorflow/tfjs-core";
import type { ConvNetIR, ResNet18IR } from "../../../src/ir/types.js";
import { selectBackend } from "../../../src/runtime/backend/select.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import type { Backbone } from "../../../src/runtime/models/backbone.js";
import { buildBackbone } from "../../../src/runtime/models/build.js";
import { Rng } from "../../../src/runtime/rng.js";

const RESNET: ResNet18IR = { name: "resnet18", stem: "cifar", featureDim: 512 };
const CONVNET: ConvNetIR = { name: "convnet", channels: [8, 16, 32], featureDim: 24, batchNorm: false };

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
  await import("@tensorflow/tfjs-backend-cpu");
});

function input(n: number, size: number, seed: number): Tensor4D {
  const rng = new Rng(seed);
  const a = new Float32Array(n * size * size * 3).map(() => rng.normal());
  return tf.tensor4d(a, [n, size, size, 3]);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function countParams(net: Backbone): number {
  return net.params.reduce((s, p) => s + p.size, 0);
}

describe("ResNet-18 (CIFAR stem)", () => {
  it("has torchvision's parameter count without fc, 3x3 stem, and 512-d features", async () => {
    await tf.setBackend("wasm");
    const net = buildBackbone(tf, RESNET, [32, 32, 3], new Rng(1));
    // torchvision resnet18: 11,689,512 with fc (513,000) and a 7x7 stem (9,408);
    // the CIFAR stem is 3x3 (1,728): 11,689,512 - 513,000 - 9,408 + 1,728.
    expect(countParams(net)).toBe(11_168_832);
    expect(net.named[0]?.name).toBe("conv1.weight");
    expect(net.named[0]?.variable.shape).toEqual([3, 3, 3, 64]);
    expect(net.named.filter((p) => p.name.includes("downsample")).length).toBe(9); // 3 x (conv, gamma, beta)
    const x = input(2, 8, 5);
    const f = net.forward(x, false);
    expect(f.shape).toEqual([2, 512]);
    tf.dispose([x, f]);
    net.dispose();
  });

  it("gives the same features and gradients on wasm (our kernels) as on cpu (eval mode, 4x4 input)", async () => {
    // 4x4 keeps the cpu backend's JS convolutions quick and still runs every stride-2
    // 3x3 and 1x1 down-sampling gradient; eval mode keeps batch norm well-conditioned
    // (training statistics of 2 samples at 1x1 amplify rounding).
    const run = (backend: string) => lossAndGrads(backend, { side: 4, batch: 2, seed: 7, inputSeed: 11, weight: Math.sin, training: false });
    const cpu = await run("cpu");
    const wasm = await run("wasm");
    expect(Math.abs(cpu.loss - wasm.loss)).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu.loss)));
    const worst = worstGradientDiff(cpu.grads, wasm.grads);
    expect(worst).toBeLessThan(2e-3);
    // Every parameter gets a gradient (none is disconnected).
    for (const g of wasm.grads) expect(g.some((v) => v !== 0)).toBe(true);
    // Eval mode leaves the running statistics alone on both backends.
    expect(Array.from(wasm.state["layer1.0.bn1.running_mean"]!.data.slice(0, 4))).toEqual([0, 0, 0, 0]);
  });
});

interface GradCase {
  side: number;
  batch: number;
  seed: number;
  inputSeed: number;
  /** Weights of the features in the scalar loss, by index. */
  weight: (i: number) => number;
  training: boolean;
}

/** ResNet-18 on `backend`: loss sum(features * w), every parameter's gradient, the state. */
async function lossAndGrads(backend: string, c: GradCase) {
  await tf.setBackend(backend);
  const net = buildBackbone(tf, RESNET, [c.side, c.side, 3], new Rng(c.seed));
  const x = input(c.batch, c.side, c.inputSeed);
  const w = tf.tensor2d(
    new Float32Array(c.batch * 512).map((_, i) => c.weight(i)),
    [c.batch, 512],
  );
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(net.forward(x, c.training), w)) as Scalar, net.params);
  const r = {
    loss: value.dataSync()[0] as number,
    grads: net.named.map((p) => Array.from((grads[p.variable.name] as Tensor).dataSync())),
    state: await net.getState(),
  };
  tf.dispose([w, value, ...Object.values(grads)]);
  x.dispose();
  net.dispose();
  return r;
}

/** The largest gradient difference, relative to each parameter's largest gradient. */
function worstGradientDiff(a: number[][], b: number[][]): number {
  let worst = 0;
  a.forEach((g, i) => {
    let scale = 1e-3;
    for (const v of g) scale = Math.max(scale, Math.abs(v));
    worst = Math.max(worst, maxAbsDiff(g, b[i] as number[]) / scale);
  });
  return worst;
}

describe("ResNet-18 training mode (fused batch norm + ReLU, Add + ReLU)", () => {
  it("gives the same loss, gradients and running statistics on wasm (fused kernels) as on cpu (composite ops)", async () => {
    // 2x2 images keep the cpu backend quick; layer2 on are 1x1, so every batch norm
    // there normalises 4 values per channel (the batch).
    const run = (backend: string) => lossAndGrads(backend, { side: 2, batch: 4, seed: 8, inputSeed: 12, weight: Math.cos, training: true });
    const cpu = await run("cpu");
    const wasm = await run("wasm");
    expect(Math.abs(cpu.loss - wasm.loss)).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu.loss)));
    const worst = worstGradientDiff(cpu.grads, wasm.grads);
    // Batch statistics of 4 values per channel amplify rounding.
    expect(worst).toBeLessThan(1e-2);
    for (const k of ["bn1.running_mean", "layer2.0.downsample.1.running_var", "layer4.1.bn2.running_mean"]) {
      expect(maxAbsDiff(cpu.state[k]!.data, wasm.state[k]!.data), k).toBeLessThan(1e-4);
    }
    expect(cpu.state["layer1.0.bn1.running_mean"]!.data.some((v) => v !== 0)).toBe(true);
  });
});

describe("seeded initialisation and state", () => {
  it("same seed, same weights; another seed, other weights", async () => {
    await tf.setBackend("wasm");
    const a = buildBackbone(tf, CONVNET, [16, 16, 3], new Rng(3));
    const b = buildBackbone(tf, CONVNET, [16, 16, 3], new Rng(3));
    const c = buildBackbone(tf, CONVNET, [16, 16, 3], new Rng(4));
    const sa = await a.getState();
    expect(Object.keys(sa)).toEqual(["conv1.weight", "conv2.weight", "conv3.weight", "fc.weight"]);
    expect(await b.getState()).toEqual(sa);
    expect(maxAbsDiff((await c.getState())["conv1.weight"]!.data, sa["conv1.weight"]!.data)).toBeGreaterThan(0.1);
    // He normal (fan_out): std of conv2 weights ~ sqrt(2 / (9 * 16)).
    const w = sa["conv2.weight"]!.data;
    const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    expect(std).toBeGreaterThan(0.8 * Math.sqrt(2 / 144));
    expect(std).toBeLessThan(1.2 * Math.sqrt(2 / 144));
    [a, b, c].forEach((m) => m.dispose());
  });

  it("setState makes another model compute the same; a bad state changes nothing", async () => {
    await tf.setBackend("wasm");
    const a = buildBackbone(tf, CONVNET, [16, 16, 3], new Rng(3));
    const b = buildBackbone(tf, CONVNET, [16, 16, 3], new Rng(9));
    const x = input(3, 16, 1);
    const before = await b.getState();
    const bad = { ...(await a.getState()), "fc.weight": { shape: [1, 2], data: new Float32Array(2) } };
    expect(() => b.setState(bad)).toThrow(/fc.weight.*shape \[1, 2\]/);
    expect(await b.getState()).toEqual(before);
    const { "conv1.weight": _dropped, ...missing } = await a.getState();
    expect(() => b.setState(missing)).toThrow(/no entry 'conv1.weight'/);
    b.setState(await a.getState());
    const fa = a.forward(x, false);
    const fb = b.forward(x, false);
    expect(fb.shape).toEqual([3, 24]);
    expect(maxAbsDiff(fa.dataSync(), fb.dataSync())).toBe(0);
    tf.dispose([x, fa, fb]);
    a.dispose();
    b.dispose();
  });

  it("the convnet matches between cpu and wasm for the same seed", async () => {
    const feats: Float32Array[] = [];
    for (const backend of ["cpu", "wasm"]) {
      await tf.setBackend(backend);
      const net = buildBackbone(tf, CONVNET, [16, 16, 3], new Rng(21));
      const x = input(2, 16, 2);
      const f = net.forward(x, true);
      feats.push(f.dataSync() as Float32Array);
      tf.dispose([x, f]);
      net.dispose();
    }
    expect(maxAbsDiff(feats[0]!, feats[1]!)).toBeLessThan(1e-4);
  });
});

describe("batch norm (ResNet)", () => {
  it("training updates running stats with momentum 0.1; eval uses them and changes nothing", async () => {
    await tf.setBackend("wasm");
    const net = buildBackbone(tf, RESNET, [8, 8, 3], new Rng(2));
    const x = input(4, 8, 3);
    const s0 = await net.getState();
    expect(Array.from(s0["bn1.running_mean"]!.data.slice(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(s0["bn1.running_var"]!.data.slice(0, 3))).toEqual([1, 1, 1]);

    // Expected stem statistics: the stem conv's output moments over N, H, W.
    const { mean, variance } = tf.tidy(() => {
      const w = tf.tensor4d(s0["conv1.weight"]!.data, [3, 3, 3, 64]);
      const y = tf.conv2d(x, w, 1, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
      return tf.moments(y, [0, 1, 2]);
    });
    const count = 4 * 8 * 8;
    const evalBefore = net.forward(x, false);
    // Eval mode leaves the state alone (compared on the buffers: deep-equal of all
    // 11M weights would dominate the test's time).
    const afterEval = await net.getState();
    for (const k of Object.keys(s0).filter((k) => k.includes("running"))) {
      expect(maxAbsDiff(afterEval[k]!.data, s0[k]!.data), k).toBe(0);
    }
    const train = net.forward(x, true);
    const s1 = await net.getState();
    const m = mean.dataSync();
    const v = variance.dataSync();
    const expMean = Array.from(m, (mi) => 0.1 * mi);
    const expVar = Array.from(v, (vi) => 0.9 + 0.1 * vi * (count / (count - 1)));
    expect(maxAbsDiff(s1["bn1.running_mean"]!.data, expMean)).toBeLessThan(1e-4);
    expect(maxAbsDiff(s1["bn1.running_var"]!.data, expVar)).toBeLessThan(1e-4);
    expect(maxAbsDiff(train.dataSync(), evalBefore.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose([x, mean, variance, evalBefore, train]);
    net.dispose();
  });

  it("a training forward pass leaks no tensors", async () => {
    await tf.setBackend("wasm");
    const net = buildBackbone(tf, RESNET, [8, 8, 3], new Rng(2));
    const x = input(2, 8, 3);
    tf.dispose(net.forward(x, true));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(net.forward(x, true));
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    net.dispose();
  });
});
