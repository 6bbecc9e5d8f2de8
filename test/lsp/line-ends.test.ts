// Documents whose lines end with a lone CR (and CRLF, and LF, mixed), driven through
// `adainfc lsp` by a real client (./client.ts): the protocol ends a line at each of the
// three, as the editor does, and so do the compiler's spans. Diagnostics (one in
// an imported file too, at its `use` line), quick fixes, definition (into a file on disk),
// references, rename, completion, the outline and workspace symbols must all land on the
// characters they name.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, Client, type Position } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface Range {
  start: Position;
  end: Position;
}
interface TextEdit {
  range: Range;
  newText: string;
}

/** The offset of each line's first character, lines ending at CR, LF or CRLF (the protocol's). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (const m of text.matchAll(/\r\n?|\n/g)) starts.push(m.index + m[0].length);
  return starts;
}
/** The offset of an editor position; one past its line's end is no position (the editor would clamp it). */
function offsetIn(text: string, p: Position): number {
  const starts = lineStarts(text);
  const end = p.line + 1 < starts.length ? starts[p.line + 1]! - (/\r\n$/.test(text.slice(0, starts[p.line + 1])) ? 2 : 1) : text.length;
  if (p.line >= starts.length || starts[p.line]! + p.character > end) throw new Error(`${JSON.stringify(p)} is past the end of its line`);
  return starts[p.line]! + p.character;
}
/** The editor's position of the first `needle` in `text` (plus `delta` characters). */
function at(text: string, needle: string, delta = 0): Position {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`no '${needle}' in the text`);
  const starts = lineStarts(text);
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1]! <= i + delta) line++;
  return { line, character: i + delta - starts[line]! };
}
/** `text` with `edits` applied, as the editor applies them. */
function apply(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => offsetIn(text, b.range.start) - offsetIn(text, a.range.start)))
    out = out.slice(0, offsetIn(text, e.range.start)) + e.newText + out.slice(offsetIn(text, e.range.end));
  return out;
}
/** The text a range covers. */
const cover = (text: string, r: Range): string => text.slice(offsetIn(text, r.start), offsetIn(text, r.end));

// On disk, lone CRs: a definition there is placed on the editor's lines of that file.
const common = "// shared\r\r// presets\raugment gentle = symmetric with { strength = 0.6 }\r";

const text = [
  'use "./common.adainf"\r',
  "// lone CR, CRLF and LF\r\n",
  "augment weak = symetric with { strength = 0.5 }\r",
  "augment mild = symmetric with { strength = 0.8 }\r\n",
  "\r",
  "pipeline p from simclr {\r",
  "  data {\n",
  '    real = cifar10("d", split = train, size = 100)\r',
  '    eval = cifar10("d", split = test, size = 100)\r',
  "  }\r",
  "  augment = mild\r\n",
  "  train {\r",
  "    optimizer = lars(lr = 0.2)\r",
  "  }\r",
  "  sweep {\r",
  "    augment = [weak, gentle]\r",
  "  }\r",
  "}\r",
].join("");

describe.skipIf(skip)("adainfc lsp on a document whose lines end with a lone CR", () => {
  let client: Client;
  let dir: string;
  let uri: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-cr-"));
    writeFileSync(join(dir, "common.adainf"), common);
    client = await Client.start(dir, 10, { rename: { prepareSupport: true } });
    uri = client.open(join(dir, "cr.adainf"), text);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("puts a diagnostic on its word, and its quick fix there", async () => {
    const ds = await client.diagnostics(uri, (d) => d.some((x) => x.code === "E010"));
    const e010 = ds.find((d) => d.code === "E010")!;
    expect(e010.range.start.line).toBe(2);
    expect(cover(text, e010.range)).toBe("symetric");
    const actions = await client.request<{ title: string; edit: { changes: Record<string, TextEdit[]> } }[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: e010.range,
      context: { diagnostics: [e010] },
    });
    const change = actions.find((a) => a.title === "Change 'symetric' to 'symmetric'")!;
    expect(apply(text, change.edit.changes[uri]!)).toBe(text.replace("symetric", "symmetric"));
  });

  it("puts a problem of an imported file at its use line", async () => {
    const broken = "// broken\raugment gentle = symetric\raugment other = symmetric\r";
    const main = [
      "// imports\r\r",
      'use "./broken.adainf"\r',
      "pipeline z from simclr {\r",
      '  data {\r    real = cifar10("d", split = train, size = 100)\r    eval = cifar10("d", split = test, size = 100)\r  }\r',
      "  augment = gentle\r",
      "}\r",
    ].join("");
    writeFileSync(join(dir, "broken.adainf"), broken);
    const mainUri = client.open(join(dir, "imports.adainf"), main);
    const ds = await client.diagnostics(mainUri, (d) => d.some((x) => x.code === "E010"));
    const e010 = ds.find((d) => d.code === "E010")!;
    expect(cover(main, e010.range)).toBe('use "./broken.adainf"');
    // the problem's own place, as the editor counts that file's lines
    expect(e010.message).toMatch(/^broken\.adainf:2:18: /);
  });

  it("goes to a definition in the document and in a file on disk", async () => {
    const def = await client.request<{ uri: string; range: Range }>("textDocument/definition", {
      textDocument: { uri },
      position: at(text, "augment = mild", "augment = mild".length),
    });
    expect(def.uri).toBe(uri);
    expect(def.range).toEqual({ start: { line: 3, character: 8 }, end: { line: 3, character: 12 } });
    const there = await client.request<{ uri: string; range: Range }>("textDocument/definition", {
      textDocument: { uri },
      position: at(text, "gentle]", 1),
    });
    expect(there.range).toEqual({ start: { line: 3, character: 8 }, end: { line: 3, character: 14 } });
    expect(cover(common, there.range)).toBe("gentle");
  });

  it("finds references and renames on the editor's lines", async () => {
    const use = at(text, "= mild", 2);
    const refs = await client.request<{ range: Range }[]>("textDocument/references", {
      textDocument: { uri },
      position: use,
      context: { includeDeclaration: true },
    });
    expect(refs.map((r) => [r.range.start.line, cover(text, r.range)])).toEqual([
      [3, "mild"],
      [10, "mild"],
    ]);
    const prepared = await client.request<{ range: Range }>("textDocument/prepareRename", { textDocument: { uri }, position: at(text, "weak", 2) });
    expect(cover(text, prepared.range)).toBe("weak");
    const edit = await client.request<{ changes: Record<string, TextEdit[]> }>("textDocument/rename", {
      textDocument: { uri },
      position: use,
      newName: "soft",
    });
    expect(apply(text, edit.changes[uri]!)).toBe(text.replace("augment mild", "augment soft").replace("= mild", "= soft"));
  });

  it("completes, hovers, outlines and lists symbols at the right characters", async () => {
    const p = at(text, "augment = mild", "augment = mild".length);
    const items = await client.request<{ label: string; textEdit: TextEdit }[]>("textDocument/completion", { textDocument: { uri }, position: p });
    expect(apply(text, [items.find((i) => i.label === "mild")!.textEdit])).toBe(text);
    const hover = await client.request<{ contents: { value: string } } | null>("textDocument/hover", { textDocument: { uri }, position: at(text, "lars", 1) });
    expect(hover?.contents.value).toContain("lars");
    // a declaration's hover names its line as the editor counts it
    const decl = await client.request<{ contents: { value: string } }>("textDocument/hover", { textDocument: { uri }, position: at(text, "= mild", 3) });
    expect(decl.contents.value).toMatch(/^\*\*augment mild\*\* \(\S*cr\.adainf:4\)/);
    const outline = await client.request<{ name: string; range: Range; selectionRange: Range }[]>("textDocument/documentSymbol", { textDocument: { uri } });
    expect(outline.map((s) => [s.name, cover(text, s.selectionRange)])).toEqual([
      ["weak", "weak"],
      ["mild", "mild"],
      ["p", "p"],
    ]);
    expect(outline[2]!.range).toEqual({ start: { line: 5, character: 0 }, end: { line: 17, character: 1 } });
    const symbols = await client.request<{ name: string; location: { uri: string; range: Range } }[]>("workspace/symbol", { query: "gentle" });
    const gentle = symbols.find((s) => s.location.uri.endsWith("/common.adainf"))!;
    expect(cover(common, gentle.location.range)).toBe("gentle");
  });

  it("names an inherited setting's line as the editor counts it", async () => {
    const recipe = "// recipes\rrecipe r from simclr {\r  train {\r    optimizer = sgd(lr = 0.1)\r  }\r}\rpipeline q from r {\r  train { steps = 5 }\r}\r";
    const hintsUri = client.open(join(dir, "hints.adainf"), recipe);
    const hints = await client.request<{ position: Position; label: { value: string; tooltip?: { value: string } }[] }[]>("textDocument/inlayHint", {
      textDocument: { uri: hintsUri },
      range: { start: { line: 0, character: 0 }, end: { line: 100, character: 0 } },
    });
    const optimizer = hints.flatMap((h) => h.label).find((p) => p.value.startsWith("optimizer = sgd"))!;
    expect(optimizer.tooltip?.value).toMatch(/^Inherited from recipe r, \S*hints\.adainf:4:/);
  });
});
