// Ctrl-C in an evaluation, attacked: stopped at every check of an evaluation, in the last
// step's, at a kNN interval, with keep = 1, stopped again while the resumed run finishes,
// and a crash after the waiting line was logged; each resumed run must end with the
// metrics.jsonl, done.json figures and tensor counts of an uninterrupted one (cpu backend),
// the waiting line's step event too (it comes before the resumed process's first step).
// Every evaluation is announced as one (what Ctrl-C then says depends on it); one stopped
// before it began (Ctrl-C during the step before it) is said to wait for the resumed run.
import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import type { PipelineIR } from "../../src/ir/types.js";
import { selectBackend } from "../../src/runtime/backend/select.js";
import type { Tf } from "../../src/runtime/methods/tf.js";
import { listCheckpoints, loadLatestCheckpoint, readMetrics, runPipeline, type ProgressEvent, type StepMetrics } from "../../src/runtime/train/index.js";
import { tinyProject, type TinyOptions } from "./fixtures.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

function compileTiny(o: TinyOptions): { dir: string; ir: PipelineIR } {
  const dir = tinyProject(o);
  const out = compileFileSync("tiny.adainf", { cwd: dir });
  expect(out.diagnostics.filter((d) => d.severity === "error").map((d) => d.message)).toEqual([]);
  return { dir, ir: out.pipelines[0]!.ir };
}

/** The deterministic part of a metrics line (timing removed). */
const numbers = (ms: StepMetrics[]): object[] => ms.map(({ images_per_s: _t, ...rest }) => rest);
const metricsOf = (dir: string): StepMetrics[] => readMetrics(path.join(dir, "runs/tiny/metrics.jsonl"));
const checkpointsOf = (dir: string): string => path.join(dir, "runs/tiny/checkpoints");

/** What a run's done.json says of its training that does not depend on time. */
function finalFigures(dir: string): object {
  const s = JSON.parse(fs.readFileSync(path.join(dir, "runs/tiny/done.json"), "utf8")) as { final: object; untrained: object | null; steps: number };
  return { final: s.final, untrained: s.untrained, steps: s.steps };
}

/** An uninterrupted run's directory, and the tensors it left (none, when nothing leaks). */
async function whole(o: TinyOptions): Promise<{ dir: string; leaked: number }> {
  const a = compileTiny(o);
  const before = tf.memory().numTensors;
  expect((await runPipeline(a.ir, { cwd: a.dir, tf, worker: "off", baseline: false })).status).toBe("done");
  return { dir: a.dir, leaked: tf.memory().numTensors - before };
}

/**
 * A signal whose `aborted` turns true at its `after`-th read once `arm()` was called: an
 * abort at each successive check of an evaluation (AbortPoint reads it at every batch).
 */
function countingSignal(after: number): { signal: AbortSignal; arm: () => void } {
  let armed = false;
  let reads = 0;
  const signal = {
    get aborted() {
      if (!armed) return false;
      reads++;
      return reads > after;
    },
  } as unknown as AbortSignal;
  return { signal, arm: () => (armed = true) };
}

/** Runs to the end with --resume; the tensors it left and its step events' live-tensor counts. */
async function resume(dir: string, ir: PipelineIR): Promise<{ leaked: number; counts: number[] }> {
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  const r = await runPipeline(ir, {
    cwd: dir,
    tf,
    worker: "off",
    baseline: false,
    resume: true,
    onProgress: (e) => e.kind === "step" && counts.push(e.numTensors),
  });
  expect(r.status).toBe("done");
  return { leaked: tf.memory().numTensors - before, counts };
}

/** Run options that abort once `at` is true of a progress event. */
function stopIn(at: (e: ProgressEvent) => boolean): { signal: AbortSignal; onProgress: (e: ProgressEvent) => void } {
  const c = new AbortController();
  return { signal: c.signal, onProgress: (e) => at(e) && c.abort() };
}

/** Stopped in the evaluation after step 3. */
const inEvaluationAfter3 = (e: ProgressEvent): boolean => e.kind === "phase" && e.message === "evaluating at step 3";

function expectSameAsWhole(dir: string, wholeDir: string): void {
  expect(numbers(metricsOf(dir))).toEqual(numbers(metricsOf(wholeDir)));
  expect(finalFigures(dir)).toEqual(finalFigures(wholeDir));
}

describe("stopped at every check of an evaluation, then resumed: as an uninterrupted run", () => {
  // online every 3 steps, kNN every 2 steps and at the end: evaluations after steps 2, 3, 4, 6 and 7
  const o: TinyOptions = {
    steps: 7,
    checkpointEvery: 3,
    keep: 5,
    evaluate: "online_linear(lr = 0.1, every = 3 steps)\n    knn(k = 5, every = 2 steps)\n    linear_probe(epochs = 2, lr = 0.1, batch_size = 16)",
  };
  let ref: { dir: string; leaked: number };
  beforeAll(async () => {
    ref = await whole(o);
  });

  // Each check reads the signal twice: after 0, 2, 4, 6 reads it stops the evaluation after
  // step 6 in the evaluation set's features, the online classifier, the bank's features, kNN
  // (after 8: at the next step boundary; after step 7, in the final linear probe).
  for (const at of [4, 6, 7]) {
    for (const after of [0, 2, 4, 6, 8]) {
      test(`the evaluation after step ${at}, stopped at its read ${after} of the signal`, async () => {
        expect(ref.leaked).toBe(0);
        const b = compileTiny(o);
        const s = countingSignal(after);
        const before = tf.memory().numTensors;
        const first = await runPipeline(b.ir, {
          cwd: b.dir,
          tf,
          worker: "off",
          baseline: false,
          signal: s.signal,
          onProgress: (e) => e.kind === "phase" && e.message === `evaluating at step ${at}` && s.arm(),
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(first.status).toBe("interrupted");
        expect((await resume(b.dir, b.ir)).leaked).toBe(0);
        expectSameAsWhole(b.dir, ref.dir);
      });
    }
  }
});

describe("output.keep = 1: the checkpoint of the stopped evaluation is the one kept", () => {
  for (const every of [3, 2]) {
    test(`checkpoint_every = ${every} steps, stopped in the online evaluation after step 3`, async () => {
      const o: TinyOptions = { steps: 7, checkpointEvery: every, keep: 1 };
      const ref = await whole(o);
      const b = compileTiny(o);
      const first = await runPipeline(b.ir, { cwd: b.dir, tf, worker: "off", baseline: false, ...stopIn(inEvaluationAfter3) });
      expect(first).toMatchObject({ status: "interrupted", step: 3 });
      expect(listCheckpoints(checkpointsOf(b.dir)).map((k) => k.step)).toEqual([3]);
      expect(loadLatestCheckpoint(checkpointsOf(b.dir))!.header.extra["pending"]).toMatchObject({ step: 2 });
      await resume(b.dir, b.ir);
      expect(listCheckpoints(checkpointsOf(b.dir)).map((k) => k.step)).toEqual([7]);
      expectSameAsWhole(b.dir, ref.dir);
    });
  }
});

describe("the waiting line is logged once, whatever stops the resumed run after it", () => {
  const o: TinyOptions = { steps: 7, checkpointEvery: 3, keep: 5 };
  let ref: { dir: string; leaked: number };
  beforeAll(async () => {
    ref = await whole(o);
  });
  test("stopped in the last step's evaluation, then in the final linear probe of the resumed run", async () => {
    const b = compileTiny(o);
    const first = await runPipeline(b.ir, {
      cwd: b.dir,
      tf,
      worker: "off",
      baseline: false,
      ...stopIn((e) => e.kind === "phase" && e.message === "evaluating at step 7"),
    });
    expect(first).toMatchObject({ status: "interrupted", step: 7 });
    expect(metricsOf(b.dir).map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5]);
    const second = await runPipeline(b.ir, {
      cwd: b.dir,
      tf,
      worker: "off",
      baseline: false,
      resume: true,
      ...stopIn((e) => e.kind === "phase" && e.message.startsWith("linear probe")),
    });
    expect(second).toMatchObject({ status: "interrupted", step: 7 });
    // the last step's evaluation was done and its line logged; the checkpoint no longer carries it
    expect(metricsOf(b.dir).map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(loadLatestCheckpoint(checkpointsOf(b.dir))!.header.extra["pending"]).toBeUndefined();
    await resume(b.dir, b.ir);
    expectSameAsWhole(b.dir, ref.dir);
  });

  test("a crash (a second Ctrl-C, a lost GPU) after the waiting line was logged, before the next checkpoint", async () => {
    const b = compileTiny(o);
    const first = await runPipeline(b.ir, {
      cwd: b.dir,
      tf,
      worker: "off",
      baseline: false,
      ...stopIn(inEvaluationAfter3),
    });
    expect(first).toMatchObject({ status: "interrupted", step: 3 });
    const crash = runPipeline(b.ir, {
      cwd: b.dir,
      tf,
      worker: "off",
      baseline: false,
      resume: true,
      hooks: {
        beforeStep: (step) => {
          if (step === 5) throw new Error("crashed");
        },
      },
    });
    await expect(crash).rejects.toThrow("crashed");
    expect(metricsOf(b.dir).map((m) => m.step)).toEqual([0, 1, 2, 3]);
    expect(loadLatestCheckpoint(checkpointsOf(b.dir))!.header.step).toBe(3);
    await resume(b.dir, b.ir);
    expectSameAsWhole(b.dir, ref.dir);
  });
});

describe("the live-tensor count of a resumed run's steps is the uninterrupted run's, the waiting line's included", () => {
  const methods = [
    "simclr(proj_hidden_dim = 16, proj_output_dim = 8)",
    "barlow(proj_hidden_dim = 16, proj_output_dim = 16)",
    "byol(proj_hidden_dim = 16, proj_output_dim = 8, pred_hidden_dim = 16)",
    "mocov2plus(proj_hidden_dim = 16, proj_output_dim = 8, queue_size = 32)",
  ];
  for (const method of methods) {
    test(method.slice(0, method.indexOf("(")), async () => {
      const o: TinyOptions = { method, steps: 7, checkpointEvery: 3, keep: 5 };
      const counts = (into: number[]) => (e: ProgressEvent) => e.kind === "step" && into.push(e.numTensors);
      const a = compileTiny(o);
      const uninterrupted: number[] = [];
      await runPipeline(a.ir, { cwd: a.dir, tf, worker: "off", baseline: false, onProgress: counts(uninterrupted) });
      expect(new Set(uninterrupted).size).toBe(1);
      const b = compileTiny(o);
      const first = await runPipeline(b.ir, { cwd: b.dir, tf, worker: "off", baseline: false, ...stopIn(inEvaluationAfter3) });
      expect(first).toMatchObject({ status: "interrupted", step: 3 });
      const resumed: number[] = [];
      await runPipeline(b.ir, { cwd: b.dir, tf, worker: "off", baseline: false, resume: true, onProgress: counts(resumed) });
      expect(resumed).toEqual(uninterrupted.slice(2));
    });
  }
});

test("resumed from a final checkpoint whose metrics lack kNN (an older adainfc's): the kNN it runs is announced as an evaluation", async () => {
  const o: TinyOptions = { steps: 4, checkpointEvery: null, evaluate: "knn(k = 5)" };
  const p = compileTiny(o);
  expect((await runPipeline(p.ir, { cwd: p.dir, tf, worker: "off", baseline: false })).status).toBe("done");
  const figures = finalFigures(p.dir);
  // what an older adainfc left: no done.json yet, and no kNN figures in metrics.jsonl
  fs.rmSync(path.join(p.dir, "runs/tiny/done.json"));
  const file = path.join(p.dir, "runs/tiny/metrics.jsonl");
  const lines = metricsOf(p.dir).map(({ knn_acc1: _1, knn_acc5: _5, ...rest }) => `${JSON.stringify(rest)}\n`);
  fs.writeFileSync(file, lines.join(""));
  const events: ProgressEvent[] = [];
  expect((await runPipeline(p.ir, { cwd: p.dir, tf, worker: "off", baseline: false, resume: true, onProgress: (e) => events.push(e) })).status).toBe("done");
  // what `adainfc run` says on Ctrl-C depends on it (src/cli/commands/run.ts, `evaluating`)
  expect(events.filter((e) => e.kind === "phase" && e.evaluation).map((e) => e.kind === "phase" && e.message)).toEqual(["kNN of the trained encoder"]);
  expect(finalFigures(p.dir)).toEqual(figures);
});

test("Ctrl-C during the step before an evaluation: a note says the evaluation waits; resumed, as an uninterrupted run", async () => {
  const o: TinyOptions = { steps: 7, checkpointEvery: 3, keep: 5 };
  const ref = await whole(o);
  const b = compileTiny(o);
  const c = new AbortController();
  const events: ProgressEvent[] = [];
  const first = await runPipeline(b.ir, {
    cwd: b.dir,
    tf,
    worker: "off",
    baseline: false,
    signal: c.signal,
    // step 1's line is logged while step 2, the one before the evaluation after step 3, runs
    onProgress: (e) => {
      events.push(e);
      if (e.kind === "step" && e.metrics.step === 1) c.abort();
    },
  });
  expect(first).toMatchObject({ status: "interrupted", step: 3 });
  const notes = events.filter((e) => e.kind === "note").map((e) => (e as { message: string }).message);
  expect(notes.filter((n) => n.includes("evaluation"))).toEqual(["the evaluation after step 3 is left to the resumed run (--resume evaluates it first)"]);
  expect(events.some((e) => e.kind === "phase" && e.message === "evaluating at step 3")).toBe(false);
  expect(loadLatestCheckpoint(checkpointsOf(b.dir))!.header.extra["pending"]).toMatchObject({ step: 2 });
  await resume(b.dir, b.ir);
  expectSameAsWhole(b.dir, ref.dir);
});
