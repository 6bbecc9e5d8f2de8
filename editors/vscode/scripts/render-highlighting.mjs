// Renders docs/editor-highlighting.png: a pipeline highlighted by the extension's TextMate
// grammar, as VS Code does it (vscode-textmate + vscode-oniguruma, with the colours of VS
// Code's Dark+ theme for the scopes the grammar uses, matched by vscode-textmate's theme
// rules), written as HTML and photographed by headless Chromium (playwright-core driving
// Debian's chromium, as test/report/browser.test.ts does). From the repository root:
//   node editors/vscode/scripts/render-highlighting.mjs [file.adainf] [first line] [out.png]
// Defaults: the pipeline of pipelines/quickstart.adainf, to docs/editor-highlighting.png.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import oniguruma from "vscode-oniguruma";
import vsctm from "vscode-textmate";

const ROOT = resolve(import.meta.dirname, "../../..");
const [file = "pipelines/quickstart.adainf", firstLine, out = "docs/editor-highlighting.png"] = process.argv.slice(2);
const CHROMIUM = process.env.ADAINF_CHROMIUM ?? "/usr/bin/chromium";

// VS Code's Dark+ colours (its dark_vs and dark_plus themes) for the grammar's scopes.
const BACKGROUND = "#1E1E1E";
const theme = {
  name: "Dark+ (the scopes of the adainf grammar)",
  settings: [
    { settings: { foreground: "#D4D4D4", background: BACKGROUND } },
    { scope: "comment", settings: { foreground: "#6A9955" } },
    { scope: "string", settings: { foreground: "#CE9178" } },
    { scope: "constant.character.escape", settings: { foreground: "#D7BA7D" } },
    { scope: ["constant.numeric", "keyword.other.unit"], settings: { foreground: "#B5CEA8" } },
    { scope: ["constant.language", "keyword", "storage.type"], settings: { foreground: "#569CD6" } },
    { scope: "keyword.control", settings: { foreground: "#C586C0" } },
    { scope: "keyword.operator", settings: { foreground: "#D4D4D4" } },
    { scope: ["entity.name.function", "support.function"], settings: { foreground: "#DCDCAA" } },
    { scope: ["entity.name.type", "entity.other.inherited-class", "entity.name.namespace"], settings: { foreground: "#4EC9B0" } },
    { scope: ["variable", "variable.parameter", "variable.other.property", "constant.other"], settings: { foreground: "#9CDCFE" } },
  ],
};

const require = createRequire(import.meta.url);
const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
const grammarFile = join(ROOT, "editors/vscode/syntaxes/adainf.tmLanguage.json");
const registry = new vsctm.Registry({
  theme,
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (scope) => (scope === "source.adainf" ? vsctm.parseRawGrammar(readFileSync(grammarFile, "utf8"), grammarFile) : null),
});
const grammar = await registry.loadGrammar("source.adainf");
const colours = registry.getColorMap();

const lines = readFileSync(join(ROOT, file), "utf8").split(/\r?\n/);
const start = firstLine
  ? Number(firstLine) - 1
  : Math.max(
      0,
      lines.findIndex((l) => l.startsWith("pipeline ")),
    );
const html = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
let state = vsctm.INITIAL;
const rows = [];
for (const [i, line] of lines.entries()) {
  // every line from the top, so that the state at the first shown line is the file's
  const { tokens, ruleStack } = grammar.tokenizeLine2(line, state);
  state = ruleStack;
  if (i < start || (i === lines.length - 1 && line === "")) continue;
  let row = "";
  for (let t = 0; t < tokens.length; t += 2) {
    const from = tokens[t];
    const to = t + 2 < tokens.length ? tokens[t + 2] : line.length;
    const meta = tokens[t + 1];
    const fg = colours[(meta & 0x00ff8000) >>> 15];
    const italic = (meta & 0x00000800) !== 0;
    row += `<span style="color:${fg}${italic ? ";font-style:italic" : ""}">${html(line.slice(from, to))}</span>`;
  }
  rows.push(`<span class="n">${i + 1}</span>${row}`);
}

const page = `<!doctype html><meta charset="utf-8"><style>
body { margin: 0; background: ${BACKGROUND}; }
pre { margin: 0; padding: 14px 20px; display: inline-block; font: 14px/20px "DejaVu Sans Mono", monospace; color: #D4D4D4; background: ${BACKGROUND}; }
.n { display: inline-block; width: 3ch; margin-right: 2ch; text-align: right; color: #858585; }
</style><pre>${rows.join("\n")}</pre>`;

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
try {
  const tab = await browser.newPage({ deviceScaleFactor: 1 });
  await tab.setContent(page);
  await tab.locator("pre").screenshot({ path: join(ROOT, out) });
} finally {
  await browser.close();
}
console.log(`wrote ${out}: ${file} from line ${start + 1}, ${rows.length} lines`);
