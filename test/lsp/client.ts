// A language client for the tests: starts `adainfc lsp` (bin/adainfc.js, from dist: run
// `npm run build` first) as a child process and talks to it with vscode-jsonrpc over its
// stdio, as an editor does. Collects published diagnostics, the server's log lines, the
// messages it shows the user (window/showMessage), the refreshes it asks for (semantic
// tokens, inlay hints) and the capabilities its initialize result advertises. Reads
// semantic tokens' relative encoding back (decodeTokens).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, type MessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node.js";

export const ROOT = resolve(import.meta.dirname, "../..");
/** Whether the server is built (the tests run it from dist/). */
export const BUILT = existsSync(join(ROOT, "dist", "src", "lsp", "server.js"));

export interface Position {
  line: number;
  character: number;
}
export interface LspDiagnostic {
  range: { start: Position; end: Position };
  severity: number;
  code: string;
  codeDescription?: { href: string };
  message: string;
}
interface Published {
  uri: string;
  version?: number;
  diagnostics: LspDiagnostic[];
}

export const uriOf = (path: string): string => pathToFileURL(path).href;

export interface TextEdit {
  range: { start: Position; end: Position };
  newText: string;
}

/** \`text\` with \`edits\` applied (as a client applies a WorkspaceEdit's edits to one file). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split("\n");
  const offset = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

export interface DecodedToken {
  line: number;
  character: number;
  length: number;
  /** The characters it covers in the text. */
  text: string;
  type: string;
  modifiers: string[];
}

/**
 * Semantic tokens' data (five numbers a token: line and start relative to the previous
 * token's, length, type index, modifier bits) read back with `legend`, each with the
 * characters of `text` it covers.
 */
export function decodeTokens(data: readonly number[], legend: { tokenTypes: string[]; tokenModifiers: string[] }, text: string): DecodedToken[] {
  const lines = text.split("\n");
  const out: DecodedToken[] = [];
  let line = 0;
  let character = 0;
  for (let i = 0; i + 4 < data.length; i += 5) {
    const [dLine, dStart, length, type, bits] = data.slice(i, i + 5) as [number, number, number, number, number];
    line += dLine;
    character = dLine === 0 ? character + dStart : dStart;
    out.push({
      line,
      character,
      length,
      text: (lines[line] ?? "").slice(character, character + length),
      type: legend.tokenTypes[type] ?? `?${type}`,
      modifiers: legend.tokenModifiers.filter((_, b) => bits & (1 << b)),
    });
  }
  return out;
}

/** The position of the first `needle` in `text` (plus `delta` characters). */
export function at(text: string, needle: string, delta = 0): Position {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`no '${needle}' in the text`);
  const before = text.slice(0, i + delta).split("\n");
  return { line: before.length - 1, character: before[before.length - 1]!.length };
}

export class Client {
  readonly logs: string[] = [];
  /** What the server showed the user (window/showMessage), with its type (1: error). */
  readonly shown: { type: number; message: string }[] = [];
  /** The methods the server registered for dynamically (client/registerCapability). */
  readonly registered: string[] = [];
  /** The refreshes the server asked for (workspace/semanticTokens/refresh, workspace/inlayHint/refresh), in order. */
  readonly refreshed: string[] = [];
  /** The server's capabilities, from its answer to initialize. */
  capabilities: Record<string, unknown> = {};
  private readonly published: Published[] = [];
  private readonly waiting: (() => void)[] = [];
  private readonly versions = new Map<string, number>();

  private constructor(
    readonly child: ChildProcess,
    readonly conn: MessageConnection,
  ) {
    conn.onNotification("textDocument/publishDiagnostics", (p: Published) => {
      this.published.push(p);
      for (const w of this.waiting.splice(0)) w();
    });
    conn.onNotification("window/logMessage", (p: { message: string }) => this.logs.push(p.message));
    conn.onNotification("window/showMessage", (p: { type: number; message: string }) => this.shown.push(p));
    conn.onRequest("client/registerCapability", (p: { registrations: { method: string }[] }) => {
      for (const r of p.registrations) this.registered.push(r.method);
      return null;
    });
    for (const method of ["workspace/semanticTokens/refresh", "workspace/inlayHint/refresh"])
      conn.onRequest(method, () => {
        this.refreshed.push(method);
        return null;
      });
  }

  /**
   * Start a server for `folder`; `textDocument` is the client's textDocument capabilities
   * (what it supports), `settings` more initializationOptions than the debounce,
   * `workspace` more workspace capabilities than watched files; `as` a command the server
   * is run through (`setpriv --reuid=...`: as another user).
   */
  static async start(
    folder: string,
    debounceMs = 10,
    textDocument: object = {},
    settings: object = {},
    workspace: object = {},
    as: string[] = [],
  ): Promise<Client> {
    const client = Client.launch(folder, as);
    const conn = client.conn;
    const init = await conn.sendRequest<{ capabilities: Record<string, unknown> }>("initialize", {
      processId: process.pid,
      rootUri: uriOf(folder),
      workspaceFolders: [{ uri: uriOf(folder), name: "test" }],
      capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true }, ...workspace }, textDocument },
      initializationOptions: { debounceMs, ...settings },
    });
    client.capabilities = init.capabilities;
    conn.sendNotification("initialized", {});
    return client;
  }

  /** Start a server for `folder` (through the command `as`, when given) and send it nothing (not even initialize). */
  static launch(folder: string, as: string[] = []): Client {
    const command = [...as, process.execPath, join(ROOT, "bin", "adainfc.js"), "lsp"];
    const child = spawn(command[0]!, command.slice(1), { cwd: folder, stdio: ["pipe", "pipe", "pipe"] });
    const conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new Client(child, conn);
    conn.listen();
    return client;
  }

  request<T>(method: string, params: object | null): Promise<T> {
    return this.conn.sendRequest(method, params) as Promise<T>;
  }

  /** workspace/didChangeConfiguration with the `adainf` section `settings`. */
  configure(settings: object): void {
    void this.conn.sendNotification("workspace/didChangeConfiguration", { settings: { adainf: settings } });
  }

  open(path: string, text: string): string {
    return this.openUri(uriOf(path), text);
  }

  /** Open a document under any URI (`untitled:x`, `fugitive://...`, `file://host/...`). */
  openUri(uri: string, text: string): string {
    this.versions.set(uri, 1);
    void this.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "adainf", version: 1, text } });
    return uri;
  }

  /** Replace the whole text (a full-document change). */
  change(uri: string, text: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text }] });
    return version;
  }

  /** Replace `range` with `text` (an incremental change). */
  edit(uri: string, range: { start: Position; end: Position }, text: string): number {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.conn.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  close(uri: string): void {
    void this.conn.sendNotification("textDocument/didClose", { textDocument: { uri } });
  }

  /** The first diagnostics published for `uri` after `since` (an index into what arrived) that satisfy `ok`. */
  async diagnostics(uri: string, ok: (d: LspDiagnostic[]) => boolean = () => true, timeoutMs = 20_000): Promise<LspDiagnostic[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = [...this.published].reverse().find((p) => p.uri === uri && (p.version === undefined || p.version === this.versions.get(uri)));
      if (hit && ok(hit.diagnostics)) return hit.diagnostics;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching diagnostics for ${uri}; last: ${JSON.stringify(hit?.diagnostics ?? null)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiting.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** shutdown, exit; resolves to the server's exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((r) => this.child.once("exit", (code) => r(code)));
    await this.conn.sendRequest("shutdown");
    void this.conn.sendNotification("exit");
    const code = await exited;
    this.conn.dispose();
    return code;
  }
}
