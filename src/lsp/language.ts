// What a place in a file means in the language, for hover, completion, signature help
// and the pass over a whole file that semantic tokens and inlay hints make (walk.ts): the
// block a position is in (a Scope), and what a key written there names (a Slot: a field,
// a block, a builtin family, a preset). Everything is read from the one definition of
// the language (ir/builtins.ts, ir/define.ts); the text shown for a field or builtin
// is the docs tables' (ir/builtin-docs.ts).

import type { IToken } from "chevrotain";
import * as B from "../ir/builtins.js";
import { byName, langParams, type AnyField, type Block } from "../ir/define.js";
import { table, typeText, valueText } from "../ir/builtin-docs.js";
import type { Family } from "../resolve/calls.js";
import { equalsAt, type Frame, names, trailingPath } from "./scan.js";

export type Scope =
  | { kind: "top" }
  /** A pipeline's or recipe's body, or one value of a sweep axis. */
  | { kind: "body" }
  /** A block of fields and builtin calls: train, model, output, a dataset declaration. */
  | { kind: "fields"; name: string; block: Block | null; calls: Readonly<Record<string, Family>> }
  | { kind: "data" }
  | { kind: "inflate" }
  | { kind: "evaluate" }
  /** An augmentation's views (`augment { view x 2 { ... } }`, `augment NAME { ... }`). */
  | { kind: "views" }
  | { kind: "ops" }
  /** `symmetric with { ... }`: strength and op fields. */
  | { kind: "augmentWith" }
  /** The arguments of a builtin call, or a data source's `with { ... }`. */
  | { kind: "args"; block: Block }
  | { kind: "lint" }
  /** `allow(...)`, `deny(...)`. */
  | { kind: "rules" }
  | { kind: "sweep" }
  | { kind: "axis" }
  /** A list of values (`seed = [0, 1]` in a sweep): values of `slot`. */
  | { kind: "list"; slot: Slot | null }
  | { kind: "unknown" };

export type Slot =
  | { kind: "field"; owner: Block; lang: string; field: AnyField }
  | { kind: "block"; name: string; scope: Scope }
  | { kind: "family"; what: string; family: Family }
  | { kind: "augment" }
  | { kind: "source" }
  | { kind: "evaluator"; block: Block }
  | { kind: "evalSource" }
  | { kind: "op"; block: Block }
  | { kind: "view" }
  | { kind: "rules" }
  | { kind: "rule"; id: string }
  | { kind: "inflateSource"; name: string }
  | { kind: "axis" };

const MODEL_BLOCK: Scope = { kind: "fields", name: "model", block: null, calls: B.MODEL_CALLS };

/** The scope of a pipeline body's block `name`. */
function blockScope(name: string): Scope | null {
  switch (name) {
    case "data":
      return { kind: "data" };
    case "inflate":
      return { kind: "inflate" };
    case "augment":
      return { kind: "views" };
    case "model":
      return MODEL_BLOCK;
    case "train":
      return { kind: "fields", name: "train", block: B.TRAIN, calls: B.TRAIN_CALLS };
    case "evaluate":
      return { kind: "evaluate" };
    case "output":
      return { kind: "fields", name: "output", block: B.OUTPUT, calls: {} };
    case "lint":
      return { kind: "lint" };
    case "sweep":
      return { kind: "sweep" };
    default:
      return null;
  }
}

function fieldSlot(owner: Block, lang: string): Slot | null {
  const p = langParams(owner.fields).find((x) => x.lang === lang);
  return p ? { kind: "field", owner, lang, field: p.field } : null;
}

/**
 * A parameter of a family's builtin (`train.optimizer.lr`): of `prefer` (the one the
 * pipeline uses) when it takes it, else of the first member that does.
 */
function familyParam(family: Family, lang: string, prefer?: string): Slot | null {
  const own = prefer === undefined ? undefined : byName(family, prefer);
  const s = own ? fieldSlot(own, lang) : null;
  if (s) return s;
  for (const b of Object.values(family)) {
    const s = fieldSlot(b, lang);
    if (s) return s;
  }
  return null;
}

/**
 * What the key `parts` (a dotted path) names in `scope`. `chosen` (family -> builtin, from
 * the compiled pipeline) picks the builtin whose parameter a dotted path names.
 */
export function slotOf(scope: Scope, parts: readonly string[], chosen?: Readonly<Record<string, string>>): Slot | null {
  const [first, ...rest] = parts;
  if (first === undefined) return null;
  switch (scope.kind) {
    case "body": {
      if (first === "seed" && rest.length === 0) return fieldSlot(B.SEED, "seed");
      if (first === "augment") return rest.length === 0 ? { kind: "augment" } : slotOf({ kind: "augmentWith" }, rest);
      const sub = blockScope(first);
      if (!sub) return null;
      return rest.length === 0 ? { kind: "block", name: first, scope: sub } : slotOf(sub, rest, chosen);
    }
    case "fields": {
      const family = scope.calls[first];
      if (family)
        return rest.length === 0 ? { kind: "family", what: first, family } : rest.length === 1 ? familyParam(family, rest[0]!, chosen?.[first]) : null;
      return rest.length === 0 && scope.block ? fieldSlot(scope.block, first) : null;
    }
    case "evaluate": {
      if (first === "source" && rest.length === 0) return { kind: "evalSource" };
      const e = byName(B.EVALUATORS, first);
      if (!e) return null;
      return rest.length === 0 ? { kind: "evaluator", block: e } : rest.length === 1 ? fieldSlot(e, rest[0]!) : null;
    }
    case "data":
      return rest.length === 0 ? { kind: "source" } : null;
    case "inflate":
      return rest.length === 0 ? { kind: "inflateSource", name: first } : null;
    case "views":
      return first === "view" ? { kind: "view" } : null;
    case "ops": {
      const op = byName(B.AUGMENT_OPS, first);
      return op && rest.length === 0 ? { kind: "op", block: op } : null;
    }
    case "augmentWith": {
      if (first === "strength" && rest.length === 0) return fieldSlot(B.AUGMENT, "strength");
      // op.field on every view, or view.op.field on one
      const [opName, field] = rest.length === 2 ? rest : [first, rest[0]];
      const op = opName === undefined ? undefined : byName(B.AUGMENT_OPS, opName);
      return op && field !== undefined ? fieldSlot(op, field) : null;
    }
    case "args":
      return rest.length === 0 ? fieldSlot(scope.block, first) : null;
    case "lint":
      if (first === "allow" || first === "deny") return { kind: "rules" };
      return rest.length === 0 ? { kind: "rule", id: first } : null;
    case "sweep":
      return first === "axis" ? { kind: "axis" } : slotOf({ kind: "body" }, parts, chosen);
    default:
      return null;
  }
}

/** The builtin a call to `callee` is, for a value of `slot` in `scope` (null: a preset or nothing known). */
export function calledBlock(scope: Scope, slot: Slot | null, callee: string): Block | null {
  if (slot?.kind === "family") return byName(slot.family, callee) ?? null;
  if (slot?.kind === "source" || scope.kind === "data") return sourceBlock(callee);
  if (scope.kind === "ops") return byName(B.AUGMENT_OPS, callee) ?? null;
  if (scope.kind === "evaluate") return byName(B.EVALUATORS, callee) ?? null;
  return null;
}

/** A data source's call: a file format, else a dataset preset's call parameters. */
function sourceBlock(callee: string): Block {
  return byName(B.SOURCE_FORMATS, callee) ?? B.DATASET_CALL;
}

/** The key path of a statement's tokens: the names before `=` (or all of them). */
export function keyPath(tokens: readonly IToken[]): string[] {
  const eq = equalsAt(tokens);
  return names(eq >= 0 ? tokens.slice(0, eq) : tokens);
}

/**
 * What the scope inside a bracket depends on: the statement that opened it. From the
 * tokens before the cursor (a Frame, `openingOf`) while typing; from the syntax tree for
 * a pass over a whole file (walk.ts). Either way `enter` gives the scope.
 */
export interface Opening {
  open: Frame["open"];
  /** The statement's first word (`pipeline`, `view`, `axis`). */
  first: string | undefined;
  /** Its key path: the names before `=`, or all of them when there is none. */
  key: string[];
  /** Whether `=` comes before the bracket. */
  assigns: boolean;
  /** Whether the bracket is a `with { ... }` block. */
  with: boolean;
  /** The dotted name right before `(`; before `with {`, the value's callee. */
  callee: string | null;
}

/** The opening of a bracket read from its header's tokens. */
function openingOf(f: Frame): Opening {
  const h = f.header;
  const eq = equalsAt(h);
  const withAt = h.findIndex((t) => t.image === "with");
  const callee = f.open === "(" ? trailingPath(h) : withAt >= 0 && eq >= 0 ? trailingPath(h.slice(eq + 1, withAt)) : null;
  return { open: f.open, first: h[0]?.image, key: keyPath(h), assigns: eq >= 0, with: withAt >= 0, callee };
}

/** The scope inside the brackets `frames`, outermost first. */
export function scopeOf(frames: readonly Frame[]): Scope {
  let s: Scope = { kind: "top" };
  for (const f of frames) s = enter(s, openingOf(f));
  return s;
}

/** The scope inside a bracket opened by `o` in scope `s`. */
export function enter(s: Scope, o: Opening): Scope {
  const { key } = o;
  if (o.open === "[") return { kind: "list", slot: slotOf(s, key) };
  if (o.open === "(") {
    if (s.kind === "lint") return { kind: "rules" };
    if (o.callee === null) return { kind: "unknown" };
    // `knn(...)`, `random_resized_crop(...)`: the key is the call; `x = lars(...)`: the value is.
    const slot = o.assigns ? slotOf(s, key) : null;
    const b = calledBlock(s, slot, o.callee);
    return b ? { kind: "args", block: b } : { kind: "unknown" };
  }
  if (s.kind === "top") {
    const kw = o.first;
    if (kw === "pipeline" || kw === "recipe") return { kind: "body" };
    if (kw === "dataset") return { kind: "fields", name: "dataset", block: B.DATASET_FIELDS, calls: {} };
    if (kw === "augment") return o.assigns ? { kind: "augmentWith" } : { kind: "views" };
    return { kind: "unknown" };
  }
  if (o.with && o.assigns) {
    const slot = slotOf(s, key);
    if (slot?.kind === "augment") return { kind: "augmentWith" };
    const b = o.callee ? calledBlock(s, slot, o.callee.split(".")[0]!) : null;
    return b ? { kind: "args", block: b } : { kind: "unknown" };
  }
  if (s.kind === "views") return o.first === "view" ? { kind: "ops" } : { kind: "unknown" };
  if (s.kind === "sweep") return o.first === "axis" ? { kind: "axis" } : { kind: "unknown" };
  if (s.kind === "axis") return { kind: "body" };
  if (s.kind === "body") {
    const slot = slotOf(s, key);
    if (slot?.kind === "block") return slot.scope;
    if (slot?.kind === "augment") return { kind: "views" };
  }
  return { kind: "unknown" };
}

// ---------------------------------------------------------------- docs

/** `**name** · accepts · default` with the unit, then the field's doc. */
export function fieldMarkdown(owner: Block, lang: string, field: AnyField): string {
  const def = field.default === undefined ? "required" : `default \`${valueText(field.default, field.type)}\``;
  const unit = field.unit && field.type.kind !== "duration" ? ` (${field.unit})` : "";
  return [`**${owner.name}.${lang}**: ${typeText(field.type)}${unit}, ${def}`, "", field.doc].join("\n");
}

/** A builtin's doc and its parameters' table. */
export function builtinMarkdown(b: Block, what: string): string {
  return [`**${b.name}** (${what})`, "", b.doc, "", table([b])].join("\n");
}

/** The default written as a value (`256`, `0.08..1.0`, `1_000 steps`) for a completion; null when required or absent. */
export function defaultText(field: AnyField): string | null {
  if (field.default === undefined || field.default === null) return null;
  return valueText(field.default, field.type).replace(/(\d),(?=\d{3})/g, "$1_");
}

/** `lr`, `weight_decay = 1e-4`, `size = none`: a parameter with its default as the language writes it (signature help, inlay hints). */
export function paramLabel(lang: string, field: AnyField): string {
  if (field.default === undefined) return lang;
  return `${lang} = ${defaultText(field) ?? valueText(field.default, field.type)}`;
}

/** The values an enum or bool field takes (for completion). */
export function fieldValues(field: AnyField): string[] {
  if (field.type.kind === "enum") return [...field.type.values];
  if (field.type.kind === "bool") return ["true", "false"];
  if (field.type.kind === "duration" && field.type.allowNone) return ["none"];
  return [];
}
