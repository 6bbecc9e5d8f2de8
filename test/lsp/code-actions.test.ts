// Quick fixes are offered as `adainfc lint --fix` applies them: only when the fixed text
// compiles with no more errors than the file has now (the server counts them with the
// document's fix in its overlay; here the count is given). A cancelled request stops
// before the next of those compiles.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { TextDocument } from "vscode-languageserver-textdocument";
import { codeActions } from "../../src/lsp/diagnostics.js";
import { Workspace } from "../../src/lsp/workspace.js";

const ROOT = resolve(import.meta.dirname, "../..");

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
    expect(await titles(() => 0)).toEqual(expect.arrayContaining([expect.stringMatching(/^Fix balance/), "Apply every lint fix (adainfc lint --fix)"]));
  });

  it("withholds them when the fixed text would not compile", async () => {
    const broken = await titles((text) => (text === a.text ? 0 : 1));
    expect(broken.filter((t) => t.startsWith("Fix ") || t.startsWith("Apply every"))).toEqual([]);
  });

  it("counts errors with the fix in place: the real count keeps the paper pipeline's fix", async () => {
    expect(workspace.errorsWith(doc.uri, a.text)).toBe(0);
    expect(await titles((text) => workspace.errorsWith(doc.uri, text))).toEqual(expect.arrayContaining([expect.stringMatching(/^Fix balance/)]));
  });

  it("stops at the next compile of a fixed text once the request is cancelled", async () => {
    let compiles = 0;
    const count = () => {
      compiles++;
      return 0;
    };
    // Cancelled after the first compile: no second one, and no answer.
    expect(await codeActions(doc, a, whole, undefined, count, () => compiles > 0)).toBeNull();
    expect(compiles).toBe(1);
  });
});
