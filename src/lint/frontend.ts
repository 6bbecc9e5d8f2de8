// What `adainfc lint` needs from the front end (src/driver.ts): compile a file to IR and
// spans, and format text canonically (for `--fix`). An interface so the lint command
// can be tested with a stand-in front end; loaded lazily so `explain` never pays
// for the parser.
import type { Diagnostic } from "../check/diagnostic.js";
import type { CompileOutput } from "../driver.js";

export type { CompiledPipeline, CompileOutput } from "../driver.js";

export interface FrontEnd {
  /** `overlay`: text to compile instead of a file on disk (absolute path -> text), for trying a fix. */
  compileFile(path: string, opts?: { cwd?: string; overrides?: string[]; overlay?: Map<string, string> }): Promise<CompileOutput>;
  formatText(text: string, file: string): { text: string; diagnostics: Diagnostic[] };
}

export async function loadFrontEnd(): Promise<FrontEnd> {
  const { compileFile, formatText } = await import("../driver.js");
  return { compileFile, formatText };
}
