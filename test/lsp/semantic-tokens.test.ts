// Semantic tokens through `adainfc lsp` driven by a real client (./client.ts): the legend
// the server advertises, every name of a small file classified (builtins, parameters,
// fields, block keywords, recipes, presets, datasets, data sources, sweep axes, lint
// rules, stdlib or the user's) and read back from the protocol's relative encoding, a
// delta against an earlier answer, a range request, a document with a byte order mark, files with syntax errors (what
// parses is classified; the request is answered, never an internal error), and an open
// file that another imports (its change has the client fetch the tokens again).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT, Client, decodeTokens } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

const LEGEND = {
  tokenTypes: ["namespace", "type", "class", "enum", "struct", "parameter", "variable", "property", "enumMember", "function", "keyword"],
  tokenModifiers: ["declaration", "defaultLibrary", "abstract", "modification"],
};

const text = `use std.augment.symmetric as sym
dataset tiny {
  format = mnist
}
augment weak = sym with { color_jitter.p = 0.5 }
recipe base from simclr {
  data {
    real = tiny("d", split = train)
  }
}
pipeline p from base {
  data {
    real = npz("r.npz", channels = rgb)
    gen = folder("g")
  }
  inflate {
    real x 2
    gen x 1
  }
  augment = weak
  train {
    steps = 10 epochs
    optimizer = sgd(lr = 0.1)
  }
  evaluate {
    knn(k = 5, every = none)
    source = real
  }
  lint {
    allow(generated-quality)
  }
  sweep {
    axis mix {
      a { seed = 1 }
    }
  }
}
`;

/** Every token of the file as `line:character text type.modifier...` (0-based, as the editor counts). */
const EXPECTED = [
  "0:0 use keyword",
  "0:4 std namespace.defaultLibrary",
  "0:8 augment namespace.defaultLibrary",
  "0:16 symmetric type.defaultLibrary",
  "0:26 as keyword",
  "0:29 sym type.declaration",
  "1:0 dataset keyword",
  "1:8 tiny struct.declaration",
  "2:2 format property",
  "2:11 mnist enumMember",
  "4:0 augment keyword",
  "4:8 weak type.declaration",
  "4:15 sym type.defaultLibrary",
  "4:19 with keyword",
  "4:26 color_jitter function.defaultLibrary",
  "4:39 p parameter",
  "5:0 recipe keyword",
  "5:7 base class.declaration.abstract",
  "5:12 from keyword",
  "5:17 simclr class.defaultLibrary.abstract",
  "6:2 data keyword",
  "7:4 real variable.declaration",
  "7:11 tiny struct",
  "7:21 split parameter",
  "7:29 train enumMember",
  "10:0 pipeline keyword",
  "10:9 p class.declaration",
  "10:11 from keyword",
  "10:16 base class.abstract",
  "11:2 data keyword",
  // `real` replaces the recipe's `real`: a declaration that modifies an inherited source.
  "12:4 real variable.declaration.modification",
  "12:11 npz function.defaultLibrary",
  "12:24 channels parameter",
  "12:35 rgb enumMember",
  "13:4 gen variable.declaration",
  "13:10 folder function.defaultLibrary",
  "15:2 inflate keyword",
  "16:4 real variable",
  "17:4 gen variable",
  "19:2 augment property",
  "19:12 weak type",
  "20:2 train keyword",
  "21:4 steps property",
  "21:15 epochs keyword",
  "22:4 optimizer property",
  "22:16 sgd function.defaultLibrary",
  "22:20 lr parameter",
  "24:2 evaluate keyword",
  "25:4 knn function.defaultLibrary",
  "25:8 k parameter",
  "25:15 every parameter",
  "25:23 none keyword",
  "26:4 source property",
  "26:13 real variable",
  "28:2 lint keyword",
  "29:4 allow keyword",
  "29:10 generated-quality enumMember",
  "31:2 sweep keyword",
  "32:4 axis keyword",
  "32:9 mix enum.declaration",
  "33:6 a enumMember.declaration",
  "33:10 seed property",
];

describe.skipIf(skip)("adainfc lsp semantic tokens", () => {
  let client: Client;
  let dir: string;
  const full = async (uri: string, docText: string) => {
    const r = await client.request<{ data: number[] }>("textDocument/semanticTokens/full", { textDocument: { uri } });
    return decodeTokens(r.data, LEGEND, docText);
  };
  const show = (tokens: ReturnType<typeof decodeTokens>) => tokens.map((t) => `${t.line}:${t.character} ${t.text} ${[t.type, ...t.modifiers].join(".")}`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-semantic-"));
    client = await Client.start(dir, 10, {}, {}, { semanticTokens: { refreshSupport: true } });
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("advertises the legend, full (with deltas) and range requests", () => {
    expect(client.capabilities.semanticTokensProvider).toEqual({ legend: LEGEND, full: { delta: true }, range: true });
  });

  it("answers a delta with the edits from the tokens of the result id it names; an unknown id gets the whole file", async () => {
    interface Tokens {
      resultId: string;
      data: number[];
    }
    interface Delta {
      resultId: string;
      edits: { start: number; deleteCount: number; data?: number[] }[];
    }
    const uri = client.open(join(dir, "delta.adainf"), text);
    const first = await client.request<Tokens>("textDocument/semanticTokens/full", { textDocument: { uri } });
    expect(first.resultId).toMatch(/./);
    // a setting added in train: its tokens, and the line of the next one's, change
    const changed = text.replace("    steps = 10 epochs\n", "    steps = 10 epochs\n    batch_size = 64\n");
    client.change(uri, changed);
    const delta = await client.request<Delta>("textDocument/semanticTokens/full/delta", { textDocument: { uri }, previousResultId: first.resultId });
    expect(delta.resultId).not.toBe(first.resultId);
    expect(delta.edits.length).toBe(1);
    const edit = delta.edits[0]!;
    // whole tokens, and far less than the file
    expect(edit.start % 5).toBe(0);
    expect(edit.deleteCount % 5).toBe(0);
    expect((edit.data ?? []).length).toBeLessThan(5 * 4);
    const patched = [...first.data];
    patched.splice(edit.start, edit.deleteCount, ...(edit.data ?? []));
    expect(show(decodeTokens(patched, LEGEND, changed))).toEqual(show(await full(uri, changed)));
    // unchanged since the last answer: no edits
    const latest = await client.request<Tokens>("textDocument/semanticTokens/full", { textDocument: { uri } });
    const same = await client.request<Delta>("textDocument/semanticTokens/full/delta", { textDocument: { uri }, previousResultId: latest.resultId });
    expect(same.edits).toEqual([]);
    // an id the server no longer holds (an older answer): the whole file, with a new id
    const stale = await client.request<Tokens>("textDocument/semanticTokens/full/delta", { textDocument: { uri }, previousResultId: first.resultId });
    expect(stale.data).toEqual(latest.data);
    expect(stale.resultId).not.toBe(latest.resultId);
  });

  it("classifies every name of a file", async () => {
    const uri = client.open(join(dir, "p.adainf"), text);
    const tokens = await full(uri, text);
    expect(show(tokens)).toEqual(EXPECTED);
    // Each token covers one whole name: its length is the name's.
    for (const t of tokens) expect(t.text).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/);
  });

  it("answers a range with the tokens of its lines, encoded from the range's first token", async () => {
    const uri = client.open(join(dir, "range.adainf"), text);
    const r = await client.request<{ data: number[] }>("textDocument/semanticTokens/range", {
      textDocument: { uri },
      range: { start: { line: 19, character: 0 }, end: { line: 22, character: 30 } },
    });
    expect(show(decodeTokens(r.data, LEGEND, text))).toEqual(EXPECTED.filter((t) => /^(19|20|21|22):/.test(t)));
  });

  it("counts a byte order mark on the first line", async () => {
    const withMark = `\uFEFF${text}`;
    const uri = client.open(join(dir, "bom.adainf"), withMark);
    const tokens = await full(uri, withMark);
    expect(show(tokens).slice(0, 3)).toEqual(["0:1 use keyword", "0:5 std namespace.defaultLibrary", "0:9 augment namespace.defaultLibrary"]);
    expect(show(tokens).slice(6)).toEqual(EXPECTED.slice(6));
  });

  it("names that resolve to nothing get no token, so they keep the grammar's colour", async () => {
    const t = `pipeline q from nope {
  augment = nothing
  train { batch_sise = 5 }
  lint { allow(no-such-rule) }
}
`;
    const uri = client.open(join(dir, "unknown.adainf"), t);
    expect(show(await full(uri, t))).toEqual([
      "0:0 pipeline keyword",
      "0:9 q class.declaration",
      "0:11 from keyword",
      "1:2 augment property",
      "2:2 train keyword",
      "3:2 lint keyword",
      "3:9 allow keyword",
    ]);
  });

  it("classifies what parses in a file with syntax errors", async () => {
    // An unfinished value (the parser drops its statement) and an unclosed call (it recovers it).
    const t = `pipeline p from simclr {
  data {
    real = cifar10("d", split = )
    gen = npz("g.npz")
  }
  train {
    optimizer = lars(lr = 0.1, momentum = 0.9
  }
  evaluate { knn(k = 20) }
}
pipeline
`;
    const uri = client.open(join(dir, "broken.adainf"), t);
    const tokens = show(await full(uri, t));
    expect(tokens).toEqual([
      "0:0 pipeline keyword",
      "0:9 p class.declaration",
      "0:11 from keyword",
      "0:16 simclr class.defaultLibrary.abstract",
      "1:2 data keyword",
      "3:4 gen variable.declaration",
      "3:10 npz function.defaultLibrary",
      "5:2 train keyword",
      "6:4 optimizer property",
      "6:16 lars function.defaultLibrary",
      "6:21 lr parameter",
      "6:31 momentum parameter",
      "8:2 evaluate keyword",
      "8:13 knn function.defaultLibrary",
      "8:17 k parameter",
      "10:0 pipeline keyword",
    ]);
    // Text that is hardly the language at all: the keywords the lexer finds, nothing else.
    const junk = '}}}{{{ ((( "unterminated\n use std.\n';
    const junkUri = client.open(join(dir, "junk.adainf"), junk);
    expect(show(await full(junkUri, junk))).toEqual(["1:1 use keyword", "1:5 std namespace.defaultLibrary"]);
    // A document the server does not have: no tokens.
    expect(await full("file:///nowhere/closed.adainf", "")).toEqual([]);
  });

  it("asks for the tokens again when an open file that another imports changes, and they follow it", async () => {
    const lib = "augment mine = symmetric\n";
    const user = 'use "./lib.adainf"\npipeline u from simclr {\n  augment = mine\n}\n';
    const libUri = client.open(join(dir, "lib.adainf"), lib);
    const userUri = client.open(join(dir, "user.adainf"), user);
    await client.diagnostics(libUri);
    await client.diagnostics(userUri);
    expect(show(await full(userUri, user))).toContain("2:12 mine type");
    const before = client.refreshed.length;
    client.change(libUri, "augment yours = symmetric\n");
    await expect.poll(() => client.refreshed.slice(before)).toContain("workspace/semanticTokens/refresh");
    // `mine` is declared nowhere now: no token.
    expect(show(await full(userUri, user)).filter((t) => t.includes("mine"))).toEqual([]);
  });
});
