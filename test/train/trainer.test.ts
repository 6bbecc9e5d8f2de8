// End-to-end runs of a tiny pipeline on the cpu backend: what the run directory holds,
// resume == uninterrupted, constant tensor count, NaN stop, checkpoint atomicity.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import type { PipelineIR } from "../../src/ir/types.js";
import { selectBackend } from "../../src/runtime/backend/select.js";
import type { Tf } from "../../src/runtime/methods/tf.js";
import {
  finalTable,
  listCheckpoints,
  loadCheckpoint,
  loadLatestCheckpoint,
  readMetrics,
  runPaths,
  runPipeline,
  saveCheckpoint,
  TrainingDivergedError,
  type CheckpointIO,
  type ProgressEvent,
  type StepMetrics,
} from "../../src/runtime/train/index.js";
import { tinyProject, type TinyOptions } from "./fixtures.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

function compileTiny(o: TinyOptions = {}): { dir: string; ir: PipelineIR } {
  const dir = tinyProject(o);
  const out = compileFileSync("tiny.adainf", { cwd: dir });
  const errors = out.diagnostics.filter((d) => d.severity === "error");
  expect(errors.map((d) => d.message)).toEqual([]);
  return { dir, ir: out.pipelines[0]!.ir };
}

/** The deterministic part of a metrics line (timing removed). */
const numbers = (ms: StepMetrics[]): object[] => ms.map(({ images_per_s: _t, ...rest }) => rest);

describe("a tiny SimCLR run", () => {
  let dir: string;
  let events: ProgressEvent[];
  let result: Awaited<ReturnType<typeof runPipeline>>;
  beforeAll(async () => {
    const p = compileTiny({ steps: 6, checkpointEvery: 2, keep: 2 });
    dir = p.dir;
    events = [];
    result = await runPipeline(p.ir, { cwd: dir, tf, worker: "off", onProgress: (e) => events.push(e) });
  });

  test("finishes and writes ir.json, metrics.jsonl, done.json and the newest checkpoints", () => {
    expect(result.status).toBe("done");
    const paths = runPaths(path.join(dir, "runs/tiny"));
    const ir = JSON.parse(fs.readFileSync(paths.ir, "utf8")) as PipelineIR;
    expect(ir.name).toBe("tiny");
    // the npz sources declare no mean/std: the run measured and recorded them
    const norm = ir.augment.views[0]!.ops.at(-1)!;
    expect(norm.op === "normalize" && norm.mean.length === 3 && norm.std.every((s) => s > 0)).toBe(true);
    const metrics = readMetrics(paths.metrics);
    expect(metrics.map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const m of metrics) {
      expect(Number.isFinite(m.loss) && m.loss > 0).toBe(true);
      expect(m.images_per_s).toBeGreaterThan(0);
      expect(m.epoch).toBe(0); // 2 x 48 real + 32 generated = 128 samples = 16 batches of 8
    }
    // warm-up (2 steps) then cosine: lr rises to the base lr at step 1, then decays
    expect(metrics[1]!.lr).toBeCloseTo(ir.train.optimizer.lr, 10);
    expect(metrics[5]!.lr).toBeLessThan(metrics[2]!.lr);
    // online linear every 3 steps; kNN at the end
    expect(metrics[2]!.val_acc1).toBeGreaterThanOrEqual(0);
    expect(metrics[3]!.val_acc1).toBeUndefined();
    expect(metrics[5]!.knn_acc1).toBeGreaterThan(0);
    expect(listCheckpoints(paths.checkpoints).map((c) => c.step)).toEqual([4, 6]);
    const done = JSON.parse(fs.readFileSync(paths.done, "utf8")) as { final: Record<string, number>; untrained: Record<string, number> };
    expect(done.final["probe_acc1"]).toBeGreaterThanOrEqual(0);
    expect(done.untrained["knn_acc1"]).toBeGreaterThan(0);
  });

  test("a step drained early for evaluation or a checkpoint is timed like the others (its own iteration)", () => {
    const metrics = readMetrics(runPaths(path.join(dir, "runs/tiny")).metrics);
    const rates = metrics.slice(1).map((m) => m.images_per_s);
    const median = [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)]!;
    // steps 3 (online eval) and 4 (checkpoint) were read back at once; before, their time
    // was the moment between two read-backs and their rate thousands of times the rest
    for (const m of [metrics[2]!, metrics[3]!]) expect(m.images_per_s).toBeLessThan(10 * median);
  });

  test("done.json says how training was fed: inline augmentation is time the trainer waited", () => {
    const done = JSON.parse(fs.readFileSync(runPaths(path.join(dir, "runs/tiny")).done, "utf8")) as { input: Record<string, number> };
    const input = done.input;
    // steps 3..6 (the first two are start-up), augmenting on the training thread
    expect(input["steps"]).toBe(4);
    expect(input["threads"]).toBe(0);
    expect(input["augment_views_per_s"]).toBeGreaterThan(0);
    expect(input["train_views_per_s"]).toBeGreaterThan(0);
    expect(input["wait_seconds"]).toBeGreaterThanOrEqual(0); // whole milliseconds: may round to 0
    expect(input["wait_fraction"]).toBeGreaterThan(0);
    expect(input["wait_fraction"]).toBeLessThan(1);
    // what the run's final table prints under the accuracies
    expect(result.status === "done" && finalTable(result.summary)).toMatch(
      /\ninput: augmentation made [\d,]+ views\/s on the training thread; training took [\d,]+ views\/s; it waited for input \d+\.\d% of the time \(4 steps\)\n$/,
    );
  });

  test("the final checkpoint holds every part of the training state", () => {
    const { header, state } = loadCheckpoint(path.join(dir, "runs/tiny/checkpoints/step-00000006.ckpt"));
    expect(header.step).toBe(6);
    expect(header.sampler).toEqual({ epoch: 0, position: 48 });
    const names = [...state.tensors.keys()];
    expect(names).toContain("backbone/conv1.weight");
    expect(names.some((n) => n.startsWith("method/"))).toBe(true);
    expect(names.some((n) => n.startsWith("optimizer/momentum_buffer"))).toBe(true);
    expect(names).toContain("classifier/classifier.weight");
    expect(state.tensors.get("backbone/conv1.weight")!.shape).toEqual([3, 3, 3, 4]);
  });

  test("reports progress: start, every step, checkpoints", () => {
    expect(events.find((e) => e.kind === "start")).toMatchObject({ totalSteps: 6, startStep: 0 });
    expect(events.filter((e) => e.kind === "step")).toHaveLength(6);
    expect(events.filter((e) => e.kind === "checkpoint").map((e) => (e.kind === "checkpoint" ? e.step : -1))).toEqual([2, 4, 6]);
  });

  test("a failed checkpoint write leaves the previous checkpoints intact and no temp file", () => {
    const ckdir = path.join(dir, "runs/tiny/checkpoints");
    const before = listCheckpoints(ckdir);
    const good = loadLatestCheckpoint(ckdir)!;
    let written = 0;
    const failing: CheckpointIO = {
      openSync: (f, flags) => fs.openSync(f, flags),
      // writes half of what it is asked for, then fails: a disk-full in the middle
      writeSync: (fd, data, offset, length) => {
        if (written > 0) throw new Error("ENOSPC: no space left on device");
        written = fs.writeSync(fd, data, offset, Math.ceil(length / 2));
        return written;
      },
      fsyncSync: (fd) => fs.fsyncSync(fd),
      closeSync: (fd) => fs.closeSync(fd),
      renameSync: (a, b) => fs.renameSync(a, b),
    };
    expect(() => saveCheckpoint(ckdir, { ...good.header, step: 8 }, good.state, failing)).toThrow(/ENOSPC/);
    expect(written).toBeGreaterThan(0);
    expect(listCheckpoints(ckdir)).toEqual(before);
    expect(fs.readdirSync(ckdir).filter((n) => n.startsWith("."))).toEqual([]);
    expect(loadLatestCheckpoint(ckdir)!.header.step).toBe(6);
  });

  test("a torn file left by a crash is skipped in favour of the last good checkpoint", () => {
    const ckdir = path.join(dir, "runs/tiny/checkpoints");
    const bytes = fs.readFileSync(path.join(ckdir, "step-00000006.ckpt"));
    fs.writeFileSync(path.join(ckdir, "step-00000010.ckpt"), bytes.subarray(0, bytes.length - 100));
    fs.writeFileSync(path.join(ckdir, ".step-00000012.ckpt.tmp-1"), bytes.subarray(0, 50));
    const latest = loadLatestCheckpoint(ckdir)!;
    expect(latest.header.step).toBe(6);
    expect(latest.skipped[0]!.reason).toMatch(/truncated/);
    fs.rmSync(path.join(ckdir, "step-00000010.ckpt"));
  });
});

test("an interrupted and resumed MoCo v2+ run equals an uninterrupted one", async () => {
  const o: TinyOptions = { method: "mocov2plus(proj_hidden_dim = 16, proj_output_dim = 8, queue_size = 32)", steps: 7, checkpointEvery: 3, keep: 5 };
  const a = compileTiny(o);
  const whole = await runPipeline(a.ir, { cwd: a.dir, tf, worker: "off", baseline: false });
  expect(whole.status).toBe("done");

  const b = compileTiny(o);
  const controller = new AbortController();
  const first = await runPipeline(b.ir, {
    cwd: b.dir,
    tf,
    worker: "off",
    baseline: false,
    signal: controller.signal,
    onProgress: (e) => {
      // Ctrl-C while step 4 is logged: step 5 is already dispatched (steps are pipelined),
      // so it completes and the checkpoint is at the end of it.
      if (e.kind === "step" && e.metrics.step === 4) controller.abort();
    },
  });
  expect(first).toMatchObject({ status: "interrupted", step: 6 });
  expect(fs.existsSync(path.join(b.dir, "runs/tiny/done.json"))).toBe(false);
  const resumed = await runPipeline(b.ir, { cwd: b.dir, tf, worker: "off", baseline: false, resume: true });
  expect(resumed.status).toBe("done");

  const ma = readMetrics(path.join(a.dir, "runs/tiny/metrics.jsonl"));
  const mb = readMetrics(path.join(b.dir, "runs/tiny/metrics.jsonl"));
  expect(numbers(mb)).toEqual(numbers(ma));
  const ca = loadCheckpoint(path.join(a.dir, "runs/tiny/checkpoints/step-00000007.ckpt")).state;
  const cb = loadCheckpoint(path.join(b.dir, "runs/tiny/checkpoints/step-00000007.ckpt")).state;
  expect([...cb.tensors.keys()].sort()).toEqual([...ca.tensors.keys()].sort());
  expect([...cb.tensors.keys()].some((k) => k.startsWith("momentum_backbone/"))).toBe(true);
  expect(Object.keys(cb.numbers).some((k) => k.includes("queue") || k.includes("pointer"))).toBe(true);
  for (const [k, t] of ca.tensors) expect(Buffer.from(cb.tensors.get(k)!.values.buffer).equals(Buffer.from(t.values.buffer)), k).toBe(true);
  expect(cb.numbers).toEqual(ca.numbers);
});

/** What a run's done.json says of its training that does not depend on time. */
function finalFigures(dir: string): object {
  const s = JSON.parse(fs.readFileSync(path.join(dir, "runs/tiny/done.json"), "utf8")) as { final: object; untrained: object | null; steps: number };
  return { final: s.final, untrained: s.untrained, steps: s.steps };
}

/** Runs `o` once uninterrupted and once stopped by `stopAt` (then resumed): both directories. */
async function interruptedAndWhole(
  o: TinyOptions,
  stopAt: (e: ProgressEvent) => boolean,
  baseline = false,
): Promise<{
  a: string;
  b: string;
  first: Awaited<ReturnType<typeof runPipeline>>;
  tensors: number[];
  /** After the first run: the steps logged, and its newest checkpoint's extra fields. */
  logged: number[];
  extra: Record<string, unknown>;
}> {
  const a = compileTiny(o);
  expect((await runPipeline(a.ir, { cwd: a.dir, tf, worker: "off", baseline })).status).toBe("done");
  const b = compileTiny(o);
  const controller = new AbortController();
  const before = tf.memory().numTensors;
  const first = await runPipeline(b.ir, {
    cwd: b.dir,
    tf,
    worker: "off",
    baseline,
    signal: controller.signal,
    onProgress: (e) => stopAt(e) && controller.abort(),
  });
  const after = tf.memory().numTensors;
  expect(fs.existsSync(path.join(b.dir, "runs/tiny/done.json"))).toBe(false);
  const logged = readMetrics(path.join(b.dir, "runs/tiny/metrics.jsonl")).map((m) => m.step);
  const extra = loadLatestCheckpoint(path.join(b.dir, "runs/tiny/checkpoints"))!.header.extra;
  const resumed = await runPipeline(b.ir, { cwd: b.dir, tf, worker: "off", baseline, resume: true });
  expect(resumed.status).toBe("done");
  expect(numbers(readMetrics(path.join(b.dir, "runs/tiny/metrics.jsonl")))).toEqual(numbers(readMetrics(path.join(a.dir, "runs/tiny/metrics.jsonl"))));
  expect(finalFigures(b.dir)).toEqual(finalFigures(a.dir));
  return { a: a.dir, b: b.dir, first, tensors: [before, after], logged, extra };
}

describe("Ctrl-C during an evaluation stops it; --resume repeats it and ends as an uninterrupted run", () => {
  const o: TinyOptions = { steps: 7, checkpointEvery: 3, keep: 5 };

  test("done.json's final loss (mean of the last 20 steps) and last evaluation survive a resume between evaluations", async () => {
    const r = await interruptedAndWhole(o, (e) => e.kind === "step" && e.metrics.step === 4);
    expect(r.first).toMatchObject({ status: "interrupted", step: 6 });
  });

  test("in the evaluation at a step: that step's checkpoint, its line logged once after the resumed evaluation", async () => {
    const r = await interruptedAndWhole(o, (e) => e.kind === "phase" && e.message === "evaluating at step 3");
    expect(r.first).toMatchObject({ status: "interrupted", step: 3 });
    // step 2's line waited in the checkpoint: its evaluation did not finish
    expect(r.logged).toEqual([0, 1]);
    expect(r.extra["pending"]).toMatchObject({ step: 2 });
    expect(r.extra["pending"]).not.toHaveProperty("val_acc1");
    // no tensor of the stopped evaluation is left behind
    expect(r.tensors[1]).toBe(r.tensors[0]);
  });

  test("a resumed evaluation stopped again: the same checkpoint, the line still waiting; the next resume ends as an uninterrupted run", async () => {
    const whole = compileTiny(o);
    await runPipeline(whole.ir, { cwd: whole.dir, tf, worker: "off", baseline: false });
    const p = compileTiny(o);
    const stopAt = (c: AbortController) => (e: ProgressEvent) => e.kind === "phase" && e.message === "evaluating at step 3" && c.abort();
    const c1 = new AbortController();
    const first = await runPipeline(p.ir, { cwd: p.dir, tf, worker: "off", baseline: false, signal: c1.signal, onProgress: stopAt(c1) });
    const c2 = new AbortController();
    const second = await runPipeline(p.ir, { cwd: p.dir, tf, worker: "off", baseline: false, resume: true, signal: c2.signal, onProgress: stopAt(c2) });
    expect(first).toMatchObject({ status: "interrupted", step: 3 });
    expect(second).toEqual(first);
    expect(readMetrics(path.join(p.dir, "runs/tiny/metrics.jsonl")).map((m) => m.step)).toEqual([0, 1]);
    expect((await runPipeline(p.ir, { cwd: p.dir, tf, worker: "off", baseline: false, resume: true })).status).toBe("done");
    expect(numbers(readMetrics(path.join(p.dir, "runs/tiny/metrics.jsonl")))).toEqual(numbers(readMetrics(path.join(whole.dir, "runs/tiny/metrics.jsonl"))));
    expect(finalFigures(p.dir)).toEqual(finalFigures(whole.dir));
  });

  test("in the final linear probe: the last step's checkpoint; the resumed run only evaluates", async () => {
    const r = await interruptedAndWhole(o, (e) => e.kind === "phase" && e.message.startsWith("linear probe"));
    expect(r.first).toMatchObject({ status: "interrupted", step: 7 });
    expect(r.logged).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.extra["pending"]).toBeUndefined();
    expect(r.tensors[1]).toBe(r.tensors[0]);
  });

  test("in the untrained encoder's evaluation: a step-0 checkpoint; the resumed run measures the untrained encoder again", async () => {
    const r = await interruptedAndWhole(o, (e) => e.kind === "phase" && e.message.startsWith("evaluating the untrained"), true);
    expect(r.first).toMatchObject({ status: "interrupted", step: 0 });
    expect(r.extra["untrained"]).toBeNull();
    expect((finalFigures(r.b) as { untrained: object | null }).untrained).not.toBeNull();
  });
});

test("BYOL: the number of live tensors is the same after every step", async () => {
  const p = compileTiny({ method: "byol(proj_hidden_dim = 16, proj_output_dim = 8, pred_hidden_dim = 16)", steps: 8, checkpointEvery: 4 });
  const counts: number[] = [];
  await runPipeline(p.ir, { cwd: p.dir, tf, worker: "off", baseline: false, onProgress: (e) => e.kind === "step" && counts.push(e.numTensors) });
  expect(counts).toHaveLength(8);
  // the optimiser's momentum buffers appear at the first step; from then on: constant,
  // through evaluation (steps 3 and 6) and checkpoints (step 4)
  expect(new Set(counts.slice(1)).size).toBe(1);
});

test("a NaN loss stops the run with a clear error and keeps the last good checkpoint", async () => {
  const p = compileTiny({ steps: 8, checkpointEvery: 2, keep: 3 });
  const run = runPipeline(p.ir, {
    cwd: p.dir,
    tf,
    worker: "off",
    baseline: false,
    hooks: { beforeStep: (step, views) => step === 5 && views[0]!.fill(Number.NaN, 0, 10) },
  });
  await expect(run).rejects.toThrow(TrainingDivergedError);
  await expect(run).rejects.toThrow(/loss became NaN at step 5 .*step-00000004\.ckpt/);
  const paths = runPaths(path.join(p.dir, "runs/tiny"));
  expect(listCheckpoints(paths.checkpoints).map((c) => c.step)).toEqual([2, 4]);
  expect(fs.existsSync(paths.done)).toBe(false);
  expect(readMetrics(paths.metrics).map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
  // the checkpoint is the state before the bad step: resuming from it trains on
  const resumed = await runPipeline(p.ir, { cwd: p.dir, tf, worker: "off", baseline: false, resume: true });
  expect(resumed.status).toBe("done");
});
