// `adainfc lsp` on a large document (one pipeline of 160,000 settings, 1.7 MB): the outline,
// semantic tokens, hover, formatting and code actions answer, with no internal error in the
// server's log (they overflowed the stack once), the outline in seconds. Runs the build in dist/.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { project } from "../helpers.js";
import { BUILT, Client } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";
const LINES = 160_000;
const text = `pipeline p from simclr {\n${"  seed = 1\n".repeat(LINES)}}\n`;

it.skipIf(skip)(`answers on a document of ${LINES} lines without an internal error`, { timeout: 180_000 }, async () => {
  const dir = project({});
  const path = join(dir, "big.adainf");
  writeFileSync(path, text);
  const client = await Client.start(dir);
  try {
    const uri = client.open(path, text);
    const textDocument = { uri };
    const t0 = performance.now();
    const symbols = await client.request<{ children?: unknown[] }[]>("textDocument/documentSymbol", { textDocument });
    expect(performance.now() - t0).toBeLessThan(30_000);
    expect(symbols[0]!.children).toHaveLength(LINES);
    const tokens = await client.request<{ data: number[] } | null>("textDocument/semanticTokens/full", { textDocument });
    expect(tokens!.data.length).toBeGreaterThan(0);
    const hover = await client.request<unknown>("textDocument/hover", { textDocument, position: { line: 5, character: 3 } });
    expect(hover).not.toBeNull();
    const edits = await client.request<unknown[] | null>("textDocument/formatting", { textDocument, options: { tabSize: 2, insertSpaces: true } });
    expect(edits ?? []).toEqual([]); // already canonical
    const range = { start: { line: 5, character: 2 }, end: { line: 5, character: 3 } };
    await client.request("textDocument/codeAction", { textDocument, range, context: { diagnostics: [] } });
    expect(client.logs.filter((l) => /internal error|RangeError/.test(l))).toEqual([]);
  } finally {
    await client.stop();
  }
});
