// The page around the sections: inline CSS, a few lines of inline JS (click a legend
// entry to pick out one run in every chart), and a Content-Security-Policy that
// allows nothing from outside the file: no fetches, no external images or fonts, and
// only this page's own script (by hash), so even a name that slipped past escaping
// could not run or phone home.
import { createHash } from "node:crypto";
import { HTML_GENERATOR_META, REPORT_FOOTER } from "../formats/own-output.js";
import { escapeHtml } from "./escape.js";

const CSS = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5d6677; --line: #d9dde5; --bg: #fff; --alt: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1320px; padding: 20px 28px 40px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.sub, .note, figcaption, .notes { color: var(--muted); }
code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--alt); font-weight: 600; font-size: 13px; }
tbody tr:nth-child(even) td { background: #fbfbfc; }
table.results td:first-child, table.runs td:first-child { white-space: nowrap; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.spread { color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.findings { margin: 0; padding: 0; list-style: none; }
.finding { margin: 0 0 4px; }
.badge { display: inline-block; font-size: 11px; padding: 0 5px; border-radius: 3px; color: #fff; background: #888; }
.sev-error .badge { background: #c0392b; } .sev-warning .badge { background: #d68910; } .sev-info .badge { background: #2e86c1; }
.hint { color: var(--muted); font-size: 12.5px; }
.clean { color: #1e8449; }
.status-done { color: #1e8449; } .status-partial { color: #b9770e; } .status-todo { color: var(--muted); } .status-running { color: #2471a3; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; padding: 0; margin: 6px 0 10px; }
.legend li { cursor: pointer; user-select: none; white-space: nowrap; }
.legend li svg { vertical-align: middle; margin-right: 4px; }
.legend li.dim { opacity: 0.35; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 10px 18px; }
figure { margin: 0; }
svg.chart { max-width: 100%; height: auto; font-family: inherit; }
.chart-title { font-size: 13px; font-weight: 600; fill: var(--fg); }
.tick { font-size: 10.5px; fill: var(--muted); }
.axis-label { font-size: 11.5px; fill: var(--muted); }
.grid { stroke: #eceef2; stroke-width: 1; }
.frame { fill: none; stroke: #b9bfca; stroke-width: 1; }
.empty { fill: var(--muted); font-size: 12px; }
.series.dim { opacity: 0.12; }
.previews { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
.preview { width: min-content; }
.preview figcaption { min-width: 260px; }
.preview img { display: block; image-rendering: pixelated; border: 1px solid var(--line); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
`;

// Picks out one run: click (or Enter on) a legend entry; again to show all.
const SCRIPT = `(function () {
  var chosen = null;
  function show() {
    document.querySelectorAll("[data-series]").forEach(function (el) {
      if (el.tagName === "TR") return;
      el.classList.toggle("dim", chosen !== null && el.getAttribute("data-series") !== chosen);
    });
  }
  document.querySelectorAll(".legend li").forEach(function (li) {
    function pick() { var id = li.getAttribute("data-series"); chosen = chosen === id ? null : id; show(); }
    li.addEventListener("click", pick);
    li.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
  });
})();`;

export interface PageParts {
  title: string;
  /** Already escaped HTML. */
  subtitleHtml: string;
  /** Section bodies, already escaped HTML, in page order. */
  sections: Array<{ id: string; heading: string; html: string }>;
}

export function pageHtml(parts: PageParts): string {
  const hash = createHash("sha256").update(SCRIPT, "utf8").digest("base64");
  const csp = `default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'`;
  const sections = parts.sections.map((s) => `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.heading)}</h2>${s.html}</section>`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
${HTML_GENERATOR_META}
<title>${escapeHtml(parts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(parts.title)}</h1><div class="sub">${parts.subtitleHtml}</div></header>
${sections}
${REPORT_FOOTER} Self-contained: styles, script, charts and images are all inside this file; it loads nothing from the network.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
