// Between the client's messages and the server's handlers: every message passes here
// before vscode-languageserver dispatches it. A request before `initialize` is answered
// with ServerNotInitialized, a request after `shutdown` with InvalidRequest (and a
// notification then, or before `initialize`, is dropped; `exit` always passes). The
// params of each method the server handles are checked for the shape its handler reads:
// a request whose params are not of that shape is answered with InvalidParams and a plain
// message, a notification whose params are not is dropped with one log line. So no
// handler sees a position that is not two numbers, and no document is stored without a
// string for its text. A workspace folder whose URI names no path of this machine (a
// remote one, `file://server/share`, `vscode-vfs://...`) is left out with a log line, at
// initialize as when added later (workspaceFolderPaths); initialize is refused
// (InvalidParams) only when it gives folders and none of them is usable.

import { fileURLToPath } from "node:url";
import { ErrorCodes, Message, type MessageReader, type MessageWriter } from "vscode-languageserver/node.js";

/**
 * Why the server cannot take `uri` as the file or folder it names: a `file:` URI with a
 * host, or one Node cannot make a path of; null for a good one, and for any other
 * scheme (such a document is no file: workspace.ts checks it on its own).
 */
export function uriProblem(uri: string): string | null {
  if (!uri.startsWith("file:")) return null;
  try {
    fileURLToPath(uri);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** Why the server cannot take `uri` as a workspace folder: it is no `file:` URI, or names no path of this machine; null for a good one. */
export function folderProblem(uri: string): string | null {
  return uri.startsWith("file:") ? uriProblem(uri) : "not a file: URI";
}

/** The paths of workspace folders (initialize's, or those added or removed later); one that is no folder of this machine is left out, said with `warn`. */
export function workspaceFolderPaths(list: readonly { uri: string }[], warn: (line: string) => void): string[] {
  return list.flatMap((f) => {
    const problem = folderProblem(f.uri);
    if (problem === null) return [fileURLToPath(f.uri)];
    warn(`adainf: the workspace folder ${f.uri} is left out: ${problem}`);
    return [];
  });
}

/** Why `value` is not of a shape, or null when it is. */
type Check = (value: unknown) => string | null;

/** A problem of a part of a value, under the part's name (`.line`, `[2]`). */
const under = (part: string, problem: string) => (problem.startsWith(".") || problem.startsWith("[") ? `${part}${problem}` : `${part} ${problem}`);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const obj =
  (fields: Record<string, Check>, optional: Record<string, Check> = {}): Check =>
  (v) => {
    if (!isObject(v)) return "is not an object";
    for (const [key, check] of Object.entries(fields)) {
      const problem = check(v[key]);
      if (problem) return under(`.${key}`, problem);
    }
    for (const [key, check] of Object.entries(optional)) {
      const problem = v[key] === undefined || v[key] === null ? null : check(v[key]);
      if (problem) return under(`.${key}`, problem);
    }
    return null;
  };
const str: Check = (v) => (typeof v === "string" ? null : "is not a string");
const bool: Check = (v) => (typeof v === "boolean" ? null : "is not a boolean");
const uint: Check = (v) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? null : "is not a whole number >= 0");
const int: Check = (v) => (typeof v === "number" && Number.isInteger(v) ? null : "is not a whole number");
const list =
  (item: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return "is not a list";
    for (const [i, x] of v.entries()) {
      const problem = item(x);
      if (problem) return under(`[${i}]`, problem);
    }
    return null;
  };
const anything: Check = () => null;
/** Folders, at least one of which is usable (an empty list is none given). */
const someFolder: Check = (v) => {
  const problem = list(obj({ uri: str }))(v);
  if (problem) return problem;
  const folders = v as { uri: string }[];
  if (folders.length === 0 || folders.some((f) => folderProblem(f.uri) === null)) return null;
  return `holds no folder the server can take: each is not a file: URI of this machine's paths (${folders.map((f) => `${f.uri}: ${folderProblem(f.uri)}`).join("; ")})`;
};
/** initialize's params: the folders, else (none given) the root's URI, must name a folder of this machine. */
const initializeParams: Check = (v) => {
  const problem = obj({ capabilities: obj({}) }, { workspaceFolders: someFolder, rootUri: str })(v);
  if (problem || !isObject(v) || (v.workspaceFolders !== undefined && v.workspaceFolders !== null) || typeof v.rootUri !== "string") return problem;
  const root = folderProblem(v.rootUri);
  return root && `.rootUri is not a file: URI of this machine's paths (${root})`;
};

const position = obj({ line: uint, character: uint });
const range = obj({ start: position, end: position });
const document = obj({ uri: str });
const inDocument = (more: Record<string, Check> = {}) => obj({ textDocument: document, ...more });
const at = (more: Record<string, Check> = {}) => inDocument({ position, ...more });

/** The shape of the params of each method the server handles (a method not here is vscode-languageserver's). */
const PARAMS: Record<string, Check> = {
  initialize: initializeParams,
  "textDocument/hover": at(),
  "textDocument/completion": at(),
  "textDocument/signatureHelp": at(),
  "textDocument/definition": at(),
  "textDocument/references": at({ context: obj({ includeDeclaration: bool }) }),
  "textDocument/prepareRename": at(),
  "textDocument/rename": at({ newName: str }),
  "textDocument/documentSymbol": inDocument(),
  "textDocument/formatting": inDocument(),
  "textDocument/codeAction": inDocument({ range, context: obj({ diagnostics: list(anything) }, { only: list(str) }) }),
  "textDocument/semanticTokens/full": inDocument(),
  "textDocument/semanticTokens/full/delta": inDocument({ previousResultId: str }),
  "textDocument/semanticTokens/range": inDocument({ range }),
  "textDocument/inlayHint": inDocument({ range }),
  "workspace/symbol": obj({ query: str }),
  "textDocument/didOpen": obj({ textDocument: obj({ uri: str, languageId: str, version: int, text: str }) }),
  "textDocument/didChange": obj({ textDocument: obj({ uri: str, version: int }), contentChanges: list(obj({ text: str }, { range })) }),
  "textDocument/didClose": inDocument(),
  "textDocument/didSave": inDocument(),
  "workspace/didChangeConfiguration": obj({ settings: anything }),
  "workspace/didChangeWatchedFiles": obj({ changes: list(obj({ uri: str, type: int })) }),
  // A folder that is no file (a remote one) is skipped by the handler, not the whole change dropped.
  "workspace/didChangeWorkspaceFolders": obj({ event: obj({ added: list(obj({ uri: str })), removed: list(obj({ uri: str })) }) }),
};

/** Why the params of `method` are not of the shape its handler reads, or null when they are (or the server does not check it). */
export function paramsProblem(method: string, params: unknown): string | null {
  const check = PARAMS[method];
  const problem = check ? check(params) : null;
  return problem && `${method}: ${under("the params", problem)}`;
}

/**
 * `reader` with the messages that must not reach a handler taken out: those are answered
 * on `writer` (a request) or logged with `log` (a notification).
 */
export function checkedReader(reader: MessageReader, writer: MessageWriter, log: (line: string) => void): MessageReader {
  let state: "new" | "running" | "shut down" = "new";
  const refuse = (id: number | string | null, code: number, message: string) => void writer.write({ jsonrpc: "2.0", id, error: { code, message } } as Message);
  const pass = (message: Message): boolean => {
    if (Message.isRequest(message)) {
      if (state === "new" && message.method !== "initialize") {
        refuse(message.id, ErrorCodes.ServerNotInitialized, `${message.method}: the server is not initialized (send initialize first)`);
        return false;
      }
      if (state === "shut down") {
        refuse(message.id, ErrorCodes.InvalidRequest, `${message.method}: the server is shut down (only the exit notification is taken)`);
        return false;
      }
      const problem = paramsProblem(message.method, message.params);
      if (problem) {
        refuse(message.id, ErrorCodes.InvalidParams, problem);
        return false;
      }
      if (message.method === "initialize") state = "running";
      if (message.method === "shutdown") state = "shut down";
      return true;
    }
    if (Message.isNotification(message)) {
      if (message.method === "exit") return true;
      if (state !== "running") return false;
      const problem = paramsProblem(message.method, message.params);
      if (problem) log(`adainf: ignored a malformed notification: ${problem}`);
      return !problem;
    }
    return true;
  };
  return {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    listen: (callback) => reader.listen((message) => pass(message) && callback(message)),
    dispose: () => reader.dispose(),
  };
}
