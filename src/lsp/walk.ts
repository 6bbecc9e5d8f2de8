// One pass over a file's syntax tree that says what every name in it is: a builtin call,
// a parameter of one, a block keyword, a setting (field), a value of an enum, a recipe,
// preset or dataset (resolved as the compiler resolves it: own declarations, imports,
// the stdlib), a data source, a view, a sweep axis or alternative, a lint rule. The
// scope of each block comes from language.ts (`enter`, `slotOf`, `calledBlock`), the same
// rules hover and completion read from the tokens before the cursor, so a name means here
// what it means there. Semantic tokens (semantic.ts) and inlay hints (inlay.ts) are its
// visitors. Statements the parser dropped (a syntax error) are not visited; what parsed is.
// Each name is visited once, and each name a file refers to is looked up once (not once per use).

import { join } from "node:path";
import * as B from "../ir/builtins.js";
import { byName, type Block, langParams } from "../ir/define.js";
import { findRule } from "../lint/rules/index.js";
import { viewCount, viewNames } from "../resolve/augment.js";
import { type DeclRef, type LoadedFile, localDecls, type Program } from "../resolve/program.js";
import type { Args, Decl, DeclKind, Expr, NameNode, PathNode, Statement } from "../syntax/ast.js";
import { calledBlock, enter, fieldValues, type Scope, type Slot, slotOf } from "./language.js";
import { sourcesSeenBy } from "./navigation.js";

/** What a name is. The four declaration kinds are recipes, pipelines, presets and datasets, declared or used. */
export type NameKind =
  | DeclKind
  /** A block keyword (`train`, `data`, `view`, `axis`, `allow`), a unit, `true`/`false`/`none`/`off`. */
  | "keyword"
  /** A setting of a block: `batch_size`, `optimizer`, `seed`, `source`, `strength`. */
  | "field"
  /** A parameter of a builtin call: `lr` of `lars(lr = 0.4)`, `p` of `color_jitter.p`. */
  | "param"
  /** A builtin call: an augmentation op, optimizer, schedule, backbone, method, evaluator or file format. */
  | "builtin"
  /** A value an enum field takes (`cifar`, `test`, `cosine`), a lint severity. */
  | "value"
  /** A data source of a pipeline or recipe (`real`, `generated`). */
  | "source"
  /** A view's label (`view view1 { ... }`). */
  | "view"
  /** A sweep axis (`axis inflation { ... }`) and its alternatives (`none { ... }`). */
  | "axis"
  | "alternative"
  /** A lint rule id. */
  | "rule"
  /** `std`, a stdlib module, an import's alias. */
  | "module";

export interface Meaning {
  kind: NameKind;
  /** Where the name is declared (a declaration's name, a data source in `data`, a view, an axis). */
  declaration?: boolean;
  /** Of the language or its standard library: a builtin, a stdlib declaration. */
  std?: boolean;
  /** A data source that replaces one of the same name its recipe declares. */
  override?: boolean;
}

/** A call of a builtin or dataset preset, with the block of its parameters. */
export interface CallSite {
  block: Block;
  callee: PathNode;
  /** null: a bare name (`schedule = constant`). */
  args: Args | null;
  /**
   * The key paths, from its declaration's body, that name the call, so that a dotted key
   * of the declaration sets its parameters: where it is written (`train.optimizer`,
   * `evaluate.knn`), and for an op of a view also `augment.<op>` (every view) and
   * `augment.<view>.<op>` (each view the statement adds).
   */
  paths: string[][];
  decl: Decl;
}

export interface Visitor {
  /** Every name of the tree, with what it is (null: nothing known, or a name that resolves to nothing). */
  name?(node: NameNode, meaning: Meaning | null): void;
  /** A call whose parameters are known. */
  call?(site: CallSite): void;
  /** A statement's key path from its declaration's body (`train.optimizer.lr`; a sweep's and an alternative's are the body's too). */
  setting?(path: string[], decl: Decl): void;
}

/** What a declaration's body sees: its data sources (inherited included) and those its recipes declare. */
interface DeclContext {
  decl: Decl;
  sources: ReadonlySet<string>;
  inherited: ReadonlySet<string>;
}

/** The parameter names of a data source's call (`data.real.size`): a file format's or a dataset preset's. */
const SOURCE_PARAMS = new Set([...Object.values(B.SOURCE_FORMATS), B.DATASET_CALL].flatMap((b) => langParams(b.fields).map((p) => p.lang)));

/** Visit every name of `file` (loaded into `program`, which resolves what it refers to). */
export function walkFile(file: LoadedFile, program: Program, v: Visitor): void {
  new Walker(file, program, v).file();
}

class Walker {
  private readonly found = new Map<string, DeclRef | null>();
  private modules: string[] | null = null;
  /** Inside a view's ops: the key paths a dotted key reaches its ops by (`augment`, `augment.view1`). */
  private opPrefixes: string[][] = [];

  constructor(
    private readonly f: LoadedFile,
    private readonly program: Program,
    private readonly v: Visitor,
  ) {}

  private emit(node: NameNode, m: Meaning | null): void {
    this.v.name?.(node, m);
  }

  /** A declaration visible from the file (memoised: a file names the same presets often). */
  private lookup(kind: DeclKind, name: string): DeclRef | null {
    const key = `${kind}\u0000${name}`;
    let r = this.found.get(key);
    if (r === undefined) {
      r = this.program.lookup(this.f, kind, name);
      this.found.set(key, r);
    }
    return r;
  }

  /** A (possibly aliased, `c.weak`) reference to a declaration of `kind`: the alias is a module, the name the declaration. */
  private ref(path: PathNode, kind: DeclKind): boolean {
    const r = this.lookup(kind, path.text);
    path.parts.forEach((p, i) => this.emit(p, !r ? null : i < path.parts.length - 1 ? { kind: "module" } : { kind, std: r.file.isStd }));
    return r !== null;
  }

  file(): void {
    for (const item of this.f.ast.items) {
      if (item.kind === "use") {
        const parts = item.path?.parts ?? [];
        const std = parts[0]?.text === "std";
        if (std) this.modules ??= this.program.stdModules();
        const mod = std && parts[1] && this.modules?.includes(parts[1].text) ? parts[1].text : null;
        const decl = mod && parts[2] ? this.stdDecl(mod, parts[2].text) : null;
        parts.forEach((p, i) =>
          this.emit(
            p,
            i === 0 && std
              ? { kind: "module", std: true }
              : i === 1 && mod
                ? { kind: "module", std: true }
                : i === 2 && decl
                  ? { kind: decl.declKind, std: true }
                  : null,
          ),
        );
        if (item.alias) this.emit(item.alias, decl ? { kind: decl.declKind, declaration: true } : { kind: "module", declaration: true });
        continue;
      }
      this.decl(item);
    }
  }

  private stdDecl(module: string, name: string): Decl | undefined {
    const f = this.program.files.get(join(this.program.stdlibDir, `${module}.adainf`));
    return f ? localDecls(f).find((d) => d.name.text === name) : undefined;
  }

  private decl(d: Decl): void {
    this.emit(d.name, { kind: d.declKind, declaration: true, std: this.f.isStd });
    if (d.base) this.ref(d.base, "recipe");
    const hasSources = d.declKind === "pipeline" || d.declKind === "recipe";
    const base = hasSources && d.base ? this.lookup("recipe", d.base.text) : null;
    const ctx: DeclContext = {
      decl: d,
      sources: new Set(hasSources && d.body ? sourcesSeenBy(this.program, { decl: d, file: this.f }).keys() : []),
      inherited: new Set(base ? sourcesSeenBy(this.program, base).keys() : []),
    };
    const top: Scope = { kind: "top" };
    if (d.value) {
      // `augment weak = symmetric with { ... }`
      const e = d.value;
      if (e.kind === "call" && d.declKind === "augment") this.ref(e.callee, "augment");
      if (e.with) this.statements(enter(top, { open: "{", first: d.declKind, key: [], assigns: true, with: true, callee: null }), e.with.statements, [], ctx);
    }
    if (d.body) this.statements(enter(top, { open: "{", first: d.declKind, key: [], assigns: false, with: false, callee: null }), d.body.statements, [], ctx);
  }

  private statements(scope: Scope, list: readonly Statement[], prefix: readonly string[], d: DeclContext): void {
    let views = 0;
    for (const s of list) {
      if (scope.kind !== "views" || s.key.text !== "view") {
        this.statement(scope, s, prefix, d);
        continue;
      }
      // The views it adds, named as the compiler names them: what `augment.<view>.<op>.<param>` addresses.
      const names = viewNames(s.label?.text, viewCount(s.count) ?? 1, views);
      views += names.length;
      this.opPrefixes = [[...prefix], ...names.map((n) => [...prefix, n])];
      this.statement(scope, s, prefix, d);
      this.opPrefixes = [];
    }
  }

  /** The paths that name a call written at `path` in `scope` (CallSite.paths). */
  private callPaths(scope: Scope, path: readonly string[], op: string): string[][] {
    return [[...path], ...(scope.kind === "ops" ? this.opPrefixes.map((p) => [...p, op]) : [])];
  }

  private statement(scope: Scope, s: Statement, prefix: readonly string[], d: DeclContext): void {
    const key = s.key.parts.map((p) => p.text);
    const path = [...prefix, ...key];
    this.v.setting?.(path, d.decl);
    this.key(scope, s, d);
    if (s.label && !s.labelQuoted) {
      const m: Meaning | null =
        scope.kind === "views" && key[0] === "view"
          ? { kind: "view", declaration: true }
          : scope.kind === "sweep" && key[0] === "axis"
            ? { kind: "axis", declaration: true }
            : null;
      this.emit(s.label, m);
    }
    if (s.count) this.value(scope, [], s.count, path, d);
    if (s.args) {
      // `knn(k = 20)`, `random_resized_crop(...)`, `allow(...)`: the key is the call.
      const inner = enter(scope, { open: "(", first: key[0], key, assigns: false, with: false, callee: s.key.text });
      if (inner.kind === "args")
        this.v.call?.({ block: inner.block, callee: s.key, args: s.args, paths: this.callPaths(scope, path, s.key.text), decl: d.decl });
      this.args(inner, s.args, path, d);
    } else if (!s.value && !s.block && !s.count) {
      // `grayscale`, `knn`: an op or evaluator with its defaults.
      const slot = slotOf(scope, key);
      if (slot?.kind === "op" || slot?.kind === "evaluator")
        this.v.call?.({ block: slot.block, callee: s.key, args: null, paths: this.callPaths(scope, path, s.key.text), decl: d.decl });
    }
    if (s.value) this.value(scope, key, s.value, path, d);
    if (s.block) {
      const inner = enter(scope, { open: "{", first: key[0], key, assigns: false, with: false, callee: null });
      // A sweep's settings and an alternative's body are keys of the pipeline's body.
      const reset = inner.kind === "body" || inner.kind === "sweep" || inner.kind === "axis";
      this.statements(inner, s.block.statements, reset ? [] : path, d);
    }
  }

  /** Each part of a statement's key (`train . optimizer . lr`). */
  private key(scope: Scope, s: Statement, d: DeclContext): void {
    const parts = s.key.parts;
    const texts = parts.map((p) => p.text);
    // Where the key enters an augmentation's `with { ... }` form: at once in a `with` block,
    // after `augment.` in a body (`augment.color_jitter.p`, which slotOf reads so).
    const withAt = scope.kind === "augmentWith" ? 0 : texts.length > 1 && slotOf(scope, texts.slice(0, 1))?.kind === "augment" ? 1 : -1;
    let prev: Slot | null = null;
    parts.forEach((node, i) => {
      const slot = slotOf(scope, texts.slice(0, i + 1));
      this.emit(node, this.keyMeaning(scope, slot, prev, s, i, withAt, d));
      prev = slot;
    });
  }

  private keyMeaning(scope: Scope, slot: Slot | null, prev: Slot | null, s: Statement, i: number, withAt: number, d: DeclContext): Meaning | null {
    const parts = s.key.parts;
    const name = parts[i]!.text;
    const last = i === parts.length - 1;
    /** The part's place in the `with` form (-1: before it, or not in one). */
    const inWith = withAt < 0 ? -1 : i - withAt;
    if (scope.kind === "axis") return i === 0 ? { kind: "alternative", declaration: true } : null;
    if (!slot) {
      // `color_jitter.p` and `view1.color_jitter.p` in an augmentation's `with` form.
      if (inWith >= 0) {
        if (byName(B.AUGMENT_OPS, name)) return { kind: "builtin", std: true };
        return inWith === 0 && parts.length - withAt === 3 ? { kind: "view" } : null;
      }
      // `data.real.size`
      if (prev?.kind === "source" && SOURCE_PARAMS.has(name)) return { kind: "param" };
      return null;
    }
    switch (slot.kind) {
      case "field": {
        const ofCall = scope.kind === "args" || prev?.kind === "family" || prev?.kind === "evaluator" || prev?.kind === "op";
        return { kind: ofCall || inWith > 0 ? "param" : "field" };
      }
      case "block":
      case "view":
      case "rules":
      case "axis":
        return { kind: "keyword" };
      case "augment":
        // `augment = preset` sets it; `augment { ... }` and `augment.strength` open it.
        return { kind: last && s.value ? "field" : "keyword" };
      case "family":
      case "evalSource":
        return { kind: "field" };
      case "evaluator":
      case "op":
        return { kind: "builtin", std: true };
      case "rule":
        return findRule(slot.id) ? { kind: "rule" } : null;
      case "source":
        // `real = ...` in `data` (or `data.real = ...`) declares it; `data.real.size` uses it.
        if (last) return { kind: "source", declaration: true, override: d.inherited.has(name) };
        return d.sources.has(name) ? { kind: "source" } : null;
      case "inflateSource":
        return d.sources.has(name) ? { kind: "source" } : null;
      default:
        return null;
    }
  }

  private args(inner: Scope, args: Args, path: readonly string[], d: DeclContext): void {
    for (const a of args.items) {
      if (a.name) this.emit(a.name, inner.kind === "args" && slotOf(inner, [a.name.text]) ? { kind: "param" } : null);
      this.value(inner, a.name ? [a.name.text] : [], a.value, path, d);
    }
  }

  /** A value of the setting `key` (relative to `scope`); `path` is the setting's from the body. */
  private value(scope: Scope, key: readonly string[], e: Expr, path: readonly string[], d: DeclContext): void {
    const slot = key.length ? slotOf(scope, key) : null;
    if (e.kind === "list" || e.kind === "tuple") for (const item of e.items) this.value(scope, key, item, path, d);
    if (e.kind === "call") {
      if (e.args) {
        this.called(scope, slot, e.callee, e.args, path, d);
        const inner = enter(scope, { open: "(", first: key[0], key: [...key], assigns: true, with: false, callee: e.callee.text });
        this.args(inner, e.args, path, d);
      } else this.bare(scope, slot, e.callee, path, d);
    }
    if (e.unit) this.emit(e.unit, { kind: "keyword" });
    if (e.with) {
      const callee = e.kind === "call" ? e.callee.text : null;
      this.statements(enter(scope, { open: "{", first: key[0], key: [...key], assigns: true, with: true, callee }), e.with.statements, path, d);
    }
  }

  /** A name written as a value: an enum's value, a preset, a data source, a rule id, a builtin without arguments. */
  private bare(scope: Scope, slot: Slot | null, callee: PathNode, path: readonly string[], d: DeclContext): void {
    if (slot?.kind === "augment") {
      this.ref(callee, "augment");
      return;
    }
    const m = valueMeaning(scope, slot, callee.text, d);
    if (m !== undefined) {
      for (const p of callee.parts) this.emit(p, m);
      return;
    }
    // A builtin without arguments (`schedule = constant`), a dataset preset named in `data`.
    this.called(scope, slot, callee, null, path, d);
  }

  /** The callee of a call (or a bare name) that may be a builtin's or a dataset preset's. */
  private called(scope: Scope, slot: Slot | null, callee: PathNode, args: Args | null, path: readonly string[], d: DeclContext): void {
    const b = calledBlock(scope, slot, callee.text);
    const known = b === B.DATASET_CALL ? this.ref(callee, "dataset") : b !== null;
    if (b !== B.DATASET_CALL) for (const p of callee.parts) this.emit(p, b ? { kind: "builtin", std: true } : null);
    if (b && known) this.v.call?.({ block: b, callee, args, paths: [[...path]], decl: d.decl });
  }
}

/** What a bare name is as a value of `slot` that takes words (an enum, a source, a rule); undefined: a slot that takes no words. */
function valueMeaning(scope: Scope, slot: Slot | null, name: string, d: DeclContext): Meaning | null | undefined {
  if (slot?.kind === "field") {
    if (!fieldValues(slot.field).includes(name)) return null;
    return { kind: slot.field.type.kind === "enum" ? "value" : "keyword" };
  }
  if (slot?.kind === "evaluator") return name === "off" || name === "none" ? { kind: "keyword" } : null;
  if (slot?.kind === "evalSource") return d.sources.has(name) ? { kind: "source" } : null;
  if (slot?.kind === "rule") return (B.RULE_SEVERITIES as readonly string[]).includes(name) ? { kind: "value" } : null;
  if (scope.kind === "rules") return findRule(name) ? { kind: "rule" } : null;
  return undefined;
}
