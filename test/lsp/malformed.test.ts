// `adainfc lsp` given what a broken client may send (src/lsp/boundary.ts): requests with
// params of the wrong shape get InvalidParams and a plain message, never an internal
// error; a notification of the wrong shape is dropped with one log line and stores
// nothing (the other documents' cross-file features go on); a request before initialize
// gets ServerNotInitialized, one after shutdown InvalidRequest. Runs the build in dist/.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, BUILT, Client, uriOf } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

/** The error a request was answered with (its code and message), or "answered" when it was not refused. */
async function refusal(request: Promise<unknown>): Promise<{ code: number; message: string } | "answered"> {
  try {
    await request;
    return "answered";
  } catch (e) {
    const { code, message } = e as { code: number; message: string };
    return { code, message };
  }
}

const lib = `recipe shared from simclr {
  data {
    real = cifar10("d", split = train, size = 100)
    eval = cifar10("d", split = test, size = 100)
  }
}
`;
const main = `use "lib.adainf"
pipeline a from shared {
  augment = symmetric
}
`;

describe.skipIf(skip)("adainfc lsp given malformed params", () => {
  let client: Client;
  let dir: string;
  let mainUri: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-lsp-malformed-"));
    writeFileSync(join(dir, "lib.adainf"), lib);
    writeFileSync(join(dir, "main.adainf"), main);
    client = await Client.start(dir);
    mainUri = client.open(join(dir, "main.adainf"), main);
    await client.diagnostics(mainUri);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("answers a request whose params are not of the protocol's shape with InvalidParams, naming the field", async () => {
    const doc = { textDocument: { uri: mainUri } };
    expect(await refusal(client.request("textDocument/hover", doc))).toEqual({
      code: -32602,
      message: "textDocument/hover: the params.position is not an object",
    });
    expect(await refusal(client.request("textDocument/hover", null))).toMatchObject({ code: -32602 });
    expect(await refusal(client.request("textDocument/completion", { ...doc, position: { line: "a", character: 0 } }))).toEqual({
      code: -32602,
      message: "textDocument/completion: the params.position.line is not a whole number >= 0",
    });
    const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    expect(await refusal(client.request("textDocument/codeAction", { ...doc, range }))).toEqual({
      code: -32602,
      message: "textDocument/codeAction: the params.context is not an object",
    });
    expect(await refusal(client.request("textDocument/references", { ...doc, position: range.start }))).toMatchObject({ code: -32602 });
    expect(await refusal(client.request("workspace/symbol", {}))).toMatchObject({ code: -32602 });
    // The same requests well formed are answered.
    expect(await refusal(client.request("textDocument/codeAction", { ...doc, range, context: { diagnostics: [] } }))).toBe("answered");
    const hover = await client.request<{ contents: { value: string } }>("textDocument/hover", { ...doc, position: at(main, "shared", 1) });
    expect(hover.contents.value).toContain("shared");
  });

  it("drops a didOpen with no text, with one log line: every other document's cross-file features go on", async () => {
    const badUri = uriOf(join(dir, "bad.adainf"));
    void client.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: badUri, languageId: "adainf", version: 1, text: null } });
    await expect.poll(() => client.logs.filter((l) => l.includes("ignored a malformed notification"))).toHaveLength(1);
    expect(client.logs.find((l) => l.includes("ignored a malformed notification"))).toContain(
      "textDocument/didOpen: the params.textDocument.text is not a string",
    );
    // The document was not stored: a request about it has nothing to answer.
    expect(await client.request("textDocument/documentSymbol", { textDocument: { uri: badUri } })).toEqual([]);
    const symbols = await client.request<{ name: string }[]>("workspace/symbol", { query: "shared" });
    expect(symbols.map((s) => s.name)).toContain("shared");
    const refs = await client.request<unknown[]>("textDocument/references", {
      textDocument: { uri: mainUri },
      position: at(main, "shared", 1),
      context: { includeDeclaration: true },
    });
    expect(refs.length).toBeGreaterThanOrEqual(2);
  });
});

describe.skipIf(skip)("adainfc lsp's lifecycle", () => {
  it("refuses a request before initialize with ServerNotInitialized", async () => {
    const client = Client.launch(tmpdir());
    expect(
      await refusal(client.request("textDocument/hover", { textDocument: { uri: "file:///x.adainf" }, position: { line: 0, character: 0 } })),
    ).toMatchObject({ code: -32002 });
    expect(await refusal(client.request("initialize", { processId: null, rootUri: null, capabilities: {} }))).toBe("answered");
    expect(await client.stop()).toBe(0);
  });

  it("refuses every request after shutdown with InvalidRequest, and exits on exit", async () => {
    const client = await Client.start(tmpdir());
    expect(await client.request("shutdown", null)).toBeNull();
    const hover = client.request("textDocument/hover", { textDocument: { uri: "file:///x.adainf" }, position: { line: 0, character: 0 } });
    expect(await refusal(hover)).toMatchObject({ code: -32600 });
    expect(await refusal(client.request("shutdown", null))).toMatchObject({ code: -32600 });
    const exited = new Promise<number | null>((r) => client.child.once("exit", (code) => r(code)));
    void client.conn.sendNotification("exit");
    expect(await exited).toBe(0);
    client.conn.dispose();
  });
});
