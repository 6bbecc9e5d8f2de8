// A large source file (one pipeline of 160,000 settings, 1.7 MB) checks, formats and
// gets its outline without an internal error: no array of the file's size is spread
// into a call's arguments (that overflows the stack: src/util/push-all.ts); its 160,000
// diagnostics render with code frames in seconds (one line map per file).
import { join } from "node:path";
import { expect, it } from "vitest";
import { renderDiagnostics } from "../../src/check/render.js";
import { compileFileSync } from "../../src/driver.js";
import { documentSymbols } from "../../src/lsp/navigation.js";
import { formatText } from "../../src/syntax/format.js";
import { parseSource } from "../../src/syntax/parse.js";
import { project } from "../helpers.js";

const LINES = 160_000;
const text = `pipeline p from simclr {\n${"  seed = 1\n".repeat(LINES)}}\n`;

it(`a pipeline of ${LINES} lines checks, formats and has an outline`, { timeout: 120_000 }, () => {
  const dir = project({});
  const out = compileFileSync("big.adainf", { cwd: dir, overlay: new Map([[join(dir, "big.adainf"), text]]) });
  expect(out.diagnostics.some((d) => d.code === "E040")).toBe(false);
  expect(out.diagnostics.filter((d) => d.code === "E012")).toHaveLength(LINES - 1); // seed given twice
  // As `check` shows them, each with its code frame: the file's lines are found once, not once a diagnostic.
  // 3,000 of them (making the map for each took 20 s): a sync loop cannot be timed out.
  const t0 = performance.now();
  const shown = renderDiagnostics(out.diagnostics.slice(-3000), (f) => out.sources.get(f) ?? null, { color: false });
  expect(performance.now() - t0).toBeLessThan(5_000);
  expect(shown).toContain(`> ${LINES + 1} |   seed = 1`);
  const f = formatText(text, "big.adainf");
  expect(f.diagnostics).toEqual([]);
  expect(f.text).toBe(text); // already canonical
  const symbols = documentSymbols(parseSource(text, "big.adainf").ast);
  expect(symbols).toHaveLength(1);
  expect(symbols[0]!.children).toHaveLength(LINES);
});
