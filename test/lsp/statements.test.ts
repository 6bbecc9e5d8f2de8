// Hover and completion of `adainfc lsp` read the statement under the cursor from the
// tokens (src/lsp/scan.ts): two settings on one line (`train { devices = 1 batch_size =
// 256 }`, which parses) are two statements, and so is a word begun after a written value
// (`devices = 1 b`); a lone CR ends a line as LF and CRLF do; and
// nothing is completed inside a comment. Driven by a real client (./client.ts); runs the
// build in dist/.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, Client, type Position } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

describe.skipIf(skip)("adainfc lsp: statements as the parser reads them", () => {
  let client: Client;
  let dir: string;
  let n = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-lsp-statements-"));
    client = await Client.start(dir);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  const open = async (text: string): Promise<string> => {
    const uri = client.open(join(dir, `f${++n}.adainf`), text);
    await client.diagnostics(uri);
    return uri;
  };
  const hover = async (uri: string, position: Position): Promise<string> =>
    (await client.request<{ contents: { value: string } } | null>("textDocument/hover", { textDocument: { uri }, position }))?.contents.value.split("\n")[0] ??
    "";
  const complete = async (uri: string, position: Position): Promise<string[]> =>
    (await client.request<{ label: string }[]>("textDocument/completion", { textDocument: { uri }, position })).map((i) => i.label);

  it("reads two settings on one line as two statements", async () => {
    const text = 'pipeline p from simclr {\n  train { devices = 1 batch_size = 256 }\n  data { real = cifar10("d") eval = cifar10("d", split = test) }\n}\n';
    const uri = await open(text);
    expect(await hover(uri, { line: 1, character: 24 })).toMatch(/^\*\*train\.batch_size\*\*/);
    expect(await hover(uri, { line: 1, character: 12 })).toMatch(/^\*\*train\.devices\*\*/);
    // After a written value and a space: the block's settings, not the value's.
    const after = await complete(uri, { line: 1, character: 22 });
    expect(after).toContain("batch_size");
    expect(after).not.toContain("1");
    // Still the value right after `=`, and inside a call the arguments.
    expect(await complete(uri, { line: 1, character: 19 })).not.toContain("batch_size");
    expect(await hover(uri, { line: 2, character: 52 })).toMatch(/^\*\*dataset\.split\*\*/);
  });

  it("a word typed after a written value and a space begins the next setting", async () => {
    const uri = await open("pipeline p from simclr {\n  train { devices = 1 b }\n}\n");
    const items = await complete(uri, { line: 1, character: 23 });
    expect(items).toContain("batch_size");
    expect(items).not.toContain("1");
  });

  it("ends a line at a lone CR as at LF and CRLF", async () => {
    for (const eol of ["\n", "\r\n", "\r"]) {
      const text = ["pipeline p from simclr {", "  train {", "    devices = 1", "    batch_size = 256", "", "  }", "}", ""].join(eol);
      const uri = await open(text);
      expect(await hover(uri, { line: 3, character: 6 })).toMatch(/^\*\*train\.batch_size\*\*/);
      const items = await complete(uri, { line: 4, character: 0 });
      expect(items).toContain("steps");
      expect(items).not.toContain("1");
    }
  });

  it("completes nothing inside a comment", async () => {
    const text = "// the real data is \npipeline p from simclr { // more \n  /* a block \n comment */\n}\n";
    const uri = await open(text);
    expect(await complete(uri, { line: 0, character: 20 })).toEqual([]);
    expect(await complete(uri, { line: 1, character: 33 })).toEqual([]);
    expect(await complete(uri, { line: 2, character: 13 })).toEqual([]);
    // Outside them, the pipeline's blocks.
    expect(await complete(uri, { line: 5, character: 0 })).toContain("pipeline");
    expect(await complete(uri, { line: 3, character: 11 })).toContain("train");
  });
});
