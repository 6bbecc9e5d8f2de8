// The public entry points that take an IR (runPipeline, runStart, missingData,
// selectPoints, sweepGroups) check it before anything loads or is written: an older IR
// is upgraded, a bad one is an InvalidIRError (a RunSetupError) saying where, what was
// expected and what was found, and no run directory is left behind. Also the options
// runPipeline and runStart refuse as the CLI refuses its flags (RunOptionsError, usage),
// and the thread count augmentThreads "auto" comes to (the built runtime's worker threads).
import fs from "node:fs";
import path from "node:path";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { beforeAll, expect, test, vi } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import type { PipelineIR } from "../../src/ir/types.js";
import { selectBackend } from "../../src/runtime/backend/select.js";
import type { Tf } from "../../src/runtime/methods/tf.js";
import { InvalidIRError, RunOptionsError } from "../../src/runtime/train/errors.js";
import { missingData, RunSetupError, runPaths, runPipeline, runStart, selectPoints, sweepGroups } from "../../src/runtime/train/index.js";
import type { ProgressEvent } from "../../src/runtime/train/types.js";
import { edit, ROOT } from "../helpers.js";
import { tinyProject } from "./fixtures.js";

let tf: Tf;
let dir: string;
let good: PipelineIR;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
  dir = tinyProject({ steps: 1, checkpointEvery: null, evaluate: "" });
  good = compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir;
});

const copy = (): PipelineIR => structuredClone(good);
const runDir = (): string => runPaths(path.resolve(dir, good.output.dir)).dir;

/** What runPipeline throws for `ir` (it must throw), with the run directory checked absent after. */
async function refused(ir: unknown): Promise<Error> {
  fs.rmSync(runDir(), { recursive: true, force: true });
  const err = await runPipeline(ir as PipelineIR, { cwd: dir, tf, worker: "off", baseline: false, overwrite: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(Error);
  expect(fs.existsSync(runDir())).toBe(false);
  return err as Error;
}

test.each([
  ["version 2", (ir: unknown) => edit(ir, "version", 2), "/version must be 1, found 2 (this adainf reads IR version 1: the IR was made by a newer adainfc)"],
  ["version 0", (ir: unknown) => edit(ir, "version", 0), "/version must be 1, found 0 (this adainf reads IR version 1: compile the pipeline again"],
  [
    "a newer IR without a field (the schema stops at /file first)",
    (ir: unknown) => {
      edit(ir, "version", 2);
      edit(ir, "file", undefined);
    },
    "/version must be 1, found 2 (this adainf reads IR version 1: the IR was made by a newer adainfc)",
  ],
  ["version as a string", (ir: unknown) => edit(ir, "version", "1"), '/version must be 1, found "1"'],
  ["negative steps", (ir: unknown) => edit(ir, "train.steps", -3), "/train/steps must be >= 1, found -3"],
  ["steps as a string", (ir: unknown) => edit(ir, "train.steps", "4"), '/train/steps must be an integer, found "4"'],
  [
    "a null learning rate (the optimiser's own branch, not another's)",
    (ir: unknown) => edit(ir, "train.optimizer.lr", null),
    "/train/optimizer/lr must be a number, found null",
  ],
  ["no train block", (ir: unknown) => edit(ir, "train", undefined), "/train is missing"],
  ["an unknown backbone", (ir: unknown) => edit(ir, "model.backbone.name", "vgg"), '/model/backbone/name must be one of "resnet18", "convnet", found "vgg"'],
  ["an unknown optimiser", (ir: unknown) => edit(ir, "train.optimizer.name", "rmsprop"), 'found "rmsprop"'],
  ["an unknown op", (ir: unknown) => edit(ir, "augment.views.0.ops.0.op", "blur9"), '/augment/views/0/ops/0/op must be one of "random_resized_crop"'],
  ["an unknown field", (ir: unknown) => edit(ir, "train.foo", 1), "/train/foo is not a field of /train"],
  ["a bad knn", (ir: unknown) => edit(ir, "evaluate.knn", { k: 0 }), "/evaluate/knn/"],
  ["a source format", (ir: unknown) => edit(ir, "data.sources.0.format", "imagenet"), "/data/sources/0/format must be one of"],
  [
    "an undeclared training source",
    (ir: unknown) => edit(ir, "data.train.0.source", "nope"),
    '/data/train/0/source must name a source in /data/sources (real, generated, eval), found "nope"',
  ],
  ["an undeclared evaluation source", (ir: unknown) => edit(ir, "data.eval", "nope"), "/data/eval must be null or name a source in /data/sources"],
])("runPipeline refuses an IR with %s, naming it, and writes no run directory", async (_, change, says) => {
  const ir = copy();
  change(ir);
  const err = await refused(ir);
  expect(err).toBeInstanceOf(InvalidIRError);
  expect(err).toBeInstanceOf(RunSetupError); // what the CLI and the emitted program already report as one line
  expect(err.message).toMatch(/^the IR of 'tiny' is not a valid pipeline IR: /);
  expect(err.message).toContain(says);
  expect(err.message).not.toMatch(/\n/);
});

test("a sweep's array of IRs is refused with what to do, not a TypeError", async () => {
  const err = await refused([copy(), copy()]);
  expect(err).toBeInstanceOf(InvalidIRError);
  expect(err.message).toBe(
    "the IR is not a valid pipeline IR: expected one pipeline (an object), found an array of 2 (a sweep's points: pass each one, or pick them with selectPoints)",
  );
});

// The worker threads need the compiled worker entry: the built runtime (dist/) runs these.
const builtTrain = path.join(ROOT, "dist", "src", "runtime", "train", "index.js");

test.skipIf(!fs.existsSync(builtTrain))(
  'augmentThreads "auto" is resolved as run\'s --augment-threads auto: 1 thread on a CPU backend, the cores but one on a GPU (start event, done.json)',
  { timeout: 120_000 },
  async () => {
    const built = (await import(pathToFileURL(builtTrain).href)) as typeof import("../../src/runtime/train/index.js");
    const three = structuredClone(good);
    edit(three, "train.steps", 3); // the first two steps are start-up: done.json's input counts the third
    const cores = vi.spyOn(os, "availableParallelism").mockReturnValue(4);
    try {
      for (const [backend, threads, said] of [
        [undefined, 1, "augmentation on a worker thread"],
        // a GPU backend's name (the steps still compute on cpu): 4 cores, one trains
        ["webgpu", 3, "augmentation on 3 worker threads"],
      ] as const) {
        fs.rmSync(runDir(), { recursive: true, force: true });
        const events: ProgressEvent[] = [];
        const r = await built.runPipeline(three, {
          cwd: dir,
          tf,
          ...(backend ? { backend } : {}),
          worker: "auto",
          baseline: false,
          augmentThreads: "auto",
          onProgress: (e) => void events.push(e),
        });
        expect(r.status).toBe("done");
        const start = events.find((e) => e.kind === "start");
        expect(start && start.kind === "start" ? start.worker : null, String(backend)).toBe(said);
        expect(JSON.parse(fs.readFileSync(runPaths(runDir()).done, "utf8")).input.threads).toBe(threads);
      }
    } finally {
      cores.mockRestore();
    }
  },
);

test("an IR of an older adainfc (no train.devices) is upgraded and runs", async () => {
  const old = copy();
  for (const k of ["devices", "batchPerDevice", "lrScaling"]) edit(old, `train.${k}`, undefined);
  fs.rmSync(runDir(), { recursive: true, force: true });
  const r = await runPipeline(old, { cwd: dir, tf, worker: "off", baseline: false });
  expect(r.status).toBe("done");
  expect(JSON.parse(fs.readFileSync(runPaths(runDir()).ir, "utf8")).train.devices).toBe(1);
});

test("runStart, missingData, selectPoints and sweepGroups check the IR too", () => {
  const bad = copy();
  edit(bad, "version", 2);
  expect(() => runStart(bad, { cwd: dir })).toThrow(InvalidIRError);
  expect(() => missingData(bad, dir)).toThrow(InvalidIRError);
  expect(() => selectPoints([good, bad], [])).toThrow(InvalidIRError);
  expect(() => sweepGroups([bad])).toThrow(/\/version must be 1, found 2/);
  expect(selectPoints([good], [])).toEqual([good]);
});

test("resume with overwrite is refused by runStart and runPipeline as a usage error, before anything is written", async () => {
  const start = (() => {
    try {
      return runStart(good, { cwd: dir, resume: true, overwrite: true });
    } catch (e) {
      return e;
    }
  })();
  expect(start).toBeInstanceOf(RunOptionsError);
  expect((start as RunOptionsError).kind).toBe("usage");
  expect((start as Error).message).toBe(
    "--resume and --overwrite contradict each other: --resume continues the run in its directory, --overwrite deletes it and starts over",
  );
  fs.rmSync(runDir(), { recursive: true, force: true });
  const err = await runPipeline(good, { cwd: dir, tf, worker: "off", resume: true, overwrite: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RunOptionsError);
  expect((err as Error).message).toMatch(/^resume and overwrite contradict each other/);
  expect(fs.existsSync(runDir())).toBe(false);
});

test.each([
  [{ augmentThreads: 0 }, "augmentThreads must be auto or an integer from 1 to 64, not '0'"],
  [{ augmentThreads: -2 }, "augmentThreads must be auto or an integer from 1 to 64, not '-2'"],
  [{ augmentThreads: 65 }, "augmentThreads must be auto or an integer from 1 to 64, not '65'"],
  [{ augmentThreads: 1.5 }, "augmentThreads must be auto or an integer from 1 to 64, not '1.5'"],
  [{ augmentThreads: "many" }, "augmentThreads must be auto or an integer from 1 to 64, not 'many'"],
  [{ wasmThreads: 9 }, "wasmThreads must be an integer from 1 to 8, not '9'"],
  [{ worker: "sometimes" }, "worker must be 'auto' or 'off', not 'sometimes'"],
])("runPipeline refuses %o with the CLI's limit, before anything is written", async (option, says) => {
  fs.rmSync(runDir(), { recursive: true, force: true });
  const err = await runPipeline(good, { cwd: dir, tf, baseline: false, ...(option as object) }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RunOptionsError);
  expect((err as RunOptionsError).kind).toBe("usage");
  expect((err as Error).message).toBe(says);
  expect(fs.existsSync(runDir())).toBe(false);
});
