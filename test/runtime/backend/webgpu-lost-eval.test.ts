// adainfc eval on a GPU that stops working (its WebGPU device lost mid-evaluation):
// one clear error, nothing written. In a file of its own: a process has one device.
// On Mesa's lavapipe where no GPU exists; skipped (saying why) where Dawn finds no adapter.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFileSync } from "../../../src/driver.js";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { probeWebGpu } from "../../../src/runtime/backend/webgpu.js";
import { DeviceLostError, evaluateRunDir, runPipeline } from "../../../src/runtime/train/index.js";
import { tinyProject } from "../../train/fixtures.js";

const probed = await probeWebGpu();
const why = typeof probed === "string" ? probed : null;
const label = (name: string): string => (why ? `${name} (skipped: ${why})` : name);

afterAll(async () => {
  await releaseBackends();
});

describe.skipIf(why !== null)(label("a lost GPU device"), () => {
  it("adainfc eval's evaluation: one error naming it, nothing written", async () => {
    const dir = tinyProject({ steps: 2, checkpointEvery: null });
    const ir = compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir;
    const wasm = (await selectBackend("wasm")).tf;
    expect((await runPipeline(ir, { cwd: dir, tf: wasm, worker: "off", baseline: false })).status).toBe("done");
    const { tf } = await selectBackend("webgpu");
    // Lost once the features are extracted, as kNN starts.
    const lose = (phase: string): void => {
      if (phase.startsWith("kNN")) (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
    };
    const evaluation = evaluateRunDir(path.join(dir, "runs/tiny"), { tf, cwd: dir, onPhase: lose });
    await expect(evaluation).rejects.toThrow(DeviceLostError);
    await expect(evaluation).rejects.toThrow(
      /^the GPU stopped working while the checkpoint was evaluated \(its WebGPU device was lost: device was destroyed.*\); nothing was written/,
    );
    expect(fs.existsSync(path.join(dir, "runs/tiny/eval.json"))).toBe(false);
  });
});
