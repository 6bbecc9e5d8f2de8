// The two tables: results (one row per setting, mean ± spread over distinct seeds exactly
// as results.csv computes it (formats/setting-results.ts), with the setting's g, f, a and
// lint findings beside the numbers) and runs (one row per run directory: status (running
// while its run.lock names a live process, since when the lock was taken), time, final metrics, and the effective batch
// and learning rates it trained with).
import { RESULT_METRICS, SEED_AXIS } from "../formats/results.js";
import { feedingText, type InputSummary } from "../formats/run-dir.js";
import { divergedText } from "../formats/run-outcome.js";
import { RUN_DIRS_COLUMN, runDirsCells, settingRows, type SettingRow } from "../formats/setting-results.js";
import type { Quantities } from "../lint/types.js";
import { trainingLine } from "../ir/train-summary.js";
import { escapeHtml, fmtNumber } from "./escape.js";
import { mergeFindings, type Finding, type PointLint } from "./lint-points.js";
import type { ReportPoint } from "./load-runs.js";
import { coordinatesOf, pipelineOf } from "../ir/training-differences.js";
import { seriesStyles } from "./series-style.js";

export interface ResultGroup {
  /** The pipeline (a sweep's base, or the run's name). */
  pipeline: string;
  /** Coordinates without the seed. */
  point: Record<string, string>;
  /** Indices into the report's points. */
  members: number[];
  /** Its numbers, as results.csv has them: settingRows() writes that table too. */
  row: SettingRow;
}

/**
 * One group per setting (ir/training-differences.ts: the same pipeline and settings,
 * seeds apart), in first-appearance order: unrelated runs are never averaged together.
 */
export function resultGroups(points: readonly ReportPoint[]): ResultGroup[] {
  return settingRows(points).map((row) => ({
    pipeline: pipelineOf(points[row.members[0]!]!.ir),
    point: coordinatesOf(points[row.members[0]!]!.ir),
    members: row.members,
    row,
  }));
}

/** Axis names (without the seed) in the order the points list them. */
export function groupAxes(points: readonly ReportPoint[]): string[] {
  return [...new Set(points.flatMap((p) => Object.keys(p.ir.sweep?.point ?? {})))].filter((a) => a !== SEED_AXIS);
}

/**
 * What names each row: the axis values, after the pipeline when the rows are of several
 * pipelines (or of no sweep). Rows that would still read alike (the same pipeline with
 * other settings, e.g. another train.steps) are told apart as results.csv tells them
 * apart: a RUN_DIRS_COLUMN naming their run directories (formats/setting-results.ts).
 */
function rowLabels(
  points: readonly ReportPoint[],
  groups: readonly ResultGroup[],
  axes: readonly string[],
  root: string,
): { head: string[]; rows: string[][] } {
  const keysUnder = (named: boolean): string[] => groups.map((g) => JSON.stringify([named ? g.pipeline : null, ...axes.map((a) => g.point[a] ?? "")]));
  const split = (keys: string[]): boolean => keys.some((k, i) => keys.indexOf(k) !== i);
  const named = axes.length === 0 || new Set(groups.map((g) => g.pipeline)).size > 1 || split(keysUnder(false));
  const dirs = runDirsCells(
    groups.map((g) => g.row),
    keysUnder(named),
    (i) => relativeDir(points[i]!.dir, root),
  );
  const withDirs = dirs.some((d) => d !== null);
  const rows = groups.map((g, k) => [...(named ? [g.pipeline] : []), ...axes.map((a) => g.point[a] ?? ""), ...(withDirs ? [dirs[k] ?? ""] : [])]);
  return { head: [...(named ? ["pipeline"] : []), ...axes, ...(withDirs ? [RUN_DIRS_COLUMN] : [])], rows };
}

/** A run directory as the page names it: relative to the folder the report reads. */
function relativeDir(dir: string, root: string): string {
  return dir === root ? "." : dir.startsWith(root) ? dir.slice(root.length + 1) : dir;
}

function statCell(s: { mean: number; spread: number } | null | undefined, runs: number): string {
  if (!s) return `<td class="num">–</td>`;
  const spread = runs > 1 ? ` <span class="spread">± ${fmtNumber(s.spread)}</span>` : "";
  return `<td class="num">${fmtNumber(s.mean)}${spread}</td>`;
}

export function quantityCells(q: Quantities): string {
  const g = q.generatedShare === null ? "?" : q.generatedShare.toFixed(3);
  const f = q.inflationFactor === null ? "?" : q.inflationFactor.toFixed(1).replace(/\.0$/, "");
  const views = q.viewStrengths.map((a) => a.toFixed(2)).join(" / ");
  return `<td class="num">${g}</td><td class="num">${f}</td><td class="num" title="${escapeHtml(`${q.family}: ${views}`)}">${q.strength.toFixed(2)}</td>`;
}

export function findingsHtml(findings: readonly Finding[]): string {
  if (findings.length === 0) return `<span class="clean">no findings</span>`;
  const items = findings.map(
    (f) =>
      `<li class="finding sev-${f.severity}"><span class="badge">${f.severity}</span> <code>${escapeHtml(f.code)}</code> ${escapeHtml(f.message)}${
        f.hint ? `<div class="hint">hint: ${escapeHtml(f.hint)}</div>` : ""
      }</li>`,
  );
  return `<ul class="findings">${items.join("")}</ul>`;
}

/** The results table of `groups` (resultGroups(points)). */
export function resultsTableHtml(points: readonly ReportPoint[], groups: readonly ResultGroup[], lint: readonly PointLint[], root: string): string {
  const axes = groupAxes(points);
  const styles = seriesStyles(points);
  const labels = rowLabels(points, groups, axes, root);
  const head = [
    ...labels.head.map((a) => `<th>${escapeHtml(a)}</th>`),
    `<th title="finished runs / runs">runs</th>`,
    ...RESULT_METRICS.map((m) => `<th>${escapeHtml(m.title)}</th>`),
    `<th title="generated share of each epoch">g</th>`,
    `<th title="inflation factor: samples per epoch / distinct real images">f</th>`,
    `<th title="augmentation strength (symmetric preset = 1)">a</th>`,
    `<th>lint findings</th>`,
  ];
  const rows = groups.map((g, k) => {
    const { stats, finished, perSeed } = g.row;
    const first = g.members[0]!;
    const swatch = `<span class="swatch" style="background:${escapeHtml(styles[first]!.color)}"></span>`;
    const cells = [
      ...labels.rows[k]!.map((l, j) => `<td>${j === 0 ? swatch : ""}${escapeHtml(l)}</td>`),
      runsCell(
        g.members.map((i) => points[i]!),
        finished,
        perSeed.length,
      ),
      ...RESULT_METRICS.map((m) => statCell(stats[m.key], perSeed.length)),
      quantityCells(lint[first]!.quantities),
      `<td>${findingsHtml(mergeFindings(g.members.map((i) => lint[i]!)))}</td>`,
    ];
    return `<tr>${cells.join("")}</tr>`;
  });
  return `<table class="results"><thead><tr>${head.join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/**
 * finished / runs, then what else holds: seeds when a seed ran more than once (the spread
 * is over distinct seeds, a repeated seed's runs averaged first), diverged and damaged runs.
 */
function runsCell(members: readonly ReportPoint[], finished: number, seeds: number): string {
  const diverged = members.filter((p) => p.diverged !== null).length;
  const damaged = members.filter((p) => p.damaged !== null).length;
  const extra = [
    ...(seeds < finished ? [`${seeds} seed${seeds === 1 ? "" : "s"}`] : []),
    ...(diverged ? [`${diverged} diverged`] : []),
    ...(damaged ? [`${damaged} with a damaged done.json`] : []),
  ];
  return `<td class="num">${finished}/${members.length}${extra.length ? ` <span class="spread">(${escapeHtml(extra.join(", "))})</span>` : ""}</td>`;
}

export function statusOf(p: ReportPoint): { text: string; cls: string } {
  if (p.damaged) return { text: `done.json damaged (${p.damaged})`, cls: "partial" };
  if (p.summary) return { text: "finished", cls: "done" };
  if (p.diverged) return { text: divergedText(p.diverged), cls: "partial" };
  const last = p.metrics[p.metrics.length - 1];
  const at = last ? `, at step ${last.step + 1} of ${p.ir.train.steps}` : "";
  // run.lock names a live process: still training (load-runs.ts). When the lock was taken
  // is shown, so an old lock whose pid another process now has can be told from a run.
  if (p.running?.state === "alive")
    return { text: `running (pid ${p.running.holder.pid}, since ${lockStarted(p.running.holder.started)})${at}`, cls: "running" };
  if (p.running?.state === "elsewhere") {
    const { pid, host, started } = p.running.holder;
    return { text: `locked by pid ${pid} on ${host} since ${lockStarted(started)} (running there, or stopped without removing run.lock)${at}`, cls: "running" };
  }
  if (!last) return { text: "not started", cls: "todo" };
  return { text: `stopped after step ${last.step + 1} of ${p.ir.train.steps}`, cls: "partial" };
}

/** run.lock's `started` (an ISO time) as `2026-11-30 10:00 UTC`; as written when it is no time. */
function lockStarted(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : `${t.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

function seconds(s: number | undefined): string {
  if (typeof s !== "number" || !Number.isFinite(s)) return "–";
  return s >= 90 ? `${Math.floor(s / 60)} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;
}

/** The share of training time spent waiting for input; the rates behind it on hover (docs/run.md, "Feeding"). */
function inputCell(input: InputSummary | undefined): string {
  if (!input) return `<td class="num">–</td>`;
  const title = `${feedingText(input)} (${input.steps} steps)`;
  return `<td class="num" title="${escapeHtml(title)}">${fmtNumber(input.wait_fraction * 100, 1)}</td>`;
}

export function runsTableHtml(points: readonly ReportPoint[], root: string): string {
  const styles = seriesStyles(points);
  const head = [
    "run",
    "status",
    "backend",
    "time",
    "waited for input %",
    "kNN top-1 %",
    "linear probe top-1 %",
    "online linear top-1 %",
    "final loss",
    "untrained kNN / probe %",
    "directory",
    "batch, learning rates",
  ];
  const rows = points.map((p, i) => {
    const st = statusOf(p);
    const f = p.summary?.final;
    const u = p.summary?.untrained ?? null;
    const rel = relativeDir(p.dir, root);
    return `<tr data-series="${i}"><td><span class="swatch" style="background:${escapeHtml(styles[i]!.color)}"></span>${escapeHtml(p.label)}</td><td class="status-${st.cls}">${escapeHtml(st.text)}</td><td>${escapeHtml(
      String(p.summary?.backend ?? "–"),
    )}</td><td class="num">${seconds(p.summary?.seconds)}</td>${inputCell(p.summary?.input)}<td class="num">${fmtNumber(f?.knn_acc1)}</td><td class="num">${fmtNumber(f?.probe_acc1)}</td><td class="num">${fmtNumber(
      f?.val_acc1,
    )}</td><td class="num">${fmtNumber(f?.loss, 3)}</td><td class="num">${u ? `${fmtNumber(u.knn_acc1)} / ${fmtNumber(u.probe_acc1)}` : "–"}</td><td><code>${escapeHtml(rel)}</code></td><td>${escapeHtml(trainingLine(p.ir))}</td></tr>`;
  });
  return `<table class="runs"><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
