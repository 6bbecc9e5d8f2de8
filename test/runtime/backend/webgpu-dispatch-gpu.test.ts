// The dispatch hooks on a real Dawn device (lavapipe here, .ci/install-webgpu): training
// steps with them on give the same bits as with them off (tfjs's path as shipped): losses,
// weights and running statistics of a batch-norm convnet trained with LARS at a learning
// rate that changes every step (new uniform contents each step), after the hooks have
// warmed up and while they are reusing. Skips where Dawn finds no adapter.
import type { Tensor4D, Variable } from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { fastDispatchOf, type FastDispatch } from "../../../src/runtime/backend/webgpu-dispatch.js";
import { probeWebGpu } from "../../../src/runtime/backend/webgpu.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { buildBackbone } from "../../../src/runtime/models/build.js";
import { Lars } from "../../../src/runtime/optim/index.js";
import { Rng } from "../../../src/runtime/rng.js";

const probed = await probeWebGpu();
const why = typeof probed === "string" ? probed : null;

let tf: Tf;
let fast: FastDispatch;
beforeAll(async () => {
  if (why) return;
  const sel = await selectBackend("webgpu");
  tf = sel.tf;
  expect(sel.description).toContain("; bind groups and uniforms reused across steps");
  fast = fastDispatchOf(tf)!;
  expect(fast).not.toBeNull();
});
afterAll(async () => {
  await releaseBackends();
});

/** Losses of `steps` LARS steps of a fresh convnet (same seed each call), then every variable's bits. */
async function train(steps: number): Promise<{ losses: number[]; state: Float32Array[] }> {
  const net = buildBackbone(tf, { name: "convnet", channels: [8, 16], featureDim: 16, batchNorm: true }, [12, 12, 3], new Rng(7));
  const x = tf.randomUniform([6, 12, 12, 3], 0, 1, "float32", 3) as Tensor4D;
  const opt = new Lars(tf, { momentum: 0.9, weightDecay: 1e-4, eta: 0.02, clipLr: true, excludeBiasAndNorm: true });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(net.forward(x, true))), net.params);
    opt.step(
      net.params,
      net.params.map((p: Variable) => grads[p.name]),
      0.3 / (s + 1),
    );
    for (const g of Object.values(grads)) g.dispose();
    losses.push((await value.data())[0]!);
    value.dispose();
  }
  const state = await net.getState();
  const bits = Object.keys(state)
    .sort()
    .map((k) => state[k]!.data);
  x.dispose();
  opt.dispose();
  net.dispose();
  return { losses, state: bits };
}

it.skipIf(why !== null)(`the same bits with the hooks on as with tfjs's path as shipped${why ? ` (skipped: ${why})` : ""}`, { timeout: 300_000 }, async () => {
  fast.enabled = false;
  const before = { ...fast.stats };
  const shipped = await train(6);
  expect(fast.stats).toEqual(before);
  fast.enabled = true;
  const first = await train(6);
  const second = await train(6);
  const reusing = { ...fast.stats };
  const third = await train(6);
  for (const run of [first, second, third]) {
    expect(run.losses).toEqual(shipped.losses);
    expect(run.state.length).toBe(shipped.state.length);
    run.state.forEach((bits, i) => expect(Buffer.from(bits.buffer).equals(Buffer.from(shipped.state[i]!.buffer))).toBe(true));
  }
  // By the third run the hooks reuse: bind groups, and the uniform contents kept.
  expect(fast.stats.bindGroupsReused - reusing.bindGroupsReused).toBeGreaterThan(0);
  expect(fast.stats.uniformsReused - reusing.uniformsReused).toBeGreaterThan(0);
});
