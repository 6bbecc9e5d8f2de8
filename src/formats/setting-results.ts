// The rows of every results table (results.csv, results.md and the printed table, as
// `run` and the TypeScript target's programs write them, and the report's Results): runs
// grouped into settings by settingGroups (src/ir/training-differences.ts: the same
// pipeline, coordinates and training but the seed), then one value per seed (runs that
// repeat a seed are averaged first, so "± over seeds" is over distinct seeds), then mean
// ± sample standard deviation by formats/results.ts's summarize. Rows that would read
// alike (one point, or pipeline, trained with other settings) are told apart one way in
// both: a RUN_DIRS_COLUMN naming their run directories (runDirsCells).
import { settingGroups } from "../ir/training-differences.js";
import type { PipelineIR } from "../ir/types.js";
import { RESULT_METRICS, summarize, type ResultRow } from "./results.js";
import type { RunSummary } from "./run-dir.js";

export interface SettingRow {
  /** Indices of the setting's runs. */
  members: number[];
  /** One summary per distinct seed among its finished runs (repeats averaged), without sweep coordinates. */
  perSeed: RunSummary[];
  /** Finished runs. */
  finished: number;
  stats: ResultRow["stats"];
}

export function settingRows(runs: ReadonlyArray<{ ir: PipelineIR; summary: RunSummary | null }>): SettingRow[] {
  const rows: SettingRow[] = [];
  settingGroups(runs.map((r) => r.ir)).forEach((g, i) => {
    rows[g] ??= { members: [], perSeed: [], finished: 0, stats: {} };
    rows[g].members.push(i);
  });
  for (const row of rows) {
    const bySeed = new Map<number, RunSummary[]>();
    for (const i of row.members) {
      const s = runs[i]!.summary;
      if (s === null) continue;
      row.finished++;
      const seed = runs[i]!.ir.seed;
      bySeed.set(seed, [...(bySeed.get(seed) ?? []), s]);
    }
    row.perSeed = [...bySeed.values()].map(averaged);
    row.stats = row.perSeed.length ? summarize(row.perSeed).rows[0]!.stats : {};
  }
  return rows;
}

/** The column that tells apart rows that would read alike: each one's run directories. */
export const RUN_DIRS_COLUMN = "run dirs";

/**
 * Each row's RUN_DIRS_COLUMN cell: when another row has its key (what the table shows of
 * it: pipeline, coordinates), its runs' directories (`dirOf` names one, by run index)
 * separated by spaces; else null (no column needed when all are null).
 */
export function runDirsCells(rows: readonly SettingRow[], keys: readonly string[], dirOf: (run: number) => string): Array<string | null> {
  return rows.map((row, i) => (keys.indexOf(keys[i]!) !== keys.lastIndexOf(keys[i]!) ? row.members.map(dirOf).join(" ") : null));
}

/** The runs of one seed as one: their final metrics averaged (runs of a seed train alike, so usually equal). */
function averaged(runs: RunSummary[]): RunSummary {
  const final = { ...runs[0]!.final };
  for (const { key } of RESULT_METRICS) {
    const xs = runs.map((r) => r.final[key]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
    if (xs.length) final[key] = xs.reduce((a, b) => a + b, 0) / xs.length;
  }
  return { ...runs[0]!, final, sweep: null };
}
