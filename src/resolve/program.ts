// Loads a file and everything it `use`s (stdlib/ modules and relative files),
// reporting missing files, cycles and paths that escape the project, and gives
// each file a scope: its own declarations, then what it imports, then the
// standard library's prelude (every stdlib module is visible without a `use`).

import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Decl, DeclKind, SourceFile, UseDecl } from "../syntax/ast.js";
import { parseSource } from "../syntax/parse.js";
import { shownPath } from "../util/shown-path.js";
import { cannotRead, type Decoded, decodeUtf8, notUtf8Diagnostic, unreadableDiagnostic } from "../syntax/utf8.js";
import type { Diagnostic } from "../check/diagnostic.js";
import { didYouMean } from "../check/suggest.js";
import { diag, diagnostic } from "../check/registry.js";
import { pushAll } from "../util/push-all.js";

/** The largest pipeline file read (pipelines are a few KiB; this stops /dev/zero-like inputs). */
const MAX_SOURCE_BYTES = 4 * 2 ** 20;

/**
 * Why a non-folder path cannot be a pipeline file, or null: only regular files of at
 * most MAX_SOURCE_BYTES are read (a device such as /dev/zero or a fifo would never end).
 * The one rule for command-line inputs (cli/files.ts) and `use`d files.
 */
export function sourceFileProblem(st: { isFile(): boolean; size: number }): string | null {
  if (!st.isFile()) return "not a regular file (a device, pipe or socket)";
  if (st.size > MAX_SOURCE_BYTES) return `${(st.size / 2 ** 20).toFixed(1)} MiB, over the ${MAX_SOURCE_BYTES / 2 ** 20} MiB a pipeline file may have`;
  return null;
}

export interface LoadedFile {
  /** Path as shown to the user (relative to the working directory when inside it). */
  display: string;
  abs: string;
  ast: SourceFile;
  isStd: boolean;
}

export interface DeclRef {
  decl: Decl;
  file: LoadedFile;
}

export function findStdlibDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, "stdlib");
    if (existsSync(join(candidate, "augment.adainf"))) return candidate;
    dir = dirname(dir);
  }
  throw new Error("adainf: cannot find the stdlib/ folder next to the installed package");
}

export interface ProgramOptions {
  cwd: string;
  /** Files outside this folder cannot be imported (default: cwd, or the entry's folder). */
  root?: string;
  stdlibDir?: string;
  /** Text to use instead of reading a file (tests, `fmt` of unsaved text). */
  overlay?: Map<string, string>;
  /** Paths of overlay texts that are no files (an editor's `untitled:` buffer) -> their URI scheme: a relative `use` in one is an E013 that says so. */
  notFiles?: ReadonlyMap<string, string>;
}

export class Program {
  readonly files = new Map<string, LoadedFile>();
  readonly diagnostics: Diagnostic[] = [];
  readonly stdlibDir: string;
  private readonly imports = new Map<string, { ref: DeclRef | null; file: LoadedFile | null; alias: string | null; use: UseDecl }[]>();
  private readonly loading: string[] = [];
  private prelude: LoadedFile[] | null = null;
  private root: string;

  constructor(private readonly opts: ProgramOptions) {
    this.stdlibDir = opts.stdlibDir ?? findStdlibDir();
    this.root = opts.root ?? opts.cwd;
  }

  /** Data paths in pipelines are relative to the working directory. */
  get cwd(): string {
    return this.opts.cwd;
  }

  display(abs: string): string {
    return shownPath(this.opts.cwd, abs).split(sep).join("/");
  }

  /** Load the entry file; returns null (with a diagnostic) when it cannot be read. */
  loadEntry(path: string): LoadedFile | null {
    const abs = resolve(this.opts.cwd, path);
    if (this.opts.root === undefined && !isInside(this.opts.cwd, abs)) this.root = dirname(abs);
    return this.load(abs, null);
  }

  /**
   * The file's text, or why it cannot be a pipeline file (sourceFileProblem).
   */
  private read(abs: string): { text: string } | { reason: string } | { badByte: Extract<Decoded, { badByte: unknown }>["badByte"] } {
    const o = this.opts.overlay?.get(abs);
    if (o !== undefined) {
      // An editor's text is held to the size a file on disk may have (a UTF-16 unit is at most 3 bytes of UTF-8).
      const problem = o.length * 3 > MAX_SOURCE_BYTES ? sourceFileProblem({ isFile: () => true, size: Buffer.byteLength(o, "utf8") }) : null;
      return problem ? { reason: `${this.display(abs)}: ${problem}` } : { text: o };
    }
    try {
      const st = statSync(abs);
      if (st.isDirectory()) return { reason: `${this.display(abs)} is a folder, not a .adainf file` };
      const problem = sourceFileProblem(st);
      if (problem) return { reason: `${this.display(abs)}: ${problem}` };
      return decodeUtf8(readFileSync(abs));
    } catch (e) {
      return { reason: cannotRead(this.display(abs), e) };
    }
  }

  load(abs: string, from: UseDecl | null, fromFile?: LoadedFile): LoadedFile | null {
    const cached = this.files.get(abs);
    if (this.loading.includes(abs)) {
      const chain = [...this.loading.slice(this.loading.indexOf(abs)), abs].map((p) => this.display(p)).join(" -> ");
      this.diagnostics.push(diagnostic(diag.E014.importCycle({ chain }), from?.span ?? null));
      return null;
    }
    if (cached) return cached;
    const read = this.read(abs);
    if ("reason" in read) {
      // A `use` that cannot be followed is placed at the `use`; a file given to the command at its own first line.
      if (fromFile) this.diagnostics.push(diagnostic(diag.E013.unreadableUse({ reason: read.reason }), from?.span ?? null));
      else this.diagnostics.push(unreadableDiagnostic(this.display(abs), read.reason));
      return null;
    }
    if ("badByte" in read) {
      this.diagnostics.push(notUtf8Diagnostic(this.display(abs), read.badByte));
      return null;
    }
    const parsed = parseCached(read.text, this.display(abs));
    const file: LoadedFile = { display: this.display(abs), abs, ast: parsed.ast, isStd: isInside(this.stdlibDir, abs) };
    pushAll(this.diagnostics, parsed.diagnostics);
    this.files.set(abs, file);
    this.loading.push(abs);
    this.resolveUses(file);
    this.loading.pop();
    return file;
  }

  private resolveUses(file: LoadedFile): void {
    const list: { ref: DeclRef | null; file: LoadedFile | null; alias: string | null; use: UseDecl }[] = [];
    for (const item of file.ast.items) {
      if (item.kind !== "use") continue;
      const alias = item.alias?.text ?? null;
      if (item.file) {
        const scheme = this.opts.notFiles?.get(file.abs);
        if (scheme !== undefined) {
          this.diagnostics.push(diagnostic(diag.E013.notAFile({ file: item.file.value, scheme }), item.file.span));
          continue;
        }
        const target = resolve(dirname(file.abs), item.file.value);
        // Checked on the real paths too: a symlink inside the project may point outside it.
        const inside = (dir: string): boolean => isInside(dir, target) && isInside(realOr(dir), realOr(target));
        const allowed = file.isStd ? inside(this.stdlibDir) : inside(this.root) || inside(this.stdlibDir);
        if (!allowed) {
          this.diagnostics.push(
            diagnostic(diag.E015.outsideProject({ file: item.file.value, root: file.isStd ? "stdlib" : this.display(this.root) || "." }), item.file.span),
          );
          continue;
        }
        const loaded = this.load(target, item, file);
        if (loaded) list.push({ ref: null, file: loaded, alias, use: item });
        continue;
      }
      const path = item.path!;
      const parts = path.parts.map((p) => p.text);
      if (parts[0] !== "std") {
        this.diagnostics.push(diagnostic(diag.E013.unknownModule({ path: path.text, modules: this.stdModules().join(", ") }), path.span));
        continue;
      }
      const modules = this.stdModules();
      const mod = parts[1];
      if (!mod || !modules.includes(mod)) {
        const has = modules.join(", ");
        this.diagnostics.push(
          mod
            ? diagnostic(diag.E013.unknownStdModule({ module: mod }), path.span, didYouMean(mod, modules) || `std has ${has}`)
            : diagnostic(diag.E013.stdNeedsModule({ modules: has }), path.span),
        );
        continue;
      }
      const loaded = this.load(join(this.stdlibDir, `${mod}.adainf`), item, file);
      if (!loaded) continue;
      if (parts.length === 2) {
        list.push({ ref: null, file: loaded, alias, use: item });
      } else if (parts.length === 3) {
        const name = parts[2]!;
        const decl = localDecls(loaded).find((d) => d.name.text === name);
        if (!decl) {
          this.diagnostics.push(
            diagnostic(
              diag.E010.stdHasNoDeclaration({ module: mod, name }),
              path.parts[2]!.span,
              didYouMean(
                name,
                localDecls(loaded).map((d) => d.name.text),
              ),
            ),
          );
          continue;
        }
        list.push({ ref: { decl, file: loaded }, file: null, alias, use: item });
      } else {
        this.diagnostics.push(diagnostic(diag.E013.tooDeep({ path: path.text }), path.span));
      }
    }
    this.imports.set(file.abs, list);
  }

  stdModules(): string[] {
    return readdirSync(this.stdlibDir)
      .filter((f) => f.endsWith(".adainf"))
      .map((f) => f.slice(0, -".adainf".length))
      .sort();
  }

  private loadPrelude(): LoadedFile[] {
    if (!this.prelude) {
      this.prelude = [];
      for (const m of this.stdModules()) {
        const f = this.load(join(this.stdlibDir, `${m}.adainf`), null);
        if (f) this.prelude.push(f);
      }
    }
    return this.prelude;
  }

  /** Find a declaration of `kind` visible from `file` (own, imported, then prelude). */
  lookup(file: LoadedFile, kind: DeclKind, name: string): DeclRef | null {
    const own = declNamed(file, kind, name);
    if (own) return { decl: own, file };
    const dot = name.indexOf(".");
    for (const imp of this.imports.get(file.abs) ?? []) {
      if (imp.ref) {
        const local = imp.alias ?? imp.ref.decl.name.text;
        if (local === name && imp.ref.decl.declKind === kind) return imp.ref;
      } else if (imp.file) {
        const prefix = imp.alias;
        const wanted = prefix ? (dot > 0 && name.slice(0, dot) === prefix ? name.slice(dot + 1) : null) : name;
        if (wanted === null) continue;
        const d = declNamed(imp.file, kind, wanted);
        if (d) return { decl: d, file: imp.file };
      }
    }
    for (const f of this.loadPrelude()) {
      const d = declNamed(f, kind, name);
      if (d) return { decl: d, file: f };
    }
    return null;
  }

  /** Every name of `kind` visible from `file`, for "did you mean". */
  visibleNames(file: LoadedFile, kind: DeclKind): string[] {
    const names = new Set<string>();
    for (const d of localDecls(file)) if (d.declKind === kind) names.add(d.name.text);
    for (const imp of this.imports.get(file.abs) ?? []) {
      if (imp.ref && imp.ref.decl.declKind === kind) names.add(imp.alias ?? imp.ref.decl.name.text);
      if (imp.file) for (const d of localDecls(imp.file)) if (d.declKind === kind) names.add(imp.alias ? `${imp.alias}.${d.name.text}` : d.name.text);
    }
    for (const f of this.loadPrelude()) for (const d of localDecls(f)) if (d.declKind === kind) names.add(d.name.text);
    return [...names].sort();
  }

  /** Report declarations defined twice in one file. */
  checkDuplicates(file: LoadedFile): void {
    const seen = new Map<string, Decl>();
    for (const d of localDecls(file)) {
      const key = `${d.declKind}:${d.name.text}`;
      const first = seen.get(key);
      if (first) {
        this.diagnostics.push(
          diagnostic(
            diag.E012.alreadyDefined({ kind: d.declKind, name: d.name.text, at: `${file.display}:${first.name.span.line}:${first.name.span.column}` }),
            d.name.span,
          ),
        );
      } else seen.set(key, d);
    }
  }

  sourceText(display: string): string | null {
    for (const f of this.files.values()) if (f.display === display) return f.ast.text;
    return null;
  }
}

// Parsing is pure in (text, name): `check` of many pipelines parses stdlib once, and the
// language server's outline and use lines share the parse of the text its compile made.
const parseCache = new Map<string, ReturnType<typeof parseSource>>();
export function parseCached(text: string, display: string): ReturnType<typeof parseSource> {
  const key = `${display}\u0000${text}`;
  let r = parseCache.get(key);
  if (!r) {
    r = parseSource(text, display);
    if (parseCache.size > 256) parseCache.clear();
    parseCache.set(key, r);
  }
  return r;
}

export function localDecls(file: LoadedFile): Decl[] {
  return file.ast.items.filter((i): i is Decl => i.kind === "decl");
}

/** Each parsed file's declarations by kind and name, the first of each (as a search in text order finds it). */
const declIndex = new WeakMap<SourceFile, Map<string, Decl>>();

/** The first declaration of `kind` named `name` in `file`: looked up in an index made once per parse, so a file of many declarations is not searched once per name. */
function declNamed(file: LoadedFile, kind: DeclKind, name: string): Decl | undefined {
  let index = declIndex.get(file.ast);
  if (!index) {
    index = new Map();
    for (const d of localDecls(file)) {
      const key = `${d.declKind}\u0000${d.name.text}`;
      if (!index.has(key)) index.set(key, d);
    }
    declIndex.set(file.ast, index);
  }
  return index.get(`${kind}\u0000${name}`);
}

/** The path with symlinks resolved; the path itself when it does not exist (yet). */
function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}
