import type { Diagnostic } from "../check/diagnostic.js";
import type { PipelineIR, SpanMap } from "../ir/types.js";

// What `adainfc lint` needs from the front end (src/driver.ts): compile a file to IR and
// spans, and format text canonically (for `--fix`). Declared here so the lint command
// can be tested with a stand-in front end, and loaded lazily so `explain` never pays
// for the parser.

export interface CompiledPipeline {
  ir: PipelineIR;
  spans: SpanMap;
}

export interface CompileOutput {
  diagnostics: Diagnostic[];
  pipelines: CompiledPipeline[];
  /** file -> text, for code frames. */
  sources: Map<string, string>;
}

export interface FrontEnd {
  compileFile(path: string, opts?: { cwd?: string; overrides?: string[] }): Promise<CompileOutput>;
  formatText(text: string, file: string): { text: string; diagnostics: Diagnostic[] };
}

export async function loadFrontEnd(): Promise<FrontEnd> {
  const driver: Partial<FrontEnd> = await import("../driver.js");
  if (typeof driver.compileFile !== "function") throw new Error("the front end (src/driver.ts) does not export compileFile");
  // The driver is to re-export the formatter; until it does, take it from its module.
  const formatText = driver.formatText ?? (await import("../syntax/format.js")).formatText;
  return { compileFile: driver.compileFile, formatText };
}
