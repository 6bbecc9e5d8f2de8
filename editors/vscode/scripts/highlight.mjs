// Shared by the picture scripts (render-highlighting.mjs, render-hover.mjs): the extension's
// TextMate grammar through vscode-textmate + vscode-oniguruma with the colours of VS Code's
// Dark+ theme for the scopes the grammar uses, and a headless Chromium (playwright-core
// driving Debian's chromium, as test/report/browser.test.ts does) to photograph HTML.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import oniguruma from "vscode-oniguruma";
import vsctm from "vscode-textmate";

export const ROOT = resolve(import.meta.dirname, "../../..");
const CHROMIUM = process.env.ADAINF_CHROMIUM ?? "/usr/bin/chromium";

// VS Code's Dark+ colours (its dark_vs and dark_plus themes) for the grammar's scopes.
export const BACKGROUND = "#1E1E1E";
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

/** Each line's coloured pieces, `{ from, to, colour, italic }`, tokenized from the top of the file. */
export async function colourLines(lines) {
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
  let state = vsctm.INITIAL;
  return lines.map((line) => {
    const { tokens, ruleStack } = grammar.tokenizeLine2(line, state);
    state = ruleStack;
    const pieces = [];
    for (let t = 0; t < tokens.length; t += 2) {
      const meta = tokens[t + 1];
      pieces.push({
        from: tokens[t],
        to: t + 2 < tokens.length ? tokens[t + 2] : line.length,
        colour: colours[(meta & 0x00ff8000) >>> 15],
        italic: (meta & 0x00000800) !== 0,
      });
    }
    return pieces;
  });
}

export const escapeHtml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Writes a PNG of the element `selector` of the page `html`. */
export async function photograph(html, selector, out) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
  try {
    const tab = await browser.newPage({ deviceScaleFactor: 1 });
    await tab.setContent(html);
    await tab.locator(selector).screenshot({ path: join(ROOT, out) });
  } finally {
    await browser.close();
  }
}
