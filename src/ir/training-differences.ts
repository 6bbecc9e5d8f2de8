// Resuming (or skipping a finished run as done) is only sound with the settings it was
// trained with. This compares the IR in the run directory with the one being run,
// ignoring what does not change the computation (file name, output settings, lint
// severities, and the split of the batch over devices: `adainfc run` trains the whole
// batch on one device). A normalize the file leaves to be measured (empty mean/std)
// matches what the run measured and recorded (src/runtime/train/normalization.ts). Plain
// IR, so the runner, the TypeScript target and the report all read it. The same test
// groups runs into settings (settingGroups: the rows of `run`'s results tables and of
// the report). Whether two sweep values make one point compares whole IRs instead
// (src/driver.ts): there every setting counts.
import { type PipelineIR, SEED_AXIS } from "./types.js";
import { upgradeIR } from "./upgrade.js";

const IGNORED = new Set(["file", "output", "lint", "name"]);
const IGNORED_TRAIN = new Set(["devices", "batchPerDevice"]);

/** JSON Pointers (top two levels) where the two IRs differ in a way that matters. */
export function trainingDifferences(saved: PipelineIR, current: PipelineIR): string[] {
  const out: string[] = [];
  const old = upgradeIR(saved) as PipelineIR;
  const a = old as unknown as Record<string, unknown>;
  const b = withMeasuredStats(current, old) as unknown as Record<string, unknown>;
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (IGNORED.has(key)) continue;
    const x = a[key];
    const y = b[key];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    if (isObject(x) && isObject(y)) {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (key === "train" && IGNORED_TRAIN.has(k)) continue;
        if (JSON.stringify(x[k]) !== JSON.stringify(y[k])) out.push(`/${key}/${k}`);
      }
    } else out.push(`/${key}`);
  }
  return out;
}

const inSweep = (pointer: string): boolean => pointer === "/sweep" || pointer.startsWith("/sweep/");

/** The pipeline a run belongs to: its sweep's base, or its own name. */
export function pipelineOf(ir: PipelineIR): string {
  return ir.sweep?.base ?? ir.name;
}

/** A run's sweep coordinates without the seed axis. */
export function coordinatesOf(ir: PipelineIR): Record<string, string> {
  return Object.fromEntries(Object.entries(ir.sweep?.point ?? {}).filter(([k]) => k !== SEED_AXIS));
}

/**
 * The setting of each run, as an index (settings numbered in order of their first run):
 * runs of one setting are of the same pipeline, at the same sweep coordinates but the
 * seed, and trained the same but for the seed. Unrelated runs never share one.
 */
export function settingGroups(irs: readonly PipelineIR[]): number[] {
  const firsts: PipelineIR[] = [];
  const same = (a: PipelineIR, b: PipelineIR): boolean =>
    pipelineOf(a) === pipelineOf(b) &&
    JSON.stringify(coordinatesOf(a)) === JSON.stringify(coordinatesOf(b)) &&
    trainingDifferences(a, b).every((p) => p === "/seed" || inSweep(p));
  return irs.map((ir) => {
    const found = firsts.findIndex((f) => same(f, ir));
    if (found >= 0) return found;
    firsts.push(ir);
    return firsts.length - 1;
  });
}

/** `current` with each normalize it leaves to be measured given the saved run's measured values. */
function withMeasuredStats(current: PipelineIR, saved: PipelineIR): PipelineIR {
  const open = current.augment.views.some((v) => v.ops.some((op) => op.op === "normalize" && (op.mean.length === 0 || op.std.length === 0)));
  if (!open) return current;
  const copy = structuredClone(current);
  copy.augment.views.forEach((v, i) =>
    v.ops.forEach((op, j) => {
      const was = saved.augment?.views?.[i]?.ops?.[j];
      if (op.op !== "normalize" || was?.op !== "normalize") return;
      if (op.mean.length === 0) op.mean = was.mean;
      if (op.std.length === 0) op.std = was.std;
    }),
  );
  return copy;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
