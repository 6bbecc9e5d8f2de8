// `adainfc lsp` where the workspace or a document's URI is unusual, driven by a real
// client (./client.ts): a folder under the workspace that cannot be listed, a `file:` URI
// with a host (in a document or in initialize), a buffer of another scheme with the name
// of a real file (a git view, an unsaved buffer), and workspace folders added after
// start. None of them may stop the other documents' features, and none may reach the
// client as an internal error. Runs the build in dist/.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nobodyCanRunCli } from "../helpers.js";
import { at, BUILT, Client, uriOf } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

/** A new folder that every user can read (mkdtemp makes it private); `shared`: in /tmp, which every user can reach. */
function folder(name: string, shared = false): string {
  const dir = mkdtempSync(join(shared && existsSync("/tmp") ? "/tmp" : tmpdir(), `adainf-lsp-${name}-`));
  chmodSync(dir, 0o755);
  return dir;
}

const lib = `recipe base from simclr {
  data {
    real = cifar10("d", split = train, size = 50000)
    eval = cifar10("d", split = test, size = 10000)
  }
  train {
    steps = 30 epochs
  }
}
`;
const main = `use "./lib.adainf"
pipeline p from base {
  augment = symmetric
}
`;

/**
 * The command that runs the server as a user who cannot list a folder of mode 000: none
 * for a user other than root, `setpriv` to nobody for root (root lists anything); null
 * when neither can be done (or nobody cannot read this checkout).
 */
function unprivileged(): string[] | null {
  if (process.getuid?.() !== 0) return [];
  // nobody must also be able to read the checkout (a clone under mktemp -d is root's alone)
  return existsSync("/usr/bin/setpriv") && nobodyCanRunCli() ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : null;
}

const noInternalErrors = (client: Client) => expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);

describe.skipIf(skip)("adainfc lsp with a folder it cannot list", () => {
  const as = unprivileged();
  it.skipIf(as === null)("skips the folder, says so once, and every feature goes on", async () => {
    const dir = folder("unlistable", true);
    writeFileSync(join(dir, "lib.adainf"), lib);
    writeFileSync(join(dir, "main.adainf"), main);
    mkdirSync(join(dir, "private"));
    writeFileSync(join(dir, "private", "hidden.adainf"), "recipe hidden from simclr {}\n");
    chmodSync(join(dir, "private"), 0o000);
    const client = await Client.start(dir, 10, {}, {}, {}, as!);
    try {
      // lib writes a length in epochs: its analysis lists the workspace for the files that use it.
      const libUri = client.open(join(dir, "lib.adainf"), lib);
      const mainUri = client.open(join(dir, "main.adainf"), main);
      expect(await client.diagnostics(libUri)).toEqual([]);
      await client.diagnostics(mainUri);
      const symbols = await client.request<{ name: string }[]>("workspace/symbol", { query: "base" });
      expect(symbols.map((s) => s.name)).toContain("base");
      const refs = await client.request<unknown[]>("textDocument/references", {
        textDocument: { uri: mainUri },
        position: at(main, "base"),
        context: { includeDeclaration: true },
      });
      expect(refs.length).toBe(2);
      // References may be partial (and say so in the output); a rename would leave the old name in the files left out: refused, saying why.
      expect(client.logs.filter((l) => l.startsWith("adainf: references may be incomplete: the folder"))).not.toEqual([]);
      const rename = await client.request("textDocument/rename", { textDocument: { uri: mainUri }, position: at(main, "base"), newName: "base2" }).then(
        () => null,
        (e: { code: number; message: string }) => e,
      );
      expect(rename).toMatchObject({ code: -32803 });
      expect(rename?.message).toBe(
        `cannot rename: the folder ${join(dir, "private")} cannot be listed (EACCES), so uses in the files left out would keep the old name; open a smaller folder as the workspace`,
      );
      // Edited: analysed (and the workspace listed) again; still said once only.
      client.change(libUri, `${lib}\n`);
      expect(await client.diagnostics(libUri)).toEqual([]);
      const told = client.logs.filter((l) => l.includes("cannot list the folder"));
      expect(told).toEqual([
        `adainf: cannot list the folder ${join(dir, "private")} (EACCES): its files are left out of references, rename, workspace symbols and the files that use a file`,
      ]);
      noInternalErrors(client);
    } finally {
      await client.stop();
      chmodSync(join(dir, "private"), 0o755);
      rmSync(dir, { recursive: true, force: true }); // in /tmp, not in the tests' own folder
    }
  });
});

describe.skipIf(skip)("adainfc lsp given a file: URI with a host", () => {
  it("answers initialize with InvalidParams only when no folder it gives names a path", async () => {
    for (const params of [
      { workspaceFolders: [{ uri: "file://server/share", name: "s" }] },
      { workspaceFolders: [{ uri: "vscode-vfs://github/x/y", name: "r" }], rootUri: uriOf(tmpdir()) },
      { rootUri: "file://server/share" },
      { rootUri: "file:%2Fx" },
    ]) {
      const client = Client.launch(tmpdir());
      const error = await client.request("initialize", { processId: null, capabilities: {}, ...params }).then(
        () => null,
        (e: { code: number; message: string }) => e,
      );
      expect(error?.code).toBe(-32602);
      expect(error?.message).toMatch(/not a file: URI of this machine's paths/);
      client.child.kill();
    }
  });

  it("leaves out a folder that names no path at initialize, as one added later, and takes the others", async () => {
    const dir = folder("mixed-roots");
    writeFileSync(join(dir, "lib.adainf"), lib);
    const client = Client.launch(tmpdir());
    try {
      const folders = [
        { uri: "vscode-vfs://github/x/y", name: "remote" },
        { uri: "file://server/share", name: "share" },
        { uri: uriOf(dir), name: "local" },
      ];
      await client.request("initialize", { processId: null, capabilities: {}, workspaceFolders: folders });
      void client.conn.sendNotification("initialized", {});
      const uri = client.open(join(dir, "main.adainf"), main);
      // Checked from the local folder: its import is found.
      expect(await client.diagnostics(uri)).toEqual([]);
      expect(client.logs.filter((l) => l.includes("is left out"))).toEqual([
        "adainf: the workspace folder vscode-vfs://github/x/y is left out: not a file: URI",
        'adainf: the workspace folder file://server/share is left out: File URL host must be "localhost" or empty on linux',
      ]);
      noInternalErrors(client);
    } finally {
      await client.stop();
    }
  });

  it("shows one message for such a document, ignores it, and the other documents keep every feature", async () => {
    const dir = folder("host-uri");
    writeFileSync(join(dir, "lib.adainf"), lib);
    const client = await Client.start(dir);
    try {
      const good = client.open(join(dir, "main.adainf"), main);
      await client.diagnostics(good);
      const odd = client.openUri("file://server/share/x.adainf", "pipeline q from simclr {}\n");
      client.change(good, `${main}\n`);
      expect(await client.diagnostics(good)).toEqual([]);
      const hover = await client.request<{ contents: { value: string } } | null>("textDocument/hover", {
        textDocument: { uri: good },
        position: at(main, "p from"),
      });
      expect(hover?.contents.value).toMatch(/^\*\*pipeline p\*\*/);
      expect(await client.request("textDocument/hover", { textDocument: { uri: odd }, position: { line: 0, character: 10 } })).toBeNull();
      expect(await client.request("workspace/symbol", { query: "base" })).not.toEqual([]);
      expect(client.shown.filter((m) => m.message.includes("file://server/share/x.adainf"))).toEqual([
        {
          type: 2,
          message:
            'adainf: file://server/share/x.adainf is not checked: its URI names no file of this machine (File URL host must be "localhost" or empty on linux)',
        },
      ]);
      client.close(odd);
      client.change(good, main);
      expect(await client.diagnostics(good)).toEqual([]);
      noInternalErrors(client);
    } finally {
      await client.stop();
    }
  });
});

describe.skipIf(skip)("adainfc lsp given a buffer of another scheme", () => {
  it("never lets it stand in for the file of the same name: it is checked on its own", async () => {
    const dir = folder("scheme");
    writeFileSync(join(dir, "lib.adainf"), lib);
    writeFileSync(join(dir, "main.adainf"), main);
    const client = await Client.start(dir);
    try {
      const real = client.open(join(dir, "main.adainf"), main);
      expect(await client.diagnostics(real)).toEqual([]);
      // An older version in a git view (neovim's fugitive), and an unsaved buffer of the same name.
      const old = "pipeline p from simclr {\n  train { batch_size = -1 }\n}\n";
      const git = client.openUri(`fugitive://${dir}/.git//0/main.adainf`, old);
      const untitled = client.openUri("untitled:main.adainf", old);
      for (const uri of [git, untitled]) expect((await client.diagnostics(uri, (d) => d.length > 0)).map((d) => d.code)).toContain("E021");
      client.change(real, `${main}\n`);
      expect(await client.diagnostics(real)).toEqual([]);
      const hover = await client.request<{ contents: { value: string } } | null>("textDocument/hover", {
        textDocument: { uri: real },
        position: at(main, "p from"),
      });
      expect(hover?.contents.value).not.toMatch(/does not compile/);
      // The file on disk's users are not the buffer's: the real file's references stay its own.
      const symbols = await client.request<{ location: { uri: string } }[]>("workspace/symbol", { query: "p" });
      expect(symbols.filter((s) => !s.location.uri.startsWith("file:"))).toEqual([]);
      noInternalErrors(client);
    } finally {
      await client.stop();
    }
  });

  it("renames and finds references within the buffer itself", async () => {
    const dir = folder("scheme-rename");
    const client = await Client.start(dir);
    try {
      const text = "recipe r from simclr {}\npipeline p from r {}\npipeline q from r {}\n";
      for (const uri of ["untitled:Untitled-1", `fugitive://${dir}/.git//0/main.adainf`]) {
        client.openUri(uri, text);
        await client.diagnostics(uri);
        const position = { line: 1, character: 16 };
        const refs = await client.request<{ uri: string; range: { start: { line: number } } }[]>("textDocument/references", {
          textDocument: { uri },
          position,
          context: { includeDeclaration: true },
        });
        expect(refs.map((r) => [r.uri, r.range.start.line])).toEqual([
          [uri, 0],
          [uri, 1],
          [uri, 2],
        ]);
        const edit = await client.request<{ changes: Record<string, unknown[]> }>("textDocument/rename", { textDocument: { uri }, position, newName: "r2" });
        expect(Object.keys(edit.changes)).toEqual([uri]);
        expect(edit.changes[uri]).toHaveLength(3);
      }
      noInternalErrors(client);
    } finally {
      await client.stop();
    }
  });

  it("says that a relative import cannot be resolved in a buffer that is no file, once, at the use", async () => {
    const dir = folder("scheme-use");
    writeFileSync(join(dir, "lib.adainf"), lib);
    const client = await Client.start(dir);
    try {
      const uri = client.openUri("untitled:Untitled-2", main);
      const diagnostics = await client.diagnostics(uri, (d) => d.length > 0);
      expect(diagnostics.filter((d) => d.code === "E013")).toEqual([
        expect.objectContaining({
          range: { start: { line: 0, character: 4 }, end: { line: 0, character: 18 } },
          message:
            "'./lib.adainf' cannot be found: this buffer (untitled:) is not a file, so its relative imports cannot be resolved\nhint: save it as a .adainf file to check its imports",
        }),
      ]);
      expect(JSON.stringify(diagnostics)).not.toContain(".adainf-no-file");
      noInternalErrors(client);
    } finally {
      await client.stop();
    }
  });
});

describe.skipIf(skip)("adainfc lsp with workspace folders added later", () => {
  it("checks a file of an added folder from that folder", async () => {
    const a = folder("folders-a");
    const b = folder("folders-b");
    writeFileSync(join(b, "lib.adainf"), lib);
    mkdirSync(join(b, "sub"));
    const x = 'use "../lib.adainf"\npipeline x from base {\n  augment = symmetric\n}\n';
    writeFileSync(join(b, "sub", "x.adainf"), x);
    const client = await Client.start(a, 10, {}, {}, { workspaceFolders: true });
    try {
      expect(client.capabilities.workspace).toEqual({ workspaceFolders: { supported: true, changeNotifications: true } });
      const uri = client.open(join(b, "sub", "x.adainf"), x);
      // Outside every folder: checked from its own, which the import leaves.
      expect((await client.diagnostics(uri)).map((d) => d.code)).toContain("E015");
      // With a folder that is no file of this machine (a remote one): left out, the others taken.
      void client.conn.sendNotification("workspace/didChangeWorkspaceFolders", {
        event: {
          added: [
            { uri: "vscode-vfs://github/x/y", name: "remote" },
            { uri: uriOf(b), name: "b" },
          ],
          removed: [],
        },
      });
      expect(await client.diagnostics(uri, (d) => !d.some((x) => x.code === "E015"))).toEqual([]);
      void client.conn.sendNotification("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [{ uri: uriOf(b), name: "b" }] } });
      expect((await client.diagnostics(uri, (d) => d.length > 0)).map((d) => d.code)).toContain("E015");
      expect(client.logs).toContain("adainf: the workspace folder vscode-vfs://github/x/y is left out: not a file: URI");
      noInternalErrors(client);
    } finally {
      await client.stop();
    }
  });
});
