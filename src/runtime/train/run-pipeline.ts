// The trainer: runs one pipeline IR from its first (or resumed) step to the end.
//
//   sampler -> augmentation (next batch prepared on a worker while this one trains)
//   -> backbone on every view -> method loss -> gradients -> optimiser at the scheduled
//   lr -> method.afterStep -> online linear classifier -> evaluation at its interval
//
// Writes ir.json, metrics.jsonl, checkpoints/ and finally done.json into the run
// directory (src/formats/run-dir.ts), and diverged.json when the loss stops being finite
// (src/formats/run-outcome.ts). Checkpoints every output.checkpointEvery steps and at the end,
// keeping output.keep; an abort (Ctrl-C) saves one at the next step boundary, or stops
// an evaluation under way: the checkpoint then carries the step's unlogged metrics line,
// and a resumed run repeats that evaluation before it logs the line (resume equals an
// uninterrupted run, done.json included). Starting over (--overwrite) removes what the
// earlier run left: its checkpoints, metrics, done.json, `adainfc eval`'s eval.json and
// the report page `adainfc report` wrote there.
// Before a backend loads or the directory is touched, the IR is checked (checked-ir.ts)
// and the options too (checkRunOptions): a bad one is refused, and no run folder is made.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isOwnReportPage, REPORT_FILE } from "../../formats/own-output.js";
import type { PipelineIR } from "../../ir/types.js";
import type { Tf } from "../methods/tf.js";
import type { FeatureSet } from "../eval/index.js";
import { learningRateAt } from "../optim/schedule.js";
import { writeJsonAtomic } from "../../util/atomic-write.js";
import {
  MetricsLog,
  readMetrics,
  readRunIR,
  runDirOf,
  runPaths,
  writeRunSummary,
  type EncoderMetrics,
  type FinalMetrics,
  type RunSummary,
  type StepMetrics,
} from "../../formats/run-dir.js";
import { BatchProducer, WORKER_MODES } from "./batches.js";
import type { CheckpointMeta } from "./checkpoint-format.js";
import { listCheckpoints, loadLatestCheckpoint, pruneCheckpoints, removeCheckpointsAfter, saveCheckpoint } from "./checkpoint-store.js";
import { lockRunDir } from "./run-lock.js";
import { clearDiverged, writeDiverged } from "../../formats/run-outcome.js";
import { asDeviceLoss, RunOptionsError, RunSetupError, TrainingDivergedError } from "./errors.js";
import { StateMismatch } from "../errors.js";
import { checkedIR } from "./checked-ir.js";
import { OVERWRITE_DELETES, resumeOverwriteMessage } from "./run-start.js";
import { autoAugmentThreads, isThreadCount, MAX_AUGMENT_THREADS, MAX_WASM_THREADS, threadCountMessage } from "../thread-limits.js";
import { bankSourceNames, concatFeatures, evaluateFeatures, evaluationFitProblem, featuresOf, onlineAccuracy } from "./evaluation.js";
import { trainingDifferences } from "../../ir/training-differences.js";
import { buildTrainModel, loadModelState, modelState, type TrainModel } from "./model.js";
import { completeNormalization } from "./normalization.js";
import { openRunSources, type OpenedSources } from "./sources.js";
import { dataPhases } from "./progress.js";
import { trainStep, type StepOutcome } from "./step.js";
import { InputMeter, StepClock } from "./input-meter.js";
import { bindableBytes, largestActivationBytes, largestBatchFor } from "../backend/limits.js";
import { adapterLine, deviceBufferLimits, deviceErrorScope, probeWebGpu } from "../backend/webgpu.js";
import type { ImageSource } from "../data/index.js";
import { heldForReadBack } from "../readback.js";
import { heldAsConstants } from "../methods/shape-constants.js";
import type { RunOptions, RunResult } from "./types.js";
import { Interrupted } from "../abort.js";
import { ensureDir } from "../../util/fs-errors.js";

/** One turn of the event loop: signal handlers (Ctrl-C) and workers' replies run. */
function yieldToSignals(): Promise<void> {
  return new Promise<void>((r) => setImmediate(r));
}

/** Losses averaged for the final `loss` figure. */
const FINAL_LOSS_WINDOW = 20;

/** The figures of the latest evaluation during training, kept for the final table. */
const EVAL_KEYS = ["val_acc1", "val_loss", "knn_acc1", "knn_acc5"] as const;
type LastEval = Partial<Pick<StepMetrics, (typeof EVAL_KEYS)[number]>>;

export async function runPipeline(given: PipelineIR, opts: RunOptions): Promise<RunResult> {
  checkRunOptions(opts);
  const declared = checkedIR(given);
  const paths = runPaths(runDirOf(declared.output.dir, opts.cwd));
  const report = opts.onProgress ?? (() => undefined);
  const { tf, backend } = await backendFor(opts);

  // Before anything in the directory is read or written: one run at a time.
  const lock = lockRunDir(paths.dir);
  if (lock.note) report({ kind: "note", message: lock.note });
  try {
    return await runLocked(declared, opts, paths, tf, backend, report);
  } finally {
    lock.release();
  }
}

async function runLocked(
  declared: PipelineIR,
  opts: RunOptions,
  paths: ReturnType<typeof runPaths>,
  tf: Tf,
  backend: string,
  report: NonNullable<RunOptions["onProgress"]>,
): Promise<RunResult> {
  report({ kind: "phase", message: "opening data" });
  const sources = await openRunSources(declared, opts.cwd, dataPhases(report));
  let producer: BatchProducer | null = null;
  let model: TrainModel | null = null;
  let pending: Promise<unknown> | null = null;
  const metricsLog = new MetricsLog(paths.metrics);
  /** What the run is doing, for the message when the GPU stops working. */
  let stage = "while the data opened";
  /** An evaluation starts: announced as one (what Ctrl-C then says depends on it), and the stage. */
  const evaluating = (message: string, where: string): void => {
    report({ kind: "phase", message, evaluation: true });
    stage = where;
  };
  try {
    const completed = completeNormalization(declared, sources.byName);
    const ir = completed.ir;
    if (completed.note) report({ kind: "note", message: completed.note });
    const evalSource = ir.data.eval !== null ? (sources.byName.get(ir.data.eval) ?? null) : null;
    const bankNames = bankSourceNames(ir, sources.byName);
    const numClasses = classCountOf(sources, [...(ir.data.eval ? [ir.data.eval] : []), ...bankNames]);
    const off = evaluationOff(ir, ir.data.eval !== null && sources.byName.has(ir.data.eval), bankNames.length > 0, numClasses);
    if (off) report({ kind: "note", message: off });
    // What the backbone sees (the training sources share one shape), known before the
    // producer starts so that a batch the GPU cannot hold is refused first.
    const viewShape = viewInputShape(ir, sources.byName.get(ir.data.train[0]!.source)!.shape);
    const evaluates = ir.evaluate.knn !== null || ir.evaluate.linearProbe !== null || ir.evaluate.onlineLinear !== null;
    const evaluated = evaluates ? [...(evalSource ? [evalSource] : []), ...bankNames.map((n) => sources.byName.get(n)!)] : [];
    await checkDeviceLimits(tf, ir, viewShape, evaluated);
    const threads = opts.augmentThreads === "auto" ? autoAugmentThreads(backend, os.availableParallelism()) : (opts.augmentThreads ?? 1);
    producer = await BatchProducer.create(ir, sources.byName, opts.worker ?? "auto", undefined, threads);
    model = buildTrainModel(tf, ir, viewShape, numClasses);
    const m = model;
    const prod = producer;

    ensureDir(paths.checkpoints);
    const start = resumeOrStart(ir, paths, m, opts, metricsLog, report, backend);
    // Training again: an earlier divergence's record goes (a new one is written if it recurs).
    clearDiverged(paths.dir);
    let { step: startStep, elapsed } = start;
    let lastCheckpoint = start.checkpoint;
    const total = ir.train.steps;

    const signal = opts.signal;
    const evalFeatures = async (): Promise<FeatureSet | null> => (evalSource ? featuresOf(tf, m.backbone, evalSource, ir, signal) : null);
    const bankFeatures = async (): Promise<FeatureSet> => {
      const sets: FeatureSet[] = [];
      for (const n of bankNames) sets.push(await featuresOf(tf, m.backbone, sources.byName.get(n)!, ir, signal));
      return concatFeatures(sets);
    };
    const canEvaluateEncoder = evalSource !== null && bankNames.length > 0;

    let untrained = start.untrained;
    // A signal that came while the data opened is seen here (handlers run between tasks):
    // an abort before the first step skips the baseline; one during it, the steps.
    await yieldToSignals();
    if (
      untrained === null &&
      startStep === 0 &&
      opts.baseline !== false &&
      !opts.signal?.aborted &&
      canEvaluateEncoder &&
      (ir.evaluate.knn || ir.evaluate.linearProbe)
    ) {
      evaluating("evaluating the untrained encoder (kNN, linear probe)", "while the untrained encoder was evaluated");
      try {
        untrained = await evaluateFeatures(tf, ir, await bankFeatures(), (await evalFeatures())!, numClasses ?? undefined, { knn: true, probe: true }, signal);
      } catch (e) {
        // Stopped: the step-0 checkpoint below carries no figures, so a resumed run measures them.
        if (!(e instanceof Interrupted)) throw e;
      }
      await yieldToSignals();
    }

    /** `pending`: the metrics line of step `step - 1`, not logged because its evaluation was stopped. */
    const meta = (step: number, pending: StepMetrics | null): CheckpointMeta => ({
      step,
      totalSteps: total,
      pipeline: ir.name,
      seed: ir.seed,
      sampler: prod.samplerStateAt(step),
      backend,
      created: new Date().toISOString(),
      elapsedSeconds: elapsed,
      extra: { untrained, ...(pending ? { pending } : {}) },
    });
    const checkpoint = async (step: number, pending: StepMetrics | null = null): Promise<string> => {
      const file = saveCheckpoint(paths.checkpoints, meta(step, pending), await modelState(m), opts.checkpointIO);
      pruneCheckpoints(paths.checkpoints, ir.output.keep);
      lastCheckpoint = file;
      report({ kind: "checkpoint", step, file });
      return file;
    };

    report({
      kind: "start",
      pipeline: ir.name,
      backend,
      totalSteps: total,
      startStep,
      resumedFrom: start.resumedFrom,
      worker: prod.usesWorker
        ? `augmentation on ${prod.threads === 1 ? "a worker thread" : `${prod.threads} worker threads`}`
        : `augmentation inline (${prod.inlineReason})`,
      stepsPerEpoch: prod.stepsPerEpoch,
    });

    const onlineIR = ir.evaluate.onlineLinear;
    const knnIR = ir.evaluate.knn;
    const baseLr = ir.train.optimizer.lr;
    // A resumed run goes on from what the metrics before its checkpoint say: the losses
    // the final figure averages, and the latest evaluation.
    const before = start.resumedFrom !== null ? readMetrics(paths.metrics) : [];
    const recent: number[] = before.slice(-FINAL_LOSS_WINDOW).map((l) => l.loss);
    let lastEval: LastEval = {};
    for (const line of before) if (EVAL_KEYS.some((k) => line[k] !== undefined)) lastEval = pick(line, EVAL_KEYS);

    // A step is dispatched, then the previous one is read back (its loss is on its way
    // while this one computes): the device never waits for the host between steps. A
    // step after which something needs the weights (evaluation, checkpoint, the end) is
    // read back at once, so nothing ever sees weights of a step not yet known finite.
    // A step's time: StepClock (input-meter.ts).
    interface InFlight {
      step: number;
      epoch: number;
      lr: number;
      outcome: Promise<StepOutcome>;
      /** When its iteration began, and when its result arrived. */
      started: number;
      settled?: number;
      /** Views in its batch, the time augmenting them took, and the input work opening the iteration. */
      input: { views: number; augmentMs: number; waitMs: number };
    }
    const inputMeter = new InputMeter(prod.threads);
    const clock = new StepClock();
    const finish = async (f: InFlight): Promise<StepMetrics> => {
      const out = await f.outcome;
      if (!Number.isFinite(out.loss)) {
        writeDiverged(paths.dir, { step: f.step, loss: String(out.loss), lr: f.lr, checkpoint: lastCheckpoint });
        throw new TrainingDivergedError(f.step, out.loss, f.lr, lastCheckpoint, ir.sweep !== undefined);
      }
      const t = clock.step(f.started, f.input.waitMs, f.settled ?? performance.now());
      const seconds = t.ms / 1000;
      elapsed += seconds;
      // A process's first two steps are start-up, left out: nothing prepared the first batch
      // ahead, and what the first step starts (shader compilation on a GPU) can spill into
      // the second while the two overlap (seen on webgpu: 59 ms against 485 ms after).
      if (f.step > startStep + 1) {
        inputMeter.record({ step: f.step, views: f.input.views, augmentMs: f.input.augmentMs, waitMs: t.waitMs, intervalMs: t.ms });
        const stall = inputMeter.stall();
        if (stall) report({ kind: "input-bound", ...stall });
      }
      const metrics: StepMetrics = {
        step: f.step,
        epoch: f.epoch,
        loss: out.loss,
        lr: f.lr,
        images_per_s: Math.round((ir.train.batchSize / Math.max(seconds, 1e-9)) * 10) / 10,
      };
      if (out.online && out.online.labelled > 0) {
        metrics.online_train_acc1 = out.online.acc1;
        metrics.online_train_loss = out.online.loss;
      }
      pushLoss(out.loss);
      return metrics;
    };
    const pushLoss = (loss: number): void => {
      recent.push(loss);
      if (recent.length > FINAL_LOSS_WINDOW) recent.shift();
    };
    /**
     * The evaluations due after `done` steps, into its metrics line: the online classifier
     * (val_acc1) and kNN, at their intervals and at the end. Interrupted when aborted.
     */
    const evaluateAt = async (done: number, metrics: StepMetrics): Promise<void> => {
      const wantVal = m.classifier !== null && evalSource !== null && onlineIR !== null && (done % onlineIR.every === 0 || done === total);
      const wantKnn = knnIR !== null && canEvaluateEncoder && ((knnIR.every !== null && done % knnIR.every === 0) || done === total);
      if (!wantVal && !wantKnn) return;
      if (signal?.aborted) {
        // Stopped before it began (Ctrl-C during the step): said, since the stop's message spoke of the step only.
        report({ kind: "note", message: `the evaluation after step ${done} is left to the resumed run (--resume evaluates it first)` });
        throw new Interrupted();
      }
      evaluating(`evaluating at step ${done}`, `in the evaluation after step ${done}`);
      const test = (await evalFeatures())!;
      if (wantVal) Object.assign(metrics, await onlineAccuracy(tf, m.classifier!, test, signal));
      if (wantKnn)
        Object.assign(metrics, await evaluateFeatures(tf, ir, await bankFeatures(), test, numClasses ?? undefined, { knn: true, probe: false }, signal));
      lastEval = pick(metrics, EVAL_KEYS);
    };
    const log = (metrics: StepMetrics): void => {
      metricsLog.append(metrics);
      // Tensors waiting to be read back (a step in flight) are not the model's, nor the
      // losses' constants (built at this process's first step, which a waiting line precedes).
      const numTensors = tf.memory().numTensors - heldForReadBack() - heldAsConstants();
      report({ kind: "step", metrics, totalSteps: total, elapsedSeconds: elapsed, numTensors });
    };

    // The first step runs under a device error scope: a GPU that cannot allocate the
    // step's buffers says so there (as an error, not as garbage numbers).
    let errorScope = deviceErrorScope(tf);
    const closeErrorScope = async (): Promise<void> => {
      const scope = errorScope;
      errorScope = null;
      const message = await scope?.close();
      if (message) {
        throw new RunSetupError(
          `the GPU failed during the first training step: ${message}. The batch may not fit in its memory: ` +
            `lower train.batch_size (now ${ir.train.batchSize}) and scale the learning rate with it`,
        );
      }
    };
    if (start.pending !== null) {
      // The evaluation after the checkpoint's step was stopped: it runs now, as it would have.
      const line = { ...start.pending };
      pushLoss(line.loss);
      try {
        await evaluateAt(startStep, line);
      } catch (e) {
        if (!(e instanceof Interrupted)) throw e;
        return { status: "interrupted", step: startStep, checkpoint: lastCheckpoint! };
      }
      log(line);
    }
    let inFlight: InFlight | null = null;
    let lastDispatched: Promise<unknown> | null = null;
    let next = startStep < total ? prod.prepare(startStep) : null;
    pending = next;
    try {
      for (let step = startStep; step < total; step++) {
        const started = performance.now();
        // Steps are pipelined: the one before may still be computing.
        stage = `around step ${step + 1} of ${total}`;
        if (opts.signal?.aborted) {
          // The step in flight finishes and is logged before its weights are saved.
          if (inFlight) {
            log(await finish(inFlight));
            inFlight = null;
          }
          await next?.catch(() => undefined);
          return { status: "interrupted", step, checkpoint: await checkpoint(step) };
        }
        const batch = await next!;
        let waitMs = performance.now() - started;
        // Whatever of the next batch runs on this thread (reading, drawing the plans, and
        // all of the augmentation when it is inline) keeps training waiting too.
        const prepStart = performance.now();
        next = step + 1 < total ? prod.prepare(step + 1) : null;
        waitMs += performance.now() - prepStart;
        pending = next;
        opts.hooks?.beforeStep?.(step, batch.views);
        const lr = learningRateAt(ir.train.schedule, baseLr, step, total);
        const classifierLr = onlineIR ? learningRateAt(ir.train.schedule, onlineIR.lr, step, total) : 0;
        const current: InFlight = {
          step,
          epoch: batch.epoch,
          lr,
          outcome: trainStep(m, batch, { step, totalSteps: total, lr, classifierLr }),
          started,
          input: { views: batch.shapes.reduce((a, sh) => a + sh[0], 0), augmentMs: batch.augmentMs, waitMs },
        };
        // Nobody awaits it until the previous step is logged: mark its rejection handled.
        current.outcome.then(
          () => {
            current.settled = performance.now();
          },
          () => undefined,
        );
        lastDispatched = current.outcome;
        if (inFlight) log(await finish(inFlight));
        inFlight = current;
        if (errorScope && step > startStep) await closeErrorScope();

        const done = step + 1;
        const wantVal = m.classifier !== null && evalSource !== null && onlineIR !== null && (done % onlineIR.every === 0 || done === total);
        const wantKnn = knnIR !== null && canEvaluateEncoder && ((knnIR.every !== null && done % knnIR.every === 0) || done === total);
        const every = ir.output.checkpointEvery;
        const wantCheckpoint = every !== null && done % every === 0 && done < total;
        if (wantVal || wantKnn || wantCheckpoint || done === total || signal?.aborted) {
          const metrics = await finish(inFlight);
          inFlight = null;
          await closeErrorScope();
          try {
            await evaluateAt(done, metrics);
          } catch (e) {
            if (!(e instanceof Interrupted)) throw e;
            // The step is trained; its line waits in the checkpoint for the evaluation.
            await next?.catch(() => undefined);
            return { status: "interrupted", step: done, checkpoint: await checkpoint(done, metrics) };
          }
          log(metrics);
          if (wantCheckpoint) await checkpoint(done);
        }
        // Let signal handlers (Ctrl-C) and the worker's replies run between steps.
        await yieldToSignals();
      }
    } finally {
      // An error while a step is in flight: let the newest one finish (the older ones
      // were awaited) before tensors are disposed.
      await lastDispatched?.catch(() => undefined);
      await errorScope?.close().catch(() => undefined);
    }
    pending = null;

    let probe: EncoderMetrics = {};
    try {
      if (ir.evaluate.linearProbe && canEvaluateEncoder) {
        evaluating("linear probe of the trained encoder", "in the final linear probe");
        probe = await evaluateFeatures(tf, ir, await bankFeatures(), (await evalFeatures())!, numClasses ?? undefined, { knn: false, probe: true }, signal);
      }
      if (startStep === total && knnIR && canEvaluateEncoder && lastEval.knn_acc1 === undefined) {
        // resumed from a final checkpoint whose metrics lack kNN (a run of an older adainfc)
        evaluating("kNN of the trained encoder", "in the final kNN");
        Object.assign(
          lastEval,
          await evaluateFeatures(tf, ir, await bankFeatures(), (await evalFeatures())!, numClasses ?? undefined, { knn: true, probe: false }, signal),
        );
      }
    } catch (e) {
      if (!(e instanceof Interrupted)) throw e;
      // Training is over: its checkpoint is saved (again when it still carried the line
      // logged since), and a resumed run only evaluates.
      const saved = startStep === total && lastCheckpoint !== null && start.pending === null ? lastCheckpoint : await checkpoint(total);
      return { status: "interrupted", step: total, checkpoint: saved };
    }
    const file = await checkpoint(total);
    const inputSummary = inputMeter.summary();
    const final: FinalMetrics = { loss: recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : NaN, ...lastEval, ...probe };
    const summary: RunSummary = {
      pipeline: ir.name,
      dir: paths.dir,
      backend,
      steps: total,
      seconds: elapsed,
      final,
      untrained,
      sweep: ir.sweep ?? null,
      ...(inputSummary ? { input: inputSummary } : {}),
    };
    writeRunSummary(paths.dir, summary);
    return { status: "done", summary, checkpoint: file };
  } catch (e) {
    throw await asDeviceLoss(tf, e, stage, () => afterDeviceLoss(paths.checkpoints));
  } finally {
    metricsLog.close();
    await pending?.catch(() => undefined);
    await producer?.close();
    model?.dispose();
    sources.close();
  }
}

/** RunOptions the run cannot honour as given are refused (RunOptionsError), with the CLI's limits. */
function checkRunOptions(opts: RunOptions): void {
  if (opts.resume && opts.overwrite) throw new RunOptionsError(resumeOverwriteMessage(""));
  if (opts.augmentThreads !== undefined && opts.augmentThreads !== "auto" && !isThreadCount(opts.augmentThreads, MAX_AUGMENT_THREADS)) {
    throw new RunOptionsError(threadCountMessage("augmentThreads", opts.augmentThreads, MAX_AUGMENT_THREADS, true));
  }
  if (opts.wasmThreads !== undefined && !isThreadCount(opts.wasmThreads, MAX_WASM_THREADS)) {
    throw new RunOptionsError(threadCountMessage("wasmThreads", opts.wasmThreads, MAX_WASM_THREADS));
  }
  if (opts.worker !== undefined && !WORKER_MODES.includes(opts.worker)) {
    throw new RunOptionsError(`worker must be ${WORKER_MODES.map((m) => `'${m}'`).join(" or ")}, not '${String(opts.worker)}'`);
  }
}

async function backendFor(opts: RunOptions): Promise<{ tf: Tf; backend: string }> {
  // done.json and checkpoints name the backend as --backend does (`wasm`), not its description.
  if (opts.tf) return { tf: opts.tf, backend: opts.backend ?? opts.tf.getBackend() };
  const { selectBackend } = await import("../backend/select.js");
  const { defaultWasmThreads } = await import("../backend/wasm-threads.js");
  const sel = await selectBackend(opts.backend, { wasmThreads: opts.wasmThreads ?? defaultWasmThreads() });
  return { tf: sel.tf, backend: sel.name };
}

/**
 * On webgpu, before anything trains: refuses a training batch whose largest activation
 * cannot be bound by one shader (it would fail on the device, or compute garbage),
 * naming the largest batch that fits, and a source to evaluate of which not even one
 * image fits at its own size (evaluation batches to fit otherwise: featuresOf).
 */
async function checkDeviceLimits(tf: Tf, ir: PipelineIR, viewShape: [number, number, number], evaluated: ImageSource[]): Promise<void> {
  const limits = deviceBufferLimits(tf);
  if (limits === null) return;
  const adapter = await probeWebGpu();
  const device = typeof adapter === "string" ? "this GPU" : adapterLine(adapter);
  const fits = largestBatchFor(limits, ir.model.backbone, viewShape);
  if (ir.train.batchSize > fits) {
    const mib = (largestActivationBytes(ir.model.backbone, viewShape) * ir.train.batchSize) / 2 ** 20;
    throw new RunSetupError(
      `train.batch_size = ${ir.train.batchSize} does not fit this GPU: ${ir.model.backbone.name}'s largest activation would be ${mib.toFixed(0)} MiB, ` +
        `over the ${(bindableBytes(limits) / 2 ** 20).toFixed(0)} MiB one shader can bind on ${device}; ` +
        `at most ${fits} images per view fit (adainfc has no gradient accumulation yet: lower train.batch_size and scale the learning rate with it)`,
    );
  }
  for (const source of evaluated) {
    const problem = evaluationFitProblem(limits, ir, source, device);
    if (problem !== null) throw new RunSetupError(problem);
  }
}

/**
 * Why evaluations the pipeline asks for cannot run, or null: kNN and the linear probe need
 * an evaluation source and a labelled real training source, the online probe a class
 * count. (Without the note the final table shows "-" with no reason.)
 */
export function evaluationOff(ir: PipelineIR, hasEval: boolean, labelledBank: boolean, numClasses: number | null): string | null {
  const offline = [ir.evaluate.knn ? "kNN" : null, ir.evaluate.linearProbe ? "the linear probe" : null].filter((x) => x !== null);
  const off: string[] = [];
  if (offline.length > 0 && !hasEval) off.push(`${offline.join(" and ")}: no evaluation source is declared`);
  else if (offline.length > 0 && !labelledBank) off.push(`${offline.join(" and ")}: no real training source of the mixture is labelled`);
  if (ir.evaluate.onlineLinear && numClasses === null) off.push("the online linear probe: no source declares its classes");
  if (off.length === 0) return null;
  return `evaluation off (${off.join("; ")}): a source is labelled when it declares classes (an npz or folder: classes = N; cifar10, cifar100 and mnist do)`;
}

function classCountOf(sources: OpenedSources, names: string[]): number | null {
  let best: number | null = null;
  for (const n of names) {
    const c = sources.byName.get(n)?.classes ?? null;
    if (c !== null) best = Math.max(best ?? 0, c);
  }
  return best;
}

/** [H, W, C] of what the backbone sees: the crop size when the views crop. */
function viewInputShape(ir: PipelineIR, shape: [number, number, number]): [number, number, number] {
  for (const op of ir.augment.views[0]?.ops ?? []) if (op.op === "random_resized_crop") return [op.size, op.size, shape[2]];
  return shape;
}

interface StartPoint {
  step: number;
  elapsed: number;
  checkpoint: string | null;
  resumedFrom: string | null;
  untrained: EncoderMetrics | null;
  /** The metrics line of the step before the checkpoint, whose evaluation was stopped. */
  pending: StepMetrics | null;
}

function resumeOrStart(
  ir: PipelineIR,
  paths: ReturnType<typeof runPaths>,
  m: TrainModel,
  opts: RunOptions,
  metricsLog: MetricsLog,
  report: NonNullable<RunOptions["onProgress"]>,
  backend: string,
): StartPoint {
  if (opts.resume) {
    const latest = loadLatestCheckpoint(paths.checkpoints);
    for (const s of latest?.skipped ?? []) report({ kind: "note", message: `skipping damaged checkpoint ${s.reason}` });
    if (latest) {
      if (fs.existsSync(paths.ir)) {
        const read = readRunIR(paths.ir);
        if (!("ir" in read)) {
          const what = read.problem === "json" ? "cannot be read as JSON" : "is not a valid pipeline IR";
          throw new RunSetupError(`cannot resume ${paths.dir}: its ir.json ${what} (${read.detail}); the run directory is damaged`);
        }
        const diff = trainingDifferences(read.ir, ir);
        if (diff.length > 0) {
          throw new RunSetupError(
            `cannot resume ${paths.dir}: its run used different settings (${diff.slice(0, 5).join(", ")}${diff.length > 5 ? ", ..." : ""}); ` +
              `start over with --overwrite (${OVERWRITE_DELETES}), or set another output.dir`,
          );
        }
      }
      if (latest.header.step > ir.train.steps) {
        throw new RunSetupError(`cannot resume ${paths.dir}: its checkpoint is at step ${latest.header.step}, past train.steps = ${ir.train.steps}`);
      }
      // Another backend computes the same steps to float rounding, not bit for bit: said.
      const [was, now] = [backendNameOf(latest.header.backend), backendNameOf(backend)];
      if (was !== "" && was !== now) {
        report({
          kind: "note",
          message: `resuming a checkpoint written on ${was} with ${now}: the same computation to float rounding, not bit for bit (an uninterrupted run on one backend repeats exactly)`,
        });
      }
      try {
        loadModelState(m, latest.state);
      } catch (e) {
        if (!(e instanceof StateMismatch)) throw e;
        throw new RunSetupError(
          `cannot resume ${paths.dir}: ${latest.file} is a checkpoint of another model (${e.message}); remove it, or start over with --overwrite`,
        );
      }
      const untrained = (latest.header.extra["untrained"] as EncoderMetrics | null | undefined) ?? null;
      const pending = pendingLine(latest.header.extra["pending"], latest.header.step);
      // The waiting line too: a resumed run that logged it may have stopped before its
      // next checkpoint (Ctrl-C in the final probe, a crash); it is logged once evaluated.
      metricsLog.truncateFrom(pending?.step ?? latest.header.step);
      return { step: latest.header.step, elapsed: latest.header.elapsedSeconds, checkpoint: latest.file, resumedFrom: latest.file, untrained, pending };
    }
    report({ kind: "note", message: `no checkpoint in ${paths.checkpoints}: starting from step 0` });
  }
  // A fresh run replaces what an earlier run left here, but only when asked to: a
  // finished run or checkpoints are never deleted silently.
  const finished = fs.existsSync(paths.done);
  const saved = listCheckpoints(paths.checkpoints);
  if ((finished || saved.length > 0) && !opts.overwrite) {
    const what = finished ? "a finished run (done.json)" : `an unfinished run (checkpoint at step ${saved.at(-1)!.step})`;
    throw new RunSetupError(
      `${paths.dir} holds ${what}; nothing was changed. ` +
        `To ${finished ? "keep it, run with --resume (a finished run is then skipped)" : "continue it, run with --resume"}, ` +
        `set another output.dir, or start over with --overwrite (${OVERWRITE_DELETES})`,
    );
  }
  removeCheckpointsAfter(paths.checkpoints, -1);
  fs.rmSync(paths.done, { force: true });
  // `adainfc eval`'s result names a checkpoint of the run being replaced: it goes too.
  if (fs.existsSync(paths.eval)) {
    fs.rmSync(paths.eval, { force: true });
    report({ kind: "note", message: `removed ${paths.eval}: it evaluated a checkpoint of the run that is started over` });
  }
  // ... and so does the report page `adainfc report` left here by default (one it wrote: a page of the user's stays).
  const page = path.join(paths.dir, REPORT_FILE);
  if (isOwnReportPage(page)) {
    fs.rmSync(page, { force: true });
    report({ kind: "note", message: `removed ${page}: it reported the run that is started over` });
  }
  metricsLog.reset();
  writeJsonAtomic(paths.ir, ir);
  return { step: 0, elapsed: 0, checkpoint: null, resumedFrom: null, untrained: null, pending: null };
}

/** A checkpoint's pending metrics line, when it is the line of the step before it. */
function pendingLine(value: unknown, step: number): StepMetrics | null {
  if (typeof value !== "object" || value === null) return null;
  const line = value as StepMetrics;
  return line.step === step - 1 && typeof line.loss === "number" ? line : null;
}

/** What the user can do once the GPU is lost: resume from the newest checkpoint, or start again. */
function afterDeviceLoss(checkpoints: string): string {
  const newest = listCheckpoints(checkpoints).at(-1);
  return newest
    ? `nothing after the newest checkpoint (${newest.path}, step ${newest.step}) is saved: once the GPU works again (nvidia-smi), continue with --resume, or on the CPU with --resume --backend wasm`
    : "no checkpoint was written yet: run again once the GPU works (nvidia-smi), or on the CPU with --backend wasm";
}

/** The backend's name from a checkpoint's `backend` (a name, or a description that starts with it). */
function backendNameOf(backend: string): string {
  return /^[\w-]*/.exec(backend.trim())![0];
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
