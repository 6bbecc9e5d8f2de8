// Names the emitted program introduces: const names for data sources (from the names
// the user gave them) and a file name per pipeline. Source names are identifiers in
// the language, but they may still be JavaScript reserved words (`eval`, `package`) or
// clash after conversion, so every name is checked against what is already taken.
import type { PipelineIR } from "../../ir/types.js";

/** Const names the program always declares (and so a source may not take). */
export const FIXED_NAMES = [
  "path",
  "fileURLToPath",
  "parseArgs",
  "data",
  "mixture",
  "augment",
  "model",
  "backbone",
  "method",
  "optimizer",
  "schedule",
  "train",
  "evaluate",
  "output",
  "lint",
  "pipeline",
  "projectDir",
  "main",
  "readFlags",
] as const;

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
    "implements interface package private protected public await async of eval arguments undefined NaN Infinity"
  ).split(" "),
);

/** Hands out unique, valid identifiers. */
export class NameTable {
  private readonly taken = new Set<string>([...FIXED_NAMES, ...RESERVED]);

  /** The import names of the program are taken too (passed by the program builder). */
  reserve(names: Iterable<string>): void {
    for (const n of names) this.taken.add(n);
  }

  /** `real` -> `real`, `generated_hq` -> `generatedHq`; `eval` -> `evalSource`. */
  fresh(wanted: string, suffix: string): string {
    const camel = wanted
      .replace(/[^A-Za-z0-9_$]+/g, "_")
      .replace(/_+([A-Za-z0-9])/g, (_, c: string) => c.toUpperCase())
      .replace(/_+$/, "");
    let base = /^[A-Za-z_$]/.test(camel) ? camel : `s${camel}`;
    if (this.taken.has(base)) base = `${base}${suffix}`;
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}${i}`;
    this.taken.add(name);
    return name;
  }
}

/**
 * The program's file name without extension: the pipeline name, and for a sweep point
 * the base name and its coordinates (`story.inflation-none.seed-0`). Only characters
 * that are safe in a file name and in an npm script line survive.
 */
export function programFileName(ir: PipelineIR): string {
  const raw = ir.sweep ? [ir.sweep.base, ...Object.entries(ir.sweep.point).map(([axis, value]) => `${axis}-${value}`)].join(".") : ir.name;
  const safe = raw.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^[.-]+/, "");
  return safe.length ? safe : "pipeline";
}

/** Distinct file names for the pipelines of one compile (a clash gets `-2`, `-3`, ...). */
export function programFileNames(irs: PipelineIR[]): string[] {
  const used = new Set<string>();
  return irs.map((ir) => {
    const base = programFileName(ir);
    let name = base;
    for (let i = 2; used.has(name.toLowerCase()); i++) name = `${base}-${i}`;
    used.add(name.toLowerCase());
    return name;
  });
}
