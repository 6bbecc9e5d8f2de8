// The server's view of the files: open documents (their unsaved text wins over the disk,
// for themselves and for every file that imports them), the workspace folders (a file's
// working directory is the folder that holds it, as if `adainfc` ran there), and the
// analysis of a document: what `adainfc check` and `adainfc lint` report for it, run
// through the same front end (src/driver.ts, src/lint/lint-files.ts) over the overlay.
// The files a search over the workspace reads (references, rename, workspace symbols)
// are listed here once, and the files that use a document (for the lengths in epochs it
// writes, inlay.ts) are found among them. That listing and the texts read for it are
// kept until the client reports a change to `.adainf` files (didChangeWatchedFiles), or
// for LISTING_TTL_MS when it reports none: walking a workspace that holds a data set as
// an image folder (CIFAR-10's 50,000 files: 190 ms) at every keystroke's analysis would
// make the editor lag. The settings' `set` overrides and `rules` severities (settings.ts)
// are passed to that front end as `--set` and `--rule` are. A folder the listing cannot
// read is skipped (said once in the client's output), the kernel's file systems (/proc)
// are not entered, and at most MAX_WORKSPACE_FOLDERS folders and MAX_WORKSPACE_FILES
// files are listed, all folders together; why a listing was cut short is kept with it
// (rename refuses it). A document whose URI is not a `file:` one (an editor's unsaved
// buffer, a git view such as `fugitive://`) never stands in for a file on disk: it is
// checked on its own, under a path of its own that no file has (virtualPath), its
// relative imports unresolved (notFiles), and searched only from itself.
import { createHash } from "node:crypto";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { readFileSync, statSync } from "node:fs";
import { stripBom } from "../syntax/bom.js";
import { decodeUtf8 } from "../syntax/utf8.js";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Range } from "vscode-languageserver";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { Diagnostic } from "../check/diagnostic.js";
import { type CompileOutput, compileFileSync } from "../driver.js";
import type { RuleSeverity, Span } from "../ir/types.js";
import type { PipelineLintResult } from "../lint/engine.js";
import { lintFiles } from "../lint/lint-files.js";
import { valueAtPointer } from "../lint/pointer.js";
import { type LoadedFile, Program, parseCached, sourceFileProblem } from "../resolve/program.js";
import type { UseDecl } from "../syntax/ast.js";
import { formatText } from "../syntax/format.js";
import { adainfFilesIn } from "../util/adainf-files.js";
import type { EpochSteps } from "./inlay.js";
import { bomLength, positionsOf, SourceView } from "./positions.js";
import { pushAll } from "../util/push-all.js";

/** The text of a length written in epochs (`10 epochs`, `1 epoch`): a number, its unit last. */
const IN_EPOCHS = /^[0-9.][\s\S]*epochs?$/;

/** The most files read from the workspace folders by a search over the workspace. */
const MAX_WORKSPACE_FILES = 5000;

/** The most folders listed under the workspace folders (a root such as /usr holds 17,000: 4 s). */
const MAX_WORKSPACE_FOLDERS = 10_000;

/** The folder (under the first workspace folder, as the client lists them; hidden, so never listed) of the paths given to documents that are no files. */
const VIRTUAL_FOLDER = ".adainf-no-file";

/** The most files that use a document compiled for its lengths in epochs (inlay.ts). */
const MAX_USERS = 20;

/** How long a listing of the workspace folders is reused when the client reports no file changes. */
const LISTING_TTL_MS = 5000;

/** What a map by IR name holds for pipeline `name` (its first sweep point when it has a sweep). */
export function ofPipeline<T>(map: ReadonlyMap<string, T>, name: string): T | undefined {
  for (const [irName, value] of map) if (irName === name || irName.startsWith(`${name}[`)) return value;
  return undefined;
}

/** Which builtin of each family (the keys of MODEL_CALLS and TRAIN_CALLS) a pipeline uses. */
export type Chosen = Readonly<Record<string, string>>;

export interface Analysis {
  uri: string;
  version: number;
  abs: string;
  /** The file's name in diagnostics (relative to its working directory). */
  display: string;
  cwd: string;
  /** The text as the compiler read it (without a leading byte order mark). */
  text: string;
  /** Characters of the document before the compiler's first (positions.ts): 1 for a byte order mark. */
  bom: number;
  /** Compile and lint diagnostics of the file and of what it imports. */
  diagnostics: Diagnostic[];
  /** How many errors the compile reported (what `errorsWith` counts for the current text). */
  compileErrors: number;
  /** Each compiled pipeline (each sweep point) with its quantities and effective training. */
  results: PipelineLintResult[];
  /** Steps of each compiled pipeline (each sweep point), by its IR name. */
  steps: Map<string, number>;
  /** The builtin each compiled pipeline uses for each family (`optimizer` -> `sgd`), by its IR name. */
  chosen: Map<string, Chosen>;
  /** The data sources of each compiled pipeline (inherited ones included), by its IR name. */
  sources: Map<string, string[]>;
  /**
   * Absolute paths of every file the analysis read (the file, its imports, the stdlib; and
   * the files that use it, with what they read, when it writes a length in epochs): it is
   * made again when one of them changes.
   */
  files: Set<string>;
  /**
   * Each file the document imports through others (by absolute path), with the file it
   * imports itself that leads there: a problem in it is shown at that `use`.
   */
  via: Map<string, string>;
  /** The steps each compiled pipeline (each sweep point: the file's own, and those of the files that use it) makes of each length the file writes in epochs. */
  epochSteps: EpochSteps;
  /** The `set` overrides it was compiled with (lint fixes are not offered under them, as `lint --fix` refuses `--set`). */
  overrides: readonly string[];
}

/** Open documents by URI: what the server's TextDocuments holds. */
export interface DocumentSource {
  get(uri: string): TextDocument | undefined;
  all(): TextDocument[];
}

/** The files a search over the workspace reads, and why the list may lack some (null when it is whole). */
export interface SearchFiles {
  files: string[];
  incomplete: string | null;
}

export class Workspace {
  private roots: string[] = [];
  /** The workspace folders in the client's order (the first one holds the paths of documents that are no files). */
  private given: string[] = [];
  /** `--set` overrides and `--rule` severities from the settings. */
  private options: { overrides: string[]; rules: Record<string, RuleSeverity> } = { overrides: [], rules: {} };
  /** The `.adainf` files under the folders, when listed (performance.now()), and the texts read from them since. */
  private listing: { files: string[]; at: number; ttl: number; incomplete: string | null } | null = null;
  private readonly diskTexts = new Map<string, string | null>();
  /** When the texts in diskTexts began to be read (performance.now()): without watched files they are read again after the listing's TTL. */
  private textsAt = performance.now();
  /** The client reports changes to `.adainf` files: a listing is kept until one comes. */
  private watched = false;

  /** The folders already said (in the client's output) to be unlistable, and whether the folder limit was. */
  private readonly told = new Set<string>();
  /** Open documents whose text is a lossy decoding of their file on disk (not UTF-8): by URI, for the version checked. */
  private readonly lossy = new Map<string, { version: number; lossy: boolean }>();

  constructor(
    private readonly docs: DocumentSource,
    private readonly listingTtlMs = LISTING_TTL_MS,
    private readonly log: (line: string) => void = () => {},
  ) {}

  /** Whether the client reports every change to `.adainf` files on disk (filesChanged). */
  watchFiles(on: boolean): void {
    this.watched = on;
  }

  /** `.adainf` files changed on disk: the folders are listed and their files read again. */
  filesChanged(): void {
    this.listing = null;
    this.diskTexts.clear();
    this.textsAt = performance.now();
    this.lossy.clear();
  }

  /** Check with these overrides and rule severities from now on (the open documents must be analysed again). */
  setOptions(overrides: string[], rules: Record<string, RuleSeverity>): void {
    this.options = { overrides, rules };
  }

  setRoots(paths: readonly string[]): void {
    this.given = paths.map((p) => resolve(p));
    this.roots = [...this.given].sort((a, b) => b.length - a.length);
    this.filesChanged();
  }

  /** The workspace folders, innermost first. */
  folders(): readonly string[] {
    return this.roots;
  }

  /**
   * The file a URI names (uriProblem must have found nothing wrong with it). A document
   * that is no file (`untitled:`, `fugitive://...`) gets a path of its own (virtualPath).
   */
  pathOf(uri: string): string {
    return uri.startsWith("file:") ? fileURLToPath(uri) : this.virtualPath(uri);
  }

  /**
   * The path a document that is no file is checked under: in a hidden folder of the first
   * workspace folder (in the client's order), one folder per URI, so that it never stands
   * in for a file on disk (nor for another such document), and keeps its name
   * (`main.adainf`). Its relative imports are not looked for (notFiles).
   */
  private virtualPath(uri: string): string {
    const name = basename(uri.replace(/[?#].*$/, "")).replace(/[^A-Za-z0-9_.-]/g, "_") || "untitled";
    const id = createHash("sha256").update(uri).digest("hex").slice(0, 12);
    return join(this.given[0] ?? process.cwd(), VIRTUAL_FOLDER, id, name.endsWith(".adainf") ? name : `${name}.adainf`);
  }

  /** The paths of the open documents that are no files, each with its URI's scheme (`untitled:`): the compile does not resolve their relative imports. */
  notFiles(): Map<string, string> {
    const m = new Map<string, string>();
    for (const d of this.docs.all()) if (!d.uri.startsWith("file:")) m.set(this.pathOf(d.uri), `${/^[^:]*/.exec(d.uri)![0]}:`);
    return m;
  }

  uriOf(abs: string): string {
    for (const d of this.docs.all()) if (this.pathOf(d.uri) === abs) return d.uri;
    return pathToFileURL(abs).href;
  }

  /** The characters before the compiler's first in the file `abs` as the editor has it: an open document's byte order mark. */
  bomOf(abs: string): number {
    const doc = this.docs.all().find((d) => this.pathOf(d.uri) === abs);
    return doc ? bomLength(doc.getText()) : 0;
  }

  /** The range of a compiler span of `file` (as a program loaded it) as the editor shows the file. */
  rangeIn(file: LoadedFile, span: Span): Range {
    return positionsOf(file.ast).rangeOf(span, this.bomOf(file.abs));
  }

  /** The working directory of a file: the innermost workspace folder holding it, else its own folder. */
  cwdFor(abs: string): string {
    return this.roots.find((r) => inside(r, abs)) ?? dirname(abs);
  }

  /**
   * Unsaved text of every open document, by absolute path. For the diagnostics, less a
   * document whose text is its file on disk decoded with replacement characters (the
   * file is not UTF-8: the editor could only show it so), which is read from the disk
   * instead, so that it gets the E005 `adainfc check` gives, at the byte; navigation,
   * tokens and hints read the editor's text.
   */
  overlay(forDiagnostics = false): Map<string, string> {
    const m = new Map<string, string>();
    for (const d of this.docs.all()) if (!(forDiagnostics && this.isLossy(d))) m.set(this.pathOf(d.uri), d.getText());
    return m;
  }

  /** Whether the document's text is its file on disk (not UTF-8) decoded with U+FFFD for each bad byte. */
  private isLossy(d: TextDocument): boolean {
    const known = this.lossy.get(d.uri);
    if (known?.version === d.version) return known.lossy;
    let lossy = false;
    const text = d.getText();
    if (text.includes("\uFFFD") && d.uri.startsWith("file:"))
      try {
        const abs = this.pathOf(d.uri);
        if (sourceFileProblem(statSync(abs)) === null) {
          const bytes = readFileSync(abs);
          lossy = !("text" in decodeUtf8(bytes)) && stripBom(new TextDecoder().decode(bytes)) === stripBom(text);
        }
      } catch {
        // no such file: the text is the editor's
      }
    this.lossy.set(d.uri, { version: d.version, lossy });
    return lossy;
  }

  /** How many compile errors the document would have with `text` instead of what it holds (a fix's result). */
  errorsWith(uri: string, text: string): number {
    const abs = this.pathOf(uri);
    const overlay = this.overlay();
    overlay.set(abs, text);
    return compileFileSync(abs, { cwd: this.cwdFor(abs), overlay, notFiles: this.notFiles(), overrides: this.options.overrides }).diagnostics.filter(
      (d) => d.severity === "error",
    ).length;
  }

  /** The file's name in diagnostics: relative to its working directory (the name its compile parses it under). */
  displayOf(abs: string): string {
    return relative(this.cwdFor(abs), abs).split("\\").join("/") || basename(abs);
  }

  /**
   * Every file a search over the workspace reads: the open documents, the `.adainf` files
   * under the workspace folders (at most MAX_WORKSPACE_FILES) and the stdlib's modules;
   * and `requesting`, the document the search is made from (a document that is no file
   * is searched only from itself). `incomplete`: why files may be missing (a folder that
   * could not be listed, or a limit reached).
   */
  searchFiles(program: Program, requesting?: string): SearchFiles {
    const files = new Set<string>(this.workspaceFiles());
    if (requesting !== undefined) files.add(requesting);
    for (const m of program.stdModules()) files.add(join(program.stdlibDir, `${m}.adainf`));
    return { files: [...files], incomplete: this.listing?.incomplete ?? null };
  }

  /** The open documents and the `.adainf` files under the workspace folders (at most MAX_WORKSPACE_FILES, at most MAX_WORKSPACE_FOLDERS folders, all folders together). */
  private workspaceFiles(): string[] {
    const now = performance.now();
    if (this.listing === null || (!this.watched && now - this.listing.at > this.listing.ttl)) {
      this.filesChanged();
      const listed: string[] = [];
      let incomplete: string | null = null;
      const options = {
        // Said once per folder: the listing is made again every few seconds.
        onUnreadable: ({ path, error }: { path: string; error: unknown }) => {
          const code = (error as NodeJS.ErrnoException | null)?.code;
          incomplete ??= `the folder ${path} cannot be listed${code ? ` (${code})` : ""}`;
          if (this.told.has(path)) return;
          this.told.add(path);
          this.log(
            `adainf: cannot list the folder ${path}${code ? ` (${code})` : ""}: its files are left out of references, rename, workspace symbols and the files that use a file`,
          );
        },
        maxFolders: MAX_WORKSPACE_FOLDERS,
        onFolderLimit: () => {
          incomplete ??= `the workspace folders hold more than ${MAX_WORKSPACE_FOLDERS} folders in all`;
          if (this.told.has("")) return;
          this.told.add("");
          this.log(
            `adainf: the workspace folders hold more than ${MAX_WORKSPACE_FOLDERS} folders in all: only the first ${MAX_WORKSPACE_FOLDERS} are searched for .adainf files`,
          );
        },
        listed: { folders: 0 },
      };
      for (const root of this.roots) {
        const left = MAX_WORKSPACE_FILES - listed.length;
        if (left <= 0) break;
        pushAll(listed, adainfFilesIn(root, left, undefined, options));
      }
      if (listed.length >= MAX_WORKSPACE_FILES) {
        incomplete ??= `the workspace folders hold ${MAX_WORKSPACE_FILES} .adainf files or more: only the first ${MAX_WORKSPACE_FILES} are searched`;
        if (!this.told.has("files")) {
          this.told.add("files");
          this.log(`adainf: ${incomplete}`);
        }
      }
      // A listing that took long (a huge root) is kept longer, so that it is not most of the server's time.
      const took = performance.now() - now;
      this.listing = { files: listed, at: now, ttl: took > 100 ? Math.max(this.listingTtlMs, 20 * took) : this.listingTtlMs, incomplete };
    }
    const open = this.docs.all().flatMap((d) => (d.uri.startsWith("file:") ? [this.pathOf(d.uri)] : []));
    return [...new Set([...open, ...this.listing.files])];
  }

  /** A file's text on disk (readSource), read once per listing (or, when the client reports no file changes, once per LISTING_TTL_MS). */
  private diskText(abs: string): string | null {
    if (!this.watched && performance.now() - this.textsAt > this.listingTtlMs) {
      this.diskTexts.clear();
      this.textsAt = performance.now();
    }
    if (!this.diskTexts.has(abs)) this.diskTexts.set(abs, readSource(abs));
    return this.diskTexts.get(abs)!;
  }

  /** The files the file `f` (with `text`) names in `use "..."`, by absolute path: as Program resolves them, next to `f`. */
  private useTargets(f: string, text: string): string[] {
    return parseCached(text, this.displayOf(f))
      .ast.items.filter((i): i is UseDecl => i.kind === "use" && i.file !== null)
      .map((u) => resolve(dirname(f), u.file!.value));
  }

  /**
   * The workspace files (workspaceFiles) that use the file `abs` with `use "..."`, directly
   * or through other files, nearest first, at most MAX_USERS: read over the open
   * documents' text (`overlay`). A file is parsed only when its text names one of the
   * files found so far (a `use` path ends with the file's name). The stdlib is visible
   * without `use`, so no file is found to use a stdlib module.
   */
  usersOf(abs: string, overlay: ReadonlyMap<string, string>): string[] {
    const candidates = new Map<string, string>();
    for (const f of this.workspaceFiles()) {
      if (f === abs) continue;
      const text = overlay.get(f) ?? this.diskText(f);
      if (text !== null) candidates.set(f, text);
    }
    const found: string[] = [];
    let targets = new Set([abs]);
    while (targets.size > 0 && found.length < MAX_USERS) {
      const next = new Set<string>();
      for (const [f, text] of candidates) {
        if (found.length + next.size >= MAX_USERS) break;
        if (![...targets].some((t) => text.includes(basename(t)))) continue;
        if (this.useTargets(f, text).some((u) => targets.has(u))) next.add(f);
      }
      for (const f of next) candidates.delete(f);
      pushAll(found, next);
      targets = next;
    }
    return found;
  }

  /** A program with no entry, for a search over the workspace (workspace symbols): run from the first folder, over the open documents' text. */
  searchProgram(): Program {
    return new Program({ cwd: this.roots[0] ?? process.cwd(), overlay: this.overlay(), notFiles: this.notFiles() });
  }

  /** A program with the document loaded (for names, definitions and references). */
  program(uri: string): { program: Program; file: LoadedFile | null; cwd: string } {
    const abs = this.pathOf(uri);
    const cwd = this.cwdFor(abs);
    const program = new Program({ cwd, overlay: this.overlay(), notFiles: this.notFiles() });
    return { program, file: program.loadEntry(abs), cwd };
  }

  /**
   * The files `abs` imports (`use "..."`), directly or through others, by absolute path,
   * whether they can be read or not, each with the file `abs` imports itself that leads
   * there (the first `use` that does, in the file's order). Read over `overlay`, the
   * files on disk read once per listing; a document that is no file imports nothing.
   */
  private importsOf(abs: string, overlay: ReadonlyMap<string, string>, notFiles: ReadonlyMap<string, string>): Map<string, string> {
    const usesOf = (f: string): string[] => {
      if (notFiles.has(f)) return [];
      const text = overlay.get(f) ?? this.diskText(f);
      return text === null ? [] : this.useTargets(f, text);
    };
    const via = new Map<string, string>();
    for (const direct of usesOf(abs)) {
      const queue = [direct];
      while (queue.length > 0 && via.size < MAX_WORKSPACE_FILES) {
        const f = queue.shift()!;
        if (f === abs || via.has(f)) continue;
        via.set(f, direct);
        pushAll(queue, usesOf(f));
      }
    }
    return via;
  }

  /** Check and lint one open document. */
  async analyze(uri: string): Promise<Analysis | null> {
    const doc = this.docs.get(uri);
    if (!doc) return null;
    const source = new SourceView(doc);
    const abs = this.pathOf(uri);
    const cwd = this.cwdFor(abs);
    const display = this.displayOf(abs);
    const overlay = this.overlay(true);
    const notFiles = this.notFiles();
    const steps = new Map<string, number>();
    const chosen = new Map<string, Chosen>();
    const sources = new Map<string, string[]>();
    const epochSteps = new Map<number, { end: number; points: { pipeline: string; file: string | null; steps: number }[] }>();
    /**
     * A length written in epochs in this file is the IR's number of steps at the value its
     * span gives, for each pipeline a compile (from `from`, its working directory) made;
     * `file`: the file that declares them, when not this one.
     */
    const record = (pipelines: CompileOutput["pipelines"], from: string, file: string | null): void => {
      for (const p of pipelines)
        for (const [at, span] of Object.entries(p.spans)) {
          if (resolve(from, span.file) !== abs || !IN_EPOCHS.test(source.text.slice(span.start, span.end))) continue;
          const steps = valueAtPointer(p.ir, at);
          if (typeof steps !== "number") continue;
          let known = epochSteps.get(span.start);
          if (!known) epochSteps.set(span.start, (known = { end: span.end, points: [] }));
          known.points.push({ pipeline: p.ir.name, file, steps });
        }
    };
    let compileErrors = 0;
    const frontEnd = {
      compileFile: async (path: string, opts?: { cwd?: string; overrides?: string[] }) => {
        const out = compileFileSync(path, { ...opts, overlay, notFiles });
        compileErrors += out.diagnostics.filter((d) => d.severity === "error").length;
        for (const p of out.pipelines) {
          steps.set(p.ir.name, p.ir.train.steps);
          const { model, train } = p.ir;
          chosen.set(p.ir.name, { backbone: model.backbone.name, method: model.method.name, optimizer: train.optimizer.name, schedule: train.schedule.name });
          sources.set(
            p.ir.name,
            p.ir.data.sources.map((src) => src.name),
          );
        }
        record(out.pipelines, opts?.cwd ?? cwd, null);
        return out;
      },
      formatText,
    };
    const { overrides, rules } = this.options;
    const out = await lintFiles([display], frontEnd, { cwd, overrides, rules });
    const files = new Set<string>([abs]);
    for (const f of out.sources.keys()) files.add(resolve(cwd, f)); // a name in diagnostics: relative to cwd, or absolute
    // Every file a `use` names, read or not (a missing one is created, or opened, later:
    // the document is checked again then), and which of its own imports leads to each.
    const via = this.importsOf(abs, overlay, notFiles);
    for (const f of via.keys()) files.add(f);
    // The pipelines of the files that use this one, for the lengths in epochs it writes
    // (a recipe's): compiled as `check` compiles them, over the open documents' text.
    // What they read is what the analysis depends on.
    if (/\bepochs?\b/.test(source.text))
      for (const user of this.usersOf(abs, overlay)) {
        const from = this.cwdFor(user);
        const compiled = compileFileSync(user, { cwd: from, overlay, notFiles, overrides });
        record(compiled.pipelines, from, this.displayOf(user));
        for (const f of compiled.sources.keys()) files.add(resolve(from, f));
      }
    return {
      uri,
      version: doc.version,
      abs,
      display,
      cwd,
      text: source.text,
      bom: source.bom,
      diagnostics: out.diagnostics,
      compileErrors,
      results: out.results,
      steps,
      chosen,
      sources,
      files,
      via,
      epochSteps,
      overrides,
    };
  }
}

function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** The text of a file on disk, or null when it cannot be a pipeline file: not a regular file, or not UTF-8 (Program reads it the same way). */
function readSource(abs: string): string | null {
  try {
    if (sourceFileProblem(statSync(abs)) !== null) return null;
    const decoded = decodeUtf8(readFileSync(abs));
    return "text" in decoded ? decoded.text : null;
  } catch {
    return null;
  }
}
