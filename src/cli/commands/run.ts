// `adainfc run <pipeline>`: compile, then train every pipeline of the file (every point
// of a sweep, one run dir each). How each starts is the runtime's runStart, decided for
// all before the backend loads: finished sweep points (done.json) are skipped and
// interrupted ones resume; one trained with other settings is refused, said up front,
// while the others train (exit 1 at the end); a sweep point whose loss became NaN or
// infinite is recorded (diverged.json) and the others go on, exit 1 at the end; a rerun
// with the same settings skips it, saying so. Ctrl-C saves a checkpoint and exits 130; a second quits at once,
// saying what is lost and how to go on (src/runtime/stop-signals.ts). A missing
// `stand_in = true` generated set is made first (the generate command's code); one made
// by another plan is refused. The trainer and tfjs are imported only once the file
// compiled and its data exists.
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import { collect, type RegisterCommand } from "../command.js";
import { BACKEND_HELP } from "../../runtime/backend/select.js";
import { stopProbes } from "../../runtime/backend/webgpu.js";
import { EXIT_ERRORS, EXIT_OK, EXIT_USAGE, UserError, type CliContext } from "../context.js";
import { compileFileSync } from "../../driver.js";
import { pipelineFile } from "../files.js";
import { renderDiagnostics } from "../../check/render.js";
import type { PipelineIR } from "../../ir/types.js";
import { effectiveTraining, lrText } from "../../ir/train-summary.js";
import { reportRuntimeFailure } from "./runtime-failure.js";
import { shellCommand } from "../../util/shell-quote.js";
import { evaluatingAfter, exitCodeFor, quitLine, stopLine, stopSignals } from "../../runtime/stop-signals.js";
import { GENERATE_PROGRESS, generationInterrupted, generationStop } from "./generate.js";
import { progressFor } from "../progress.js";
import { parseWasmThreads, threadFlag, WASM_THREADS_HELP, wasmThreadsNote } from "../wasm-threads.js";
import { autoAugmentThreads, MAX_AUGMENT_THREADS, noWorkerThreadsMessage } from "../../runtime/thread-limits.js";
import type { MissingData } from "../../runtime/train/preflight.js";
import { planCommand, type StandInPlan } from "../../ir/stand-in-plan.js";
import type { DivergedRecord } from "../../formats/run-outcome.js";

interface RunFlags {
  set: string[];
  backend?: string;
  resume?: boolean;
  overwrite?: boolean;
  only: string[];
  worker: boolean;
  augmentThreads: string;
  wasmThreads: string;
}

export const register: RegisterCommand = (program: Command, ctx, setExit) => {
  program
    .command("run")
    .description("train a pipeline (every point of a sweep) on TensorFlow.js")
    .argument("<pipeline>", ".adainf file")
    .option("--set <key=value>", "override a setting (repeatable), e.g. --set train.steps=500", collect, [])
    .option("--backend <name>", BACKEND_HELP)
    .option("--resume", "continue from the newest checkpoint in the run directory (a finished run with these settings is skipped, with others refused)")
    .option("--overwrite", "start over in a run directory that holds a finished or checkpointed run, every sweep point too (deletes them); not with --resume")
    .option("--only <axis=value>", "run only the sweep points with this value (repeatable)", collect, [])
    .option("--no-worker", "augment on the training thread instead of a worker thread")
    .option(
      "--augment-threads <n|auto>",
      "augmentation worker threads; each batch is split across them (same views). auto: 1, or up to 8 spare cores when a GPU trains; not with --no-worker",
      "auto",
    )
    .option("--wasm-threads <n|auto>", WASM_THREADS_HELP, "auto")
    .action(async (file: string, opts: RunFlags) => {
      setExit(await runCommand(ctx, file, opts));
    });
};

/**
 * Makes each missing `stand_in = true` set once (points of a sweep share one file),
 * saying so, with progress; a failure ends with one `error:` line, Ctrl-C (SIGTERM)
 * with one saying nothing was written (exit 130, 143).
 */
async function makeStandIns(ctx: CliContext, missing: readonly MissingData[]): Promise<number> {
  const plans = new Map<string, StandInPlan>();
  for (const m of missing) if (m.generate && !plans.has(m.path)) plans.set(m.path, m.generate);
  if (plans.size === 0) return EXIT_OK;
  const { makeStandIn, GenerateError } = await import("../../runtime/generate/index.js");
  const { DataError } = await import("../../formats/data-error.js");
  for (const plan of plans.values()) {
    ctx.err(
      `${plan.out} is missing: making the stand-in generated set now (once; later runs reuse the file)\n` +
        `  ${planCommand(plan)}\n  the built-in PCA + Gaussian-mixture generator: a weak stand-in for a diffusion model\n`,
    );
    const bar = await progressFor(ctx, GENERATE_PROGRESS);
    const stop = generationStop();
    try {
      const started = performance.now();
      const r = await makeStandIn(plan, { cwd: ctx.cwd, onProgress: (t, d, n) => bar.update(t, d, n), signal: stop.signal });
      bar.stop();
      ctx.err(
        `  wrote ${plan.out}: ${r.report.count.toLocaleString("en-US")} image${r.report.count === 1 ? "" : "s"} ${r.report.shape.join("x")} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );
    } catch (e) {
      bar.stop();
      const signal = stop.stoppedBy(e);
      if (signal) {
        ctx.err(generationInterrupted(signal, plan.out));
        return exitCodeFor(signal);
      }
      if (e instanceof DataError || e instanceof GenerateError) {
        ctx.err(`error: could not make ${plan.out}: ${e instanceof DataError ? `${e.path}: ${e.what}` : e.message}\n`);
        return EXIT_ERRORS;
      }
      throw e;
    } finally {
      stop.dispose();
    }
  }
  return EXIT_OK;
}

export async function runCommand(ctx: CliContext, file: string, opts: RunFlags): Promise<number> {
  const { isBackendName, missingBackendPackage, unknownBackendMessage } = await import("../../runtime/backend/select.js");
  if (opts.backend !== undefined && !isBackendName(opts.backend)) {
    throw new UserError(unknownBackendMessage(opts.backend), EXIT_USAGE);
  }
  // A forced backend whose package is missing is refused now, not after a stand-in set is made.
  const notInstalled = opts.backend === undefined ? null : missingBackendPackage(opts.backend);
  if (notInstalled) throw new UserError(notInstalled.message, EXIT_USAGE);
  const { resumeOverwriteMessage } = await import("../../runtime/train/run-start.js");
  if (opts.resume && opts.overwrite) throw new UserError(resumeOverwriteMessage("--"), EXIT_USAGE);
  const threadsAsked = threadFlag("--augment-threads", opts.augmentThreads ?? "auto", MAX_AUGMENT_THREADS, true);
  if (opts.worker === false && opts.augmentThreads !== undefined && opts.augmentThreads !== "auto") {
    throw new UserError(noWorkerThreadsMessage(opts.augmentThreads), EXIT_USAGE);
  }
  const wasmThreads = parseWasmThreads(opts.wasmThreads);
  const compiled = compileFileSync(pipelineFile(file, ctx.cwd), { cwd: ctx.cwd, overrides: opts.set });
  if (compiled.diagnostics.length) {
    ctx.err(renderDiagnostics(compiled.diagnostics, (f) => compiled.sources.get(f) ?? null, { color: ctx.color }) + "\n");
  }
  if (compiled.diagnostics.some((d) => d.severity === "error")) return EXIT_ERRORS;
  if (compiled.pipelines.length === 0) throw new UserError(`${file} declares no pipeline to run`);

  const train = await import("../../runtime/train/index.js");
  let irs: PipelineIR[];
  try {
    irs = train.selectPoints(
      compiled.pipelines.map((p) => p.ir),
      opts.only,
    );
  } catch (e) {
    if (e instanceof train.OnlyFilterError) throw new UserError(e.message, EXIT_USAGE);
    throw e;
  }
  // What checks but cannot train (a batch larger than the data): refused at its place.
  const cannotTrain = irs.flatMap((ir) => train.untrainable(ir, compiled.pipelines.find((p) => p.ir === ir)?.spans ?? {}));
  if (cannotTrain.length) {
    ctx.err(renderDiagnostics(cannotTrain, (f) => compiled.sources.get(f) ?? null, { color: ctx.color }) + "\n");
    return EXIT_ERRORS;
  }
  // How each starts (src/runtime/train/run-start.ts, shared with the TypeScript target's
  // programs): a finished run is skipped as done (--resume, or a sweep point; not with
  // --overwrite) only when it was trained with these settings, and a sweep point that
  // diverged with these settings is skipped as diverged; a finished run, or one that
  // would resume, with other settings, and a damaged done.json, are refused: said here,
  // before the backend loads; the others still train, and the command exits 1 at the end.
  const starts = new Map(irs.map((ir) => [ir, train.runStart(ir, { cwd: ctx.cwd, resume: opts.resume, overwrite: opts.overwrite })]));
  const refused = irs.filter((ir) => starts.get(ir)!.kind === "refused");
  for (const ir of refused) ctx.err(`error: ${(starts.get(ir) as { message: string }).message}\n`);
  /** The pipelines that train now: only their data must be there, and without any the backend never loads. */
  const training = irs.filter((ir) => starts.get(ir)!.kind === "train");
  if (refused.length > 0 && training.length === 0) return EXIT_ERRORS;
  const missing = training.flatMap((ir) => train.missingData(ir, ctx.cwd));
  const unmakeable = missing.filter((m) => m.generate === null);
  if (unmakeable.length) {
    const seen = new Set<string>();
    for (const m of unmakeable) {
      if (seen.has(m.path)) continue;
      seen.add(m.path);
      ctx.err(train.missingDataText(m));
    }
    return EXIT_ERRORS;
  }
  const made = await makeStandIns(ctx, missing);
  if (made !== EXIT_OK) return made;
  // A file is made once, by the first plan: a pipeline of the file that plans it otherwise
  // is refused now, as a file made earlier by another plan is (missingData).
  const otherPlan = missing.length > 0 ? training.flatMap((ir) => train.missingData(ir, ctx.cwd)) : [];
  for (const m of otherPlan) ctx.err(train.missingDataText(m));
  if (otherPlan.length > 0) return EXIT_ERRORS;

  // Ctrl-C (SIGINT) and a scheduler's or `kill`'s SIGTERM alike. While the backend
  // loads (seconds for Dawn or a large wasm module) nothing exists to save: exit at once,
  // before any run folder is made. Once training starts, the first saves a checkpoint at
  // the end of the step and stops; a second quits at once (src/runtime/stop-signals.ts).
  const controller = new AbortController();
  let loading = true;
  /** The run being trained, for the line a second signal leaves. */
  let current: PipelineIR | null = null;
  /** The command that goes on with `ir`'s run (or, in a sweep, with the sweep). */
  const again = (ir: PipelineIR): string =>
    shellCommand([
      "adainfc",
      "run",
      file,
      ...opts.set.flatMap((s) => ["--set", s]),
      ...(ir.sweep ? [] : ["--resume"]),
      ...opts.only.flatMap((o) => ["--only", o]),
      ...(opts.backend ? ["--backend", opts.backend] : []),
    ]);
  /** An evaluation is under way (the runtime's phase events say when one starts; a step ends it). */
  let evaluating = false;
  const stop = stopSignals(
    (signal) => {
      if (loading) {
        const who = signal === "SIGINT" ? "interrupted" : `stopped by ${signal}`;
        ctx.err(`\n${who} while the backend was loading: nothing was trained and no run folder was written\n`);
        stopProbes();
        process.exit(exitCodeFor(signal));
      }
      ctx.err(stopLine(signal, evaluating));
      // A second signal may end the process at once: the terminal gets its cursor back now.
      if (process.stderr.isTTY) process.stderr.write("\x1b[?25h");
      controller.abort();
    },
    (signal) => ctx.err(quitLine(signal, current && { dir: current.output.dir, again: again(current) }, ctx.cwd)),
  );
  const { releaseBackends, selectBackend } = await import("../../runtime/backend/select.js");
  try {
    // The backend loads only when something trains: a run that is finished (or a sweep
    // whose points all are) is said to be so at once.
    let backend: Awaited<ReturnType<typeof selectBackend>> | null = null;
    let threads = 1;
    if (training.length > 0) {
      backend = await selectBackend(opts.backend as Parameters<typeof selectBackend>[0], { wasmThreads });
      ctx.err(`backend: ${backend.description}\n`);
      const unused = wasmThreadsNote(opts.wasmThreads, backend.name);
      if (unused) ctx.err(unused);
      threads = threadsAsked === "auto" ? autoAugmentThreads(backend.name, os.availableParallelism()) : threadsAsked;
      const { augmentKernelsInfo } = await import("../../runtime/augment/wasm.js");
      const kernels = augmentKernelsInfo();
      ctx.err(
        `augmentation: ${kernels.kernels === "wasm" ? "WebAssembly SIMD kernels" : `TypeScript kernels (${kernels.reason ?? "WebAssembly unavailable"}; same views, slower)`}\n`,
      );
    }
    loading = false;
    /** Sweep points whose loss became NaN or infinite (now, or in an earlier run with these settings): the others still train; exit 1 at the end. */
    const diverged: Array<{ name: string; record: DivergedRecord }> = [];
    for (const ir of irs) {
      const start = starts.get(ir)!;
      if (start.kind === "refused") continue; // said above
      if (start.kind !== "train") {
        // Finished or diverged: skipped, said so.
        ctx.err(`${start.message}\n`);
        if (start.kind === "diverged") diverged.push({ name: ir.name, record: start.record });
        continue;
      }
      if (backend === null) continue; // cannot be: this pipeline trains
      if (ir.train.devices > 1) {
        ctx.err(
          `${ir.name}: train.devices = ${ir.train.devices}: this run trains the whole ${ir.train.batchSize}-image batch on one device (not ${ir.train.devices} x ${ir.train.batchPerDevice}), at ${lrText(effectiveTraining(ir))}\n`,
        );
      }
      current = ir;
      const view = process.stderr.isTTY ? await train.barProgress(process.stderr) : train.plainProgress((t) => ctx.err(t));
      let result: Awaited<ReturnType<typeof train.runPipeline>>;
      try {
        result = await train.runPipeline(ir, {
          cwd: ctx.cwd,
          tf: backend.tf,
          backend: backend.name,
          resume: start.resume,
          overwrite: Boolean(opts.overwrite),
          signal: controller.signal,
          worker: opts.worker ? "auto" : "off",
          augmentThreads: threads,
          onProgress: (e) => {
            evaluating = evaluatingAfter(e, evaluating);
            view.handle(e);
          },
        });
      } catch (e) {
        view.stop();
        if (ir.sweep && e instanceof train.TrainingDivergedError) {
          ctx.err(`error: ${ir.name}: ${e.message}\n  the other points go on; this one: ${train.onlyFlags(ir)}\n`);
          const record = train.readDiverged(path.resolve(ctx.cwd, ir.output.dir));
          diverged.push({ name: ir.name, record: record ?? { step: e.step, loss: String(e.loss), lr: e.lr, checkpoint: e.lastCheckpoint, at: "" } });
          // Nothing of this point is under way any more (a second Ctrl-C says so).
          current = null;
          continue;
        }
        return reportRuntimeFailure(ctx, e, train, { ir, spans: compiled.pipelines.find((p) => p.ir === ir)?.spans ?? {} });
      }
      view.stop();
      current = null;
      if (result.status === "interrupted") {
        ctx.err(`interrupted at step ${result.step}; checkpoint saved: ${path.relative(ctx.cwd, result.checkpoint)}\nresume with: ${again(ir)}\n`);
        return exitCodeFor(stop.stoppedBy ?? "SIGINT");
      }
      ctx.out(
        `\n${ir.name}: ${result.summary.steps} step${result.summary.steps === 1 ? "" : "s"} in ${train.formatDuration(result.summary.seconds)} on ${backend.name}; run dir ${ir.output.dir}\n`,
      );
      ctx.out(train.finalTable(result.summary));
    }
    for (const [base, g] of train.sweepGroups(compiled.pipelines.map((p) => p.ir))) {
      const results = train.writeSweepResults(base, g.baseDir, g.pointDirs, ctx.cwd);
      for (const line of results.lines) ctx.err(`${line}\n`);
      ctx.out(results.text);
    }
    if (refused.length) ctx.err(`error: not trained (refused above): ${refused.map((ir) => ir.name).join(", ")}\n`);
    if (diverged.length) {
      const which = diverged.map((d) => `${d.name} ${train.divergedText(d.record)}`).join(", ");
      ctx.err(`error: ${diverged.length} sweep point${diverged.length === 1 ? "" : "s"} did not finish: ${which}\n`);
    }
    return refused.length || diverged.length ? EXIT_ERRORS : EXIT_OK;
  } finally {
    stop.dispose();
    await releaseBackends();
  }
}
