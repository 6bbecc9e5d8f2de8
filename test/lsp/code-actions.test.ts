// Quick fixes are offered as `adainfc lint --fix` applies them: only when the fixed text
// compiles with no more errors than the file has now (the server counts them with the
// document's fix in its overlay; here the count is given).
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
  const titles = (errorsWith: (text: string) => number) => codeActions(doc, a, whole, undefined, errorsWith).map((x) => x.title);

  it("offers a lint fix and fix-all when the fixed text compiles as well as the file", () => {
    expect(balance).toBeDefined();
    expect(titles(() => 0)).toEqual(expect.arrayContaining([expect.stringMatching(/^Fix balance/), "Apply every lint fix (adainfc lint --fix)"]));
  });

  it("withholds them when the fixed text would not compile", () => {
    const broken = titles((text) => (text === a.text ? 0 : 1));
    expect(broken.filter((t) => t.startsWith("Fix ") || t.startsWith("Apply every"))).toEqual([]);
  });

  it("counts errors with the fix in place: the real count keeps the paper pipeline's fix", () => {
    expect(workspace.errorsWith(doc.uri, a.text)).toBe(0);
    expect(titles((text) => workspace.errorsWith(doc.uri, text))).toEqual(expect.arrayContaining([expect.stringMatching(/^Fix balance/)]));
  });
});
