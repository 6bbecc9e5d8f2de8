// Shared by the typescript-target tests: compile through the CLI, type-check the
// emitted package with its own tsconfig, and evaluate a program's `pipeline` const.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Node, Project, SyntaxKind, type SourceFile } from "ts-morph";
import ts from "typescript";
import { expect } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import { cli, ROOT } from "../helpers.js";

export function tsTempDir(): string {
  return mkdtempSync(join(tmpdir(), "adainf-ts-"));
}

/** `adainfc compile <file> --target ts -o <out>`; fails the test on a non-zero exit. */
export async function emitTs(file: string, out: string, cwd = ROOT, extra: string[] = []): Promise<{ out: string; err: string }> {
  const r = await cli(["compile", file, "--target", "ts", "-o", out, ...extra], cwd);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return r;
}

/**
 * Type errors of the emitted package, checked the way `npx tsc` in it would (the
 * `typescript` this repository pins, the emitted tsconfig.json), except that `adainf`
 * maps to this repository's runtime source (no build needed) and @types come from
 * this repository. Empty when every program type-checks.
 */
export function typeErrors(dir: string, only?: string[]): string[] {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    },
  };
  const overrides: ts.CompilerOptions = {
    paths: { adainf: [join(ROOT, "src/runtime/index.ts")] },
    typeRoots: [join(ROOT, "node_modules/@types")],
    noEmit: true,
  };
  const config = ts.getParsedCommandLineOfConfigFile(join(dir, "tsconfig.json"), overrides, host)!;
  expect(config.errors).toEqual([]);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const errors: string[] = [];
  for (const name of config.fileNames) {
    if (only && !only.some((o) => name.endsWith(`/${o}.ts`))) continue;
    for (const d of ts.getPreEmitDiagnostics(program, program.getSourceFile(name))) {
      const where = d.file && d.start !== undefined ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "";
      errors.push(`${where}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
  }
  return errors;
}

/** A program parsed in memory (for looking at its structure). */
export function parseProgram(text: string): SourceFile {
  return new Project({ useInMemoryFileSystem: true }).createSourceFile("/p.ts", text);
}

/** Names of the top-level consts of a program, in order. */
export function constNames(file: SourceFile): string[] {
  return file.getVariableStatements().flatMap((s) => s.getDeclarations().map((d) => d.getName()));
}

/**
 * Evaluates the program up to its `pipeline` const (imports and the run section cut
 * away) and returns that value: what the program hands to runPipeline.
 */
export async function pipelineValue(text: string): Promise<PipelineIR> {
  const file = parseProgram(text);
  const decl = file.getVariableDeclarationOrThrow("pipeline");
  const statement = decl.getFirstAncestorByKindOrThrow(SyntaxKind.VariableStatement);
  const kept = file.getStatements().filter((s) => !Node.isImportDeclaration(s) && s.getChildIndex() <= statement.getChildIndex());
  const body = kept.map((s) => s.getText()).join("\n") + "\nexport { pipeline };\n";
  const js = ts.transpileModule(body, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const path = join(tsTempDir(), "pipeline.mjs");
  writeFileSync(path, js);
  const mod = (await import(pathToFileURL(path).href)) as { pipeline: PipelineIR };
  return mod.pipeline;
}
