// Resuming is only sound with the settings the checkpoint was trained with. This
// compares the IR in the run directory with the one being run, ignoring what does
// not change the computation (file name, output settings, lint severities, and the
// split of the batch over devices: `adainfc run` trains the whole batch on one device).
import type { PipelineIR } from "../../ir/types.js";
import { upgradeIR } from "../../ir/upgrade.js";

const IGNORED = new Set(["file", "output", "lint", "name"]);
const IGNORED_TRAIN = new Set(["devices", "batchPerDevice"]);

/** JSON Pointers (top two levels) where the two IRs differ in a way that matters. */
export function trainingDifferences(saved: PipelineIR, current: PipelineIR): string[] {
  const out: string[] = [];
  const a = upgradeIR(saved) as Record<string, unknown>;
  const b = current as unknown as Record<string, unknown>;
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

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
