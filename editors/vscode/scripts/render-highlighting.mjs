// Renders docs/editor-highlighting.png: a pipeline highlighted by the extension's TextMate
// grammar, as VS Code does it (highlight.mjs: vscode-textmate, the Dark+ colours, headless
// Chromium). From the repository root:
//   node editors/vscode/scripts/render-highlighting.mjs [file.adainf] [first line] [out.png]
// Defaults: the pipeline of pipelines/quickstart.adainf, to docs/editor-highlighting.png.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BACKGROUND, colourLines, escapeHtml, photograph, ROOT } from "./highlight.mjs";

const [file = "pipelines/quickstart.adainf", firstLine, out = "docs/editor-highlighting.png"] = process.argv.slice(2);
const lines = readFileSync(join(ROOT, file), "utf8").split(/\r?\n/);
const start = firstLine
  ? Number(firstLine) - 1
  : Math.max(
      0,
      lines.findIndex((l) => l.startsWith("pipeline ")),
    );
const coloured = await colourLines(lines);
const rows = [];
for (const [i, line] of lines.entries()) {
  if (i < start || (i === lines.length - 1 && line === "")) continue;
  const row = coloured[i]
    .map((p) => `<span style="color:${p.colour}${p.italic ? ";font-style:italic" : ""}">${escapeHtml(line.slice(p.from, p.to))}</span>`)
    .join("");
  rows.push(`<span class="n">${i + 1}</span>${row}`);
}

const page = `<!doctype html><meta charset="utf-8"><style>
body { margin: 0; background: ${BACKGROUND}; }
pre { margin: 0; padding: 14px 20px; display: inline-block; font: 14px/20px "DejaVu Sans Mono", monospace; color: #D4D4D4; background: ${BACKGROUND}; }
.n { display: inline-block; width: 3ch; margin-right: 2ch; text-align: right; color: #858585; }
</style><pre>${rows.join("\n")}</pre>`;

await photograph(page, "pre", out);
console.log(`wrote ${out}: ${file} from line ${start + 1}, ${rows.length} lines`);
