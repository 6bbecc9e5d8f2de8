// Makes a missing stand-in generated set (a `stand_in = true` source) with the built-in
// generator: what `adainfc generate` would do with the plan's arguments and the
// generator's defaults for the rest. The runner calls it before training; the CLI only
// prints what it reports.
import type { StandInPlan } from "../train/preflight.js";
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
    ...(plan.first !== null ? { first: plan.first } : {}),
    ...(plan.fitSamples !== null ? { fitSamples: plan.fitSamples } : {}),
    channels: plan.channels,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
