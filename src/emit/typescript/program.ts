// One pipeline -> the text of a standalone TypeScript program, built with ts-morph:
// imports, one typed const per step of the pipeline (steps.ts), then the run section
// (run-section.ts) that hands the assembled PipelineIR to the runtime's runPipeline.
import {
  IndentationText,
  Project,
  QuoteKind,
  StructureKind,
  VariableDeclarationKind,
  type ImportDeclaration,
  type SourceFile,
  type StatementStructures,
  type VariableStatementStructure,
} from "ts-morph";
import path from "node:path";
import type { PipelineIR } from "../../ir/types.js";
import { commentText, stringLiteral } from "./literal.js";
import { NameTable } from "./names.js";
import { FLAGS_INTERFACE, mainFunction, READ_FLAGS, RUN_IMPORTS, SWEEP_IMPORTS, SHOW_SWEEP_RESULTS } from "./run-section.js";
import { pipelineSteps, STEP_TYPES, type ConstStep } from "./steps.js";
import { renderValue } from "./value.js";

export interface ProgramOptions {
  /** The program's file name without extension (for the usage line). */
  fileName: string;
  /** The folder `adainfc compile` ran in, relative to the output folder ("" = the same). */
  projectDir: string;
  /** The command line that produced it, for the header. */
  command: string;
  /** For a point of a sweep: the run dirs of every point of that sweep in this compile. */
  sweepPoints?: string[];
}

/** The type names a program's consts use, imported from `adainf` with `import type`. */
function typeNames(steps: ConstStep[]): string[] {
  const names = new Set(steps.map((s) => s.type.replace(/\[\]$/, "")));
  return [...names].sort();
}

/**
 * One in-memory ts-morph project for every program of a compile: making a project (and
 * the language service the formatter uses) costs far more than one program's text.
 */
let shared: Project | null = null;
function scratchProject(): Project {
  shared ??= new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
  });
  return shared;
}

export function emitProgram(ir: PipelineIR, opts: ProgramOptions): string {
  const names = new NameTable();
  names.reserve(RUN_IMPORTS);
  names.reserve(SWEEP_IMPORTS);
  names.reserve(["BackendName", "RunResult", "Flags", "sweepPoints", "sweepDir", "sweepBase", "showSweepResults", ...STEP_TYPES]);
  const steps = pipelineSteps(ir, names);

  const project = scratchProject();
  const file = project.createSourceFile(`/${opts.fileName}.ts`, "", { overwrite: true });
  try {
    return build(file, ir, opts, steps);
  } finally {
    project.removeSourceFile(file);
  }
}

function build(file: SourceFile, ir: PipelineIR, opts: ProgramOptions, steps: ConstStep[]): string {
  const sweep = ir.sweep !== undefined;
  file.addImportDeclarations([
    { moduleSpecifier: "node:path", defaultImport: "path" },
    { moduleSpecifier: "node:url", namedImports: ["fileURLToPath"] },
    { moduleSpecifier: "node:util", namedImports: ["parseArgs"] },
    { moduleSpecifier: "adainf", namedImports: [...RUN_IMPORTS, ...(sweep ? SWEEP_IMPORTS : [])].sort() },
    { moduleSpecifier: "adainf", isTypeOnly: true, namedImports: [...new Set([...typeNames(steps), "BackendName", "RunResult"])].sort() },
  ]);
  for (const decl of file.getImportDeclarations()) wrapImport(decl);
  // One insertion for all the rest: each ts-morph manipulation re-parses the file.
  file.addStatements([...steps.map(stepStatement), ...runSection(ir, opts)]);
  // Let TypeScript's own formatter settle the indentation of the nested literals.
  file.formatText({ indentSize: 2, tabSize: 2, convertTabsToSpaces: true });
  // Section comments bring their own blank line; keep at most one between statements.
  // (No literal can hold a raw line break: literal.ts escapes them, so this touches layout only.)
  return (header(ir, opts) + "\n" + file.getFullText()).replace(/\n{3,}/g, "\n\n");
}

function header(ir: PipelineIR, opts: ProgramOptions): string {
  const lines = [
    `${ir.name}: a pipeline compiled to a standalone program by`,
    `  ${opts.command}`,
    `from ${ir.file}.`,
    "",
    "It reads top to bottom as the pipeline's steps: 1. data sources, 2. the inflation mixture,",
    "3. the augmentation views, 4. the model, 5. the optimiser and schedule, 6. evaluation,",
    "7. output; then it runs them with adainf's runtime. Every value is written out (presets",
    "expanded, defaults filled in, epochs converted to steps): edit any of them and run again.",
    "",
    "  npm install && npm start",
    `  npx tsc && node ${opts.fileName}.js [flags]`,
    "",
    "Flags: --backend tensorflow-gpu|webgpu|tensorflow|wasm|cpu, --resume, --overwrite, --no-worker, --augment-threads N|auto",
    "(as `adainfc run`).",
  ];
  return lines.flatMap((l) => (l === "" ? ["//"] : commentLines(l))).join("\n") + "\n";
}

/** A long import list goes one name per line, as a formatter would put it. */
function wrapImport(decl: ImportDeclaration): void {
  const text = decl.getText();
  if (text.length <= WIDTH) return;
  const names = decl.getNamedImports().map((n) => n.getText());
  const kind = decl.isTypeOnly() ? "import type" : "import";
  decl.replaceWithText(`${kind} {\n${names.map((n) => `  ${n},`).join("\n")}\n} from ${decl.getModuleSpecifier().getText()};`);
}

function stepStatement(step: ConstStep): VariableStatementStructure {
  const trivia: string[] = [""];
  if (step.section) trivia.push(sectionLine(step.section), "");
  for (const c of step.comment) trivia.push(...commentLines(c));
  const lead = `const ${step.name}: ${step.type} = `.length;
  return {
    kind: StructureKind.VariableStatement,
    leadingTrivia: trivia.join("\n") + "\n",
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: step.name, type: step.type, initializer: renderValue(step.value, 0, lead) }],
  };
}

const WIDTH = 100;

/** `// ---- 1. Data sources -----...`: a heading a reader can scan for. */
const sectionLine = (title: string): string => {
  const head = `// ---- ${commentText(title)} `;
  return head + "-".repeat(Math.max(4, WIDTH - head.length));
};

/**
 * Comment text made safe, then wrapped at spaces into `//` lines of about WIDTH
 * characters; leading spaces (an indented command) are kept.
 */
function commentLines(text: string): string[] {
  const safe = commentText(text);
  const indent = /^ */.exec(safe)![0];
  const lines: string[] = [];
  let line = "";
  for (const word of safe.slice(indent.length).split(" ")) {
    if (line && indent.length + line.length + 1 + word.length > WIDTH - 3) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((l) => `// ${indent}${l}`);
}

function runSection(ir: PipelineIR, opts: ProgramOptions): (string | StatementStructures)[] {
  const projectDir: VariableStatementStructure = {
    kind: StructureKind.VariableStatement,
    leadingTrivia: [
      "",
      sectionLine("Run"),
      "",
      "// Relative paths above (data files, output.dir) are resolved against this folder: the one",
      "// `adainfc compile` ran in, as seen from this file. Change it if you move the program.",
      "",
    ].join("\n"),
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name: "projectDir", initializer: `path.resolve(path.dirname(fileURLToPath(import.meta.url)), ${stringLiteral(opts.projectDir || ".")})` }],
  };
  if (!ir.sweep) return [projectDir, FLAGS_INTERFACE, READ_FLAGS, mainFunction(false), "process.exitCode = await main().finally(releaseBackends);"];
  const points = opts.sweepPoints ?? [ir.output.dir];
  const constant = (name: string, type: string, initializer: string, comment: string[] = []): VariableStatementStructure => ({
    kind: StructureKind.VariableStatement,
    leadingTrivia: comment.length ? ["", ...comment].join("\n") + "\n" : undefined,
    declarationKind: VariableDeclarationKind.Const,
    declarations: [{ name, type, initializer }],
  });
  const sweepConsts = [
    constant("sweepBase", "string", stringLiteral(ir.sweep.base), [
      `// This program is one point of the sweep '${commentText(ir.sweep.base)}'. Its results table (results.csv,`,
      "// results.md in sweepDir) is rewritten over every point below that has finished.",
    ]),
    constant("sweepDir", "string", stringLiteral(path.posix.dirname(ir.output.dir))),
    constant("sweepPoints", "readonly string[]", `[\n${points.map((d) => `  ${stringLiteral(d)},`).join("\n")}\n]`),
  ];
  return [
    projectDir,
    ...sweepConsts,
    FLAGS_INTERFACE,
    READ_FLAGS,
    SHOW_SWEEP_RESULTS,
    mainFunction(true),
    "process.exitCode = await main().finally(releaseBackends);",
  ];
}
