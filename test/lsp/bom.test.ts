// A document whose text starts with a byte order mark (U+FEFF), driven through
// `adainfc lsp` by a real client (./client.ts): the compiler reads the text without the
// mark, the editor's positions count it. Diagnostics, quick fixes, definition,
// references, rename, completion, signature help, the outline and workspace symbols
// must all land on the characters they name, on the first line too.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, BUILT, Client, type Position } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface Range {
  start: Position;
  end: Position;
}
interface TextEdit {
  range: Range;
  newText: string;
}

/** The offset of an editor position in `text` (the mark is a character). */
function offsetIn(text: string, p: Position): number {
  return (
    text
      .split("\n")
      .slice(0, p.line)
      .reduce((n, l) => n + l.length + 1, 0) + p.character
  );
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

const body = `augment weak = symetric with { strength = 0.5 }
augment mild = symmetric with { strength = 0.8 }

pipeline p from simclr {
  data {
    real = cifar10("d", split = train, size = 100)
    eval = cifar10("d", split = test, size = 100)
  }
  augment = mild
  train {
    optimizer = lars(lr = 0.2)
  }
}
`;
const text = `\uFEFF${body}`;

describe.skipIf(skip)("adainfc lsp on a document that starts with a byte order mark", () => {
  let client: Client;
  let dir: string;
  let uri: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-bom-"));
    client = await Client.start(dir, 10, { rename: { prepareSupport: true } });
    uri = client.open(join(dir, "bom.adainf"), text);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("puts a diagnostic of the first line on its word, and its quick fix there", async () => {
    const ds = await client.diagnostics(uri, (d) => d.some((x) => x.code === "E010"));
    const e010 = ds.find((d) => d.code === "E010")!;
    expect(cover(text, e010.range)).toBe("symetric");
    const actions = await client.request<{ title: string; edit: { changes: Record<string, TextEdit[]> } }[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: e010.range,
      context: { diagnostics: [e010] },
    });
    const change = actions.find((a) => a.title === "Change 'symetric' to 'symmetric'")!;
    expect(apply(text, change.edit.changes[uri]!)).toBe(text.replace("symetric", "symmetric"));
  });

  it("goes to a definition on the first line, from the last character of a use", async () => {
    const def = await client.request<{ uri: string; range: Range }>("textDocument/definition", {
      textDocument: { uri },
      position: at(text, "augment = mild", "augment = mild".length),
    });
    expect(def.uri).toBe(uri);
    expect(def.range).toEqual({ start: { line: 1, character: 8 }, end: { line: 1, character: 12 } });
    const first = await client.request<{ range: Range }>("textDocument/definition", {
      textDocument: { uri },
      position: at(text, "augment weak", "augment weak".length),
    });
    expect(cover(text, first.range)).toBe("weak");
  });

  it("renames and finds references on the first line's characters", async () => {
    const first = "\uFEFFaugment mild = symmetric with { strength = 0.8 }\naugment milder = mild with { strength = 0.5 }\n";
    const firstUri = client.open(join(dir, "first.adainf"), first);
    const use = at(first, "= mild", 2);
    const refs = await client.request<{ range: Range }[]>("textDocument/references", {
      textDocument: { uri: firstUri },
      position: use,
      context: { includeDeclaration: true },
    });
    expect(refs.map((r) => cover(first, r.range))).toEqual(["mild", "mild"]);
    const prepared = await client.request<{ range: Range }>("textDocument/prepareRename", { textDocument: { uri: firstUri }, position: at(first, "mild", 4) });
    expect(cover(first, prepared.range)).toBe("mild");
    const edit = await client.request<{ changes: Record<string, TextEdit[]> }>("textDocument/rename", {
      textDocument: { uri: firstUri },
      position: use,
      newName: "gentle",
    });
    expect(apply(first, edit.changes[firstUri]!)).toBe(first.replace("augment mild", "augment gentle").replace("= mild", "= gentle"));
  });

  it("completes, helps with signatures, outlines and lists symbols at the right characters", async () => {
    const p = at(text, "augment = mild", "augment = mild".length);
    const items = await client.request<{ label: string; textEdit: TextEdit }[]>("textDocument/completion", { textDocument: { uri }, position: p });
    const mild = items.find((i) => i.label === "mild")!;
    expect(apply(text, [mild.textEdit])).toBe(text);
    const sig = await client.request<{ signatures: { label: string }[]; activeParameter: number }>("textDocument/signatureHelp", {
      textDocument: { uri },
      position: at(text, "lars(lr", "lars(lr".length),
    });
    expect(sig.signatures[0]!.label.startsWith("lars(lr")).toBe(true);
    expect(sig.activeParameter).toBe(0);
    const outline = await client.request<{ name: string; selectionRange: Range }[]>("textDocument/documentSymbol", { textDocument: { uri } });
    expect(outline.map((s) => [s.name, cover(text, s.selectionRange)])).toEqual([
      ["weak", "weak"],
      ["mild", "mild"],
      ["p", "p"],
    ]);
    const symbols = await client.request<{ name: string; location: { uri: string; range: Range } }[]>("workspace/symbol", { query: "weak" });
    const weak = symbols.find((s) => s.location.uri === uri)!;
    expect(cover(text, weak.location.range)).toBe("weak");
  });
});
