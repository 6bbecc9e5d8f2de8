// The trainer's public surface (docs/run.md). Importing this loads no tfjs: the backend
// is selected (dynamic import) when a run starts, unless the caller passes `tf`.
export { runPipeline } from "./run-pipeline.js";
export { writeJsonAtomic } from "../../util/atomic-write.js";
export type { RunOptions, RunResult, ProgressEvent } from "./types.js";
export { TrainingDivergedError, RunSetupError, DeviceLostError, InvalidIRError, RunOptionsError } from "./errors.js";
// The run directory's files (src/formats/run-dir.ts) and the sweep's results tables.
export {
  runPaths,
  runDirOf,
  MetricsLog,
  readMetrics,
  readRunIR,
  readRunSummary,
  readSummaries,
  writeRunSummary,
  type RunPaths,
  type StepMetrics,
  type RunSummary,
  type FinalMetrics,
  type EncoderMetrics,
  type RunEvaluation,
} from "../../formats/run-dir.js";
export { summarize, resultsCsv, resultsMarkdown, resultsText, writeResults, RESULT_METRICS, SEED_AXIS } from "../../formats/results.js";
export {
  saveCheckpoint,
  loadCheckpoint,
  loadLatestCheckpoint,
  listCheckpoints,
  pruneCheckpoints,
  checkpointName,
  nodeCheckpointIO,
  type CheckpointIO,
  type CheckpointFile,
  type LatestCheckpoint,
} from "./checkpoint-store.js";
export {
  encodeCheckpoint,
  decodeCheckpoint,
  CheckpointFormatError,
  CHECKPOINT_MAGIC,
  CHECKPOINT_VERSION,
  type CheckpointHeader,
  type CheckpointMeta,
  type FlatState,
} from "./checkpoint-format.js";
export { buildTrainModel, modelState, loadModelState, backboneState, INIT_STREAMS, type TrainModel } from "./model.js";
export { BatchProducer, AUGMENT_STREAM_BASE, type PreparedBatch, type WorkerMode } from "./batches.js";
export { trainStep, type StepOutcome, type StepSettings } from "./step.js";
export { featuresOf, evaluateFeatures, onlineAccuracy, bankSourceNames } from "./evaluation.js";
export { openRunSources, type OpenedSources } from "./sources.js";
export { planCommand, standInPlan, usedSources, type StandInPlan } from "../../ir/stand-in-plan.js";
export { firstImages } from "../data/declared.js";
export { completeNormalization } from "./normalization.js";
export { missingData, missingDataText, untrainable, type MissingData } from "./preflight.js";
export { selectPoints, parseOnly, sweepGroups, sweepTable, writeSweepResults, onlyFlags, OnlyFilterError } from "./sweep-points.js";
export { doneProblem, damagedDoneLine, readDiverged, divergedText } from "../../formats/run-outcome.js";
export { finalTable } from "./final-table.js";
export { trainingDifferences } from "../../ir/training-differences.js";
export { runStart, resumeOverwriteMessage, type RunStart, type RunStartFlags } from "./run-start.js";
export { plainProgress, barProgress, formatDuration, type ProgressView } from "./progress.js";
export { evaluateRunDir } from "./eval-run.js";
