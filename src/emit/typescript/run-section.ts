// The end of every emitted program: command-line flags and `main`, which checks the
// data files, runs the pipeline with a progress printout and prints the final table,
// like `adainfc run` does for one pipeline (a missing data file named so that the
// command to make it works from any folder). The same for every pipeline: no value
// from the source appears here (those are all in the consts above it). What `adainfc
// run` does is the runtime's code, called here too: `runStart` decides whether a
// finished (or diverged) run is skipped or refused and whether a sweep point resumes,
// `parseThreadCount` reads --augment-threads (n or auto, as run), `stopSignals`, `stopLine` and `quitLine`
// handle Ctrl-C and SIGTERM, and a point of a sweep rewrites the sweep's results table over the points
// that have finished with `writeSweepResults` (`sweepPoints`, a const of the program).
import { StructureKind, type FunctionDeclarationStructure, type InterfaceDeclarationStructure } from "ts-morph";

/** Values the run section of a sweep point also uses. */
export const SWEEP_IMPORTS = ["writeSweepResults"] as const;

/** Values the run section uses from the public runtime API (`adainf`). */
export const RUN_IMPORTS = [
  "BackendError",
  "barProgress",
  "DataError",
  "exitCodeFor",
  "finalTable",
  "isBackendName",
  "MAX_AUGMENT_THREADS",
  "noWorkerThreadsMessage",
  "releaseBackends",
  "resumeOverwriteMessage",
  "unknownBackendMessage",
  "missingData",
  "missingDataText",
  "parseThreadCount",
  "plainProgress",
  "quitLine",
  "RunSetupError",
  "runPipeline",
  "runStart",
  "shellQuote",
  "stopSignals",
  "stopLine",
  "evaluatingAfter",
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
    {
      name: "augmentThreads",
      type: 'number | "auto"',
      docs: ["--augment-threads: augmentation worker threads (each batch is split across them);\nauto: 1, or up to 8 spare cores when a GPU trains."],
    },
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
    "augment-threads": { type: "string" },
  },
});`,
    `if (values.backend !== undefined && !isBackendName(values.backend)) {
  throw new Error(unknownBackendMessage(values.backend));
}`,
    `if (values.resume && values.overwrite) throw new Error(resumeOverwriteMessage("--"));`,
    `const threads = values["augment-threads"] ?? "auto";
if (values["no-worker"] && threads !== "auto") throw new Error(noWorkerThreadsMessage(threads));`,
    `return {
  backend: values.backend,
  resume: values.resume,
  overwrite: values.overwrite,
  worker: !values["no-worker"],
  augmentThreads: parseThreadCount("--augment-threads", threads, MAX_AUGMENT_THREADS, true),
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
const missing = missingData(pipeline, projectDir).map((m) =>
  inProject
    ? m
    : {
        ...m,
        message: \`\${m.message} (\${path.resolve(projectDir, m.path)})\`,
        fix: m.fix === null ? null : \`cd \${shellQuote(path.resolve(projectDir))} && \${m.fix}\`,
      },
);
for (const m of missing) process.stderr.write(missingDataText(m));
if (missing.length > 0) return 1;`,
      `// As \`adainfc run\`: a finished run is skipped when it trained with these settings
// (with --resume, and always for a point of a sweep) and refused with others, as is a
// damaged done.json; a sweep point that diverged with these settings is skipped (exit 1);
// a sweep point with checkpoints resumes from the newest.
const start = runStart(pipeline, { cwd: projectDir, resume: flags.resume, overwrite: flags.overwrite });
if (start.kind === "refused") {
  console.error(\`error: \${start.message}\`);
  return 1;
}
if (start.kind !== "train") {
  console.error(start.message);${sweep ? "\n  showSweepResults();" : ""}
  return start.kind === "finished" ? 0 : 1;
}`,
      "",
      `const progress = process.stderr.isTTY
  ? await barProgress(process.stderr)
  : plainProgress((text) => process.stderr.write(text));
// Ctrl-C or SIGTERM: the step (or evaluation) under way stops, a checkpoint is written;
// a second one, of either kind, quits at once, saying what is lost and how to go on (a
// repeat within milliseconds, as GNU timeout sends, is the same request): node as it was
// started, with its own flags (a loader's, under tsx), then this file and its flags.
const again = [
  "node",
  ...process.execArgv,
  path.relative(process.cwd(), process.argv[1]!) || process.argv[1]!,
  ...process.argv.slice(2).filter((a) => a !== "--resume" && a !== "--overwrite"),${sweep ? "" : '\n  "--resume",'}
]
  .map(shellQuote)
  .join(" ");
const runDir = path.resolve(projectDir, pipeline.output.dir);
const controller = new AbortController();
/** An evaluation is under way (the progress events say when one starts; a step ends it). */
let evaluating = false;
const stop = stopSignals(
  (signal) => {
    process.stderr.write(stopLine(signal, evaluating));
    controller.abort();
  },
  (signal) => process.stderr.write(quitLine(signal, { dir: runDir, again }, process.cwd())),
);`,
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
    onProgress: (event) => {
      evaluating = evaluatingAfter(event, evaluating);
      progress.handle(event);
    },
  });
} catch (e) {
  if (e instanceof TrainingDivergedError || e instanceof RunSetupError || e instanceof DataError) {
    console.error(\`error: \${e.message}\`);${sweep ? "\n    if (e instanceof TrainingDivergedError) showSweepResults();" : ""}
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
  stop.dispose();
}`,
      `if (result.status === "interrupted") {
  console.error(\`interrupted at step \${result.step}; checkpoint saved: \${result.checkpoint}\`);
  console.error(\`resume with: \${again}\`);
  return exitCodeFor(stop.stoppedBy ?? "SIGINT");
}
const { summary } = result;
const took = \`\${summary.steps} steps in \${Math.round(summary.seconds)} s on \${summary.backend}\`;
console.log(\`\\n\${pipeline.name}: \${took}; run dir \${pipeline.output.dir}\`);
process.stdout.write(finalTable(summary));${sweep ? "\nshowSweepResults();" : ""}
return 0;`,
    ],
  };
}

/** `showSweepResults`: the sweep's results table, written and printed as `adainfc run` does (writeSweepResults). */
export const SHOW_SWEEP_RESULTS: FunctionDeclarationStructure = {
  kind: StructureKind.Function,
  docs: ["Rewrites and prints the sweep's results table over every point that has finished, as `adainfc run` does."],
  name: "showSweepResults",
  returnType: "void",
  statements: [
    `const results = writeSweepResults(sweepBase, sweepDir, sweepPoints, projectDir);
for (const line of results.lines) console.error(line);
process.stdout.write(results.text);`,
  ],
};
