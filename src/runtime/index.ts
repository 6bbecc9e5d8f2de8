// The public runtime API: what a program needs to run a pipeline from its IR. The
// TypeScript target (`adainfc compile --target ts`) imports this. Importing it loads no
// tfjs; the backend is loaded when a run starts (or by selectBackend).
//
//   import { runPipeline } from "adainf/runtime";
//   const result = await runPipeline(ir, { cwd: process.cwd() });
export type * from "../ir/types.js";
export { IR_VERSION } from "../ir/types.js";
export {
  selectBackend,
  releaseBackends,
  backendStatuses,
  BACKEND_ORDER,
  isBackendName,
  unknownBackendMessage,
  type BackendName,
  type BackendStatus,
  type SelectedBackend,
  BackendUnavailableError,
} from "./backend/select.js";
export { BackendError, type BackendErrorKind } from "./backend/errors.js";
export { RuntimeProblem, type ProblemKind } from "./errors.js";
export {
  MAX_AUGMENT_THREADS,
  autoAugmentThreads,
  noWorkerThreadsMessage,
  isThreadCount,
  threadCountMessage,
  parseThreadCount,
  ThreadCountError,
} from "./thread-limits.js";
export { stopSignals, stopLine, evaluatingAfter, quitLine, exitCodeFor, REPEAT_MS, type StopSignals } from "./stop-signals.js";
export {
  runPipeline,
  runStart,
  resumeOverwriteMessage,
  evaluateRunDir,
  runPaths,
  readMetrics,
  loadLatestCheckpoint,
  listCheckpoints,
  finalTable,
  plainProgress,
  barProgress,
  missingData,
  missingDataText,
  selectPoints,
  sweepGroups,
  readSummaries,
  writeResults,
  writeSweepResults,
  TrainingDivergedError,
  RunSetupError,
  InvalidIRError,
  RunOptionsError,
  type RunOptions,
  type RunResult,
  type RunStart,
  type RunStartFlags,
  type RunSummary,
  type FinalMetrics,
  type ProgressEvent,
  type StepMetrics,
  type RunEvaluation,
  type ProgressView,
  type MissingData,
} from "./train/index.js";
export { Rng } from "./rng.js";
export { shellQuote } from "../util/shell-quote.js";
export { openSource, InflationSampler, MixtureLoader, mixtureEntries, DataError, type ImageSource } from "./data/index.js";
