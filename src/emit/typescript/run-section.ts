import { StructureKind, type FunctionDeclarationStructure, type InterfaceDeclarationStructure } from "ts-morph";

// The end of every emitted program: command-line flags and `main`, which checks the
// data files, runs the pipeline with a progress printout and prints the final table,
// like `adainfc run` does for one pipeline. The same for every pipeline: no value
// from the source appears here (those are all in the consts above it).

/** Values the run section uses from the public runtime API (`adainf`). */
export const RUN_IMPORTS = [
  "barProgress",
  "DataError",
  "finalTable",
  "isBackendName",
  "missingData",
  "plainProgress",
  "RunSetupError",
  "runPipeline",
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
    { name: "worker", type: "boolean", docs: ["--no-worker: augment on the training thread instead of a worker thread."] },
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
    "no-worker": { type: "boolean", default: false },
  },
});`,
    `if (values.backend !== undefined && !isBackendName(values.backend)) {
  throw new Error(\`--backend must be tensorflow-gpu, tensorflow, wasm or cpu, not '\${values.backend}'\`);
}`,
    `return { backend: values.backend, resume: values.resume, worker: !values["no-worker"] };`,
  ],
};

export const MAIN: FunctionDeclarationStructure = {
  kind: StructureKind.Function,
  docs: ["Runs the pipeline; resolves to the exit code (0 done, 1 error, 2 bad flags, 130 interrupted)."],
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
    `// Every data file must exist before anything heavy loads.
const missing = missingData(pipeline, projectDir);
for (const m of missing) {
  console.error(\`error: \${m.message}\`);
  if (m.fix !== null) console.error(\`  make it with:\\n    \${m.fix}\`);
}
if (missing.length > 0) return 1;`,
    "",
    `const progress = process.stderr.isTTY
  ? await barProgress(process.stderr)
  : plainProgress((text) => process.stderr.write(text));
// Ctrl-C: the current step finishes and a checkpoint is written (a second Ctrl-C quits at once).
const controller = new AbortController();
process.once("SIGINT", () => controller.abort());`,
    "",
    `let result: RunResult;
try {
  result = await runPipeline(pipeline, {
    cwd: projectDir,
    backend: flags.backend,
    resume: flags.resume,
    worker: flags.worker ? "auto" : "off",
    signal: controller.signal,
    onProgress: (event) => progress.handle(event),
  });
} catch (e) {
  if (e instanceof TrainingDivergedError || e instanceof RunSetupError || e instanceof DataError) {
    console.error(\`error: \${e.message}\`);
    return 1;
  }
  throw e;
} finally {
  progress.stop();
}`,
    `if (result.status === "interrupted") {
  console.error(\`interrupted at step \${result.step}; checkpoint saved: \${result.checkpoint}\`);
  console.error("resume with --resume");
  return 130;
}
const { summary } = result;
const took = \`\${summary.steps} steps in \${Math.round(summary.seconds)} s on \${summary.backend}\`;
console.log(\`\\n\${pipeline.name}: \${took}; run dir \${pipeline.output.dir}\`);
process.stdout.write(finalTable(summary));
return 0;`,
  ],
};
