// A GPU that stops working (its WebGPU device lost: here destroyed mid-run, as a driver
// reset or a GPU gone from the bus would lose it) ends a run or an evaluation with one
// clear error naming when it happened and the newest checkpoint, never an empty
// DOMException or "internal error"; the run resumes from that checkpoint on the CPU. On
// Mesa's lavapipe where no GPU exists; skipped (saying why) where Dawn finds no adapter.
// (adainfc eval's side: webgpu-lost-eval.test.ts, a process of its own: a lost device
// cannot be replaced in the same process.)
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFileSync } from "../../../src/driver.js";
import type { PipelineIR } from "../../../src/ir/types.js";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { probeWebGpu } from "../../../src/runtime/backend/webgpu.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { DeviceLostError, listCheckpoints, readMetrics, runPipeline } from "../../../src/runtime/train/index.js";
import { tinyProject, type TinyOptions } from "../../train/fixtures.js";

const probed = await probeWebGpu();
const why = typeof probed === "string" ? probed : null;
const label = (name: string): string => (why ? `${name} (skipped: ${why})` : name);

afterAll(async () => {
  await releaseBackends();
});

function compileTiny(o: TinyOptions): { dir: string; ir: PipelineIR } {
  const dir = tinyProject(o);
  return { dir, ir: compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir };
}

/** The webgpu backend's device, destroyed: what a lost GPU looks like to the program. */
function loseDevice(tf: Tf): void {
  (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
}

describe.skipIf(why !== null)(label("a lost GPU device"), () => {
  it("mid-run: one error naming the step and the newest checkpoint; the run resumes from it on wasm", async () => {
    const { dir, ir } = compileTiny({ steps: 6, checkpointEvery: 2, keep: 5 });
    const { tf } = await selectBackend("webgpu");
    const run = runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false, hooks: { beforeStep: (step) => step === 3 && loseDevice(tf) } });
    await expect(run).rejects.toThrow(DeviceLostError);
    const message = await run.catch((e: Error) => e.message);
    expect(message).toMatch(/^the GPU stopped working around step [45] of 6 \(its WebGPU device was lost: device was destroyed/);
    expect(message).toMatch(/nothing after the newest checkpoint \(.*step-00000002\.ckpt, step 2\) is saved: .*--resume --backend wasm$/);
    const runDir = path.join(dir, "runs/tiny");
    expect(listCheckpoints(path.join(runDir, "checkpoints")).map((c) => c.step)).toEqual([2]);
    expect(fs.existsSync(path.join(runDir, "done.json"))).toBe(false);

    const wasm = (await selectBackend("wasm")).tf;
    const resumed = await runPipeline(ir, { cwd: dir, tf: wasm, worker: "off", baseline: false, resume: true });
    expect(resumed.status).toBe("done");
    expect(readMetrics(path.join(runDir, "metrics.jsonl")).map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
