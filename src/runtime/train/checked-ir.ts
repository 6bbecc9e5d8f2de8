// The IR a public entry point is handed (runPipeline, runStart, missingData, selectPoints,
// sweepGroups), checked before any backend loads or anything is written: upgraded from an
// older adainfc's form (ir/upgrade.ts), validated against the IR's schema and version (ir/validate.ts),
// and its data references checked (every training entry and the evaluation source name a
// declared source). A bad one is an InvalidIRError (a RunSetupError) saying where, what
// was expected and what was found, so no run directory is ever written from it.
import type { PipelineIR } from "../../ir/types.js";
import { upgradeIR } from "../../ir/upgrade.js";
import { validateIR } from "../../ir/validate.js";
import { InvalidIRError } from "./errors.js";

/** The IR, upgraded to today's form, or an InvalidIRError. */
export function checkedIR(given: unknown): PipelineIR {
  const what = typeof (given as { name?: unknown } | null)?.name === "string" ? `the IR of '${(given as { name: string }).name}'` : "the IR";
  if (Array.isArray(given)) {
    throw new InvalidIRError(
      `expected one pipeline (an object), found an array of ${given.length} (a sweep's points: pass each one, or pick them with selectPoints)`,
      what,
    );
  }
  const ir = upgradeIR(given);
  const problems = validateIR(ir);
  if (problems.length) throw new InvalidIRError(problems[0]!, what);
  const checked = ir as PipelineIR;
  const names = checked.data.sources.map((s) => s.name);
  const declared = `a source in /data/sources (${names.join(", ") || "none declared"})`;
  checked.data.train.forEach((t, i) => {
    if (!names.includes(t.source)) throw new InvalidIRError(`/data/train/${i}/source must name ${declared}, found ${JSON.stringify(t.source)}`, what);
  });
  if (checked.data.eval !== null && !names.includes(checked.data.eval)) {
    throw new InvalidIRError(`/data/eval must be null or name ${declared}, found ${JSON.stringify(checked.data.eval)}`, what);
  }
  return checked;
}
