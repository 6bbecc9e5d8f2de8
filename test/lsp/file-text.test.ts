// What `adainfc lsp` says about a file's text as `adainfc check` and `fmt` do, driven by a
// real client (./client.ts): a file that is not UTF-8 on disk (the editor shows it with
// replacement characters) gets check's E005 at the byte (and keeps its highlighting and
// navigation); formatting a formatted file that
// starts with a byte order mark changes nothing (fmt keeps the mark); E001 on a character
// outside the BMP names it whole and covers both UTF-16 units; a text over the 4 MiB a
// pipeline file may have is refused as check refuses the file; a misspelt `use
// std.<module>` gets its "did you mean" quick fix. Runs the build in dist/.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSource } from "../../src/syntax/parse.js";
import { BUILT, Client, ROOT } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

describe.skipIf(skip)("adainfc lsp on a file's text as check and fmt see it", () => {
  let client: Client;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-lsp-text-"));
    client = await Client.start(dir);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("reports E005 at the byte for a file that is not UTF-8, as check does", async () => {
    const path = join(dir, "latin1.adainf");
    writeFileSync(path, Buffer.concat([Buffer.from("// caf"), Buffer.from([0xe9]), Buffer.from(" au lait\npipeline p from simclr {}\n")]));
    // What an editor sends: the bytes decoded as UTF-8, U+FFFD for the bad one.
    const uri = client.open(path, "// caf\uFFFD au lait\npipeline p from simclr {}\n");
    const d = await client.diagnostics(uri);
    // Underlining the one character the editor shows for the byte.
    expect(d.map((x) => [x.code, x.message.split("\n")[0], x.range])).toEqual([
      ["E005", "byte 0xE9 is not UTF-8", { start: { line: 0, character: 6 }, end: { line: 0, character: 7 } }],
    ]);
    // Only the diagnostics read the disk: highlighting and navigation read the editor's text.
    const tokens = await client.request<{ data: number[] }>("textDocument/semanticTokens/full", { textDocument: { uri } });
    expect(tokens.data.length).toBeGreaterThan(0);
    const definition = await client.request<{ uri: string } | null>("textDocument/definition", { textDocument: { uri }, position: { line: 1, character: 17 } });
    expect(definition?.uri).toMatch(/stdlib/);
    const check = spawnSync(join(ROOT, "bin", "adainfc"), ["check", "latin1.adainf"], { cwd: dir, encoding: "utf8" });
    expect(check.stdout + check.stderr).toMatch(/latin1\.adainf:1:7: error\[E005\]: byte 0xE9 is not UTF-8/);
    // Typed over in the editor (now different from the disk): the editor's text is checked.
    client.change(uri, "// cafe au lait\npipeline p from simclr {}\n");
    expect((await client.diagnostics(uri)).map((x) => x.code)).not.toContain("E005");
  });

  it("leaves a formatted file with a byte order mark as it is", async () => {
    const text = "\uFEFFpipeline p from simclr {\n  augment = symmetric\n}\n";
    const uri = client.open(join(dir, "bom.adainf"), text);
    await client.diagnostics(uri);
    expect(await client.request("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } })).toEqual([]);
    // Unformatted: the edit starts after the mark and keeps it.
    const messy = "\uFEFFpipeline p from simclr {\naugment = symmetric\n}\n";
    client.change(uri, messy);
    const edits = await client.request<{ range: { start: { line: number; character: number } }; newText: string }[]>("textDocument/formatting", {
      textDocument: { uri },
      options: { tabSize: 2, insertSpaces: true },
    });
    expect(edits.map((e) => [e.range.start, e.newText])).toEqual([[{ line: 0, character: 1 }, "pipeline p from simclr {\n  augment = symmetric\n}\n"]]);
  });

  it("names a character outside the BMP whole in E001, in the server and in check", async () => {
    const text = "pipeline p from simclr {\n  train { batch_size = 256 \u{1F600} }\n}\n";
    const uri = client.open(join(dir, "emoji.adainf"), text);
    const e001 = (await client.diagnostics(uri)).find((d) => d.code === "E001");
    expect(e001?.message.split("\n")[0]).toBe('unexpected character "\u{1F600}"');
    expect(e001?.range).toEqual({ start: { line: 1, character: 27 }, end: { line: 1, character: 29 } });
    const parsed = parseSource(text, "emoji.adainf").diagnostics.find((d) => d.code === "E001");
    expect([parsed?.message, (parsed?.span?.end ?? 0) - (parsed?.span?.start ?? 0)]).toEqual(['unexpected character "\u{1F600}"', 2]);
  });

  it("refuses a text over 4 MiB as check refuses the file", async () => {
    const text = `pipeline p from simclr {}\n${`// ${"x".repeat(97)}\n`.repeat(52_000)}`;
    const uri = client.open(join(dir, "huge.adainf"), text);
    const d = await client.diagnostics(uri, () => true, 60_000);
    expect(d.map((x) => [x.code, x.message])).toEqual([["E005", "huge.adainf: 5.0 MiB, over the 4 MiB a pipeline file may have"]]);
  });

  it("offers the suggested module for a misspelt `use std.<module>`", async () => {
    const text = "use std.augmnt\n";
    const uri = client.open(join(dir, "typo.adainf"), text);
    const d = await client.diagnostics(uri);
    const actions = await client.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: d[0]!.range,
      context: { diagnostics: d },
    });
    expect(actions.map((a) => [a.title, a.edit.changes[uri]?.[0]?.newText])).toEqual([["Change 'std.augmnt' to 'std.augment'", "std.augment"]]);
  });
});
