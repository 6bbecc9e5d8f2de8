// Data sources through `adainfc lsp` driven by a real client (./client.ts): go to
// definition, find references and rename of a name of a `data` block, across its uses
// (`inflate`, `evaluate { source }`, dotted keys, a sweep's alternatives and lists), a
// recipe's sources seen by the pipelines built on it (in another file, on disk), a
// derived pipeline's override; and the refusals: a clash with another source, a keyword,
// a non-name. A pipeline's own source of the same name is another source.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEdits as apply, at, BUILT, Client, type Position, type TextEdit, uriOf } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface Range {
  start: Position;
  end: Position;
}
interface Location {
  uri: string;
  range: Range;
}

/** The range of the `nth` (0-based) `word` in `text`. */
function rangeOfWord(text: string, word: string, nth = 0): Range {
  const re = new RegExp(`\\b${word}\\b`, "g");
  let m: RegExpExecArray | null = null;
  for (let i = 0; i <= nth; i++) m = re.exec(text);
  if (!m) throw new Error(`no ${word} #${nth}`);
  const before = text.slice(0, m.index).split("\n");
  const start = { line: before.length - 1, character: before[before.length - 1]!.length };
  return { start, end: { line: start.line, character: start.character + word.length } };
}

// On disk: a recipe with sources, and a pipeline of its own with a source `real` too.
const common = `recipe base from simclr {
  data {
    real = cifar10("d", split = train, size = 100)
    held = cifar10("d", split = test, size = 100)
  }
  evaluate {
    source = held
  }
}

pipeline other from simclr {
  data {
    real = cifar10("d", split = train, size = 100)
    eval = cifar10("d", split = test, size = 100)
  }
}
`;

// Open only: builds on the recipe, overrides and uses its sources; declares one of its own.
const main = `use "./common.adainf"

pipeline p from base {
  data {
    real = cifar10("d", split = train, size = 50)
    gen = npz("g.npz", size = 1_000, fid = 5, channels = rgb, shape = (32, 32, 3))
  }
  data.real.size = 60
  inflate {
    real x 10
    gen x 1
  }
  evaluate.source = held
  sweep {
    axis inflation {
      none {
        inflate {
          real x 1
        }
      }
      mixed {
        inflate.real x 2
        inflate.gen x 1
      }
    }
  }
}
`;

describe.skipIf(skip)("adainfc lsp data sources", () => {
  let client: Client;
  let dir: string;
  let mainUri: string;
  let commonUri: string;
  const path = (name: string) => join(dir, name);
  const definition = (uri: string, position: Position) => client.request<Location | null>("textDocument/definition", { textDocument: { uri }, position });
  const references = (uri: string, position: Position, includeDeclaration = true) =>
    client.request<Location[]>("textDocument/references", { textDocument: { uri }, position, context: { includeDeclaration } });
  const prepare = (uri: string, position: Position) =>
    client.request<{ range: Range; placeholder: string }>("textDocument/prepareRename", { textDocument: { uri }, position });
  const rename = (uri: string, position: Position, newName: string) =>
    client.request<{ changes: Record<string, TextEdit[]> }>("textDocument/rename", { textDocument: { uri }, position, newName });
  const sorted = (locs: Location[]) =>
    [...locs].sort((a, b) => a.uri.localeCompare(b.uri) || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-sources-"));
    writeFileSync(path("common.adainf"), common);
    client = await Client.start(dir, 10, { rename: { prepareSupport: true } });
    mainUri = client.open(path("main.adainf"), main);
    // It compiles as written (the sources resolve as the server resolves them).
    expect((await client.diagnostics(mainUri)).filter((d) => d.severity === 1)).toEqual([]);
    commonUri = uriOf(path("common.adainf"));
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("goes from a use to the declaration that wins the merge: the pipeline's own, else the recipe's", async () => {
    // `real` is declared by p (an override of the recipe's): its own declaration.
    expect(await definition(mainUri, at(main, "real x 10", 1))).toEqual({ uri: mainUri, range: rangeOfWord(main, "real", 0) });
    expect(await definition(mainUri, at(main, "gen x 1", 1))).toEqual({ uri: mainUri, range: rangeOfWord(main, "gen", 0) });
    // `held` only the recipe declares, in the file on disk.
    expect(await definition(mainUri, at(main, "= held", 3))).toEqual({ uri: commonUri, range: rangeOfWord(common, "held", 0) });
    // In a sweep's alternative, and in a dotted key.
    expect(await definition(mainUri, at(main, "inflate.real", "inflate.".length + 1))).toEqual({ uri: mainUri, range: rangeOfWord(main, "real", 0) });
  });

  it("finds every name of a recipe's source in the pipelines built on it, not another pipeline's source of that name", async () => {
    const refs = await references(mainUri, at(main, "real x 10", 1));
    const inMain = [0, 1, 2, 3, 4].map((n) => ({ uri: mainUri, range: rangeOfWord(main, "real", n) }));
    // The recipe's declaration (the source's owner), then p's override, data.real, the inflate entries.
    expect(sorted(refs)).toEqual(sorted([{ uri: commonUri, range: rangeOfWord(common, "real", 0) }, ...inMain]));
    // `other`'s `real` (common.adainf's second) is its own source.
    const others = await references(mainUri, at(main, "real x 10", 1), false);
    expect(sorted(others)).toEqual(sorted(inMain));
    // From the recipe's declaration (the file now open in the editor too): the same.
    client.open(path("common.adainf"), common);
    const fromDecl = await references(commonUri, at(common, "real =", 1));
    expect(sorted(fromDecl)).toEqual(sorted(refs));
    const held = await references(commonUri, at(common, "held =", 1));
    expect(sorted(held)).toEqual(
      sorted([
        { uri: commonUri, range: rangeOfWord(common, "held", 0) },
        { uri: commonUri, range: rangeOfWord(common, "held", 1) },
        { uri: mainUri, range: rangeOfWord(main, "held", 0) },
      ]),
    );
  });

  it("renames a source's declaration and every name of it in its scope", async () => {
    expect(await prepare(mainUri, at(main, "gen x 1", 1))).toEqual({ range: rangeOfWord(main, "gen", 1), placeholder: "gen" });
    const gen = await rename(mainUri, at(main, "gen x 1", 1), "generated");
    expect(Object.keys(gen.changes)).toEqual([mainUri]);
    expect(apply(main, gen.changes[mainUri]!)).toBe(main.replace(/\bgen\b/g, "generated"));
    const real = await rename(mainUri, at(main, "real x 1\n", 1), "train_set");
    expect(Object.keys(real.changes).sort()).toEqual([commonUri, mainUri].sort());
    expect(apply(main, real.changes[mainUri]!)).toBe(main.replace(/\breal\b/g, "train_set"));
    // Only the recipe's `real` in common.adainf: `other`'s stays.
    const renamedCommon = apply(common, real.changes[commonUri]!);
    expect(renamedCommon).toBe(common.replace("real =", "train_set ="));
    expect(renamedCommon).toContain('pipeline other from simclr {\n  data {\n    real = cifar10("d", split = train, size = 100)');
  });

  it("refuses a name another source has where the source is seen, a keyword and a non-name", async () => {
    await expect(rename(mainUri, at(main, "gen x 1", 1), "held")).rejects.toThrow(
      "data source 'held' already exists (common.adainf:4) and pipeline 'p' sees both: renaming 'gen' to 'held' would make them one source",
    );
    await expect(rename(commonUri, at(common, "held =", 1), "real")).rejects.toThrow(
      /data source 'real' already exists \(common\.adainf:3\) and (recipe 'base'|pipeline 'p') sees both/,
    );
    await expect(rename(mainUri, at(main, "gen x 1", 1), "with")).rejects.toThrow("'with' is a keyword of the language");
    await expect(rename(mainUri, at(main, "gen x 1", 1), "2gen")).rejects.toThrow("'2gen' is not a name");
    // `eval` of `other` is free to take a name only `p` and `base` use.
    const ev = await rename(commonUri, at(common, "eval =", 1), "gen");
    expect(apply(common, ev.changes[commonUri]!)).toBe(common.replace("eval =", "gen ="));
  });
});
