// `adainfc eval <run-dir>`: offline linear probe + weighted kNN of the run's newest
// checkpoint (settings from the run's ir.json; defaults when it had none). Prints the
// figures and writes <run-dir>/eval.json. Ctrl-C (or SIGTERM) stops the evaluation at its
// next safe point and leaves eval.json as it was: one line, exit 130 (143).
import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { nonEmptyPath } from "../args.js";
import type { RegisterCommand } from "../command.js";
import { BACKEND_HELP } from "../../runtime/backend/select.js";
import { EXIT_OK, EXIT_USAGE, UserError, type CliContext } from "../context.js";
import type { PipelineIR } from "../../ir/types.js";
import { reportRuntimeFailure } from "./runtime-failure.js";
import { Interrupted } from "../../runtime/abort.js";
import { exitCodeFor, stopSignals } from "../../runtime/stop-signals.js";
import { parseWasmThreads, WASM_THREADS_HELP, wasmThreadsNote } from "../wasm-threads.js";

interface EvalFlags {
  backend?: string;
  json?: boolean;
  wasmThreads?: string;
}

export const register: RegisterCommand = (program: Command, ctx, setExit) => {
  program
    .command("eval")
    .description("offline linear probe and kNN of a run's last checkpoint")
    .argument("<run-dir>", "a run directory (holds ir.json and checkpoints/)")
    .option("--backend <name>", BACKEND_HELP)
    .option("--json", "print the result as JSON")
    .option("--wasm-threads <n|auto>", WASM_THREADS_HELP, "auto")
    .action(async (dir: string, opts: EvalFlags) => {
      setExit(await evalCommand(ctx, dir, opts));
    });
};

export async function evalCommand(ctx: CliContext, dir: string, opts: EvalFlags): Promise<number> {
  const { isBackendName, releaseBackends, selectBackend, unknownBackendMessage } = await import("../../runtime/backend/select.js");
  if (opts.backend !== undefined && !isBackendName(opts.backend)) {
    throw new UserError(unknownBackendMessage(opts.backend), EXIT_USAGE);
  }
  nonEmptyPath(dir, "<run-dir>", "folder");
  const wasmThreads = parseWasmThreads(opts.wasmThreads);
  const train = await import("../../runtime/train/index.js");
  // Before the backend loads (seconds): a path that is no run directory is a one-liner at once.
  const runDir = path.resolve(ctx.cwd, dir);
  if (!fs.existsSync(train.runPaths(runDir).ir)) {
    const what = !fs.existsSync(runDir) ? "no such directory" : !fs.statSync(runDir).isDirectory() ? "not a directory" : "not a run directory (no ir.json)";
    throw new UserError(`${dir}: ${what}; eval takes the output.dir of a run (adainfc run writes it)`);
  }
  const backend = await selectBackend(opts.backend as Parameters<typeof selectBackend>[0], { wasmThreads });
  const unused = wasmThreadsNote(opts.wasmThreads, backend.name);
  if (unused) ctx.err(unused);
  try {
    return await evaluate(ctx, path.resolve(ctx.cwd, dir), opts, backend, train);
  } finally {
    // Like run and backends: the backend (Dawn, for webgpu) is released before the command returns.
    await releaseBackends();
  }
}

async function evaluate(
  ctx: CliContext,
  abs: string,
  opts: EvalFlags,
  backend: Awaited<ReturnType<typeof import("../../runtime/backend/select.js").selectBackend>>,
  train: typeof import("../../runtime/train/index.js"),
): Promise<number> {
  if (!opts.json) ctx.err(`backend: ${backend.description}\n`);
  let result: Awaited<ReturnType<typeof train.evaluateRunDir>>;
  // Ctrl-C or SIGTERM stops the evaluation at its next safe point; eval.json is left as it was.
  const controller = new AbortController();
  const unchanged = fs.existsSync(train.runPaths(abs).eval) ? "eval.json is unchanged" : "no eval.json was written";
  const stop = stopSignals(
    (signal) => {
      ctx.err(`\n${signal === "SIGINT" ? "interrupt" : signal}: stopping the evaluation (${signal === "SIGINT" ? "Ctrl-C" : signal} again to quit at once)\n`);
      controller.abort();
    },
    (signal) => ctx.err(`\n${signal === "SIGINT" ? "interrupted" : `stopped by ${signal}`}: ${unchanged}\n`),
  );
  try {
    result = await train.evaluateRunDir(abs, {
      tf: backend.tf,
      cwd: ctx.cwd,
      signal: controller.signal,
      onPhase: (m) => (opts.json ? undefined : ctx.err(`  ${m}\n`)),
      onNote: (m) => ctx.err(`note: ${m}\n`),
    });
  } catch (e) {
    if (e instanceof Interrupted && stop.stoppedBy) {
      ctx.err(`${stop.stoppedBy === "SIGINT" ? "interrupted" : `stopped by ${stop.stoppedBy}`}: the evaluation did not finish; ${unchanged}\n`);
      return exitCodeFor(stop.stoppedBy);
    }
    return reportRuntimeFailure(ctx, e, train, runOrigin(train, train.runPaths(abs).ir));
  } finally {
    stop.dispose();
  }
  const record = { ...result, evaluated: new Date().toISOString(), backend: backend.name };
  train.writeJsonAtomic(train.runPaths(abs).eval, record);
  if (opts.json) {
    ctx.out(`${JSON.stringify(record)}\n`);
    return EXIT_OK;
  }
  const m = result.metrics;
  const f = (v: number | undefined): string => (v === undefined ? "-" : `${v.toFixed(2)}%`);
  ctx.out(
    [
      `${result.pipeline}: checkpoint at step ${result.step} of ${result.totalSteps} (${path.relative(ctx.cwd, result.checkpoint)})`,
      `  kNN            top-1 ${f(m.knn_acc1)}  top-5 ${f(m.knn_acc5)}`,
      `  linear probe   top-1 ${f(m.probe_acc1)}  (train ${f(m.probe_train_acc1)})`,
      `  on ${result.testImages} test images, ${result.trainImages} training images`,
      `written: ${path.relative(ctx.cwd, train.runPaths(abs).eval)}`,
    ].join("\n") + "\n",
  );
  return EXIT_OK;
}

/** The run's own pipeline (its ir.json, upgraded and validated), for naming the source of a data problem; undefined when it cannot be read. */
function runOrigin(train: typeof import("../../runtime/train/index.js"), irFile: string): { ir: PipelineIR } | undefined {
  const read = train.readRunIR(irFile);
  return "ir" in read ? { ir: read.ir } : undefined;
}
