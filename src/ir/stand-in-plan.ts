// The `adainfc generate` command that makes a generated set, derived from the IR alone:
// for a `stand_in = true` source, the plan `adainfc run` carries out itself
// (runtime/generate/stand-in.ts) and prints; for any other missing generated npz, the
// weak substitute run and preview offer (runtime/train/preflight.ts). The front end
// reads the plans too: points of a sweep that share one stand-in file must plan it
// alike (E012, src/driver.ts), since the file is made once, by the first point's plan.
import type { ChannelOrder, DataSourceIR, PipelineIR } from "./types.js";
import { shellQuote } from "../util/shell-quote.js";

/** Arguments of `adainfc generate` for a stand-in set (the rest are the generator's defaults). */
export interface StandInPlan {
  /** Source spec of the real images to fit (`mnist`, a CIFAR folder[:split], ...). */
  from: string;
  count: number;
  /** The npz to write (as the pipeline names it, relative to the project). */
  out: string;
  /**
   * The real source's `size`: only its first N images are read, the ones the pipeline
   * trains on, and all N are fitted (`--first N --fit-samples N`); null: the generator's defaults.
   */
  first: number | null;
  /** The colour order the source declares (`channels = bgr`: the set is written BGR, `--channels bgr`). */
  channels: ChannelOrder;
}

/** What a stand-in set is made from, field by field: two plans (or a plan and a made set) that differ in one make different sets. */
export const PLAN_FIELDS = ["from", "first", "count", "channels"] as const;
export type PlanField = (typeof PLAN_FIELDS)[number];

/** The fields in which `a` and `b` differ, in PLAN_FIELDS order. */
export function planFieldsDiffering(a: Pick<StandInPlan, PlanField>, b: Pick<StandInPlan, PlanField>): PlanField[] {
  return PLAN_FIELDS.filter((f) => a[f] !== b[f]);
}

/** The sources the training mixture and the evaluation use (unused ones are not opened, nor made). */
export function usedSources(ir: PipelineIR): DataSourceIR[] {
  const names = new Set(ir.data.train.map((t) => t.source));
  if (ir.data.eval !== null) names.add(ir.data.eval);
  return ir.data.sources.filter((s) => names.has(s.name));
}

/** The used `stand_in = true` sources with a file, each with the plan that makes it. */
export function standInPlans(ir: PipelineIR): { source: DataSourceIR; plan: StandInPlan }[] {
  return usedSources(ir)
    .filter((s) => s.standIn && s.path !== null)
    .map((source) => ({ source, plan: standInPlan(ir, source) }));
}

function firstRealSource(ir: PipelineIR): DataSourceIR | undefined {
  return ir.data.train.map((t) => ir.data.sources.find((s) => s.name === t.source)).find((s): s is DataSourceIR => s !== undefined && s.origin === "real");
}

/**
 * The stand-in set of a `stand_in = true` source: its declared size (else ten times the
 * real data), fitted on exactly the real images the pipeline trains on: the first `size`
 * of its real source (`--first`, as `size = N` takes them), all of them (`--fit-samples`),
 * with the generator's default seed. Points of a sweep share one file only when they
 * plan it alike (E012 otherwise).
 */
export function standInPlan(ir: PipelineIR, generated: DataSourceIR): StandInPlan {
  const real = firstRealSource(ir);
  return {
    from: fromArgument(real),
    count: generated.size ?? (real?.size ? real.size * 10 : 10_000),
    out: generated.path!,
    first: real?.size ?? null,
    channels: writtenOrder(generated),
  };
}

/** The command a plan runs, as printed. */
export function planCommand(p: StandInPlan): string {
  return `adainfc generate --from ${p.from}${fitArguments(p.first)} --count ${p.count}${channelsArgument(p.channels)} -o ${shellQuote(p.out)}`;
}

/** `adainfc generate --from <real source> --count <declared size> -o <path>`, for a generated npz not declared a stand-in. */
export function generateCommand(ir: PipelineIR, generated: DataSourceIR): string {
  return `${planCommand(standInPlan(ir, generated))}${ir.seed ? ` --seed ${ir.seed}` : ""}`;
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

function fromArgument(real: DataSourceIR | undefined): string {
  if (!real) return "<real images>";
  switch (real.format) {
    case "mnist":
      return real.split === "test" ? "mnist:test" : real.split === null ? "mnist:all" : "mnist";
    case "cifar10":
    case "cifar100":
      return `${shellQuote(real.path ?? "datasets/cifar10")}${real.split ? `:${real.split}` : ""}`;
    default:
      return shellQuote(real.path ?? "<real images>");
  }
}
