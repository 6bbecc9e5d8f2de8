// The end of every emitted program: command-line flags and `main`, which checks the
// data files, runs the pipeline with a progress printout and prints the final table,
// like `adainfc run` does for one pipeline (a missing data file named so that the
// command to make it works from any folder). The same for every pipeline: no value
// from the source appears here (those are all in the consts above it). Whether a
// finished run is skipped or refused and whether a sweep point resumes is the runtime's
// `runStart`, the code `adainfc run` decides with. A point of a sweep also rewrites the
// sweep's results table over the points that have finished (`sweepPoints`, a const of
// the program).
import { StructureKind, type FunctionDeclarationStructure, type InterfaceDeclarationStructure } from "ts-morph";

/** Values the run section of a sweep point also uses. */
export const SWEEP_IMPORTS = ["readSummaries", "writeResults"] as const;

/** Values the run section uses from the public runtime API (`adainf`). */
export const RUN_IMPORTS = [
  "BackendError",
  "barProgress",
  "DataError",
  "finalTable",
  "isBackendName",
  "isThreadCount",
  "MAX_AUGMENT_THREADS",
  "releaseBackends",
  "resumeOverwriteMessage",
  "unknownBackendMessage",
  "missingData",
  "missingDataText",
  "plainProgress",
  "RunSetupError",
  "runPipeline",
  "runStart",
  "threadCountMessage",
  "TrainingDivergedError",
] as const;

export const FLAGS_INTERFACE: InterfaceDeclarationStructure = {
  kind: StructureKind.Interface,
  leadingTrivia: "\n",
  docs: ["Command-line flags, as `adainfc run` takes them."],
  name: "Flags",
  properties: [
    { name: "backend", type: "BackendName | undefined", docs: ["--backend: force a TensorFlow.js backend (default: the fastest installed)."] },
    { name: "resume", type: "boolean", docs: ["--resume: continue from the newest checkpoint in the run directory."] },
    { name: "overwrite", type: "boolean", docs: ["--overwrite: start over in a run directory that holds a finished or checkpointed run."] },
    { name: "worker", type: "boolean", docs: ["--no-worker: augment on the training thread instead of a worker thread."] },
    { name: "augmentThreads", type: "number", docs: ["--augment-threads: augmentation worker threads (each batch is split across them)."] },
  ],
};

export const READ_FLAGS: FunctionDeclarationStructure = {
  kind: StructureKind.Function,
  docs: ["Reads the flags; throws (with a message for the user) on unknown or bad ones."],
  name: "readFlags",
  returnType: "Flags",
  statements: [
    `const { values } = parseArgs({
  options: {
    backend: { type: "string" },
    resume: { type: "boolean", default: false },
    overwrite: { type: "boolean", default: false },
    "no-worker": { type: "boolean", default: false },
    "augment-threads": { type: "string", default: "1" },
  },
});`,
    `if (values.backend !== undefined && !isBackendName(values.backend)) {
  throw new Error(unknownBackendMessage(values.backend));
}`,
    `if (values.resume && values.overwrite) throw new Error(resumeOverwriteMessage("--"));`,
    `const augmentThreads = Number(values["augment-threads"]);
if (!isThreadCount(augmentThreads, MAX_AUGMENT_THREADS)) {
  throw new Error(threadCountMessage("--augment-threads", values["augment-threads"], MAX_AUGMENT_THREADS));
}`,
    `return {
  backend: values.backend,
  resume: values.resume,
  overwrite: values.overwrite,
  worker: !values["no-worker"],
  augmentThreads,
};`,
  ],
};

/** `main`; `sweep`: the program is one point of a sweep (see the header). */
export function mainFunction(sweep: boolean): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    docs: ["Runs the pipeline; resolves to its exit code (0 done, 1 error, 2 bad flags, 130/143 on SIGINT/SIGTERM)."],
    name: "main",
    isAsync: true,
    returnType: "Promise<number>",
    statements: [
      `let flags: Flags;
try {
  flags = readFlags();
} catch (e) {
  console.error(\`error: \${e instanceof Error ? e.message : String(e)}\`);
  return 2;
}`,
      `// Every data file must exist before anything heavy loads. Its paths are the project's
// (projectDir): run from another folder, the message also names the file by its absolute
// path, and the command that makes it starts with a cd to the project.
const inProject = path.resolve(projectDir) === process.cwd();
const shellWord = (s: string) => (/^[\\w./:@=+-]+$/.test(s) ? s : "'" + s.replace(/'/g, "'\\\\''") + "'");
const missing = missingData(pipeline, projectDir).map((m) =>
  inProject
    ? m
    : {
        ...m,
        message: \`\${m.message} (\${path.resolve(projectDir, m.path)})\`,
        fix: m.fix === null ? null : \`cd \${shellWord(path.resolve(projectDir))} && \${m.fix}\`,
      },
);
for (const m of missing) process.stderr.write(missingDataText(m));
if (missing.length > 0) return 1;`,
      `// As \`adainfc run\`: a finished run is skipped when it trained with these settings
// (with --resume, and always for a point of a sweep) and refused with others; a sweep
// point with checkpoints resumes from the newest.
const start = runStart(pipeline, { cwd: projectDir, resume: flags.resume, overwrite: flags.overwrite });
if (start.kind === "changed") {
  console.error(\`error: \${start.message}\`);
  return 1;
}
if (start.kind === "finished") {
  console.error(start.message);${sweep ? "\n  writeSweepResults();" : ""}
  return 0;
}`,
      "",
      `const progress = process.stderr.isTTY
  ? await barProgress(process.stderr)
  : plainProgress((text) => process.stderr.write(text));
// Ctrl-C or SIGTERM: the step (or evaluation) under way stops, a checkpoint is written;
// a second one, of either kind, quits at once.
const controller = new AbortController();
let stopSignal = null as "SIGINT" | "SIGTERM" | null;
const onStop = (s: "SIGINT" | "SIGTERM"): void => {
  if (stopSignal !== null) process.exit(s === "SIGTERM" ? 143 : 130);
  stopSignal = s;
  process.stderr.write(\`\\n\${s}: stopping at the end of this step or evaluation to save a checkpoint\\n\`);
  controller.abort();
};
process.on("SIGINT", onStop);
process.on("SIGTERM", onStop);`,
      "",
      `let result: RunResult;
try {
  result = await runPipeline(pipeline, {
    cwd: projectDir,
    backend: flags.backend,
    resume: start.resume,
    overwrite: flags.overwrite,
    worker: flags.worker ? "auto" : "off",
    augmentThreads: flags.augmentThreads,
    signal: controller.signal,
    onProgress: (event) => progress.handle(event),
  });
} catch (e) {
  if (e instanceof TrainingDivergedError || e instanceof RunSetupError || e instanceof DataError) {
    console.error(\`error: \${e.message}\`);
    return 1;
  }
  if (e instanceof BackendError) {
    // A forced backend that is not installed is a bad flag.
    console.error(\`error: \${e.message}\`);
    return e.kind === "usage" ? 2 : 1;
  }
  throw e;
} finally {
  progress.stop();
}`,
      `if (result.status === "interrupted") {
  console.error(\`interrupted at step \${result.step}; checkpoint saved: \${result.checkpoint}\`);
  console.error("resume with --resume");
  return stopSignal === "SIGTERM" ? 143 : 130;
}
const { summary } = result;
const took = \`\${summary.steps} steps in \${Math.round(summary.seconds)} s on \${summary.backend}\`;
console.log(\`\\n\${pipeline.name}: \${took}; run dir \${pipeline.output.dir}\`);
process.stdout.write(finalTable(summary));${sweep ? "\nwriteSweepResults();" : ""}
return 0;`,
    ],
  };
}

/** Rewrites the sweep's results.csv / results.md over the points that have finished. */
export const WRITE_SWEEP_RESULTS: FunctionDeclarationStructure = {
  kind: StructureKind.Function,
  docs: ["Rewrites the sweep's results.csv / results.md over every point that has finished."],
  name: "writeSweepResults",
  returnType: "void",
  statements: [
    `const summaries = readSummaries(sweepPoints.map((dir) => path.resolve(projectDir, dir)));
if (summaries.length === 0) return;
const base = path.resolve(projectDir, sweepDir);
const written = writeResults(base, \`\${sweepBase}: results\`, summaries);
console.log(\`\\n\${sweepBase}: \${summaries.length} of \${sweepPoints.length} points finished\\n\${written.text}\`);`,
  ],
};
