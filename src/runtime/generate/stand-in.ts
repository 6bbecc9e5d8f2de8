// Makes a missing stand-in generated set (a `stand_in = true` source) with the built-in
// generator: what `adainfc generate` would do with the plan's arguments and the
// generator's defaults for the rest. The runner calls it before training; the CLI only
// prints what it reports.
import type { StandInPlan } from "../../ir/stand-in-plan.js";
import { generateSet, type GenerateResult } from "./generate.js";

export interface MakeStandInOptions {
  cwd: string;
  /** Progress of each phase: reading, pca, em, sampling. */
  onProgress?: (task: string, done: number, total: number) => void;
  /** Ctrl-C: stop, remove the temporary file, throw Interrupted (GenerateOptions.signal). */
  signal?: AbortSignal;
}

export async function makeStandIn(plan: StandInPlan, opts: MakeStandInOptions): Promise<GenerateResult> {
  return generateSet({
    source: plan.from,
    cwd: opts.cwd,
    out: plan.out,
    count: plan.count,
    // The first N real images, all of them fitted: planCommand's `--first N --fit-samples N`.
    ...(plan.first !== null ? { first: plan.first, fitSamples: plan.first } : {}),
    channels: plan.channels,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
