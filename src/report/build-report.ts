// `adainfc report`'s work, without the CLI: read a run or sweep directory, lint each
// point, draw the curves, render the preview, and return one HTML page. Loads no
// tfjs (the preview is pure CPU pixel code, imported only when asked for).
import { REPORT_FILE } from "../formats/own-output.js";
import path from "node:path";
import { axisChartsHtml } from "./axis-chart.js";
import { chartsHtml } from "./charts.js";
import { escapeHtml } from "./escape.js";
import { runPaths } from "../formats/run-dir.js";
import { damagedDoneLine, divergedText } from "../formats/run-outcome.js";
import { lintPoints } from "./lint-points.js";
import { loadReportInput, type ReportInput } from "./load-runs.js";
import { pageHtml } from "./page.js";
import { previewHtml, type PreviewOptions } from "./preview-images.js";
import { resultsTableHtml, runsTableHtml, resultGroups } from "./tables.js";

export interface ReportOptions {
  /** Where a relative `dir` resolves, and data paths when a run's start dir is unknown. */
  cwd: string;
  /** Draw the augmentation preview (default true; it reads a few training images). */
  preview?: boolean | PreviewOptions;
  /** Page title (default: "adainf report: <pipeline or sweep>"). */
  title?: string;
}

export interface ReportResult {
  html: string;
  input: ReportInput;
  /** Metric keys that got a chart. */
  charts: string[];
  /** The numeric sweep axis accuracy was drawn against, or null. */
  axisChart: string | null;
  /** Rows of the results table. */
  resultRows: number;
  /** Preview PNGs embedded. */
  previews: number;
  /** Things the page reports as missing (unreadable data, unreadable points, damaged done.json, diverged runs). */
  notes: string[];
}

/** How the subtitle names what was read. */
const KIND_WORDS: Record<ReportInput["kind"], string> = { run: "run", sweep: "sweep", folder: "runs in" };

export async function buildReport(dir: string, opts: ReportOptions): Promise<ReportResult> {
  const input = loadReportInput(dir, opts.cwd);
  const { points } = input;
  const lint = await lintPoints(points);
  const charts = chartsHtml(points);
  const byAxis = axisChartsHtml(points);
  const notes: string[] = input.unreadable.map((u) => `${u.dir}: ${u.reason}`);
  // What `run` says of the same folders, in the same words (src/formats/run-outcome.ts).
  for (const p of points) {
    if (p.damaged) notes.push(damagedDoneLine(path.relative(opts.cwd, runPaths(p.dir).done) || runPaths(p.dir).done, p.damaged, p.ir.sweep !== undefined));
    if (p.diverged) notes.push(`${p.label}: ${divergedText(p.diverged)}, not in the results`);
  }
  const sweepsText = input.sweeps.map((w) => `sweep ${w.base}: ${w.finished} of ${w.known ? "" : "at least "}${w.total} points finished`);
  input.sweeps.forEach((w, i) => {
    if (w.missing.length) notes.push(`${sweepsText[i]} (${w.missing.length} not started)`);
  });

  let preview = { html: `<p class="note">Not drawn (--no-preview).</p>`, images: 0, notes: [] as string[] };
  if (opts.preview !== false) preview = await previewHtml(points, typeof opts.preview === "object" ? opts.preview : {});
  notes.push(...preview.notes);

  const finished = points.filter((p) => p.summary !== null).length;
  const backends = [...new Set(points.flatMap((p) => (p.summary ? [p.summary.backend] : [])))];
  const seconds = points.reduce((a, p) => a + (p.summary?.seconds ?? 0), 0);
  const subtitle = [
    `${KIND_WORDS[input.kind]} <code>${escapeHtml(input.root)}</code>`,
    `${points.length} run${points.length === 1 ? "" : "s"}, ${finished} finished`,
    ...sweepsText.map(escapeHtml),
    backends.length ? `backend ${escapeHtml(backends.join(", "))}` : "",
    seconds > 0 ? `${(seconds / 60).toFixed(1)} min of training` : "",
  ].filter((s) => s !== "");

  const groups = resultGroups(points);
  const sections = [
    {
      id: "results",
      heading: "Results",
      html:
        `<p class="note">Final metrics of each setting (runs of the same pipeline with the same settings but their seed): mean <span class="spread">± sample standard deviation</span> over its finished seeds (a seed run more than once counts once, its runs averaged; the numbers of results.csv), ` +
        `beside what <code>adainfc lint</code> says about the setting: generated share <b>g</b>, inflation factor <b>f</b>, augmentation strength <b>a</b>, and its findings.</p>` +
        resultsTableHtml(points, groups, lint, input.root),
    },
    ...(byAxis.axis !== null ? [{ id: "by-axis", heading: `Accuracy against ${byAxis.axis}`, html: byAxis.html }] : []),
    { id: "curves", heading: "Training curves", html: charts.html },
    { id: "runs", heading: "Runs", html: sweepNotesHtml(input) + runsTableHtml(points, input.root) },
    {
      id: "preview",
      heading: "Augmentation preview",
      html: `<p class="note">A few training images (first column) and the views each augmentation draws from them, with the same images and random stream for every augmentation.</p>${preview.html}`,
    },
  ];
  if (input.unreadable.length) {
    sections.push({
      id: "unreadable",
      heading: "Unreadable run directories",
      html: `<ul class="notes">${input.unreadable.map((u) => `<li><code>${escapeHtml(u.dir)}</code>: ${escapeHtml(u.reason)}</li>`).join("")}</ul>`,
    });
  }
  const title = opts.title ?? `adainf report: ${input.title}`;
  const html = pageHtml({ title, subtitleHtml: subtitle.join(" · "), sections });
  return { html, input, charts: charts.drawn, axisChart: byAxis.axis, resultRows: groups.length, previews: preview.images, notes };
}

/** Above the runs: each unfinished sweep, how many of its points finished and which never started. */
function sweepNotesHtml(input: ReportInput): string {
  return input.sweeps
    .filter((w) => w.finished < w.total)
    .map((w) => {
      const of = `${w.known ? "" : "at least "}${w.total}`;
      const grid = w.known ? "" : " (its pipeline file is gone or changed: the grid is what its folders show)";
      const missing = w.missing.length ? `; not started: ${w.missing.map((l) => `<code>${escapeHtml(l)}</code>`).join(", ")}` : "";
      return `<p class="note">Sweep <b>${escapeHtml(w.base)}</b>: ${w.finished} of ${of} points finished${grid}${missing}.</p>`;
    })
    .join("");
}

/** Where the page goes when -o is not given: report.html inside the directory. */
export function defaultReportPath(dir: string, cwd: string): string {
  return path.join(path.resolve(cwd, dir), REPORT_FILE);
}
