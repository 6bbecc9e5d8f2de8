// Checks before anything heavy loads: every data file a run needs exists. A missing
// generated set gets the exact `adainfc generate` command that makes the built-in PCA +
// Gaussian-mixture stand-in, fitted on the pipeline's own real data, offered as a weak
// stand-in next to the user's own generator's file; a source declared `stand_in = true`
// also gets that command as a plan (`generate`), which `adainfc run` carries out itself
// (../generate/stand-in.ts); the commands are derived from the IR in ir/stand-in-plan.ts.
// missingDataText is what every front end prints. The IR is checked first (checked-ir.ts).
import { checkedIR } from "./checked-ir.js";
import fs from "node:fs";
import type { DataSourceIR, PipelineIR, SpanMap } from "../../ir/types.js";
import { generateCommand, planCommand, type StandInPlan, standInPlan, usedSources } from "../../ir/stand-in-plan.js";
import { shellQuote } from "../../util/shell-quote.js";
import type { Diagnostic } from "../../check/diagnostic.js";
import { diag, diagnostic } from "../../check/registry.js";
import { batchOverEpoch } from "../../ir/train-summary.js";
import { spanFor } from "../../lint/pointer.js";
import { dataPath } from "../../formats/data-path.js";

export { planCommand, type StandInPlan };

export interface MissingData {
  source: string;
  path: string;
  message: string;
  /** A command that makes the file, when we know one. */
  fix: string | null;
  /** For a `stand_in = true` source: what `fix` runs, for the runner to do it itself. */
  generate: StandInPlan | null;
  /** A generated set that is not declared a stand-in: `fix` makes only a weak substitute. */
  substitute: boolean;
}

/** What a person reads about a missing file: the error, and how to make the file. */
export function missingDataText(m: MissingData): string {
  const lines = [`error: ${m.message}`];
  if (m.substitute) {
    lines.push(
      "  it holds generated images: put your generator's npz there (docs/data.md; the paper's sets: docs/paper.md §4),",
      "  or make a weak stand-in instead (PCA + a Gaussian mixture fitted to the real images, not a diffusion model) with:",
    );
  } else if (m.fix !== null) {
    lines.push("  make it with:");
  }
  if (m.fix !== null) lines.push(`    ${m.fix}`);
  return `${lines.join("\n")}\n`;
}

export function missingData(given: PipelineIR, cwd: string): MissingData[] {
  const ir = checkedIR(given);
  const out: MissingData[] = [];
  for (const src of usedSources(ir)) {
    if (src.path === null || fs.existsSync(dataPath(cwd, src.path))) continue;
    const plan = src.standIn ? standInPlan(ir, src) : null;
    const substitute = plan === null && src.origin === "generated" && src.format === "npz";
    const fix = plan ? planCommand(plan) : substitute ? generateCommand(ir, src) : fetchCommand(src);
    out.push({ source: src.name, path: src.path, message: `data source '${src.name}' not found: ${src.path}`, fix, generate: plan, substitute });
  }
  return out;
}

function fetchCommand(src: DataSourceIR): string | null {
  if (src.format === "cifar10" || src.format === "cifar100") return `adainfc data fetch ${src.format} --dir ${shellQuote(src.path!)}`;
  return null;
}

/**
 * What makes a pipeline that checks untrainable, at its place in the file or `--set`: a
 * batch larger than one epoch of the mixture, when the sizes are known (no batch could
 * be drawn). `adainfc check` warns about it (lint rule batch-size); `run` refuses it
 * before any backend loads. With sizes known only once the data opens (an image
 * folder), the trainer says the same in one line (BatchProducer).
 */
export function untrainable(ir: PipelineIR, spans: SpanMap): Diagnostic[] {
  const { batchSize, epochSize } = ir.train;
  if (!batchOverEpoch(batchSize, epochSize)) return [];
  return [diagnostic(diag.E021.batchOverEpoch({ batch: batchSize, images: epochSize! }), spanFor(spans, "/train/batchSize"))];
}
