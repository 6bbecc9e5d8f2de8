// The step clock and the input meter on made-up timelines (ms): a step computed while it
// is dispatched (wasm), steps pipelined on a GPU, a GPU kept waiting for input, a step
// after an evaluation; the meter's rates, share of time waited, one warning per run for
// an input-bound stretch, and the words both reach a person in.
import os from "node:os";
import { expect, test } from "vitest";
import { InputMeter, STALL_FRACTION, STALL_WINDOW, StepClock, inputText } from "../../src/runtime/train/input-meter.js";
import { inputBoundText, plainProgress } from "../../src/runtime/train/progress.js";

test("wasm: a step computes while it is dispatched; its time is its iteration, input work included", () => {
  const c = new StepClock();
  // iteration at 0: 1 ms of input work, then 8 ms computing; the result settles at 9
  expect(c.step(0, 1, 9)).toEqual({ ms: 9, waitMs: 1 });
  // the next iteration starts after the bookkeeping (9.5): its time is its own 9 ms
  expect(c.step(9.5, 1, 18.5)).toEqual({ ms: 9, waitMs: 1 });
});

test("GPU: pipelined steps take the device's time; input work while the device is busy is no wait", () => {
  const c = new StepClock();
  // step 0: dispatched by 2.5, the GPU runs it to 22.5 (its time includes the start)
  expect(c.step(0, 0.5, 22.5)).toEqual({ ms: 22.5, waitMs: 0.5 });
  // step 1: its iteration starts at 2.6 while step 0 runs; it runs 22.5 -> 42.5
  expect(c.step(2.6, 0.5, 42.5)).toEqual({ ms: 20, waitMs: 0 });
  // step 2: waits 15 ms for its batch (to 37.6) but the GPU is busy with step 1 until 42.5
  expect(c.step(22.6, 15, 62.5)).toEqual({ ms: 20, waitMs: 0 });
  // step 3: waits 30 ms (to 72.6); the GPU, done at 62.5, idles 10.1 ms; it runs 74.6 -> 94.6
  const s3 = c.step(42.6, 30, 94.6);
  expect(s3.ms).toBeCloseTo(32.1, 9);
  expect(s3.waitMs).toBeCloseTo(10.1, 9);
});

test("GPU: a step after an evaluation starts with its iteration (the evaluation is in no step)", () => {
  const c = new StepClock();
  c.step(0, 0.5, 20);
  c.step(1, 0.5, 40); // drained at 40 for an evaluation that ends at 150
  expect(c.step(150, 1, 175)).toEqual({ ms: 25, waitMs: 1 });
});

/** `n` steps of 512 views, each `intervalMs` long, `waitMs` of it waiting, augmented in `augmentMs`. */
function feed(m: InputMeter, from: number, n: number, t: { waitMs: number; augmentMs: number; intervalMs: number }): void {
  for (let s = from; s < from + n; s++) m.record({ step: s, views: 512, ...t });
}

test("rates and the share of time waited over the whole run", () => {
  const m = new InputMeter(4);
  expect(m.summary()).toBeNull();
  feed(m, 1, 10, { waitMs: 2, augmentMs: 25.6, intervalMs: 20 });
  expect(m.summary()).toEqual({
    threads: 4,
    steps: 10,
    augment_views_per_s: 20_000, // 5,120 views in 256 ms of augmenting
    train_views_per_s: 28_444, // 5,120 views in 200 - 20 ms of training
    wait_seconds: 0.02,
    wait_fraction: 0.1,
  });
});

test("one warning, for the first stretch of STALL_WINDOW steps that waits STALL_FRACTION of its time", () => {
  const m = new InputMeter(1);
  // well fed: 1% waiting
  feed(m, 1, 30, { waitMs: 0.2, augmentMs: 10, intervalMs: 20 });
  expect(m.stall()).toBeNull();
  // just under the line over the last STALL_WINDOW steps: still no warning
  const under = (STALL_FRACTION - 0.01) * 20;
  feed(m, 31, STALL_WINDOW, { waitMs: under, augmentMs: 30, intervalMs: 20 });
  expect(m.stall()).toBeNull();
  // starved: each step waits 8 of its 20 ms
  feed(m, 51, STALL_WINDOW, { waitMs: 8, augmentMs: 40, intervalMs: 20 });
  const stall = m.stall();
  expect(stall).toEqual({
    fromStep: 51,
    toStep: 50 + STALL_WINDOW,
    waitFraction: 0.4,
    augmentViewsPerS: 12_800,
    trainViewsPerS: 42_667,
    threads: 1,
  });
  // said once a run
  feed(m, 71, STALL_WINDOW, { waitMs: 10, augmentMs: 40, intervalMs: 20 });
  expect(m.stall()).toBeNull();
});

test("checked after every step, as the trainer does: the warning comes at the first step whose stretch reaches the line", () => {
  const m = new InputMeter(2);
  feed(m, 1, 30, { waitMs: 0.2, augmentMs: 10, intervalMs: 20 });
  const firstWarning: number[] = [];
  for (let s = 31; s <= 45; s++) {
    feed(m, s, 1, { waitMs: 8, augmentMs: 40, intervalMs: 20 });
    if (m.stall()) firstWarning.push(s);
  }
  // k starved steps in the window of 20: (8k + 0.2 (20 - k)) / 400 >= 0.1 from k = 5 on
  expect(firstWarning).toEqual([35]);
});

test("too few steps for a stretch: no warning however long the waits", () => {
  const m = new InputMeter(0);
  feed(m, 1, STALL_WINDOW - 1, { waitMs: 19, augmentMs: 19, intervalMs: 20 });
  expect(m.stall()).toBeNull();
  expect(m.summary()!.wait_fraction).toBe(0.95);
});

test("the words: the final line and the warning, which names the flag and the cores", () => {
  expect(inputText({ threads: 0, steps: 799, augment_views_per_s: 18_532, train_views_per_s: 1_024, wait_seconds: 2.5, wait_fraction: 0.0213 })).toBe(
    "input: augmentation made 18,532 views/s on the training thread; training took 1,024 views/s; it waited for input 2.1% of the time (799 steps)",
  );
  const stall = { fromStep: 1, toStep: 20, waitFraction: 0.41, augmentViewsPerS: 9_102, trainViewsPerS: 15_337, threads: 1 };
  const text = inputBoundText(stall);
  expect(text).toBe(
    "warning: steps 2-21 waited for augmentation 41% of the time: it makes 9,102 views/s (now 1 thread), training takes 15,337; " +
      `more augmentation threads would feed it (--augment-threads, ${os.availableParallelism()} cores here)`,
  );
  expect(inputBoundText({ ...stall, threads: 0 })).toBe(
    "warning: steps 2-21 waited for augmentation 41% of the time: it makes 9,102 views/s on the training thread, training takes 15,337; " +
      `worker threads would feed it (the start line says why augmentation is inline; --augment-threads, ${os.availableParallelism()} cores here)`,
  );
  const lines: string[] = [];
  plainProgress((t) => lines.push(t)).handle({ kind: "input-bound", ...stall });
  expect(lines).toEqual([`  ${text}\n`]);
});
