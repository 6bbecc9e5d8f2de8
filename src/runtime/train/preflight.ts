// Checks before anything heavy loads: every data file a run needs exists. A missing
// generated set gets the exact `adainfc generate` command that makes it (the built-in
// PCA + Gaussian-mixture stand-in), fitted on the pipeline's own real data.
import fs from "node:fs";
import path from "node:path";
import type { DataSourceIR, PipelineIR } from "../../ir/types.js";
import { usedSources } from "./sources.js";

export interface MissingData {
  source: string;
  path: string;
  message: string;
  /** A command that makes the file, when we know one. */
  fix: string | null;
}

export function missingData(ir: PipelineIR, cwd: string): MissingData[] {
  const out: MissingData[] = [];
  for (const src of usedSources(ir)) {
    if (src.path === null || fs.existsSync(path.resolve(cwd, src.path))) continue;
    const fix = src.origin === "generated" && src.format === "npz" ? generateCommand(ir, src) : fetchCommand(src);
    out.push({ source: src.name, path: src.path, message: `data source '${src.name}' not found: ${src.path}`, fix });
  }
  return out;
}

/** `adainfc generate --from <real source> --count <declared size> -o <path>`. */
function generateCommand(ir: PipelineIR, generated: DataSourceIR): string {
  const real = ir.data.train
    .map((t) => ir.data.sources.find((s) => s.name === t.source))
    .find((s): s is DataSourceIR => s !== undefined && s.origin === "real");
  const count = generated.size ?? (real?.size ? real.size * 10 : 10_000);
  return `adainfc generate --from ${fromArgument(real)} --count ${count} -o ${quote(generated.path!)}${ir.seed ? ` --seed ${ir.seed}` : ""}`;
}

function fromArgument(real: DataSourceIR | undefined): string {
  if (!real) return "<real images>";
  switch (real.format) {
    case "mnist":
      return real.split === "test" ? "mnist:test" : real.split === null ? "mnist:all" : "mnist";
    case "cifar10":
    case "cifar100":
      return `${quote(real.path ?? "datasets/cifar10")}${real.split ? `:${real.split}` : ""}`;
    default:
      return quote(real.path ?? "<real images>");
  }
}

function fetchCommand(src: DataSourceIR): string | null {
  if (src.format === "cifar10" || src.format === "cifar100") return `adainfc data fetch ${src.format} --dir ${quote(src.path!)}`;
  return null;
}

function quote(s: string): string {
  return /^[\w./:@=+-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}
