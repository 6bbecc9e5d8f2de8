// Rename through `adainfc lsp` driven by a real client (./client.ts): prepareRename and
// rename of a preset, a recipe and a dataset across an open file, the file that declares
// them and files on disk that import it (an aliased import too), and the refusals: a
// builtin, a standard library name, a file, a pipeline, a new name that is no name or a
// keyword, and a new name another declaration already has where the renamed one is seen.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyEdits as apply, at, BUILT, Client, type Position, type TextEdit, uriOf } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface WorkspaceEdit {
  changes: Record<string, TextEdit[]>;
}

const common = `// A gentler crop.
augment weak = symmetric with { random_resized_crop.scale = 0.2..1.0 }

recipe base from simclr {
  data {
    real = tiny("d", split = train)
    eval = tiny("d", split = test)
  }
}

dataset tiny {
  format = cifar10
  shape = (32, 32, 3)
  classes = 10
  train_size = 500
  test_size = 100
  mean = (0.5, 0.5, 0.5)
  std = (0.25, 0.25, 0.25)
}
`;

// Open in the editor only (never saved): its unsaved text is what is renamed.
const main = `use "./common.adainf"

pipeline p from base {
  augment = weak
  train {
    optimizer = lars(lr = 0.3)
  }
  sweep {
    augment = [weak, symmetric]
  }
}
`;

// On disk only: an aliased import, its recipe inherited by its dotted name.
const aliased = `use "./common.adainf" as c

pipeline q from c.base {
  data {
    real = cifar10("d", split = train, size = 100)
    eval = cifar10("d", split = test, size = 100)
  }
  augment = c.weak
}
`;

// On disk only: sees common's declarations through its import, declares a preset of its own.
const imports = `use "./common.adainf"

augment strong = symmetric with { strength = 1.5 }
`;

describe.skipIf(skip)("adainfc lsp rename", () => {
  let client: Client;
  let dir: string;
  let mainUri: string;
  let commonUri: string;
  const path = (name: string) => join(dir, name);
  const prepare = (uri: string, position: Position) =>
    client.request<{ range: { start: Position; end: Position }; placeholder: string } | null>("textDocument/prepareRename", {
      textDocument: { uri },
      position,
    });
  const rename = (uri: string, position: Position, newName: string) =>
    client.request<WorkspaceEdit>("textDocument/rename", { textDocument: { uri }, position, newName });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-rename-"));
    writeFileSync(path("common.adainf"), common);
    writeFileSync(path("aliased.adainf"), aliased);
    writeFileSync(path("imports.adainf"), imports);
    client = await Client.start(dir, 10, { rename: { prepareSupport: true } });
    commonUri = client.open(path("common.adainf"), common);
    mainUri = client.open(path("main.adainf"), main);
    // Both compile as written.
    expect((await client.diagnostics(mainUri)).filter((d) => d.severity === 1)).toEqual([]);
    expect((await client.diagnostics(commonUri)).filter((d) => d.severity === 1)).toEqual([]);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("advertises rename with prepareRename", () => {
    expect(client.capabilities.renameProvider).toEqual({ prepareProvider: true });
  });

  it("prepares a rename at a use: the name's range and the name", async () => {
    const p = at(main, "augment = weak", "augment = ".length + 2);
    expect(await prepare(mainUri, p)).toEqual({ range: { start: { line: 3, character: 12 }, end: { line: 3, character: 16 } }, placeholder: "weak" });
    // In `c.weak` only the part after the alias is renamed.
    const aliasedUri = client.open(path("aliased.adainf"), aliased);
    expect(await prepare(aliasedUri, at(aliased, "c.weak", 3))).toEqual({
      range: { start: { line: 7, character: 14 }, end: { line: 7, character: 18 } },
      placeholder: "weak",
    });
    // `from c.base` is the recipe `base` of common.adainf: its part after the alias, and its definition.
    expect(await prepare(aliasedUri, at(aliased, "c.base", 3))).toEqual({
      range: { start: { line: 2, character: 18 }, end: { line: 2, character: 22 } },
      placeholder: "base",
    });
    const def = await client.request<{ uri: string; range: { start: Position } }>("textDocument/definition", {
      textDocument: { uri: aliasedUri },
      position: at(aliased, "c.base", 3),
    });
    expect(def).toMatchObject({ uri: commonUri, range: { start: { line: 3, character: 7 } } });
    client.close(aliasedUri);
  });

  it("renames a preset's declaration and every use, in open files and on disk, an aliased use too", async () => {
    const edit = await rename(mainUri, at(main, "augment = weak", "augment = ".length), "gentle");
    expect(Object.keys(edit.changes).sort()).toEqual([commonUri, mainUri, uriOf(path("aliased.adainf"))].sort());
    expect(apply(common, edit.changes[commonUri]!)).toBe(common.replace("augment weak", "augment gentle"));
    expect(apply(main, edit.changes[mainUri]!)).toBe(main.replace("augment = weak", "augment = gentle").replace("[weak,", "[gentle,"));
    expect(apply(aliased, edit.changes[uriOf(path("aliased.adainf"))]!)).toBe(aliased.replace("c.weak", "c.gentle"));
    // From the declaration: the same edits.
    const fromDecl = await rename(commonUri, at(common, "augment weak", "augment ".length), "gentle");
    expect(fromDecl).toEqual(edit);
  });

  it("renames a recipe and a dataset preset", async () => {
    const recipe = await rename(mainUri, at(main, "from base", "from ".length), "foundation");
    expect(apply(main, recipe.changes[mainUri]!)).toBe(main.replace("from base", "from foundation"));
    expect(apply(aliased, recipe.changes[uriOf(path("aliased.adainf"))]!)).toBe(aliased.replace("from c.base", "from c.foundation"));
    expect(apply(common, recipe.changes[commonUri]!)).toBe(common.replace("recipe base", "recipe foundation"));
    const dataset = await rename(commonUri, at(common, "dataset tiny", "dataset ".length), "small");
    expect(Object.keys(dataset.changes)).toEqual([commonUri]);
    expect(apply(common, dataset.changes[commonUri]!)).toBe(common.replaceAll("tiny", "small"));
  });

  it("refuses a builtin, a standard library name, a file and a pipeline, saying why", async () => {
    await expect(prepare(mainUri, at(main, "lars", 1))).rejects.toThrow("'lars' is a builtin of the language (lars): builtins cannot be renamed");
    await expect(prepare(mainUri, at(main, "symmetric]", 1))).rejects.toThrow(
      "augment 'symmetric' is the standard library's (stdlib/augment.adainf): its names cannot be renamed",
    );
    await expect(rename(mainUri, at(main, "symmetric]", 1), "mine")).rejects.toThrow("is the standard library's");
    await expect(prepare(mainUri, at(main, "./common", 3))).rejects.toThrow("this names the file common.adainf: files are not renamed");
    await expect(prepare(mainUri, at(main, "pipeline p", "pipeline ".length))).rejects.toThrow("'p' is a pipeline");
    await expect(prepare(mainUri, at(main, "train {", 1))).rejects.toThrow("'train' is not a declaration visible from this file");
  });

  it("refuses a new name that is no name, a keyword, or a builtin data source for a dataset", async () => {
    const weak = at(main, "augment = weak", "augment = ".length);
    await expect(rename(mainUri, weak, "2weak")).rejects.toThrow("'2weak' is not a name");
    await expect(rename(mainUri, weak, "weak one")).rejects.toThrow("'weak one' is not a name");
    await expect(rename(mainUri, weak, "with")).rejects.toThrow("'with' is a keyword of the language");
    await expect(rename(commonUri, at(common, "dataset tiny", "dataset ".length), "npz")).rejects.toThrow("'npz' is a builtin data source");
  });

  it("refuses a new name another declaration of the kind has where the renamed one is seen", async () => {
    const weak = at(main, "augment = weak", "augment = ".length);
    // The stdlib's preset, visible everywhere.
    await expect(rename(mainUri, weak, "symmetric")).rejects.toThrow(
      "augment 'symmetric' already exists (stdlib/augment.adainf:6) and common.adainf sees both: renaming 'weak' to 'symmetric' would change what 'symmetric' means there",
    );
    // imports.adainf does not use `weak` but sees it through its import, and has its own `strong`.
    await expect(rename(mainUri, weak, "strong")).rejects.toThrow("augment 'strong' already exists (imports.adainf:3) and imports.adainf sees both");
    // Another kind of the same name is no clash: a recipe may be called `tiny` beside the dataset.
    const recipe = await rename(mainUri, at(main, "from base", "from ".length), "tiny");
    expect(apply(main, recipe.changes[mainUri]!)).toBe(main.replace("from base", "from tiny"));
  });
});
