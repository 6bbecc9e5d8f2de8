// The tfjs kernel calls of one trainer step, counted exactly (bench/kernel-calls.ts): the
// paper's SimCLR model (ResNet-18 with the CIFAR stem, projector, LARS, the online linear
// classifier) built as run-pipeline.ts builds it, on the wasm backend (cpu's JS loops take
// about 15 s a step over ResNet-18's 11 M parameters), at 2 x 2 views of 8x8x3. Every call costs host time on a GPU backend (bench/host-step.ts times them), so a
// change that adds some shows here; so does one that makes more tensors from JS values in
// the step (uploads on a GPU; here mostly the optimiser's scalars, as wasm has no fused
// LARS kernel).
import path from "node:path";
import { beforeAll, expect, test } from "vitest";
import { countKernelCalls } from "../../bench/kernel-calls.js";
import { compileFileSync } from "../../src/driver.js";
import { selectBackend } from "../../src/runtime/backend/select.js";
import type { Tf } from "../../src/runtime/methods/tf.js";
import { Rng } from "../../src/runtime/rng.js";
import { buildTrainModel, trainStep, type PreparedBatch } from "../../src/runtime/train/index.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
});

const PIPELINE = `pipeline kernels from simclr {
  data {
    real = npz("real.npz", origin = real, classes = 10, channels = rgb, shape = (8, 8, 3))
    eval = npz("test.npz", origin = real, classes = 10, channels = rgb, shape = (8, 8, 3))
  }
  model {
    backbone = resnet18(stem = cifar)
  }
  train {
    batch_size = 2
    steps = 10
  }
}
`;

test("one SimCLR + ResNet-18 + LARS + online classifier step: its kernel calls and uploads, the same at every step", async () => {
  const file = path.resolve("kernels.adainf");
  const out = compileFileSync(file, { overlay: new Map([[file, PIPELINE]]) });
  expect(out.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  const ir = out.pipelines[0]!.ir;
  const m = buildTrainModel(tf, ir, [8, 8, 3], 10);
  try {
    const rng = new Rng(1);
    const batch = (step: number): PreparedBatch => ({
      step,
      epoch: 0,
      views: [0, 1].map(() => Float32Array.from({ length: 2 * 8 * 8 * 3 }, () => rng.normal())),
      shapes: [
        [2, 8, 8, 3],
        [2, 8, 8, 3],
      ],
      labels: Int32Array.from([3, -1]),
      generated: Uint8Array.from([0, 1]),
      augmentMs: 0,
    });
    const settings = (step: number) => ({ step, totalSteps: 10, lr: 0.4, classifierLr: 0.1 });
    // Step 0 makes the momentum buffers and the loss's masks (once per run).
    await trainStep(m, batch(0), settings(0));
    const counts = [1, 2].map((s) => countKernelCalls(tf, () => trainStep(m, batch(s), settings(s))));
    for (const c of counts) await c.result;
    const [c1, c2] = counts as [(typeof counts)[0], (typeof counts)[0]];
    expect(Object.fromEntries(c2.byName)).toEqual(Object.fromEntries(c1.byName));
    const calls = (name: string): number => c1.byName.get(name) ?? 0;
    // wasm has our batch-norm kernels, not the running statistics' or LARS's (tfjs ops
    // here). Before Mean's and Sum's gradients broadcast dy (backend/gradients.ts), batch
    // norm's gamma went unsaved and the cross-entropy lost a Neg: 2128 kernel calls, 58
    // customGrad ops, 508 Identity, 37 Reshape, 510 tensors made.
    expect({
      kernels: c1.kernels,
      customGradOps: c1.customGradOps,
      identity: calls("Identity"),
      reshape: calls("Reshape"),
      cast: calls("Cast"),
      madeFromValues: c1.madeFromValues,
    }).toEqual({ kernels: 2084, customGradOps: 58, identity: 470, reshape: 37, cast: 20, madeFromValues: 502 });
  } finally {
    m.dispose();
  }
});
