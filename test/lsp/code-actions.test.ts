// Lint fixes are offered as `adainfc lint --fix` keeps them (planFixes, the same code):
// none while the file has compile errors, each only when the fixed text compiles with
// it and the fixes kept before, and fix-all is the kept set (the server counts errors
// with the document's fix in its overlay; here the count is given). A cancelled request
// stops before the next of those compiles.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import { codeActions } from "../../src/lsp/diagnostics.js";
import { Workspace } from "../../src/lsp/workspace.js";

const ROOT = resolve(import.meta.dirname, "../..");
const FIX_ALL = "Apply the lint fixes that keep the file compiling (as adainfc lint --fix)";

describe("code actions", async () => {
  const file = join(ROOT, "pipelines", "simclr_vanilla.adainf");
  const doc = TextDocument.create(pathToFileURL(file).href, "adainf", 1, readFileSync(file, "utf8"));
  const workspace = new Workspace({ get: (uri) => (uri === doc.uri ? doc : undefined), all: () => [doc] });
  workspace.setRoots([ROOT]);
  const a = (await workspace.analyze(doc.uri))!;
  const balance = a.diagnostics.find((d) => d.code === "balance" && d.fix?.length)!;
  const whole = { start: { line: 0, character: 0 }, end: { line: doc.lineCount, character: 0 } };
  const titles = async (errorsWith: (text: string) => number) => (await codeActions(doc, a, whole, undefined, errorsWith))!.map((x) => x.title);

  it("offers a lint fix and fix-all when the fixed text compiles as well as the file", async () => {
    expect(balance).toBeDefined();
    expect(await titles(() => 0)).toEqual(expect.arrayContaining([expect.stringMatching(/^Fix balance/), FIX_ALL]));
  });

  it("fix-all holds the fixes that keep the file compiling, as lint --fix keeps them; the breaking one is not offered", async () => {
    const added = "augment = symmetric_adainf"; // balance's fix adds this line
    expect(a.text).not.toContain(added);
    const actions = (await codeActions(doc, a, whole, undefined, (text) => (text.includes(added) ? 1 : 0)))!;
    const titles = actions.map((x) => x.title);
    expect(titles).toEqual(expect.arrayContaining([expect.stringMatching(/^Fix vanilla-inflation/), FIX_ALL]));
    expect(titles.filter((t) => t.startsWith("Fix balance"))).toEqual([]);
    const all = actions.find((x) => x.title === FIX_ALL)!.edit!.changes![doc.uri]!;
    expect(all.map((e) => e.newText)).toEqual(["10"]);
  });

  it("offers no lint fix while the file has compile errors (lint --fix refuses such a file)", async () => {
    const broken = (await codeActions(doc, { ...a, compileErrors: 1 }, whole, undefined, () => 0))!.map((x) => x.title);
    expect(broken.filter((t) => t.startsWith("Fix ") || t === FIX_ALL)).toEqual([]);
  });

  it("withholds them when the fixed text would not compile", async () => {
    const broken = await titles((text) => (text === a.text ? 0 : 1));
    expect(broken.filter((t) => t.startsWith("Fix ") || t === FIX_ALL)).toEqual([]);
  });

  it("counts errors with the fix in place: the real count keeps the paper pipeline's fix", async () => {
    expect(workspace.errorsWith(doc.uri, a.text)).toBe(0);
    expect(await titles((text) => workspace.errorsWith(doc.uri, text))).toEqual(expect.arrayContaining([expect.stringMatching(/^Fix balance/)]));
  });

  it("stops at the next compile of a fixed text once the request is cancelled", async () => {
    let compiles = 0;
    const count = () => {
      compiles++;
      return 1;
    };
    // All fixes together do not compile, so each is tried next; cancelled after the first
    // compile: no second one, and no answer.
    expect(await codeActions(doc, a, whole, undefined, count, () => compiles > 0)).toBeNull();
    expect(compiles).toBe(1);
  });
});
