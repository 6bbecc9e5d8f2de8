// The contract between the lint engine and its rules, modelled on ESLint: a rule is a
// module with `meta` (id, default severity, docs) and `check(ctx)`, which calls
// `ctx.report` for each finding. Rules read only the IR and the quantities derived
// from it; they never touch files, so they are cheap and deterministic.
import type { TextEdit } from "../check/diagnostic.js";
import type { PipelineIR, RuleSeverity, Span, SpanMap } from "../ir/types.js";

/** Which family of augmentation a pipeline's views belong to (docs/paper.md §2). */
export type ViewFamily = "symmetric" | "asymmetric";

/** Numbers derived from the IR that place a pipeline on the paper's map. */
export interface Quantities {
  /** Image count of each source in `data.train` (null = unknown). */
  sizes: Record<string, number | null>;
  /** Sources in `data.train` whose size is unknown. */
  unknownSizes: string[];
  /** Training samples per epoch: sum of size x replicate (null when a size is unknown). */
  epochSize: number | null;
  /** Distinct real images in the training mixture (null when a size is unknown). */
  uniqueReal: number | null;
  /** g: generated samples / all samples per epoch, counting replication. */
  generatedShare: number | null;
  /** f: samples per epoch / distinct real images (1 = no inflation). */
  inflationFactor: number | null;
  /** Channels of the training images as the strength counts them: 1 (all grey) or 3. */
  channels: 1 | 3;
  /** a per view, in view order (symmetric preset = 1.0); ops that do nothing on the data do not count. */
  viewStrengths: number[];
  /** a of the pipeline: the mean over its views. */
  strength: number;
  /** Symmetric (SimCLR/MoCo style) or asymmetric (BYOL/Barlow style) views. */
  family: ViewFamily;
  /** True when at least one generated source is in the training mixture. */
  hasGenerated: boolean;
  /** Largest replication of any real source in the mixture (0 when none). */
  maxRealReplicate: number;
}

export interface RuleDocs {
  /** One line: what the rule reports. */
  summary: string;
  /** Why it matters: the paper's finding (or the reviewer's reasoning) behind it. */
  rationale: string;
  /** A short snippet in the language that triggers the rule. */
  example: string;
  /** What to do about it, and what `--fix` does when the rule is fixable. */
  fix: string;
}

export interface RuleMeta {
  /** Stable id, as written in `lint { allow(id) }` and `--rule id=...`. */
  id: string;
  /** A PascalCase name for people (SARIF's `rule.name`, which must differ from the id). */
  name: string;
  defaultSeverity: Exclude<RuleSeverity, "off">;
  docs: RuleDocs;
  /** True when the rule can offer a safe automatic fix. */
  fixable: boolean;
}

export interface Report {
  /** JSON pointer into the IR of the value at fault; its span (or an ancestor's) is shown. */
  pointer: string;
  message: string;
  hint?: string;
  fix?: TextEdit[];
}

export interface RuleContext {
  readonly ir: PipelineIR;
  readonly spans: SpanMap;
  readonly q: Quantities;
  report(r: Report): void;
  /**
   * An edit replacing the value written at `pointer` with `text`, or null when the value
   * was not written in the pipeline's own file (a default, or set in a preset module):
   * a fix must never edit a shared file behind the user's back.
   */
  editAt(pointer: string, text: string): TextEdit | null;
  /** The exact span written at `pointer` (no ancestor fallback), or null. */
  spanAt(pointer: string): Span | null;
  /** The source text of a file, when the front end supplied it. */
  source(file: string): string | null;
}

export interface LintRule {
  meta: RuleMeta;
  check(ctx: RuleContext): void;
}
