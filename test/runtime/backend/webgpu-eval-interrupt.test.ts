// Ctrl-C in an evaluation on webgpu, where reads are asynchronous: the resumed run equals
// an uninterrupted one and no tensor of the stopped evaluation is left on the device; a GPU
// lost after the resumed run logged the line that waited names the checkpoint that carries
// it, from which the run finishes on wasm with each step logged once. On Mesa's lavapipe where
// no GPU exists; skipped (saying why) where Dawn finds no adapter. The device is destroyed
// last: a lost device cannot be replaced in the same process.
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileFileSync } from "../../../src/driver.js";
import type { PipelineIR } from "../../../src/ir/types.js";
import { releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { probeWebGpu } from "../../../src/runtime/backend/webgpu.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { DeviceLostError, readMetrics, runPipeline, type StepMetrics } from "../../../src/runtime/train/index.js";
import { tinyProject, type TinyOptions } from "../../train/fixtures.js";

const probed = await probeWebGpu();
const why = typeof probed === "string" ? probed : null;
const label = (name: string): string => (why ? `${name} (skipped: ${why})` : name);

afterAll(async () => {
  await releaseBackends();
});

const O: TinyOptions = { steps: 5, checkpointEvery: 3, keep: 5 };

function compileTiny(): { dir: string; ir: PipelineIR } {
  const dir = tinyProject(O);
  return { dir, ir: compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir };
}

const numbers = (dir: string): object[] => readMetrics(path.join(dir, "runs/tiny/metrics.jsonl")).map(({ images_per_s: _t, ...rest }: StepMetrics) => rest);
const final = (dir: string): unknown => (JSON.parse(fs.readFileSync(path.join(dir, "runs/tiny/done.json"), "utf8")) as { final: unknown }).final;

/** Runs to the evaluation after step 3 and stops it there. */
async function stopInEvaluation(tf: Tf): Promise<{ dir: string; ir: PipelineIR; tensors: [number, number] }> {
  const p = compileTiny();
  const c = new AbortController();
  const before = tf.memory().numTensors;
  const r = await runPipeline(p.ir, {
    cwd: p.dir,
    tf,
    worker: "off",
    baseline: false,
    signal: c.signal,
    onProgress: (e) => e.kind === "phase" && e.message === "evaluating at step 3" && c.abort(),
  });
  expect(r).toMatchObject({ status: "interrupted", step: 3 });
  return { ...p, tensors: [before, tf.memory().numTensors] };
}

describe.skipIf(why !== null)(label("Ctrl-C in an evaluation on webgpu"), () => {
  it("the resumed run equals an uninterrupted one; the stopped evaluation leaves no tensor", async () => {
    const { tf } = await selectBackend("webgpu");
    const whole = compileTiny();
    expect((await runPipeline(whole.ir, { cwd: whole.dir, tf, worker: "off", baseline: false })).status).toBe("done");
    const p = await stopInEvaluation(tf);
    expect(p.tensors[1]).toBe(p.tensors[0]);
    expect((await runPipeline(p.ir, { cwd: p.dir, tf, worker: "off", baseline: false, resume: true })).status).toBe("done");
    expect(numbers(p.dir)).toEqual(numbers(whole.dir));
    expect(final(p.dir)).toEqual(final(whole.dir));
  });

  it("a GPU lost after the resumed run logged the waiting line: the error names the checkpoint that carries it; wasm finishes, each step logged once", async () => {
    const { tf } = await selectBackend("webgpu");
    const p = await stopInEvaluation(tf);
    const lost = runPipeline(p.ir, {
      cwd: p.dir,
      tf,
      worker: "off",
      baseline: false,
      resume: true,
      onProgress: (e) => {
        if (e.kind === "step" && e.metrics.step === 2) (tf.backend() as unknown as { device: { destroy(): void } }).device.destroy();
      },
    });
    await expect(lost).rejects.toThrow(DeviceLostError);
    const message = await lost.catch((e: Error) => e.message);
    expect(message).toMatch(/^the GPU stopped working around step [45] of 5 \(its WebGPU device was lost: device was destroyed/);
    expect(message).toContain("step-00000003.ckpt, step 3) is saved");
    expect(readMetrics(path.join(p.dir, "runs/tiny/metrics.jsonl")).map((m) => m.step)).toEqual([0, 1, 2]);
    const wasm = (await selectBackend("wasm")).tf;
    expect((await runPipeline(p.ir, { cwd: p.dir, tf: wasm, worker: "off", baseline: false, resume: true })).status).toBe("done");
    expect(readMetrics(path.join(p.dir, "runs/tiny/metrics.jsonl")).map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
  });
});
