// What runPipeline takes and gives back, and the events it reports while it runs. What
// it leaves on disk (RunSummary = done.json, StepMetrics = metrics.jsonl) is the run
// directory's format, src/formats/run-dir.ts.
import type { BackendName } from "../backend/select.js";
import type { Tf } from "../methods/tf.js";
import type { CheckpointIO } from "./checkpoint-store.js";
import type { RunSummary, StepMetrics } from "../../formats/run-dir.js";
import type { WorkerMode } from "./batches.js";
import type { InputStall } from "./input-meter.js";

export interface RunOptions {
  /** Relative data paths and the output dir are resolved against this. */
  cwd: string;
  /** Force a backend; default: the fastest installed. With `tf`: the name of its backend (for done.json). */
  backend?: BackendName;
  /** Threads of the wasm backend (default: one per core, at most 8; backend/wasm-threads.ts). */
  wasmThreads?: number;
  /** An already selected tfjs (tests, or `run` over several pipelines). */
  tf?: Tf;
  /** Continue from the newest checkpoint in the run directory (if any). */
  resume?: boolean;
  /**
   * Without resume: replace a finished or checkpointed run in the directory. Without
   * it, such a directory is refused (RunSetupError) and left as it is.
   */
  overwrite?: boolean;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Aborting (Ctrl-C) saves a checkpoint at the next step boundary, or stops an evaluation
   * under way at its next batch and saves one (a resumed run repeats that evaluation),
   * and returns "interrupted".
   */
  signal?: AbortSignal;
  /** Augmentation on a worker thread: "auto" (default) when its compiled entry exists. */
  worker?: WorkerMode;
  /**
   * Augmentation threads when a worker is used (default 1); a batch is split across them.
   * "auto": as `adainfc run --augment-threads auto` (autoAugmentThreads: 1 on a CPU
   * backend, the spare cores up to 8 when a GPU trains). With your own `tf`, the backend
   * is `backend`, else `tf.getBackend()`, which tfjs-node-gpu calls "tensorflow" (a CPU
   * name): pass `backend: "tensorflow-gpu"` there.
   */
  augmentThreads?: number | "auto";
  /** Evaluate the untrained encoder too (kNN, probe) for the final table; default true. */
  baseline?: boolean;
  /** Test hooks: change a batch's views before the step (e.g. inject a NaN). */
  hooks?: { beforeStep?: (step: number, views: Float32Array[]) => void };
  /** File operations for checkpoint writes (tests make them fail). */
  checkpointIO?: CheckpointIO;
}

export type ProgressEvent =
  | {
      kind: "start";
      pipeline: string;
      backend: string;
      totalSteps: number;
      startStep: number;
      resumedFrom: string | null;
      worker: string;
      stepsPerEpoch: number;
    }
  /** `evaluation`: an evaluation starts, which an abort stops (the checkpoint then waits for it). */
  | { kind: "phase"; message: string; evaluation?: true }
  | { kind: "step"; metrics: StepMetrics; totalSteps: number; elapsedSeconds: number; numTensors: number }
  | { kind: "checkpoint"; step: number; file: string }
  | { kind: "note"; message: string }
  /** Once a run: a stretch of steps spent STALL_FRACTION or more of its time waiting for augmentation. */
  | ({ kind: "input-bound" } & InputStall);

export type RunResult = { status: "done"; summary: RunSummary; checkpoint: string } | { status: "interrupted"; step: number; checkpoint: string };
