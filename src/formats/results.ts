// The end-of-sweep summary: final metrics of every finished point, grouped by every
// axis except `seed`, as mean and spread (sample standard deviation) over the seeds.
// Written as results.csv and results.md into the sweep's base output dir; `report` draws
// its results table from the same grouping. Plain Node, no tfjs (formats/run-dir.ts).
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { SEED_AXIS } from "../ir/types.js";
import type { RunSummary } from "./run-dir.js";

/** The metrics the table reports, in column order, with their headings. */
export const RESULT_METRICS: ReadonlyArray<{ key: "knn_acc1" | "probe_acc1" | "val_acc1" | "loss"; title: string }> = [
  { key: "knn_acc1", title: "kNN top-1 %" },
  { key: "probe_acc1", title: "linear probe top-1 %" },
  { key: "val_acc1", title: "online linear top-1 %" },
  { key: "loss", title: "final loss" },
];

/** The sweep axis that repeats a point, defined with the IR's sweep coordinates. */
export { SEED_AXIS } from "../ir/types.js";

export interface ResultRow {
  /** Axis -> value, without the seed axis. */
  point: Record<string, string>;
  runs: number;
  stats: Record<string, { mean: number; spread: number } | null>;
}

export function summarize(summaries: readonly RunSummary[]): { axes: string[]; rows: ResultRow[] } {
  const axes = [...new Set(summaries.flatMap((s) => Object.keys(s.sweep?.point ?? {})))].filter((a) => a !== SEED_AXIS);
  const groups = new Map<string, { point: Record<string, string>; items: RunSummary[] }>();
  for (const s of summaries) {
    const point: Record<string, string> = {};
    for (const a of axes) point[a] = s.sweep?.point[a] ?? "";
    const key = JSON.stringify(point);
    const g = groups.get(key) ?? { point, items: [] };
    g.items.push(s);
    groups.set(key, g);
  }
  const rows = [...groups.values()].map(({ point, items }) => {
    const stats: ResultRow["stats"] = {};
    for (const { key } of RESULT_METRICS) {
      const xs = items.map((s) => s.final[key]).filter((v): v is number => typeof v === "number" && Number.isFinite(v));
      stats[key] = xs.length ? { mean: mean(xs), spread: sampleStd(xs) } : null;
    }
    return { point, runs: items.length, stats };
  });
  return { axes, rows };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function sampleStd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

const cell = (s: { mean: number; spread: number } | null, runs: number): string =>
  s === null ? "-" : runs > 1 ? `${s.mean.toFixed(2)} ± ${s.spread.toFixed(2)}` : s.mean.toFixed(2);

/** A plain-text table for the terminal. */
export function resultsText(axes: string[], rows: ResultRow[]): string {
  const header = [...axes, "runs", ...RESULT_METRICS.map((m) => m.title)];
  const body = rows.map((r) => [...axes.map((a) => r.point[a] ?? ""), String(r.runs), ...RESULT_METRICS.map((m) => cell(r.stats[m.key] ?? null, r.runs))]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n") + "\n";
}

export function resultsMarkdown(title: string, axes: string[], rows: ResultRow[]): string {
  const header = [...axes, "runs", ...RESULT_METRICS.map((m) => m.title)];
  const out = [
    `# ${title}`,
    "",
    "Final metrics of each point, mean ± sample standard deviation over seeds.",
    "",
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map(
      (r) => `| ${[...axes.map((a) => r.point[a] ?? ""), String(r.runs), ...RESULT_METRICS.map((m) => cell(r.stats[m.key] ?? null, r.runs))].join(" | ")} |`,
    ),
  ];
  return out.join("\n") + "\n";
}

export function resultsCsv(axes: string[], rows: ResultRow[]): string {
  const header = [...axes, "runs", ...RESULT_METRICS.flatMap((m) => [`${m.key}_mean`, `${m.key}_std`])];
  const esc = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = rows.map((r) =>
    [
      ...axes.map((a) => esc(r.point[a] ?? "")),
      String(r.runs),
      ...RESULT_METRICS.flatMap((m) => {
        const s = r.stats[m.key];
        return s ? [String(s.mean), String(s.spread)] : ["", ""];
      }),
    ].join(","),
  );
  return [header.join(","), ...lines].join("\n") + "\n";
}

/** Writes results.csv and results.md into `dir`; returns their paths. */
export function writeResults(dir: string, title: string, summaries: readonly RunSummary[]): { csv: string; md: string; text: string } {
  const { axes, rows } = summarize(summaries);
  const csv = path.join(dir, "results.csv");
  const md = path.join(dir, "results.md");
  writeFileAtomic(csv, resultsCsv(axes, rows));
  writeFileAtomic(md, resultsMarkdown(title, axes, rows));
  return { csv, md, text: resultsText(axes, rows) };
}
