// Pure parts of the trainer (no tfjs): the checkpoint file format, the sweep summary,
// --only selection, plain progress lines, data work (inflating an npz) as a few phase events.
import { describe, expect, test } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import { compileFileSync } from "../../src/driver.js";
import { ROOT } from "../helpers.js";
import { CheckpointFormatError, decodeCheckpoint, encodeCheckpoint, type CheckpointMeta, type FlatState } from "../../src/runtime/train/checkpoint-format.js";
import { dataPhases, plainProgress } from "../../src/runtime/train/progress.js";
import type { ProgressEvent } from "../../src/runtime/train/types.js";
import { resultsCsv, summarize } from "../../src/formats/results.js";
import { OnlyFilterError, selectPoints } from "../../src/runtime/train/sweep-points.js";
import type { RunSummary } from "../../src/formats/run-dir.js";

const meta: CheckpointMeta = {
  step: 12,
  totalSteps: 100,
  pipeline: "p",
  seed: 7,
  sampler: { epoch: 1, position: 64 },
  backend: "cpu",
  created: "2026-01-01T00:00:00.000Z",
  elapsedSeconds: 3.5,
  extra: { untrained: { knn_acc1: 50 } },
};

function state(): FlatState {
  return {
    tensors: new Map([
      ["backbone/w", { shape: [2, 3], values: Float32Array.from([1, -2, 3.5, Math.PI, 1e-30, -0]) }],
      ["method/queue", { shape: [1, 1, 5], values: Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5]) }],
      ["empty", { shape: [0], values: new Float32Array(0) }],
    ]),
    numbers: { "method/queue_pointer": 3, "optimizer/step": 12 },
  };
}

describe("checkpoint format", () => {
  test("round-trips every value bit for bit, with meta and counters", () => {
    const bytes = encodeCheckpoint(meta, state());
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe("ADAINFCK");
    const { header, state: back } = decodeCheckpoint(bytes);
    expect(header).toMatchObject({ ...meta, format: "adainf-checkpoint", version: 1, dataLength: 11 });
    expect(back.numbers).toEqual(state().numbers);
    for (const [k, t] of state().tensors) {
      expect(back.tensors.get(k)!.shape).toEqual(t.shape);
      expect(Buffer.from(back.tensors.get(k)!.values.buffer).equals(Buffer.from(t.values.buffer))).toBe(true);
    }
  });

  test("the data section starts 4-byte aligned where the header says", () => {
    const bytes = encodeCheckpoint(meta, state());
    const h = new DataView(bytes.buffer).getUint32(12, true);
    const start = (16 + h + 3) & ~3;
    expect(bytes.length - start).toBe(11 * 4);
    expect(new DataView(bytes.buffer).getFloat32(start + 2 * 4, true)).toBe(3.5);
  });

  test("damage is detected: truncation, a flipped data byte, bad magic", () => {
    const bytes = encodeCheckpoint(meta, state());
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4))).toThrow(/truncated/);
    const flipped = bytes.slice();
    flipped[flipped.length - 5]! ^= 0x40;
    expect(() => decodeCheckpoint(flipped)).toThrow(/checksum/);
    const magic = bytes.slice();
    magic[0] = 0x42; // "BDAINFCK"
    expect(() => decodeCheckpoint(magic)).toThrow(CheckpointFormatError);
  });
});

function summary(point: Record<string, string>, knn: number, loss: number): RunSummary {
  return { pipeline: "s", dir: "d", backend: "cpu", steps: 1, seconds: 1, final: { loss, knn_acc1: knn }, untrained: null, sweep: { base: "s", point } };
}

test("sweep summary: mean and sample std over seeds, grouped by the other axes", () => {
  const { axes, rows } = summarize([
    summary({ inflation: "none", seed: "0" }, 50, 1),
    summary({ inflation: "none", seed: "1" }, 54, 3),
    summary({ inflation: "adainf", seed: "0" }, 60, 2),
  ]);
  expect(axes).toEqual(["inflation"]);
  expect(rows.map((r) => [r.point["inflation"], r.runs])).toEqual([
    ["none", 2],
    ["adainf", 1],
  ]);
  expect(rows[0]!.stats["knn_acc1"]).toEqual({ mean: 52, spread: Math.sqrt(8) });
  expect(rows[1]!.stats["knn_acc1"]).toEqual({ mean: 60, spread: 0 });
  expect(rows[0]!.stats["probe_acc1"]).toBeNull();
  const csv = resultsCsv(axes, rows).split("\n");
  expect(csv[0]).toBe("inflation,runs,knn_acc1_mean,knn_acc1_std,probe_acc1_mean,probe_acc1_std,val_acc1_mean,val_acc1_std,loss_mean,loss_std");
  expect(csv[1]).toBe(`none,2,52,${Math.sqrt(8)},,,,,2,${Math.SQRT2}`);
});

test("--only selects points (numbers by value); unknown axes and values are errors naming the known ones", () => {
  // Real IRs (selectPoints checks what it is given), one per point.
  const base = compileFileSync("pipelines/quickstart.adainf", { cwd: ROOT }).pipelines[0]!.ir;
  const ir = (point: Record<string, string>): PipelineIR => ({ ...base, name: JSON.stringify(point), sweep: { base: "s", point } });
  const irs = [ir({ a: "x", seed: "0" }), ir({ a: "x", seed: "1" }), ir({ a: "y", seed: "0" })];
  expect(selectPoints(irs, [])).toHaveLength(3);
  expect(selectPoints(irs, ["seed=0"]).map((p) => p.sweep!.point)).toEqual([
    { a: "x", seed: "0" },
    { a: "y", seed: "0" },
  ]);
  expect(selectPoints(irs, ["seed=0", "a=y"])).toHaveLength(1);
  expect(selectPoints(irs, ["seed=0", "seed=1", "a=x"])).toHaveLength(2);
  expect(() => selectPoints(irs, ["b=1"])).toThrow(/no sweep axis 'b' \(axes: a, seed\)/);
  expect(() => selectPoints(irs, ["a=z"])).toThrow(/values: x, y/);
  expect(() => selectPoints(irs, ["a"])).toThrow(OnlyFilterError);
  // Numbers match numerically, however either side is written.
  const strengths = [ir({ "augment.strength": "0.5" }), ir({ "augment.strength": "1" }), ir({ "augment.strength": "1_000" })];
  expect(selectPoints(strengths, ["augment.strength=1.0"]).map((p) => p.sweep!.point)).toEqual([{ "augment.strength": "1" }]);
  expect(selectPoints(strengths, ["augment.strength=.50", "augment.strength=1e3"])).toHaveLength(2);
  expect(selectPoints([ir({ s: "1.0" })], ["s=1"])).toHaveLength(1);
  expect(() => selectPoints(strengths, ["augment.strength=2"])).toThrow(/'2' is not a value of 'augment.strength' \(values: 0.5, 1, 1_000\)/);
  expect(() => selectPoints([ir({ a: "x1" })], ["a=x1.0"])).toThrow(OnlyFilterError);
});

test("plain progress prints about every 5%, every evaluation, and the last step", () => {
  const lines: string[] = [];
  const view = plainProgress(
    (t) => lines.push(t),
    () => 0,
  );
  view.handle({ kind: "start", pipeline: "p", backend: "cpu", totalSteps: 100, startStep: 0, resumedFrom: null, worker: "inline", stepsPerEpoch: 10 });
  for (let s = 0; s < 100; s++) {
    const metrics = { step: s, epoch: 0, loss: 1, lr: 0.1, images_per_s: 10, ...(s === 42 ? { val_acc1: 12.5 } : {}) };
    view.handle({ kind: "step", metrics, totalSteps: 100, elapsedSeconds: s + 1, numTensors: 0 });
  }
  const steps = lines.filter((l) => l.includes("step "));
  expect(steps).toHaveLength(21); // 20 at each 5% + the evaluation at step 43
  expect(steps.find((l) => l.includes("step 43/100"))).toContain("online linear 12.5%");
  expect(steps.at(-1)).toContain("step 100/100");
  expect(steps.find((l) => l.includes("step 50/100"))).toContain("ETA 50s");
});

test("data work before training: the task, where it is every 5 s, its end; not one event per 16 KiB chunk", () => {
  const events: ProgressEvent[] = [];
  let clock = 0;
  const progress = dataPhases(
    (e) => events.push(e),
    () => clock / 20,
  );
  const total = 3 << 20;
  for (let done = 16384; done <= total; done += 16384) {
    clock += 1; // 192 chunks, 0.05 s apart
    progress("inflating gen.npz", done, total);
  }
  progress("inflating gen.npz", total, total); // a repeated end is not repeated
  progress("converting imgs", 1, 4);
  expect(events.map((e) => (e.kind === "phase" ? e.message : e.kind))).toEqual([
    "inflating gen.npz",
    "inflating gen.npz 1,654,784/3,145,728",
    "inflating gen.npz 3,145,728/3,145,728",
    "converting imgs",
  ]);
});
