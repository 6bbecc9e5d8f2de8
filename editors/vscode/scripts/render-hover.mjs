// Renders docs/editor-hover.png: what an editor shows on a paper pipeline, from the real
// server. It starts `adainfc lsp` (bin/adainfc.js, built), opens
// pipelines/simclr_vanilla.adainf, takes the diagnostics the server publishes (lint's
// warnings, drawn as VS Code's wavy underlines) and its hover on the pipeline's name (g, f,
// a and the recommended strength, drawn as a hover box), and photographs them over the
// source highlighted by the extension's grammar (highlight.mjs). From the repository root:
//   node editors/vscode/scripts/render-hover.mjs [out.png]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node.js";
import { BACKGROUND, colourLines, escapeHtml, photograph, ROOT } from "./highlight.mjs";

const [out = "docs/editor-hover.png"] = process.argv.slice(2);
const file = join(ROOT, "pipelines/simclr_vanilla.adainf");
const uri = pathToFileURL(file).href;
const text = readFileSync(file, "utf8");
const lines = text.split("\n");
if (lines[lines.length - 1] === "") lines.pop();

// ---------------------------------------------------------------- ask the server
const child = spawn(process.execPath, [join(ROOT, "bin/adainfc.js"), "lsp"], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
const published = new Promise((resolve) =>
  connection.onNotification("textDocument/publishDiagnostics", (p) => {
    if (p.uri === uri && p.diagnostics.length > 0) resolve(p.diagnostics);
  }),
);
connection.listen();
await connection.sendRequest("initialize", { processId: process.pid, rootUri: pathToFileURL(ROOT).href, capabilities: {}, workspaceFolders: null });
await connection.sendNotification("initialized", {});
await connection.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "adainf", version: 1, text } });
const diagnostics = await published;
const nameLine = lines.findIndex((l) => l.startsWith("pipeline "));
const nameAt = { line: nameLine, character: "pipeline ".length + 2 };
const hover = await connection.sendRequest("textDocument/hover", { textDocument: { uri }, position: nameAt });
await connection.sendRequest("shutdown");
await connection.sendNotification("exit");
connection.dispose();

// ---------------------------------------------------------------- draw it
const coloured = await colourLines(lines);
const SEVERITY = { 1: "#F14C4C", 2: "#CCA700", 3: "#3794FF", 4: "#3794FF" };
/** The line with each diagnostic's range underlined (one-line ranges: the paper pipelines' are). */
function row(i) {
  const line = lines[i];
  const marks = diagnostics
    .filter((d) => d.range.start.line === i)
    .map((d) => ({ from: d.range.start.character, to: Math.max(d.range.end.character, d.range.start.character + 1), colour: SEVERITY[d.severity ?? 1] }));
  const cuts = new Set([0, line.length, ...coloured[i].flatMap((p) => [p.from, p.to]), ...marks.flatMap((m) => [m.from, m.to])]);
  const points = [...cuts].filter((c) => c >= 0 && c <= line.length).sort((a, b) => a - b);
  let html = "";
  for (let k = 0; k + 1 < points.length; k++) {
    const [from, to] = [points[k], points[k + 1]];
    const piece = coloured[i].find((p) => p.from <= from && from < p.to);
    const mark = marks.find((m) => m.from <= from && from < m.to);
    const style = [`color:${piece?.colour ?? "#D4D4D4"}`, mark ? `text-decoration:underline wavy ${mark.colour};text-underline-offset:3px` : ""]
      .filter(Boolean)
      .join(";");
    html += `<span style="${style}">${escapeHtml(line.slice(from, to))}</span>`;
  }
  return `<span class="n">${i + 1}</span>${html}`;
}

/** The little markdown the server's hovers use: **bold**, `code`, "- " items, paragraphs, tables left out. */
function markdown(md) {
  const inline = (s) =>
    escapeHtml(s)
      .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
      .replace(/`(.+?)`/g, "<code>$1</code>");
  const items = [];
  let list = [];
  const flush = () => {
    if (list.length) items.push(`<ul>${list.map((l) => `<li>${inline(l)}</li>`).join("")}</ul>`);
    list = [];
  };
  for (const l of md.split("\n")) {
    if (l.startsWith("- ")) list.push(l.slice(2));
    else {
      flush();
      if (l.trim()) items.push(`<p>${inline(l)}</p>`);
    }
  }
  flush();
  return items.join("");
}

const problems = diagnostics
  .map(
    (d) =>
      `<div class="p"><span style="color:${SEVERITY[d.severity ?? 1]}">&#9888;</span> ${escapeHtml(d.message.split("\n")[0])} <span class="code">adainf(${escapeHtml(String(d.code))}) [Ln ${d.range.start.line + 1}, Col ${d.range.start.character + 1}]</span></div>`,
  )
  .join("");
const page = `<!doctype html><meta charset="utf-8"><style>
body { margin: 0; background: ${BACKGROUND}; }
#shot { display: inline-block; background: ${BACKGROUND}; padding-bottom: 8px; }
pre { margin: 0; padding: 14px 20px 6px; font: 14px/20px "DejaVu Sans Mono", monospace; color: #D4D4D4; position: relative; }
.n { display: inline-block; width: 3ch; margin-right: 2ch; text-align: right; color: #858585; }
.hover { position: absolute; left: calc(20px + 5ch + ${nameAt.character}ch); top: ${14 + (nameLine + 1) * 20 + 2}px; width: 62ch; background: #252526; border: 1px solid #454545; color: #CCCCCC; font: 13px/18px "DejaVu Sans", sans-serif; padding: 4px 10px; box-shadow: 0 2px 8px #000a; white-space: normal; }
.hover p { margin: 4px 0; } .hover ul { margin: 2px 0 4px; padding-left: 18px; } .hover code { font: 12px "DejaVu Sans Mono", monospace; color: #D7BA7D; }
.problems { margin: 4px 20px 0; border-top: 1px solid #454545; padding-top: 6px; font: 13px/20px "DejaVu Sans", sans-serif; color: #CCCCCC; width: 128ch; }
.problems .code { color: #858585; }
</style><div id="shot"><pre>${lines.map((_, i) => row(i)).join("\n")}<div class="hover">${markdown(hover.contents.value)}</div></pre><div class="problems">${problems}</div></div>`;

await photograph(page, "#shot", out);
console.log(`wrote ${out}: ${diagnostics.length} diagnostics and the hover on '${lines[nameLine].split(" ")[1]}' from adainfc lsp`);
