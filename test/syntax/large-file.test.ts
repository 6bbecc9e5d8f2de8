// A large source file (one pipeline of 160,000 settings, 1.7 MB) checks, formats and
// gets its outline without an internal error: no array of the file's size is spread
// into a call's arguments (that overflows the stack: src/util/push-all.ts).
import { join } from "node:path";
import { expect, it } from "vitest";
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
  const f = formatText(text, "big.adainf");
  expect(f.diagnostics).toEqual([]);
  expect(f.text).toBe(text); // already canonical
  const symbols = documentSymbols(parseSource(text, "big.adainf").ast);
  expect(symbols).toHaveLength(1);
  expect(symbols[0]!.children).toHaveLength(LINES);
});
