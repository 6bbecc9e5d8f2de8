// `adainfc eval <run-dir>`: the offline linear probe and kNN of a run's newest
// checkpoint, from the IR the run recorded (ir.json). Only the encoder is rebuilt; a
// checkpoint of another model, or data changed since the run, is one line (RunSetupError).
// An abort (Ctrl-C) stops it at the next safe point with Interrupted; nothing is written here.
import fs from "node:fs";
import type { PipelineIR } from "../../ir/types.js";
import { EVALUATORS } from "../../ir/builtins.js";
import { defaultNode } from "../../ir/define.js";
import type { Tf } from "../methods/tf.js";
import { buildBackbone } from "../models/build.js";
import { Rng } from "../rng.js";
import { listCheckpoints, loadLatestCheckpoint } from "./checkpoint-store.js";
import { asDeviceLoss, RunSetupError } from "./errors.js";
import { StateMismatch } from "../errors.js";
import { bankSourceNames, concatFeatures, evaluateFeatures, featuresOf } from "./evaluation.js";
import { backboneState, INIT_STREAMS } from "./model.js";
import { readRunIR, runPaths, type RunEvaluation } from "../../formats/run-dir.js";
import { openRunSources } from "./sources.js";

export interface EvaluateRunOptions {
  tf: Tf;
  cwd: string;
  onPhase?: (message: string) => void;
  /** What the user must be told even in --json mode (a damaged checkpoint skipped). */
  onNote?: (message: string) => void;
  /** Stops feature extraction, kNN or the probe at its next safe point: the promise rejects with Interrupted (runtime/abort.ts). */
  signal?: AbortSignal;
}

/** The run's recorded IR, checked against the IR's schema (a damaged file is the user's to fix). */
function runIR(file: string): PipelineIR {
  const r = readRunIR(file);
  if ("ir" in r) return r.ir;
  throw new RunSetupError(
    r.problem === "json"
      ? `${file} cannot be read as JSON (${r.detail}); the run directory is damaged`
      : `${file} is not a valid pipeline IR (${r.detail}); the run directory is damaged`,
  );
}

const labelled = (labels: Int32Array): number => labels.reduce((n, l) => (l >= 0 ? n + 1 : n), 0);

export async function evaluateRunDir(dir: string, opts: EvaluateRunOptions): Promise<RunEvaluation> {
  const paths = runPaths(dir);
  if (!fs.existsSync(paths.ir)) throw new RunSetupError(`${dir} is not a run directory (no ir.json)`);
  const ir = runIR(paths.ir);
  const latest = loadLatestCheckpoint(paths.checkpoints);
  // As `run --resume` does: a damaged checkpoint is skipped, and the user is told.
  for (const s of latest?.skipped ?? []) opts.onNote?.(`skipping damaged checkpoint ${s.reason}`);
  if (!latest) {
    const files = listCheckpoints(paths.checkpoints).length;
    throw new RunSetupError(
      files > 0
        ? `${dir} has no checkpoint to evaluate: all ${files} in checkpoints/ are damaged`
        : `${dir} has no checkpoint to evaluate (checkpoints/ is empty)`,
    );
  }
  if (ir.data.eval === null) throw new RunSetupError(`${ir.name} declares no evaluation source`);
  // Probe and kNN settings: the run's own, or the language defaults when it had none.
  const evaluated: PipelineIR = {
    ...ir,
    evaluate: {
      ...ir.evaluate,
      knn: ir.evaluate.knn ?? defaultNode(EVALUATORS.knn),
      linearProbe: ir.evaluate.linearProbe ?? defaultNode(EVALUATORS.linear_probe),
    },
  };
  opts.onPhase?.("opening data");
  const sources = await openRunSources(ir, opts.cwd, undefined, "eval");
  const tf = opts.tf;
  try {
    const evalSource = sources.byName.get(ir.data.eval)!;
    const bank = bankSourceNames(ir, sources.byName);
    if (bank.length === 0) throw new RunSetupError(`${ir.name} has no real, labelled training source for kNN and the probe`);
    const shape = evalSource.shape;
    const backbone = buildBackbone(tf, ir.model.backbone, shape, new Rng(ir.seed, INIT_STREAMS.backbone));
    try {
      try {
        backbone.setState(backboneState(latest.state));
      } catch (e) {
        if (!(e instanceof StateMismatch)) throw e;
        throw new RunSetupError(
          `${latest.file} does not belong to this run: its encoder is not the one ${paths.ir} describes (${e.message}); ` +
            "put the run's own checkpoints in checkpoints/, or evaluate the run that wrote this one",
        );
      }
      opts.onPhase?.(`features of ${bank.join(", ")} and ${ir.data.eval}`);
      const train = concatFeatures(await Promise.all(bank.map((n) => featuresOf(tf, backbone, sources.byName.get(n)!, ir, opts.signal))));
      const test = await featuresOf(tf, backbone, evalSource, ir, opts.signal);
      const classes = [evalSource.classes, ...bank.map((n) => sources.byName.get(n)!.classes)].filter((c): c is number => c !== null);
      opts.onPhase?.("kNN and linear probe");
      const metrics = await evaluateFeatures(
        tf,
        evaluated,
        train,
        test,
        classes.length ? Math.max(...classes) : undefined,
        { knn: true, probe: true },
        opts.signal,
      );
      return {
        pipeline: ir.name,
        checkpoint: latest.file,
        step: latest.header.step,
        totalSteps: latest.header.totalSteps,
        metrics,
        // The images scored: an unlabelled one (-1) is in neither the bank nor the test set.
        trainImages: labelled(train.labels),
        testImages: labelled(test.labels),
      };
    } finally {
      backbone.dispose();
    }
  } catch (e) {
    throw await asDeviceLoss(
      tf,
      e,
      "while the checkpoint was evaluated",
      () => "nothing was written: evaluate again once the GPU works (nvidia-smi), or on the CPU with --backend wasm",
    );
  } finally {
    sources.close();
  }
}
