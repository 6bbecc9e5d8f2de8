// `adainfc lsp` driven by a real client over its stdio (./client.ts), as an editor drives
// it: diagnostics as a document opens and changes, hover, completion, definition,
// references, outline, formatting and code actions, on the paper pipelines and on broken
// text, then shutdown and exit. One server per describe block. Runs the build in dist/.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatText } from "../../src/syntax/format.js";
import { at, BUILT, Client, type LspDiagnostic, type Position, ROOT, uriOf } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface Hover {
  contents: { kind: string; value: string };
}
interface CompletionItem {
  label: string;
  detail?: string;
  labelDetails?: { description?: string };
  textEdit?: { newText: string };
}
interface Location {
  uri: string;
  range: { start: Position; end: Position };
}
interface TextEdit {
  range: { start: Position; end: Position };
  newText: string;
}
interface CodeAction {
  title: string;
  kind: string;
  edit?: { changes: Record<string, TextEdit[]> };
}
interface DocumentSymbol {
  name: string;
  kind: number;
  children?: DocumentSymbol[];
}

const pipeline = (name: string) => join(ROOT, "pipelines", `${name}.adainf`);
const read = (path: string) => readFileSync(path, "utf8");

describe.skipIf(skip)("adainfc lsp on the paper pipelines", () => {
  let client: Client;
  const vanilla = read(pipeline("simclr_vanilla"));
  const adainf = read(pipeline("simclr_adainf"));
  const story = read(pipeline("story"));
  let vanillaUri: string;
  let adainfUri: string;
  let storyUri: string;
  const hover = async (uri: string, p: Position) =>
    (await client.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position: p }))?.contents.value ?? "";
  const complete = (uri: string, p: Position) => client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri }, position: p });

  beforeAll(async () => {
    client = await Client.start(ROOT);
    vanillaUri = client.open(pipeline("simclr_vanilla"), vanilla);
    adainfUri = client.open(pipeline("simclr_adainf"), adainf);
    storyUri = client.open(pipeline("story"), story);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("publishes lint findings with their rule id and a link to the rule's page", async () => {
    const ds = await client.diagnostics(vanillaUri, (d) => d.length > 0);
    const finding = ds.find((d) => d.code === "vanilla-inflation");
    expect(finding?.codeDescription?.href).toMatch(/^file:.*\/docs\/rules\/vanilla-inflation\.md$/);
    expect(finding?.message).toContain("g = 0.952");
    expect(finding?.severity).toBe(2);
    // The AdaInf pipeline fits: nothing to say.
    expect(await client.diagnostics(adainfUri)).toEqual([]);
  });

  it("names the sweep points a finding holds on", async () => {
    const ds = await client.diagnostics(storyUri, (d) => d.length > 0);
    expect(ds.some((d) => /^\[inflation=\w+/.test(d.message))).toBe(true);
  });

  it("hovers a pipeline's name with g, f, a, the recommended strength, batch and steps", async () => {
    const v = await hover(vanillaUri, at(vanilla, "pipeline simclr_vanilla", 12));
    expect(v).toContain("generated share g = 0.952");
    expect(v).toContain("inflation factor f = 21");
    expect(v).toContain("augmentation strength a = 1.00 (symmetric)");
    expect(v).toMatch(/strength recommended at this g: 0\.\d\d/);
    expect(v).toContain("batch 512 (2 devices x 256), lr 0.4, classifier lr 0.1");
    expect(v).toContain("100,000 steps");
    // A sweep: one row per point.
    const s = await hover(storyUri, at(story, "pipeline story", 10));
    expect(s).toContain("a sweep of 45 points");
    expect(s).toContain("| [inflation=none,augment.strength=0.5,seed=0] |");
  });

  it("hovers a field with its type, range, default and unit, and a builtin with its parameters", async () => {
    const batch = await hover(storyUri, at(story, "batch_size = 64", 2));
    expect(batch).toContain("**train.batch_size**: whole number >= 1, default `256`");
    const k = await hover(storyUri, at(story, "temperature = 0.1", 2));
    expect(k).toContain("**knn.temperature**: number > 0, default `0.1`");
    const every = await hover(adainfUri, at(adainf, "checkpoint_every", 3));
    expect(every).toContain("**output.checkpoint_every**: steps, epochs or none, default `none`");
    const npz = await hover(adainfUri, at(adainf, "npz(", 1));
    expect(npz).toContain("**npz** (data source)");
    expect(npz).toContain("| | `fid` | number >= 0 | none | FID of the generated set, for lint |");
  });

  it("hovers a preset with its declaration and doc comment", async () => {
    const h = await hover(adainfUri, at(adainf, "symmetric_adainf", 3));
    expect(h).toContain("**augment symmetric_adainf** (stdlib/augment.adainf:27)");
    expect(h).toContain("AdaInf's weaker augmentation");
    expect(h).toContain("random_resized_crop.scale = 0.2..1.0");
    // Its expansion: every op with every parameter, and its strength as lint measures it.
    expect(h).toContain("Expands to (strength a = 0.55 on colour data)");
    expect(h).toContain("  color_jitter(p = 0.4, brightness = 0.4, contrast = 0.4, saturation = 0.4, hue = 0.1)\n  grayscale(p = 0.2)");
  });

  it("completes fields of a block with their defaults, preset names and rule ids", async () => {
    const fields = await complete(storyUri, at(story, "    devices = 1"));
    const batch = fields.find((i) => i.label === "batch_size");
    expect(batch?.labelDetails?.description).toBe("= 256");
    expect(fields.map((i) => i.label)).toEqual(expect.arrayContaining(["steps", "lr_scaling", "optimizer", "schedule"]));
    // After `augment = `: the presets visible from the file (the stdlib's).
    const presets = await complete(adainfUri, at(adainf, "augment = symmetric_adainf", "augment = ".length));
    expect(presets.map((i) => i.label)).toEqual(expect.arrayContaining(["symmetric", "symmetric_adainf", "asymmetric", "digits"]));
    const rules = await complete(storyUri, at(story, "allow(generated-quality)", "allow(".length));
    expect(rules.map((i) => i.label)).toEqual(expect.arrayContaining(["vanilla-inflation", "balance", "generated-quality"]));
    // A builtin call with its required parameters as a snippet.
    const optimizers = await complete(storyUri, at(story, "optimizer = adamw", "optimizer = ".length));
    expect(optimizers.find((i) => i.label === "lars")?.textEdit?.newText).toBe("lars(lr = ${1:lr})$0");
  });

  it("goes to the definition of a preset and a recipe in the stdlib", async () => {
    const preset = await client.request<Location>("textDocument/definition", { textDocument: { uri: adainfUri }, position: at(adainf, "symmetric_adainf", 2) });
    expect(preset.uri).toBe(uriOf(join(ROOT, "stdlib", "augment.adainf")));
    expect(preset.range.start).toEqual({ line: 26, character: 8 });
    const recipe = await client.request<Location>("textDocument/definition", { textDocument: { uri: adainfUri }, position: at(adainf, "from simclr", 6) });
    expect(recipe.uri).toBe(uriOf(join(ROOT, "stdlib", "methods.adainf")));
  });

  it("finds the references of a preset across the workspace", async () => {
    const refs = await client.request<Location[]>("textDocument/references", {
      textDocument: { uri: adainfUri },
      position: at(adainf, "symmetric_adainf", 2),
      context: { includeDeclaration: true },
    });
    const files = refs.map((r) => r.uri.split("/").slice(-2).join("/"));
    expect(files).toEqual(expect.arrayContaining(["stdlib/augment.adainf", "pipelines/simclr_adainf.adainf", "pipelines/mocov2plus_adainf.adainf"]));
    // The declaration once, then only uses: never a different preset of the same name.
    expect(files.filter((f) => f === "stdlib/augment.adainf").length).toBeGreaterThanOrEqual(1);
  });

  it("outlines a file: pipelines and their blocks", async () => {
    const symbols = await client.request<DocumentSymbol[]>("textDocument/documentSymbol", { textDocument: { uri: storyUri } });
    expect(symbols.map((s) => s.name)).toEqual(["story"]);
    expect(symbols[0]!.children!.map((c) => c.name)).toEqual(["data", "augment", "model", "train", "evaluate", "lint", "output", "sweep"]);
  });

  it("formats with the fmt formatter: nothing to do on a formatted file", async () => {
    expect(
      await client.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri: adainfUri }, options: { tabSize: 2, insertSpaces: true } }),
    ).toEqual([]);
  });

  it("offers a lint rule's fix as a quick fix", async () => {
    const ds = await client.diagnostics(vanillaUri, (d) => d.length > 0);
    const balance = ds.find((d) => d.code === "balance")!;
    const actions = await client.request<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri: vanillaUri },
      range: balance.range,
      context: { diagnostics: [balance] },
    });
    const fix = actions.find((a) => a.title.startsWith("Fix balance"));
    expect(fix?.kind).toBe("quickfix");
    expect(fix?.edit?.changes[vanillaUri]?.some((e) => e.newText.includes("symmetric_adainf"))).toBe(true);
    // Every fix of the file at once, when the client asks for source.fixAll.
    const all = await client.request<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri: vanillaUri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ["source.fixAll"] },
    });
    expect(all.map((a) => a.kind)).toEqual(["source.fixAll.adainf"]);
    expect(all[0]!.edit?.changes[vanillaUri]?.length).toBeGreaterThan(0);
  });
});

describe.skipIf(skip)("adainfc lsp's modules", () => {
  it("load no tfjs, even after an analysis of the story's 45 points", () => {
    // tfjs-core registers its engine as globalThis._tfengine when it is loaded.
    const script = `
      await import("./dist/src/cli/commands/lsp.js");
      await import("./dist/src/lsp/server.js");
      const { Workspace } = await import("./dist/src/lsp/workspace.js");
      const { TextDocument } = await import("vscode-languageserver-textdocument");
      const { readFileSync } = await import("node:fs");
      const { pathToFileURL } = await import("node:url");
      const path = "pipelines/story.adainf";
      const doc = TextDocument.create(pathToFileURL(path).href, "adainf", 1, readFileSync(path, "utf8"));
      const ws = new Workspace({ get: () => doc, all: () => [doc] });
      ws.setRoots([process.cwd()]);
      const a = await ws.analyze(doc.uri);
      console.log(a.results.length, typeof globalThis._tfengine);
      await import("@tensorflow/tfjs-core");
      console.log(typeof globalThis._tfengine);`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    // The check itself works: loading tfjs-core sets it.
    expect(r.stdout).toBe("45 undefined\nobject\n");
  });
});

describe.skipIf(skip)("adainfc lsp on broken text", () => {
  let client: Client;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-lsp-"));
    mkdirSync(join(dir, "folder.adainf"));
    client = await Client.start(dir);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  const good = `pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = test)
  }
  augment = symmetric
}
`;

  it("reports a syntax error, and clears it when the text is fixed", async () => {
    const broken = good.replace("split = test)\n  }", "split = test)\n");
    const uri = client.open(join(dir, "syntax.adainf"), broken);
    const ds = await client.diagnostics(uri, (d) => d.length > 0);
    expect(ds.map((d) => d.code)).toContain("E002");
    expect(ds.every((d) => !d.message.includes("    at "))).toBe(true);
    client.change(uri, good);
    expect((await client.diagnostics(uri)).filter((d) => d.severity === 1)).toEqual([]);
  });

  it("applies incremental changes", async () => {
    const uri = client.open(join(dir, "incremental.adainf"), good);
    expect((await client.diagnostics(uri)).filter((d) => d.severity === 1)).toEqual([]);
    // `augment = symmetric` -> `augment = symmetricc`
    const p = at(good, "augment = symmetric", "augment = symmetric".length);
    client.edit(uri, { start: p, end: p }, "c");
    const ds = await client.diagnostics(uri, (d) => d.length > 0);
    expect(ds[0]!.message).toContain("unknown augmentation preset 'symmetricc'");
  });

  it("checks open files again when a file they import changes on disk", async () => {
    expect(client.registered).toContain("workspace/didChangeWatchedFiles");
    const disk = join(dir, "on-disk.adainf");
    writeFileSync(disk, "augment strong = symmetric with { strength = 1.5 }\n");
    const uri = client.open(join(dir, "uses-disk.adainf"), `use "./on-disk.adainf"\n${good.replace("augment = symmetric", "augment = strong")}`);
    expect((await client.diagnostics(uri)).filter((d) => d.severity === 1)).toEqual([]);
    writeFileSync(disk, "augment stronger = symmetric with { strength = 1.5 }\n");
    void client.conn.sendNotification("workspace/didChangeWatchedFiles", { changes: [{ uri: uriOf(disk), type: 2 }] });
    const ds = await client.diagnostics(uri, (d) => d.some((x) => x.code === "E010"));
    expect(ds.find((d) => d.code === "E010")!.message).toContain("'strong'");
  });

  it("reports a missing import and an unreadable path at the use line", async () => {
    const missing = client.open(join(dir, "missing.adainf"), `use "./nowhere.adainf"\n${good}`);
    const m = await client.diagnostics(missing, (d) => d.length > 0);
    expect(m[0]).toMatchObject({ code: "E013", range: { start: { line: 0 } } });
    expect(m[0]!.message).toContain("nowhere.adainf: no such file");
    const folder = client.open(join(dir, "folder-use.adainf"), `use "./folder.adainf"\n${good}`);
    const f = await client.diagnostics(folder, (d) => d.length > 0);
    expect(f[0]!.message).toContain("is a folder");
    // A problem inside an imported file: at the use line, with the file and place in the message.
    writeFileSync(join(dir, "bad.adainf"), "augment weak = symmetric with {\n");
    const imports = client.open(join(dir, "imports-bad.adainf"), `use "./bad.adainf"\n${good}`);
    const b = await client.diagnostics(imports, (d) => d.length > 0);
    expect(b[0]).toMatchObject({ code: "E002", range: { start: { line: 0 } } });
    expect(b[0]!.message).toMatch(/^bad\.adainf:1:31: `augment weak = symmetric with \{` is never closed: the file ends at line 1/);
  });

  it("offers the name a did-you-mean hint suggests", async () => {
    const text = good.replace("augment = symmetric", "augment = symetric_adainf");
    const uri = client.open(join(dir, "typo.adainf"), text);
    const ds = await client.diagnostics(uri, (d) => d.length > 0);
    const e010 = ds.find((d) => d.code === "E010")!;
    expect(e010.message).toContain("did you mean 'symmetric_adainf'?");
    const actions = await client.request<CodeAction[]>("textDocument/codeAction", {
      textDocument: { uri },
      range: e010.range,
      context: { diagnostics: [e010] },
    });
    const change = actions.find((a) => a.title === "Change 'symetric_adainf' to 'symmetric_adainf'");
    expect(change?.edit?.changes[uri]).toEqual([{ range: e010.range, newText: "symmetric_adainf" }]);
  });

  it("re-checks an open file when a file it imports changes (unsaved text wins)", async () => {
    const common = `augment weak = symmetric with { color_jitter.p = 0.4 }\n`;
    const commonUri = client.open(join(dir, "common.adainf"), common);
    const mainUri = client.open(join(dir, "main.adainf"), `use "./common.adainf"\n${good.replace("augment = symmetric", "augment = weak")}`);
    expect((await client.diagnostics(mainUri)).filter((d: LspDiagnostic) => d.severity === 1)).toEqual([]);
    // common.adainf was never saved: the server reads the editor's text.
    client.change(commonUri, common.replace("augment weak", "augment weaker"));
    const ds = await client.diagnostics(mainUri, (d) => d.some((x) => x.code === "E010"));
    expect(ds.find((d) => d.code === "E010")!.message).toContain("unknown augmentation preset 'weak'");
  });

  it("hovers a dotted override of a builtin's parameter as the builtin the pipeline uses", async () => {
    const data = `  data {
    real = cifar10("d", split = train, size = 100)
    eval = cifar10("d", split = test, size = 100)
  }
`;
    // p trains with sgd (its own train block), q with its recipe's lars.
    const text = `pipeline p from simclr {
${data}  train {
    optimizer = sgd(lr = 0.2)
  }
  train.optimizer.lr = 0.1
}
pipeline q from simclr {
${data}  train.optimizer.lr = 0.1
}
`;
    const uri = client.open(join(dir, "dotted.adainf"), text);
    await client.diagnostics(uri);
    const first = text.indexOf("train.optimizer.lr") + "train.optimizer.".length;
    const second = text.lastIndexOf("train.optimizer.lr") + "train.optimizer.".length;
    const pos = (offset: number) => ({ line: text.slice(0, offset).split("\n").length - 1, character: offset - text.lastIndexOf("\n", offset - 1) - 1 });
    const own = await client.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position: pos(first) });
    expect(own?.contents.value).toContain("**sgd.lr**");
    const recipe = await client.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position: pos(second) });
    expect(recipe?.contents.value).toContain("**lars.lr**");
  });

  it("completes and hovers in half-written text", async () => {
    const text = "pipeline p from simclr {\n  train {\n    batch\n";
    const uri = client.open(join(dir, "half.adainf"), text);
    const items = await client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri }, position: { line: 2, character: 9 } });
    expect(items.map((i) => i.label)).toContain("batch_size");
    const blocks = await client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri }, position: { line: 1, character: 2 } });
    expect(blocks.map((i) => i.label)).toEqual(
      expect.arrayContaining(["data", "inflate", "augment", "model", "train", "evaluate", "output", "lint", "sweep", "seed"]),
    );
    const h = await client.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 3 } });
    expect(h?.contents.value).toContain("**train** block");
    // Data sources of the unfinished declaration, in `inflate` and `evaluate { source }`.
    const sources =
      'pipeline p from simclr {\n  data {\n    real = cifar10("d", split = train)\n    gen = npz(\n      "g.npz",\n      size = 10,\n    )\n  }\n  inflate {\n    \n';
    const s = client.open(join(dir, "sources.adainf"), sources);
    const inflate = await client.request<CompletionItem[]>("textDocument/completion", {
      textDocument: { uri: s },
      position: at(sources, "inflate {\n    ", "inflate {\n    ".length),
    });
    expect(inflate.map((i) => i.label)).toEqual(["real", "gen"]);
    const use = client.open(join(dir, "use.adainf"), "use std.\n");
    const modules = await client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri: use }, position: { line: 0, character: 8 } });
    expect(modules.map((i) => i.label)).toEqual(["augment", "datasets", "methods"]);
  });

  it("completes data sources a pipeline inherits from its recipe, once it has compiled", async () => {
    const text = `recipe digits from simclr {
  data {
    real = cifar10("d", split = train, size = 100)
    eval = cifar10("d", split = test, size = 100)
  }
}
pipeline p from digits {
  inflate {
    real x 1
    
  }
}
`;
    const uri = client.open(join(dir, "inherited.adainf"), text);
    await client.diagnostics(uri);
    const items = await client.request<CompletionItem[]>("textDocument/completion", {
      textDocument: { uri },
      position: at(text, "real x 1\n    ", "real x 1\n    ".length),
    });
    expect(items.map((i) => i.label)).toEqual(["real", "eval"]);
  });

  it("keeps the sources a pipeline inherits from an imported recipe while a statement is half-written", async () => {
    writeFileSync(
      join(dir, "lib.adainf"),
      `recipe shared from simclr {
  data {
    real = cifar10("d", split = train, size = 100)
    eval = cifar10("d", split = test, size = 100)
  }
}
`,
    );
    const text = 'use "lib.adainf"\npipeline a from shared {\n  evaluate {\n    source = eval\n  }\n}\n';
    const uri = client.open(join(dir, "half-source.adainf"), text);
    await client.diagnostics(uri);
    const half = text.replace("source = eval", "source = ");
    client.change(uri, half);
    // The analysis of the half-written text (it does not compile) is published before the completion.
    await client.diagnostics(uri, (d) => d.length > 0);
    const items = await client.request<CompletionItem[]>("textDocument/completion", { textDocument: { uri }, position: at(half, "source = ", 9) });
    expect(items.map((i) => i.label)).toEqual(["real", "eval"]);
  });

  it("links a bad lint block's entry to lint's configuration, and hovers an id that is no rule with the nearest", async () => {
    const text = good.replace("augment = symmetric", "augment = symmetric\n  lint { allow(vanila-inflation) }");
    const uri = client.open(join(dir, "lint-config.adainf"), text);
    const d = (await client.diagnostics(uri, (ds) => ds.some((x) => x.code === "lint-config"))).find((x) => x.code === "lint-config")!;
    expect(d.codeDescription?.href).toMatch(/\/docs\/lint\.md#configuration$/);
    const h = await client.request<Hover | null>("textDocument/hover", { textDocument: { uri }, position: at(text, "vanila", 2) });
    expect(h?.contents.value).toContain("`vanila-inflation` is not a lint rule (did you mean `vanilla-inflation`?)");
  });

  it("formats text, and leaves text that does not parse alone", async () => {
    const messy = 'pipeline   p from simclr{\ndata{ real=cifar10("d") }\n}\n';
    const uri = client.open(join(dir, "messy.adainf"), messy);
    const edits = await client.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
    expect(edits).toHaveLength(1);
    expect(edits[0]!.newText).toBe(formatText(messy, "messy.adainf").text);
    const broken = client.open(join(dir, "broken.adainf"), "pipeline p {\n  data {\n");
    expect(await client.request<TextEdit[]>("textDocument/formatting", { textDocument: { uri: broken }, options: { tabSize: 2, insertSpaces: true } })).toEqual(
      [],
    );
  });

  it("answers a request about a file it does not have with nothing", async () => {
    const uri = uriOf(join(dir, "never-opened.adainf"));
    writeFileSync(join(dir, "never-opened.adainf"), good);
    expect(await client.request("textDocument/hover", { textDocument: { uri }, position: { line: 0, character: 0 } })).toBeNull();
    expect(await client.request("textDocument/documentSymbol", { textDocument: { uri } })).toEqual([]);
  });
});
