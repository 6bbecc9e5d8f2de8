// The VS Code extension's client side (editors/vscode/): its package.json contributes
// the language, grammar, configuration, settings and commands that the code uses; the
// server is found where its README says (src/server.ts); and the bundled client, loaded
// with a stand-in `vscode` module, starts a language server over stdio and completes the
// protocol's initialize handshake with it (a small vscode-languageserver server that
// records how it was started and the `adainf.set`/`adainf.rules`/`adainf.inlayHints` settings it was given,
// and the real `adainfc lsp` from dist/). That last test needs the extension's own packages
// (`npm ci` in editors/vscode) and skips, saying so, without them.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { SCOPE } from "../../editors/vscode/scripts/grammar.js";
import { COMMANDS, describe as describeCommand, findServer, LANGUAGE_ID, SERVER_CONFIG, SERVER_SUBCOMMAND, SETTINGS } from "../../editors/vscode/src/server.js";

const ROOT = resolve(import.meta.dirname, "../..");
const EXT = join(ROOT, "editors/vscode");

interface Manifest {
  main: string;
  engines: { vscode: string };
  scripts: Record<string, string>;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
    commands: { command: string; title: string }[];
    configuration: { properties: Record<string, { type: string; default: unknown; items?: { type: string } }> };
  };
}
const manifest = JSON.parse(readFileSync(join(EXT, "package.json"), "utf8")) as Manifest;

describe("package.json", () => {
  it("contributes the language with its configuration and the grammar for it", () => {
    const { languages, grammars } = manifest.contributes;
    expect(languages.map((l) => [l.id, l.extensions])).toEqual([[LANGUAGE_ID, [".adainf"]]]);
    expect(JSON.parse(readFileSync(join(EXT, languages[0]!.configuration), "utf8")).comments).toBeDefined();
    expect(grammars.map((g) => [g.language, g.scopeName])).toEqual([[LANGUAGE_ID, SCOPE]]);
    expect(JSON.parse(readFileSync(join(EXT, grammars[0]!.path), "utf8")).scopeName).toBe(SCOPE);
  });

  it("contributes the settings and commands the client reads and registers, and no others", () => {
    const props = manifest.contributes.configuration.properties;
    // vscode-languageclient reads `<client id>.trace.server` itself
    const served = [SERVER_CONFIG.set, SERVER_CONFIG.rules, SERVER_CONFIG.inlayHintsDefaults, SERVER_CONFIG.inlayHintsInherited, SERVER_CONFIG.inlayHintsSteps];
    expect(Object.keys(props).sort()).toEqual([SETTINGS.args, SETTINGS.path, ...served, `${LANGUAGE_ID}.trace.server`].sort());
    // The server's own settings: `set`, `rules` and `inlayHints.*` of the section the client synchronizes.
    expect(props[SERVER_CONFIG.set]).toMatchObject({ type: "array", items: { type: "string" }, default: [] });
    expect(props[SERVER_CONFIG.rules]).toMatchObject({ type: "object", default: {} });
    expect(props[SERVER_CONFIG.inlayHintsDefaults]).toMatchObject({ type: "boolean", default: true });
    expect(props[SERVER_CONFIG.inlayHintsInherited]).toMatchObject({ type: "boolean", default: true });
    expect(props[SERVER_CONFIG.inlayHintsSteps]).toMatchObject({ type: "boolean", default: true });
    expect(served.every((k) => k.startsWith(`${SERVER_CONFIG.section}.`))).toBe(true);
    expect(props[SETTINGS.path]).toMatchObject({ type: "string", default: "" });
    expect(props[SETTINGS.args]).toMatchObject({ type: "array", items: { type: "string" }, default: [] });
    expect(SETTINGS.path.startsWith(`${SETTINGS.section}.`) && SETTINGS.args.startsWith(`${SETTINGS.section}.`)).toBe(true);
    expect(manifest.contributes.commands.map((c) => c.command).sort()).toEqual(Object.values(COMMANDS).sort());
    const source = readFileSync(join(EXT, "src/extension.ts"), "utf8");
    for (const key of Object.keys(COMMANDS)) expect(source).toContain(`registerCommand(COMMANDS.${key},`);
  });

  it("its main is the bundle that the build and package scripts write", () => {
    expect(manifest.main).toBe("./dist/extension.js");
    expect(manifest.scripts["build"]).toContain("--outfile=dist/extension.js");
    expect(readFileSync(join(EXT, "scripts/package.sh"), "utf8")).toContain("--outfile=dist/extension.js");
    // vscode-languageclient 9 needs VS Code 1.82
    expect(manifest.engines.vscode).toBe("^1.82.0");
  });
});

// ---------------------------------------------------------------- finding the server

/** A folder with the given files (empty ones unless text is given). */
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "adainf-vscode-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe("findServer", () => {
  const none = { path: "", args: [] };

  it("takes the workspace's node_modules/.bin/adainfc, then node_modules/adainf/bin/adainfc.js with node", () => {
    const both = folder({ "node_modules/.bin/adainfc": "", "node_modules/adainf/bin/adainfc.js": "" });
    expect(findServer(none, [both], "linux")).toEqual({
      command: join(both, "node_modules/.bin/adainfc"),
      args: [SERVER_SUBCOMMAND],
      cwd: both,
      origin: "the workspace's node_modules/.bin",
    });
    // Windows: the .bin entry is a shell script
    expect(findServer(none, [both], "win32")).toMatchObject({ command: "node", args: [join(both, "node_modules/adainf/bin/adainfc.js"), "lsp"] });
    const js = folder({ "node_modules/adainf/bin/adainfc.js": "" });
    expect(findServer({ path: "", args: ["--log", "x y"] }, [js], "linux")).toMatchObject({
      command: "node",
      args: [join(js, "node_modules/adainf/bin/adainfc.js"), "lsp", "--log", "x y"],
      cwd: js,
    });
  });

  it("looks in every workspace folder in order, and in an adainf checkout", () => {
    const empty = folder({ "package.json": '{ "name": "other" }' });
    const checkout = folder({ "package.json": '{ "name": "adainf" }', "bin/adainfc": "", "bin/adainfc.js": "" });
    expect(findServer(none, [empty, checkout], "linux")).toMatchObject({ command: join(checkout, "bin/adainfc"), args: ["lsp"], cwd: checkout });
    expect(findServer(none, [empty, checkout], "win32")).toMatchObject({ command: "node", args: [join(checkout, "bin/adainfc.js"), "lsp"] });
    // the repository itself, as a developer opens it
    expect(findServer(none, [ROOT], "linux")).toMatchObject({ cwd: ROOT });
  });

  it("takes the configured path (relative to the first folder; a .js with node) and nothing else", () => {
    const ws = folder({ "tools/adainfc": "", "tools/server.mjs": "", "node_modules/.bin/adainfc": "" });
    expect(findServer({ path: "tools/adainfc", args: [] }, [ws], "linux")).toMatchObject({ command: join(ws, "tools/adainfc"), args: ["lsp"] });
    expect(findServer({ path: join(ws, "tools/server.mjs"), args: ["-v"] }, [ws], "linux")).toMatchObject({
      command: "node",
      args: [join(ws, "tools/server.mjs"), "lsp", "-v"],
      origin: `the setting ${SETTINGS.path}`,
    });
    const missing = findServer({ path: "nope/adainfc", args: [] }, [ws], "linux");
    expect(missing).toEqual({
      error: `AdaInf: ${SETTINGS.path} is set to "nope/adainfc", which does not exist (${join(ws, "nope/adainfc")}).`,
      tried: [join(ws, "nope/adainfc")],
    });
  });

  it("says what to do when there is none", () => {
    const a = folder({ "package.json": "not json" });
    const b = folder({});
    const r = findServer(none, [a, b], "linux");
    expect(r).toEqual({
      error: `AdaInf: no language server: adainf is not installed in this workspace (no node_modules/.bin/adainfc). Run \`npm install adainf\`, or set ${SETTINGS.path} to adainfc.`,
      tried: [
        join(a, "node_modules/.bin/adainfc"),
        join(a, "node_modules/adainf/bin/adainfc.js"),
        join(b, "node_modules/.bin/adainfc"),
        join(b, "node_modules/adainf/bin/adainfc.js"),
      ],
    });
    expect(findServer(none, [], "linux")).toMatchObject({ error: expect.stringContaining("open the folder of a project that has adainf installed") });
  });

  it("describes the command on one line, quoting what needs it", () => {
    expect(describeCommand({ command: "node", args: ["/a b/adainfc.js", "lsp", "--x=1"], cwd: undefined, origin: "" })).toBe(
      'node "/a b/adainfc.js" lsp --x=1',
    );
  });
});

// ---------------------------------------------------------------- the bundled client

const installed = existsSync(join(EXT, "node_modules/esbuild")) && existsSync(join(EXT, "node_modules/vscode-languageclient"));

/** A stand-in for a `vscode` API object: every property is another one, every call or `new` returns one (and is recorded). */
function anything(name: string, calls: [string, unknown[]][]): unknown {
  const cache = new Map<PropertyKey, unknown>();
  // a function declaration: a constructor, which an arrow function is not
  function target() {}
  return new Proxy(target, {
    get(_, key) {
      if (key === "then") return undefined; // not a promise
      if (key === "prototype") return target.prototype; // a base class the client extends
      if (!cache.has(key)) cache.set(key, anything(`${name}.${String(key)}`, calls));
      return cache.get(key);
    },
    apply(_, __, args) {
      calls.push([name, args]);
      return anything(`${name}()`, calls);
    },
    construct(_, args) {
      calls.push([`new ${name}`, args]);
      return anything(`new ${name}`, calls) as object;
    },
  });
}

/** An object with the given members and stand-ins for every other. */
function withRest<T extends object>(name: string, members: T, calls: [string, unknown[]][]): T {
  return new Proxy(members, {
    get: (t, key) => (key in t ? t[key as keyof T] : ((t as Record<PropertyKey, unknown>)[key] = anything(`${name}.${String(key)}`, calls))),
  });
}

interface Extension {
  activate(context: { subscriptions: unknown[] }): Promise<void>;
  deactivate(): Promise<void>;
}

/**
 * Loads the bundle with a stand-in `vscode` (the workspace folder, adainf.server settings
 * and the server's own `adainf` settings given); returns it, its output channel's text
 * and the recorded calls.
 */
function loadBundle(workspace: string, settings: { path: string; args: string[] }, served: Record<string, unknown> = {}) {
  const calls: [string, unknown[]][] = [];
  const output: string[] = [];
  const vscode = withRest(
    "vscode",
    {
      version: "1.82.0",
      workspace: withRest(
        "workspace",
        {
          workspaceFolders: [{ uri: { scheme: "file", fsPath: workspace, toString: () => `file://${workspace}` }, name: "ws", index: 0 }],
          getConfiguration: (section?: string) => ({
            get: (key: string, d: unknown) =>
              section === SETTINGS.section ? (settings[key as "path"] ?? d) : section === SERVER_CONFIG.section ? (served[key] ?? d) : d,
          }),
          textDocuments: [],
        },
        calls,
      ),
      window: withRest(
        "window",
        {
          createOutputChannel: (name: string) => ({
            name,
            append: (s: string) => output.push(s),
            appendLine: (s: string) => output.push(`${s}\n`),
            show() {},
            hide() {},
            clear() {},
            replace() {},
            dispose() {},
          }),
          showErrorMessage: (...args: unknown[]) => {
            calls.push(["showErrorMessage", args]);
            return Promise.resolve(undefined);
          },
        },
        calls,
      ),
    },
    calls,
  );
  const require = createRequire(import.meta.url);
  const Module = require("node:module") as { _load: (request: string, ...rest: unknown[]) => unknown };
  const load = Module._load;
  Module._load = function (request: string, ...rest: unknown[]) {
    return request === "vscode" ? vscode : load.call(this, request, ...rest);
  };
  try {
    const bundle = join(EXT, "dist/extension.js");
    delete require.cache[bundle];
    return { extension: require(bundle) as Extension, output, calls };
  } finally {
    Module._load = load;
  }
}

describe.skipIf(!installed)("the bundled client (needs `npm ci` in editors/vscode)", () => {
  it("builds with the extension's build script", () => {
    execFileSync("npm", ["run", "--silent", "build"], { cwd: EXT, stdio: "pipe" });
    expect(existsSync(join(EXT, "dist/extension.js"))).toBe(true);
  });

  it("starts the configured server with `lsp` and the extra arguments in the workspace folder, over stdio, and stops it", async () => {
    const dir = folder({});
    const marker = join(dir, "initialize.json");
    const server = join(dir, "server.cjs");
    // a language server that records how it was started and what initialize brought
    writeFileSync(
      server,
      `const { createConnection } = require(${JSON.stringify(createRequire(import.meta.url).resolve("vscode-languageserver/node"))});
const connection = createConnection(process.stdin, process.stdout);
connection.onInitialize((params) => {
  require("node:fs").writeFileSync(${JSON.stringify(marker)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), processId: params.processId, sync: params.capabilities.textDocument.synchronization, options: params.initializationOptions }));
  return { capabilities: { hoverProvider: true } };
});
connection.listen();
`,
    );
    const served = { set: ["train.steps=500"], rules: { "vanilla-inflation": "error" }, inlayHints: { inherited: false } };
    const { extension, output, calls } = loadBundle(dir, { path: server, args: ["--flag"] }, served);
    await extension.activate({ subscriptions: [] });
    const init = JSON.parse(readFileSync(marker, "utf8"));
    expect(init).toMatchObject({ argv: ["lsp", "--flag"], cwd: dir, processId: process.pid, sync: { didSave: true }, options: served });
    expect(output.join("")).toContain(`starting node ${server} lsp --flag (from the setting ${SETTINGS.path}, in ${dir})`);
    expect(calls.filter(([name]) => name === "showErrorMessage")).toEqual([]);
    await extension.deactivate();
  });

  it("starts the real `adainfc lsp` (bin/adainfc.js from dist) and completes the handshake with it", async () => {
    const dir = folder({});
    const { extension, output, calls } = loadBundle(dir, { path: join(ROOT, "bin/adainfc.js"), args: [] });
    // activate resolves once the client has started, i.e. after the server answered initialize
    await extension.activate({ subscriptions: [] });
    expect(output.join("")).toContain(`starting node ${join(ROOT, "bin/adainfc.js")} lsp`);
    expect(calls.filter(([name]) => name === "showErrorMessage")).toEqual([]);
    await extension.deactivate();
  });

  it("says where it looked when there is no server, and does not wait for the message", async () => {
    const dir = folder({});
    const { extension, output, calls } = loadBundle(dir, { path: "", args: [] });
    await extension.activate({ subscriptions: [] });
    const errors = calls.filter(([name]) => name === "showErrorMessage").map(([, args]) => args);
    expect(errors).toEqual([[expect.stringContaining("adainf is not installed in this workspace"), "Open Settings", "Show Output"]]);
    expect(output.join("")).toContain(`  not found: ${join(dir, "node_modules/.bin/adainfc")}`);
    await extension.deactivate();
  });
});
