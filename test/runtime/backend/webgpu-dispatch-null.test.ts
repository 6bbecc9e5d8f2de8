// The dispatch hooks in steady state, on Dawn's null backend (every dispatch made,
// nothing computed; no GPU or Vulkan needed, only npm `webgpu`): training ResNet-18 step
// after step, the hooks settle until a step makes almost no bind group and writes no
// uniform, where tfjs-webgpu as shipped makes ~470 and writes ~126 every step. The
// buffers' roles settle slowly (the pool's state at a step's start repeats only after
// some 40 steps), so a short benchmark must warm up that long. And a long trainer run
// holds steady: the same buffers and bytes, no new bind group, the same tensors.
import { createRequire } from "node:module";
import type { Tensor4D, Variable } from "@tensorflow/tfjs-core";
import { afterAll, expect, it } from "vitest";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { fastDispatchOf, type DispatchStats } from "../../../src/runtime/backend/webgpu-dispatch.js";
import { compileFileSync } from "../../../src/driver.js";
import { buildBackbone } from "../../../src/runtime/models/build.js";
import { Sgd } from "../../../src/runtime/optim/index.js";
import { Rng } from "../../../src/runtime/rng.js";
import { runPipeline } from "../../../src/runtime/train/index.js";
import { tinyProject } from "../../train/fixtures.js";

let why: string | null = null;
try {
  createRequire(import.meta.url).resolve("webgpu");
} catch {
  why = "the npm package webgpu (Dawn) is not installed";
}
// This file's own process (vitest forks one per file): Dawn starts with these flags.
process.env["ADAINF_DAWN_FLAGS"] = "backend=null";
afterAll(async () => {
  await releaseBackends();
});

it.skipIf(why !== null)(
  `ResNet-18 steps settle to ~1% of their bind groups made and 0 uniforms written${why ? ` (skipped: ${why})` : ""}`,
  { timeout: 120_000 },
  async () => {
    const { tf, adapter } = await selectBackend("webgpu", { allowNullAdapter: true });
    expect(adapter?.nullBackend).toBe(true);
    const fast = fastDispatchOf(tf)!;
    const net = buildBackbone(tf, { name: "resnet18", stem: "cifar", featureDim: 512 }, [32, 32, 3], new Rng(0));
    const x = tf.randomUniform([4, 32, 32, 3], 0, 1, "float32", 0) as Tensor4D;
    const opt = new Sgd(tf, { momentum: 0.9, weightDecay: 5e-4 });
    const perStep: DispatchStats[] = [];
    const tensors: number[] = [];
    for (let s = 0; s < 60; s++) {
      const before = { ...fast.stats };
      const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(net.forward(x, true))), net.params);
      opt.step(
        net.params,
        net.params.map((p: Variable) => grads[p.name]),
        0.05,
      );
      for (const g of Object.values(grads)) g.dispose();
      await value.data();
      value.dispose();
      perStep.push({
        bindGroupsMade: fast.stats.bindGroupsMade - before.bindGroupsMade,
        bindGroupsReused: fast.stats.bindGroupsReused - before.bindGroupsReused,
        uniformsWritten: fast.stats.uniformsWritten - before.uniformsWritten,
        uniformsReused: fast.stats.uniformsReused - before.uniformsReused,
      });
      tensors.push(tf.memory().numTensors);
    }
    const first = perStep[0]!;
    expect(first.bindGroupsMade).toBeGreaterThan(300);
    expect(first.uniformsWritten).toBeGreaterThan(50);
    for (const s of perStep.slice(-5)) {
      // Measured: 469 at the first step, under 20 from the 30th, 5-7 from the 50th (1%).
      expect(s.bindGroupsMade).toBeLessThanOrEqual(10);
      expect(s.bindGroupsReused).toBeGreaterThan(300);
      expect(s.uniformsWritten).toBe(0);
    }
    expect(new Set(tensors.slice(-10)).size).toBe(1);
  },
);

it.skipIf(why !== null)(
  `a 400-step trainer run: buffers, bytes, bind groups and tensors level off${why ? ` (skipped: ${why})` : ""}`,
  { timeout: 120_000 },
  async () => {
    const { tf } = await selectBackend("webgpu", { allowNullAdapter: true });
    const fast = fastDispatchOf(tf)!;
    // Selected again (as each point of a sweep does): the same hooks.
    expect(fastDispatchOf((await selectBackend("webgpu", { allowNullAdapter: true })).tf)).toBe(fast);
    const dir = tinyProject({ steps: 400, checkpointEvery: null, evaluate: "online_linear(lr = 0.1, every = 100000 steps)" });
    const ir = compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir;
    const manager = (tf.backend() as unknown as { bufferManager: { numBytesAllocated: number; getNumUsedBuffers(): number; getNumFreeBuffers(): number } })
      .bufferManager;
    const at = new Map<number, number[]>();
    const result = await runPipeline(ir, {
      cwd: dir,
      tf,
      worker: "off",
      baseline: false,
      onProgress: (e) => {
        if (e.kind === "step" && [200, 300, 399].includes(e.metrics.step + 1)) {
          at.set(e.metrics.step + 1, [
            manager.numBytesAllocated,
            manager.getNumUsedBuffers() + manager.getNumFreeBuffers(),
            fast.stats.bindGroupsMade,
            e.numTensors,
          ]);
        }
      },
    });
    expect(result.status).toBe("done");
    // Measured: from about the 100th step on, nothing new (the learning rate's uniforms are
    // written every step, into the same pooled buffers).
    expect(at.get(300)).toEqual(at.get(200));
    expect(at.get(399)).toEqual(at.get(200));
  },
);
