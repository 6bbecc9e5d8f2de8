// `adainfc lsp`: the language server, on vscode-languageserver. Diagnostics are
// published a debounce after the last change of a document (and of any open document
// it imports); hover, completion, signature help, definition, references, rename,
// outline, formatting, code actions, semantic tokens (whole, as a delta from the last
// answer, or a range) and inlay hints answer from the
// document's current text, and workspace symbols from every file a search over the
// workspace reads. Positions are converted to and from the compiler's offsets by
// positions.ts (a byte order mark; lines that end at a lone CR). A refused rename is
// answered with an error that says why (also when the workspace's listing was cut short). The settings (settings.ts: debounce, `set` overrides, `rules` severities, inlay
// hints) come with initialize and with didChangeConfiguration, which checks the open
// documents again (and asks the client to fetch inlay hints again when theirs changed);
// a bad value is shown with window/showMessage. When files change on disk, or an open
// file that others import, the client is asked to fetch semantic tokens and inlay hints
// again (what an imported file declares may have changed). Malformed params and requests
// out of the lifecycle's order never reach a handler (boundary.ts); a failure inside one
// request is logged to the client's output and answered with nothing; the server goes on.
// A document whose `file:` URI names no path of this machine (`file://host/share/x`) is
// not taken: the user is told once (window/showMessage), and every request on it is
// answered with nothing; the other documents are unaffected. Workspace folders added or
// removed later (workspace/didChangeWorkspaceFolders) change where files are checked from.

import {
  CodeActionKind,
  type Connection,
  createConnection,
  DidChangeWatchedFilesNotification,
  type TextDocumentChangeEvent,
  type Location,
  LSPErrorCodes,
  MarkupKind,
  MessageType,
  type MessageReader,
  type MessageWriter,
  ProposedFeatures,
  ResponseError,
  type SemanticTokens,
  type SemanticTokensDelta,
  ShowMessageNotification,
  StreamMessageReader,
  StreamMessageWriter,
  type InlayHint,
  InlayHintKind,
  type TextEdit,
  TextDocumentSyncKind,
  TextDocuments,
  type WorkspaceSymbol,
} from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import type { Span } from "../ir/types.js";
import { type LoadedFile, parseCached } from "../resolve/program.js";
import { checkedReader, uriProblem, workspaceFolderPaths } from "./boundary.js";
import { completions } from "./completion.js";
import { codeActions, formatEdits, lspDiagnostics } from "./diagnostics.js";
import { hoverMarkdown, where } from "./hover.js";
import { inlayHints } from "./inlay.js";
import { documentSymbols, referencesAcross, type Target, targetAt, workspaceSymbols } from "./navigation.js";
import { type Refusal, renamedName, renameEdits, renameTarget } from "./rename.js";
import { encodeTokens, LEGEND, semanticTokens, tokenEdits } from "./semantic.js";
import { signatureHelp } from "./signature.js";
import { SourceView } from "./positions.js";
import { DEFAULT_SETTINGS, readSettings, type Settings } from "./settings.js";
import { type Analysis, Workspace } from "./workspace.js";

export interface ServerOptions {
  /** Milliseconds between the last change of a document and its diagnostics (default 150). */
  debounceMs?: number;
}

export function startServer(
  reader: MessageReader | NodeJS.ReadableStream,
  writer: MessageWriter | NodeJS.WritableStream,
  opts: ServerOptions = {},
): Connection {
  // Every message passes boundary.ts first (the lifecycle, the shape of the params), on the reader and writer of the streams given.
  const output = "onClose" in writer ? writer : new StreamMessageWriter(writer);
  const input = "listen" in reader ? reader : new StreamMessageReader(reader);
  const connection = createConnection(
    ProposedFeatures.all,
    checkedReader(input, output, (line) => connection.console.warn(line)),
    output,
  );
  let shutDown = false;
  connection.onShutdown(() => {
    shutDown = true;
  });
  // As vscode-languageserver does for streams it is given: the client closed the input, the server ends.
  if (!("listen" in reader)) for (const event of ["end", "close"]) reader.on(event, () => process.exit(shutDown ? 0 : 1));
  const store = new TextDocuments(TextDocument);
  /** Why each open document's URI cannot be taken (uriProblem), or null: asked once per URI while it is open (a URI not open is never kept). */
  const refused = new Map<string, string | null>();
  const problemOf = (uri: string): string | null => {
    if (!refused.has(uri)) refused.set(uri, uriProblem(uri));
    return refused.get(uri)!;
  };
  /** The open documents the server takes: those whose URI it can map (every handler sees only these). */
  const documents = {
    get: (uri: string): TextDocument | undefined => {
      const doc = store.get(uri);
      return doc && problemOf(uri) === null ? doc : undefined;
    },
    all: (): TextDocument[] => store.all().filter((d) => problemOf(d.uri) === null),
  };
  const workspace = new Workspace(documents, undefined, (line) => connection.console.warn(line));
  const analyses = new Map<string, Analysis>();
  /** The data sources of each pipeline of each open document, by IR name, as the last analysis that compiled the pipeline gave them (completion.ts). */
  const compiledSources = new Map<string, Map<string, string[]>>();
  const timers = new Map<string, NodeJS.Timeout>();
  /** The lengths in epochs of each open document's last published analysis, in steps: a change asks the client for its hints again. */
  const stepsShown = new Map<string, string>();
  /** The tokens last sent for each open document, with their result id: what a delta is made against. */
  const sentTokens = new Map<string, { resultId: string; data: number[] }>();
  let tokenResults = 0;
  const sent = (uri: string, data: number[]): string => {
    const resultId = String(++tokenResults);
    sentTokens.set(uri, { resultId, data });
    return resultId;
  };

  let settings: Settings = { ...DEFAULT_SETTINGS, debounceMs: opts.debounceMs ?? DEFAULT_SETTINGS.debounceMs };
  /** Whether the client takes workspace/semanticTokens/refresh and workspace/inlayHint/refresh. */
  let refresh = { tokens: false, hints: false };

  const logError = (what: string, e: unknown): void => {
    connection.console.error(`adainf: internal error in ${what}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  };
  /** Run a handler; an exception is logged and answered with `fallback`. */
  const guard = async <T>(what: string, fallback: T, fn: () => T | Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      logError(what, e);
      return fallback;
    }
  };

  /** The document's analysis for its current text. */
  const current = async (uri: string): Promise<Analysis | null> => {
    const doc = documents.get(uri);
    const a = analyses.get(uri);
    if (!doc) return null;
    if (a && a.version === doc.version) return a;
    const fresh = await workspace.analyze(uri);
    if (fresh && documents.get(uri)?.version === fresh.version) {
      analyses.set(uri, fresh);
      // A pipeline this text does not compile keeps the sources its last compile gave it.
      const known = compiledSources.get(uri) ?? new Map<string, string[]>();
      for (const [name, sources] of fresh.sources) known.set(name, sources);
      compiledSources.set(uri, known);
    }
    return fresh;
  };

  const publish = async (uri: string, cascade: boolean): Promise<void> => {
    timers.delete(uri);
    const before = analyses.get(uri);
    const a = await current(uri);
    if (!a || documents.get(uri)?.version !== a.version) return;
    await connection.sendDiagnostics({ uri, version: a.version, diagnostics: lspDiagnostics(a) });
    // The hints of lengths in epochs wait for the analysis: the client fetches them again when they change.
    const steps = JSON.stringify([...a.epochSteps]);
    if (steps !== (stepsShown.get(uri) ?? "[]") && settings.inlayHints.steps) refreshViews({ tokens: false, hints: true });
    stepsShown.set(uri, steps);
    if (!cascade || before?.text === a.text) return;
    // Open files that import this one see its new text (and what it declares: their tokens and hints).
    const importers = [...analyses.values()].filter((other) => other.uri !== uri && other.files.has(a.abs));
    for (const other of importers) recheck(other.uri);
    if (importers.length) refreshViews();
  };

  /** Ask the client to fetch semantic tokens and inlay hints again (when it can); a client that fails the request keeps what it shows. */
  const refreshViews = (what = { tokens: true, hints: true }): void => {
    const quietly = (request: unknown) => void Promise.resolve(request).catch(() => undefined);
    if (what.tokens && refresh.tokens) quietly(connection.languages.semanticTokens.refresh());
    if (what.hints && refresh.hints) quietly(connection.languages.inlayHint.refresh());
  };

  const schedule = (uri: string, cascade = true): void => {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => void guard("diagnostics", undefined, () => publish(uri, cascade)), settings.debounceMs),
    );
  };

  /** Analyse again with the same text (an import changed): the cached analysis is dropped. */
  const recheck = (uri: string): void => {
    analyses.delete(uri);
    schedule(uri, false);
  };

  /** Take the settings `raw` gives; a value that cannot be taken is shown to the user as an error. */
  const configure = (raw: unknown): void => {
    const read = readSettings(raw, settings);
    settings = read.settings;
    workspace.setOptions(settings.overrides, settings.rules);
    // The notification (not showMessageRequest): allowed before initialize is answered, and nothing to wait for.
    for (const message of read.problems) void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message });
  };

  let watchFiles = false;
  /** The workspace folders (paths), as initialize gave them and didChangeWorkspaceFolders changed them. */
  let folders: string[] = [];
  /** Whether the client sends workspace/didChangeWorkspaceFolders. */
  let folderChanges = false;
  connection.onInitialize((params) => {
    watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
    workspace.watchFiles(watchFiles);
    refresh = {
      tokens: params.capabilities.workspace?.semanticTokens?.refreshSupport === true,
      hints: params.capabilities.workspace?.inlayHint?.refreshSupport === true,
    };
    const prepareRename = params.capabilities.textDocument?.rename?.prepareSupport === true;
    folderChanges = params.capabilities.workspace?.workspaceFolders === true;
    // A folder that is no file of this machine is left out, as when added later (boundary.ts refused initialize if none is usable).
    const warn = (line: string) => connection.console.warn(line);
    folders = params.workspaceFolders
      ? workspaceFolderPaths(params.workspaceFolders, warn)
      : params.rootUri
        ? workspaceFolderPaths([{ uri: params.rootUri }], warn)
        : [];
    workspace.setRoots(folders.length ? folders : [process.cwd()]);
    configure(params.initializationOptions);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: [".", "(", "=", " "] },
        signatureHelpProvider: { triggerCharacters: ["(", ","] },
        definitionProvider: true,
        referencesProvider: true,
        renameProvider: prepareRename ? { prepareProvider: true } : true,
        documentSymbolProvider: true,
        workspaceSymbolProvider: true,
        documentFormattingProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, `${CodeActionKind.SourceFixAll}.adainf`] },
        semanticTokensProvider: { legend: LEGEND, full: { delta: true }, range: true },
        inlayHintProvider: true,
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: "adainfc lsp" },
    };
  });

  // Files changed on disk (saved by another program, a `git checkout`): check the open files again.
  connection.onInitialized(() => {
    if (watchFiles) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: "**/*.adainf" }] });
    // Folders added or removed: files are checked from the innermost folder that holds them now.
    if (folderChanges)
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        /** The paths of folders; one whose URI names no path of this machine (a remote folder) is left out, with a line in the output. */
        const paths = (list: readonly { uri: string }[]): string[] => workspaceFolderPaths(list, (line) => connection.console.warn(line));
        const removed = new Set(paths(event.removed));
        folders = [...folders.filter((f) => !removed.has(f)), ...paths(event.added)];
        workspace.setRoots(folders.length ? folders : [process.cwd()]);
        for (const d of documents.all()) recheck(d.uri);
        refreshViews();
      });
  });

  connection.onDidChangeConfiguration((p) => {
    const section = (p.settings as { adainf?: unknown } | null)?.adainf;
    if (section === undefined) return;
    const before = settings;
    configure(section);
    // New overrides or severities: every open document is checked again.
    if (JSON.stringify([before.overrides, before.rules]) !== JSON.stringify([settings.overrides, settings.rules]))
      for (const d of documents.all()) recheck(d.uri);
    if (JSON.stringify(before.inlayHints) !== JSON.stringify(settings.inlayHints)) refreshViews({ tokens: false, hints: true });
  });

  // A document the server cannot take is said once, when it opens.
  store.onDidOpen((e: TextDocumentChangeEvent<TextDocument>) => {
    const problem = problemOf(e.document.uri);
    if (problem !== null)
      void connection.sendNotification(ShowMessageNotification.type, {
        type: MessageType.Warning,
        message: `adainf: ${e.document.uri} is not checked: its URI names no file of this machine (${problem})`,
      });
  });
  store.onDidChangeContent((e) => {
    if (problemOf(e.document.uri) === null) schedule(e.document.uri);
  });
  store.onDidClose((e) => {
    const taken = problemOf(e.document.uri) === null;
    refused.delete(e.document.uri);
    if (!taken) return;
    clearTimeout(timers.get(e.document.uri));
    timers.delete(e.document.uri);
    sentTokens.delete(e.document.uri);
    stepsShown.delete(e.document.uri);
    compiledSources.delete(e.document.uri);
    const a = analyses.get(e.document.uri);
    analyses.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    // Files that import it read it from the disk again.
    if (a) for (const other of analyses.values()) if (other.files.has(a.abs)) recheck(other.uri);
  });
  connection.onDidChangeWatchedFiles(() => {
    workspace.filesChanged();
    for (const uri of analyses.keys()) recheck(uri);
    refreshViews();
  });

  connection.onHover((p) =>
    guard("hover", null, async () => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return null;
      const { program, file } = workspace.program(doc.uri);
      const source = new SourceView(doc);
      const value = hoverMarkdown({ text: source.text, offset: source.offsetAt(p.position), program, file, analysis: await current(doc.uri) });
      return value ? { contents: { kind: MarkupKind.Markdown, value } } : null;
    }),
  );

  connection.onCompletion((p) =>
    guard("completion", [], () => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      const { program, file } = workspace.program(doc.uri);
      const source = new SourceView(doc);
      const { items, from } = completions({ text: source.text, offset: source.offsetAt(p.position), program, file, sources: compiledSources.get(doc.uri) });
      const range = { start: source.positionAt(from), end: p.position };
      return items.map((item) => ({ ...item, textEdit: { range, newText: item.insertText ?? item.label } }));
    }),
  );

  connection.onSignatureHelp((p) =>
    guard("signature help", null, () => {
      const doc = documents.get(p.textDocument.uri);
      const source = doc && new SourceView(doc);
      return source ? signatureHelp(source.text, source.offsetAt(p.position)) : null;
    }),
  );

  const targetOf = (uri: string, position: { line: number; character: number }) => {
    const doc = documents.get(uri);
    if (!doc) return null;
    const { program, file, cwd } = workspace.program(uri);
    if (!file) return null;
    const t = targetAt(program, file, new SourceView(doc).offsetAt(position));
    return t ? { ...t, program, file, cwd } : null;
  };
  const at = (file: LoadedFile, span: Span): Location => ({ uri: workspace.uriOf(file.abs), range: workspace.rangeIn(file, span) });
  /** Where a target is declared (a source: its owner's declaration; go-to-definition goes to the nearest one instead). */
  const locationOf = (t: Target): Location =>
    t.kind === "decl"
      ? at(t.ref.file, t.ref.decl.name.span)
      : t.kind === "source"
        ? at(t.owner.file, t.span)
        : { uri: workspace.uriOf(t.file.abs), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };

  connection.onDefinition((p) =>
    guard("definition", null, () => {
      const t = targetOf(p.textDocument.uri, p.position);
      if (!t) return null;
      return t.target.kind === "source" ? at(t.target.nearest.file, t.target.nearest.span) : locationOf(t.target);
    }),
  );

  connection.onReferences((p) =>
    guard("references", [], () => {
      const t = targetOf(p.textDocument.uri, p.position);
      if (!t) return [];
      const out: Location[] = [];
      if (p.context.includeDeclaration) out.push(locationOf(t.target));
      // Searched from the document itself too: one that is no file is in no other search.
      const searched = workspace.searchFiles(t.program, t.file.abs);
      if (searched.incomplete) connection.console.warn(`adainf: references may be incomplete: ${searched.incomplete}, so some files were not searched`);
      for (const { file, span } of referencesAcross(t.program, searched.files, t.target)) out.push(at(file, span));
      return out;
    }),
  );

  const refusal = (r: Refusal) => new ResponseError(LSPErrorCodes.RequestFailed, r.refused);
  /** The declaration a rename at the position renames, with the program that resolved it. */
  const renamed = (uri: string, position: { line: number; character: number }) => {
    const doc = documents.get(uri);
    if (!doc) return null;
    const { program, file } = workspace.program(uri);
    const source = new SourceView(doc);
    return file ? { program, file, source, target: renameTarget(program, file, source.text, source.offsetAt(position)) } : null;
  };

  connection.onPrepareRename((p) =>
    guard("rename", null, () => {
      const r = renamed(p.textDocument.uri, p.position);
      if (!r) return null;
      if ("refused" in r.target) return refusal(r.target);
      return { range: r.source.rangeOf(r.target.span), placeholder: renamedName(r.target.target) };
    }),
  );

  connection.onRenameRequest((p) =>
    guard("rename", null, () => {
      const r = renamed(p.textDocument.uri, p.position);
      if (!r) return null;
      if ("refused" in r.target) return refusal(r.target);
      // A rename over a list of files cut short would leave the old name in the files left out.
      const searched = workspace.searchFiles(r.program, r.file.abs);
      if (searched.incomplete)
        return refusal({
          refused: `cannot rename: ${searched.incomplete}, so uses in the files left out would keep the old name; open a smaller folder as the workspace`,
        });
      const out = renameEdits(r.program, searched.files, r.target.target, p.newName);
      if ("refused" in out) return refusal(out);
      const changes: Record<string, TextEdit[]> = {};
      for (const e of out.edits) (changes[workspace.uriOf(e.file.abs)] ??= []).push({ range: workspace.rangeIn(e.file, e.span), newText: p.newName });
      return { changes };
    }),
  );

  connection.onDocumentSymbol((p) =>
    guard("document symbols", [], () => {
      const doc = documents.get(p.textDocument.uri);
      if (!doc) return [];
      const source = new SourceView(doc);
      // Under the name its compile parses it by: the outline and the compile share one parse.
      return documentSymbols(parseCached(source.text, workspace.displayOf(workspace.pathOf(doc.uri))).ast, source.bom);
    }),
  );

  connection.onWorkspaceSymbol((p) =>
    guard("workspace symbols", [], () => {
      const program = workspace.searchProgram();
      const files = workspace.searchFiles(program).files.flatMap((abs) => program.files.get(abs) ?? program.load(abs, null) ?? []);
      return workspaceSymbols(files, p.query, (f) => workspace.bomOf(f.abs)).map(
        ({ file, symbol }): WorkspaceSymbol => ({
          name: symbol.name,
          kind: symbol.kind,
          location: { uri: workspace.uriOf(file.abs), range: symbol.selectionRange },
          containerName: file.isStd ? where(file, program) : workspace.displayOf(file.abs),
        }),
      );
    }),
  );

  connection.onDocumentFormatting((p) =>
    guard("formatting", [], () => {
      const doc = documents.get(p.textDocument.uri);
      return doc ? formatEdits(doc, doc.uri) : [];
    }),
  );

  const cancelledError = () => new ResponseError(LSPErrorCodes.RequestCancelled, "cancelled");
  connection.onCodeAction((p, token) =>
    guard("code actions", [], async () => {
      const doc = documents.get(p.textDocument.uri);
      const a = doc ? await current(doc.uri) : null;
      if (!doc || !a) return [];
      const cancelled = () => token.isCancellationRequested;
      return (await codeActions(doc, a, p.range, p.context.only, (text) => workspace.errorsWith(doc.uri, text), cancelled)) ?? cancelledError();
    }),
  );

  /** The document as the compiler reads it, loaded into a program that resolves what it names. */
  const loaded = (uri: string) => {
    const doc = documents.get(uri);
    if (!doc) return null;
    const { program, file } = workspace.program(uri);
    return file ? { program, file, source: new SourceView(doc) } : null;
  };

  /** The document's tokens, encoded. */
  const tokensOf = (uri: string): number[] => {
    const l = loaded(uri);
    return l ? encodeTokens(semanticTokens(l.file, l.program), (offset) => l.source.positionAt(offset)) : [];
  };
  connection.languages.semanticTokens.on((p) =>
    guard<SemanticTokens>("semantic tokens", { data: [] }, () => {
      const data = tokensOf(p.textDocument.uri);
      return { resultId: sent(p.textDocument.uri, data), data };
    }),
  );

  // The edits from the tokens of the result the client names; the whole file when the server no longer holds it.
  connection.languages.semanticTokens.onDelta((p) =>
    guard<SemanticTokens | SemanticTokensDelta>("semantic tokens", { data: [] }, () => {
      const before = sentTokens.get(p.textDocument.uri);
      const data = tokensOf(p.textDocument.uri);
      const resultId = sent(p.textDocument.uri, data);
      return before?.resultId === p.previousResultId ? { resultId, edits: tokenEdits(before.data, data) } : { resultId, data };
    }),
  );

  connection.languages.semanticTokens.onRange((p) =>
    guard("semantic tokens", { data: [] }, () => {
      const l = loaded(p.textDocument.uri);
      const lines = { from: p.range.start.line, to: p.range.end.line };
      return { data: l ? encodeTokens(semanticTokens(l.file, l.program), (offset) => l.source.positionAt(offset), lines) : [] };
    }),
  );

  connection.languages.inlayHint.on((p) =>
    guard("inlay hints", [], () => {
      const l = loaded(p.textDocument.uri);
      if (!l) return [];
      // Lengths in epochs come from the document's analysis, when it is of this text (never made here: the debounce makes it).
      const a = analyses.get(p.textDocument.uri);
      const fresh = a && a.version === documents.get(p.textDocument.uri)?.version ? a : null;
      const hints = inlayHints(l.file, l.program, settings.inlayHints, l.source.offsetAt(p.range.start), l.source.offsetAt(p.range.end), fresh?.epochSteps);
      return hints.map(
        (h): InlayHint => ({
          position: l.source.positionAt(h.offset),
          label: h.label.map((part) => ({
            value: part.value,
            ...(part.tooltip ? { tooltip: { kind: MarkupKind.Markdown, value: part.tooltip } } : {}),
            ...(part.at ? { location: at(part.at.file, part.at.span) } : {}),
          })),
          ...(h.kind === "defaults" ? { kind: InlayHintKind.Parameter } : { paddingLeft: true }),
        }),
      );
    }),
  );

  store.listen(connection);
  connection.listen();
  return connection;
}
