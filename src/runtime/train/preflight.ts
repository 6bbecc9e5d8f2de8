// Checks before anything heavy loads: every data file a run needs exists. A missing
// generated set gets the exact `adainfc generate` command that makes the built-in PCA +
// Gaussian-mixture stand-in, fitted on the pipeline's own real data, offered as a weak
// stand-in next to the user's own generator's file; a source declared `stand_in = true`
// also gets that command as a plan (`generate`), which `adainfc run` carries out itself
// (../generate/stand-in.ts). missingDataText is what every front end prints. The IR is
// checked first (checked-ir.ts).
import { checkedIR } from "./checked-ir.js";
import fs from "node:fs";
import type { ChannelOrder, DataSourceIR, PipelineIR, SpanMap } from "../../ir/types.js";
import type { Diagnostic } from "../../check/diagnostic.js";
import { diag, diagnostic } from "../../check/registry.js";
import { batchOverEpoch } from "../../ir/train-summary.js";
import { spanFor } from "../../lint/pointer.js";
import { usedSources } from "./sources.js";
import { dataPath } from "../../formats/data-path.js";

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

/** Arguments of `adainfc generate` for a stand-in set (the rest are the generator's defaults). */
export interface StandInPlan {
  /** Source spec of the real images to fit (`mnist`, a CIFAR folder[:split], ...). */
  from: string;
  count: number;
  /** The npz to write (as the pipeline names it, relative to the project). */
  out: string;
  /** The real source's `size`: only its first N images are read, the ones the pipeline trains on; null: all. */
  first: number | null;
  /** Real images fitted: all of those first N, else the generator's default. */
  fitSamples: number | null;
  /** The colour order the source declares (`channels = bgr`: the set is written BGR, `--channels bgr`). */
  channels: ChannelOrder;
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

function firstRealSource(ir: PipelineIR): DataSourceIR | undefined {
  return ir.data.train.map((t) => ir.data.sources.find((s) => s.name === t.source)).find((s): s is DataSourceIR => s !== undefined && s.origin === "real");
}

/**
 * The stand-in set of a `stand_in = true` source: its declared size (else ten times the
 * real data), fitted on exactly the real images the pipeline trains on: the first `size`
 * of its real source (`--first`, as `size = N` takes them), all of them (`--fit-samples`),
 * with the generator's default seed, so every point of a sweep shares one file.
 */
export function standInPlan(ir: PipelineIR, generated: DataSourceIR): StandInPlan {
  const real = firstRealSource(ir);
  return {
    from: fromArgument(real),
    count: generated.size ?? (real?.size ? real.size * 10 : 10_000),
    out: generated.path!,
    first: real?.size ?? null,
    fitSamples: real?.size ?? null,
    channels: writtenOrder(generated),
  };
}

export function planCommand(p: StandInPlan): string {
  return `adainfc generate --from ${p.from}${fitArguments(p.first)} --count ${p.count}${channelsArgument(p.channels)} -o ${quote(p.out)}`;
}

/** The real images a generator is fitted on, as `generate`'s flags: the first `size` of them, all of them. */
function fitArguments(size: number | null): string {
  return size !== null ? ` --first ${size} --fit-samples ${size}` : "";
}

/** The order the generator must write for a source that declares `channels` (rgb when it declares none). */
function writtenOrder(src: DataSourceIR): ChannelOrder {
  return src.channelOrder === "bgr" ? "bgr" : "rgb";
}

/** `adainfc generate`'s flag for that order (rgb is its default). */
function channelsArgument(order: ChannelOrder): string {
  return order === "bgr" ? " --channels bgr" : "";
}

/** `adainfc generate --from <real source> --count <declared size> -o <path>`. */
function generateCommand(ir: PipelineIR, generated: DataSourceIR): string {
  const real = firstRealSource(ir);
  const count = generated.size ?? (real?.size ? real.size * 10 : 10_000);
  return `adainfc generate --from ${fromArgument(real)}${fitArguments(real?.size ?? null)} --count ${count}${channelsArgument(writtenOrder(generated))} -o ${quote(generated.path!)}${ir.seed ? ` --seed ${ir.seed}` : ""}`;
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
