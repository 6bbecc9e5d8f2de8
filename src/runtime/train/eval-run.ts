// `adainfc eval <run-dir>`: the offline linear probe and kNN of a run's newest
// checkpoint, from the IR the run recorded (ir.json). Only the encoder is rebuilt.
import fs from "node:fs";
import type { PipelineIR } from "../../ir/types.js";
import type { Tf } from "../methods/tf.js";
import { buildBackbone } from "../models/build.js";
import { Rng } from "../rng.js";
import { loadLatestCheckpoint } from "./checkpoint-store.js";
import { RunSetupError } from "./errors.js";
import { bankSourceNames, concatFeatures, evaluateFeatures, featuresOf, type EncoderMetrics } from "./evaluation.js";
import { backboneState, INIT_STREAMS } from "./model.js";
import { runPaths } from "./run-dir.js";
import { openRunSources } from "./sources.js";

export interface RunEvaluation {
  pipeline: string;
  checkpoint: string;
  step: number;
  totalSteps: number;
  metrics: EncoderMetrics;
  /** Images in the kNN bank / probe training set, and in the test set. */
  trainImages: number;
  testImages: number;
}

export interface EvaluateRunOptions {
  tf: Tf;
  cwd: string;
  onPhase?: (message: string) => void;
}

export async function evaluateRunDir(dir: string, opts: EvaluateRunOptions): Promise<RunEvaluation> {
  const paths = runPaths(dir);
  if (!fs.existsSync(paths.ir)) throw new RunSetupError(`${dir} is not a run directory (no ir.json)`);
  const ir = JSON.parse(fs.readFileSync(paths.ir, "utf8")) as PipelineIR;
  const latest = loadLatestCheckpoint(paths.checkpoints);
  if (!latest) throw new RunSetupError(`${dir} has no checkpoint to evaluate (checkpoints/ is empty)`);
  if (ir.data.eval === null) throw new RunSetupError(`${ir.name} declares no evaluation source`);
  // Probe and kNN settings: the run's own, or the language defaults when it had none.
  const evaluated: PipelineIR = {
    ...ir,
    evaluate: {
      ...ir.evaluate,
      knn: ir.evaluate.knn ?? { k: 200, temperature: 0.1, distance: "cosine", every: null },
      linearProbe: ir.evaluate.linearProbe ?? { epochs: 100, lr: 0.1, batchSize: 256 },
    },
  };
  opts.onPhase?.("opening data");
  const sources = await openRunSources(ir, opts.cwd);
  const tf = opts.tf;
  try {
    const evalSource = sources.byName.get(ir.data.eval)!;
    const bank = bankSourceNames(ir, sources.byName);
    if (bank.length === 0) throw new RunSetupError(`${ir.name} has no real, labelled training source for kNN and the probe`);
    const shape = evalSource.shape;
    const backbone = buildBackbone(tf, ir.model.backbone, shape, new Rng(ir.seed, INIT_STREAMS.backbone));
    try {
      backbone.setState(backboneState(latest.state));
      opts.onPhase?.(`features of ${bank.join(", ")} and ${ir.data.eval}`);
      const train = concatFeatures(await Promise.all(bank.map((n) => featuresOf(tf, backbone, sources.byName.get(n)!, ir))));
      const test = await featuresOf(tf, backbone, evalSource, ir);
      const classes = [evalSource.classes, ...bank.map((n) => sources.byName.get(n)!.classes)].filter((c): c is number => c !== null);
      opts.onPhase?.("kNN and linear probe");
      const metrics = await evaluateFeatures(tf, evaluated, train, test, classes.length ? Math.max(...classes) : undefined, { knn: true, probe: true });
      return {
        pipeline: ir.name,
        checkpoint: latest.file,
        step: latest.header.step,
        totalSteps: latest.header.totalSteps,
        metrics,
        trainImages: train.labels.length,
        testImages: test.labels.length,
      };
    } finally {
      backbone.dispose();
    }
  } finally {
    sources.close();
  }
}
