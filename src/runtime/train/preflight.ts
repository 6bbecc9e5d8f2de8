// Checks before anything heavy loads: every data file a run needs exists. A missing
// generated set gets the exact `adainfc generate` command that makes the built-in PCA +
// Gaussian-mixture stand-in, fitted on the pipeline's own real data, offered as a weak
// stand-in next to the user's own generator's file; a source declared `stand_in = true`
// also gets that command as a plan (`generate`), which `adainfc run` carries out itself
// (../generate/stand-in.ts); the commands are derived from the IR in ir/stand-in-plan.ts.
// A stand-in file that exists but was made by another plan (its sidecar `<file>.json`
// says how) is refused the same way, with the command that makes it again. missingDataText
// is what every front end prints. The IR is checked first (checked-ir.ts).
import { checkedIR } from "./checked-ir.js";
import fs from "node:fs";
import type { DataSourceIR, PipelineIR, SpanMap } from "../../ir/types.js";
import {
  generateCommand,
  PLAN_FIELDS,
  type PlanField,
  planCommand,
  planFieldsDiffering,
  type StandInPlan,
  standInPlan,
  usedSources,
} from "../../ir/stand-in-plan.js";
import type { GenerateReport } from "../generate/generate.js";
import { shellQuote } from "../../util/shell-quote.js";
import type { Diagnostic } from "../../check/diagnostic.js";
import { diag, diagnostic } from "../../check/registry.js";
import { batchOverEpoch } from "../../ir/train-summary.js";
import { spanFor } from "../../lint/pointer.js";
import { dataPath } from "../../formats/data-path.js";

/** A data file a run needs that is missing, or a stand-in made by another plan than the pipeline's. */
export interface MissingData {
  source: string;
  path: string;
  message: string;
  /** A command that makes the file, when we know one. */
  fix: string | null;
  /** For a missing `stand_in = true` file: what `fix` runs, for the runner to do it itself. */
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
    if (src.path === null) continue;
    const plan = src.standIn ? standInPlan(ir, src) : null;
    const file = dataPath(cwd, src.path);
    if (fs.existsSync(file)) {
      const differs = plan ? planDifferences(plan, `${file}.json`) : [];
      if (differs.length > 0) {
        const message =
          `stand-in '${src.name}' (${src.path}) was made by another plan than this pipeline's (${differs.join("; ")}), ` +
          `so it is not the set the pipeline declares: delete it, and run makes it again`;
        out.push({ source: src.name, path: src.path, message, fix: planCommand(plan!), generate: null, substitute: false });
      }
      continue;
    }
    const substitute = plan === null && src.origin === "generated" && src.format === "npz";
    const fix = plan ? planCommand(plan) : substitute ? generateCommand(ir, src) : fetchCommand(src);
    out.push({ source: src.name, path: src.path, message: `data source '${src.name}' not found: ${src.path}`, fix, generate: plan, substitute });
  }
  return out;
}

/**
 * How the stand-in whose sidecar is `sidecar` was made differs from `plan` ("first 500 (the
 * plan: 1000)", ...): the real images fitted (source, first N, fit samples), the count, the
 * channel order. [] when it does not differ, or when no generator sidecar says (a file of
 * the user's own is taken as it is). The seed is not compared: another draw of one fit.
 */
function planDifferences(plan: StandInPlan, sidecar: string): string[] {
  let made: Partial<GenerateReport>;
  try {
    made = JSON.parse(fs.readFileSync(sidecar, "utf8")) as Partial<GenerateReport>;
  } catch {
    return [];
  }
  if (typeof made !== "object" || made === null || made.generator !== "pca-gmm") return [];
  // The made set as a plan. A sidecar written before `first` was recorded read the whole
  // source (sourceCount images): that is the plan's first N when N is the whole source (the
  // quickstart's 7,996); one written before `channels` was recorded wrote RGB, generate's
  // only order then.
  const source = String(made.source);
  const first = made.first ?? null;
  const was: Pick<StandInPlan, PlanField> = {
    from: source === plan.from || shellQuote(source) === plan.from ? plan.from : source,
    first: first === null && plan.first !== null && made.sourceCount === plan.first ? plan.first : first,
    count: made.count as number,
    channels: made.channels ?? "rgb",
  };
  const shown = (f: PlanField, v: unknown): string => (f === "first" && v === null ? "all" : String(v));
  const differing = planFieldsDiffering(was, plan);
  const out: string[] = [];
  for (const f of PLAN_FIELDS) {
    if (differing.includes(f)) out.push(`${f} ${shown(f, was[f])} (the plan: ${shown(f, plan[f])})`);
    if (f === "first" && plan.first !== null && made.fit?.samples !== plan.first) out.push(`fit samples ${made.fit?.samples} (the plan: ${plan.first})`);
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
