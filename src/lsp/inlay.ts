// Inlay hints, three kinds, each off by a setting (settings.ts `inlayHints`):
// - `defaults`: at the end of a builtin call's arguments, the parameters it leaves at
//   their default, with the default (`lars(lr = 0.4` `, momentum = 0.9, eta = 0.02`
//   `)`), read from the language's definition (ir/builtins.ts) as signature help shows
//   it, and each with hover's text as its tooltip. A parameter without a default value
//   (required, or absent by default: a crop's size is the data's) is not shown, nor
//   one that a dotted key of the same declaration sets (`train.optimizer.momentum = 0.95`;
//   `augment.grayscale.p = 0.3` or `augment.view1.grayscale.p` for an op of its views;
//   in a sweep too).
// - `inherited`: after the `{` of a block that a pipeline (or recipe) built `from` a
//   recipe writes, the settings of that block it inherits and does not write, in its body
//   or its sweep (`train {` `inherits devices = 2, batch_size = 512, ...`; one it only
//   changes with dotted keys, `train.optimizer.lr = 0.1`, is inherited too), from the body the compiler
//   merges along the recipe chain (resolve/pipeline.ts `mergedBody`); each links to the
//   recipe's statement. A block it does not write at all is not shown (all of it is the
//   recipe's; hover on the pipeline shows the result). In a `lint { ... }` block, the
//   rules the chain sets (`allow(balance)`, `data-scarce = info`; the last setting of a
//   rule wins, as in the compile), less those the declaration sets, its sweep included.
// - `steps`: after a length written in epochs (`steps = 10 epochs`), the steps the compile
//   makes of it (`= 970 steps`: the epochs times the whole batches an epoch holds), read
//   from the IR of each pipeline (each sweep point) the document's analysis compiled, at the
//   value whose span is the length: the document's own pipelines, and those of the
//   workspace files that use it (a recipe's length, in a file of recipes: workspace.ts
//   `usersOf`); one count per distinct value, each point's in the tooltip (with its file
//   when it is another). None before that analysis (the debounce's), nor for a recipe no
//   pipeline of the file or of a file that uses it uses.

import type { Span } from "../ir/types.js";
import { valueText } from "../ir/builtin-docs.js";
import { langParams } from "../ir/define.js";
import { ResolveContext } from "../resolve/context.js";
import { isRuleList, ruleIdOf } from "../resolve/lint-config.js";
import { emptyBlock, type Entry, type ListEntry, mergeStatements } from "../resolve/merge.js";
import { mergedBody } from "../resolve/pipeline.js";
import { type DeclRef, type LoadedFile, localDecls, type Program } from "../resolve/program.js";
import type { Decl, Statement } from "../syntax/ast.js";
import { where } from "./hover.js";
import { fieldMarkdown, paramLabel } from "./language.js";
import { chainOf } from "./navigation.js";
import { type CallSite, walkFile } from "./walk.js";
import { pushAll } from "../util/push-all.js";

export interface InlayOptions {
  defaults: boolean;
  inherited: boolean;
  steps: boolean;
}

/**
 * The steps each compiled pipeline (each sweep point) makes of each length a file writes
 * in epochs, by the compiler offset where the length starts (and where it ends): what the
 * document's analysis found (workspace.ts).
 */
export type EpochSteps = ReadonlyMap<number, { end: number; points: readonly EpochPoint[] }>;

/** The steps one pipeline (one sweep point, by its IR name) makes of a length; `file`: the file that declares it, when not the document. */
export interface EpochPoint {
  pipeline: string;
  file: string | null;
  steps: number;
}

export interface HintPart {
  value: string;
  /** Markdown. */
  tooltip?: string;
  /** Where the part's value is written (an inherited setting's statement). */
  at?: { file: LoadedFile; span: Span };
}

/** A hint at a compiler offset of the file (the server converts it to a position). */
export interface Hint {
  offset: number;
  label: HintPart[];
  kind: "defaults" | "inherited" | "steps";
}

/**
 * The hints of `file` between the compiler offsets `from` and `to` (inclusive);
 * `epochSteps`: the document's analysis, when it is of the text the hints are for.
 */
export function inlayHints(
  file: LoadedFile,
  program: Program,
  options: InlayOptions,
  from = 0,
  to = Number.POSITIVE_INFINITY,
  epochSteps: EpochSteps = new Map(),
): Hint[] {
  const steps = options.steps ? stepHints(epochSteps) : [];
  if (!options.defaults && !options.inherited) return steps.filter((h) => h.offset >= from && h.offset <= to);
  // One walk: the calls, and the key paths each declaration writes (its sweep's included).
  const calls: CallSite[] = [];
  const written = new Map<Decl, Set<string>>();
  walkFile(file, program, {
    call: (site) => calls.push(site),
    setting(path, decl) {
      let set = written.get(decl);
      if (!set) written.set(decl, (set = new Set()));
      set.add(path.join("."));
    },
  });
  const out: Hint[] = [];
  if (options.defaults) pushAll(out, defaultHints(calls, written));
  if (options.inherited) pushAll(out, inheritedHints(file, program, written));
  pushAll(out, steps);
  return out.filter((h) => h.offset >= from && h.offset <= to).sort((a, b) => a.offset - b.offset);
}

// ---------------------------------------------------------------- defaults

function defaultHints(calls: readonly CallSite[], written: ReadonlyMap<Decl, ReadonlySet<string>>): Hint[] {
  const out: Hint[] = [];
  for (const c of calls) {
    const params = langParams(c.block.fields);
    const positional = params.filter((p) => p.field.position !== undefined).sort((x, y) => x.field.position! - y.field.position!);
    const given = new Set<string>();
    let places = 0;
    for (const a of c.args?.items ?? []) {
      const name = a.name ? a.name.text : positional[places++]?.lang;
      if (name !== undefined) given.add(name);
    }
    const set = written.get(c.decl);
    const left = params.filter(
      (p) => p.field.default !== undefined && p.field.default !== null && !given.has(p.lang) && !c.paths.some((path) => set?.has([...path, p.lang].join("."))),
    );
    if (left.length === 0) continue;
    const label: HintPart[] = [];
    left.forEach((p, i) => {
      if (i > 0) label.push({ value: ", " });
      label.push({ value: paramLabel(p.lang, p.field), tooltip: fieldMarkdown(c.block, p.lang, p.field) });
    });
    const items = c.args?.items ?? [];
    if (!c.args) out.push({ offset: c.callee.span.end, label: [{ value: "(" }, ...label, { value: ")" }], kind: "defaults" });
    else if (items.length === 0) out.push({ offset: c.args.span.start + 1, label, kind: "defaults" });
    else out.push({ offset: items[items.length - 1]!.span.end, label: [{ value: ", " }, ...label], kind: "defaults" });
  }
  return out;
}

// ---------------------------------------------------------------- steps

/**
 * After each length written in epochs, the steps it makes: each distinct count, and in the
 * tooltip each pipeline's (each sweep point's), the document's own first, then those of
 * other files by file.
 */
function stepHints(epochSteps: EpochSteps): Hint[] {
  const out: Hint[] = [];
  const text = (steps: number) => valueText({ value: steps, unit: "steps" }, { kind: "duration" });
  const order = (p: EpochPoint) => p.file ?? "";
  for (const { end, points } of epochSteps.values()) {
    const counts = [...new Set(points.map((p) => p.steps))].sort((a, b) => a - b);
    const listed = [...points].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    const each = listed.map((p) => `- \`${p.pipeline}\`${p.file === null ? "" : ` (${p.file})`}: ${text(p.steps)}`).join("\n");
    const tooltip = `As the compile converts it (whole batches an epoch):\n\n${each}`;
    out.push({ offset: end, label: [{ value: `= ${counts.map(text).join(" or ")}`, tooltip }], kind: "steps" });
  }
  return out;
}

// ---------------------------------------------------------------- inherited

/** The longest an inherited setting is shown in full (`optimizer = lars(...)` beyond it). */
const MAX_SETTING = 48;

/** A statement on one line (a line ends at LF, CRLF or a lone CR), shortened: a call's arguments become `...` when it is long. */
function brief(stmt: Statement, text: string): string {
  const full = text
    .slice(stmt.span.start, stmt.span.end)
    .replace(/([([])\s*[\r\n]\s*/g, "$1")
    .replace(/,?\s*[\r\n]\s*([)\]])/g, "$1")
    .replace(/\s*[\r\n]\s*/g, " ");
  if (full.length <= MAX_SETTING) return full;
  const v = stmt.value;
  if (v?.kind === "call" && v.args) return `${stmt.key.text} = ${v.callee.text}(…)`;
  if (stmt.args) return `${stmt.key.text}(…)`;
  return `${full.slice(0, MAX_SETTING - 1)}…`;
}

/** Where an inherited statement is written, for its tooltip: the recipe of `chain` that holds it, and its file and line. */
function inheritedTooltip(stmt: Statement, file: LoadedFile, chain: readonly DeclRef[], program: Program): string {
  const recipe = chain.find((r) => r.file === file && r.decl.span.start <= stmt.span.start && stmt.span.end <= r.decl.span.end)?.decl;
  const origin = `${recipe ? `${recipe.declKind} ${recipe.name.text}, ` : ""}${where(file, program)}:${stmt.span.line}`;
  return `Inherited from ${origin}:\n\n\`\`\`adainf\n${file.ast.text.slice(stmt.span.start, stmt.span.end)}\n\`\`\``;
}

/** One inherited setting (and the dotted overrides its recipes wrote of it) as label parts; `chain`: the recipes it comes from. */
function settingParts(key: string, entry: Entry, chain: readonly DeclRef[], program: Program): HintPart[] {
  if (entry.kind === "block") return [{ value: `${key} { … }` }];
  if (entry.kind === "list") return [];
  const { stmt, file } = entry;
  const parts: HintPart[] = [{ value: brief(stmt, file.ast.text), tooltip: inheritedTooltip(stmt, file, chain, program), at: { file, span: stmt.span } }];
  for (const o of entry.overrides) {
    const text = file.ast.text.slice(o.expr.span.start, o.expr.span.end);
    parts.push({ value: ", " }, { value: `${key}.${o.path.map((p) => p.text).join(".")} = ${text}`, at: { file, span: o.span } });
  }
  return parts;
}

function inheritedHints(file: LoadedFile, program: Program, written: ReadonlyMap<Decl, ReadonlySet<string>>): Hint[] {
  const out: Hint[] = [];
  for (const decl of localDecls(file)) {
    if (!decl.base || !decl.body || (decl.declKind !== "pipeline" && decl.declKind !== "recipe")) continue;
    const base = program.lookup(file, "recipe", decl.base.text);
    const inherited = base && mergedBody(base.decl, base.file, program);
    if (!inherited) continue;
    const chain = chainOf(program, base);
    /** Key paths the declaration writes anywhere, its sweep included: a setting its sweep sets is each point's own. */
    const paths = written.get(decl);
    // What the declaration itself writes, merged as the compiler merges it (`train { ... }` and `train.steps = ...` are one block).
    const own = emptyBlock(decl.name);
    mergeStatements(own, decl.body.statements, file, new ResolveContext());
    for (const s of decl.body.statements) {
      if (s.key.parts.length !== 1 || !s.block || s.value || s.args || s.count || s.label) continue;
      const theirs = inherited.entries.get(s.key.text);
      const mine = own.entries.get(s.key.text);
      if (theirs?.kind === "list") {
        const label = lintParts(theirs, rulesSetIn(decl.body.statements), chain, program);
        if (label.length) out.push({ offset: s.block.span.start + 1, label, kind: "inherited" });
        continue;
      }
      if (theirs?.kind !== "block") continue;
      const label: HintPart[] = [];
      for (const [key, entry] of theirs.entries) {
        // Written here, unless only as dotted keys into an inherited value (`train.optimizer.lr = 0.1`).
        const here = mine?.kind === "block" ? mine.entries.get(key) : undefined;
        if (here && !(here.kind === "block" && entry.kind === "stmt")) continue;
        if (paths?.has(`${s.key.text}.${key}`)) continue;
        const parts = settingParts(key, entry, chain, program);
        if (parts.length === 0) continue;
        label.push({ value: label.length ? ", " : "inherits " }, ...parts);
      }
      if (label.length) out.push({ offset: s.block.span.start + 1, label, kind: "inherited" });
    }
  }
  return out;
}

/** Each rule a statement of a `lint` block sets, and where: `allow(a, b)` one per id (at the id), `rule = severity` its key (the statement). */
function lintSettings(s: Statement): { rule: string; span: Span }[] {
  if (isRuleList(s))
    return s.args.items.flatMap((a) => {
      const rule = ruleIdOf(a);
      return rule === null ? [] : [{ rule, span: a.span }];
    });
  return s.value && s.key.parts.length === 1 ? [{ rule: s.key.text, span: s.span }] : [];
}

/** The rule ids the `lint` blocks among `statements` set, in a sweep too (a rule a sweep sets is each point's own). */
function rulesSetIn(statements: readonly Statement[], out = new Set<string>()): Set<string> {
  for (const s of statements) {
    if (!s.block) continue;
    if (s.key.text === "lint") for (const x of s.block.statements) for (const r of lintSettings(x)) out.add(r.rule);
    else rulesSetIn(s.block.statements, out);
  }
  return out;
}

/**
 * The lint rules a `lint` block inherits (`list`: the recipe chain's lint statements, in
 * the order the compile reads them, the last setting of a rule winning) as label parts,
 * less the rules the declaration sets itself (`own`): `allow(balance)`, `data-scarce = info`.
 */
function lintParts(list: ListEntry, own: ReadonlySet<string>, chain: readonly DeclRef[], program: Program): HintPart[] {
  const rules = new Map<string, { stmt: Statement; file: LoadedFile; span: Span }>();
  for (const { stmt, file } of list.items) for (const r of lintSettings(stmt)) rules.set(r.rule, { stmt, file, span: r.span });
  const label: HintPart[] = [];
  for (const [rule, { stmt, file, span }] of rules) {
    if (own.has(rule)) continue;
    const value = isRuleList(stmt) ? `${stmt.key.text}(${rule})` : brief(stmt, file.ast.text);
    label.push({ value: label.length ? ", " : "inherits " }, { value, tooltip: inheritedTooltip(stmt, file, chain, program), at: { file, span } });
  }
  return label;
}
