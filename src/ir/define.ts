// The vocabulary the language is defined in (ir/builtins.ts uses it): a field of a
// builtin or block, with its type in the language, its range, default, unit and
// docs, and the JSON Schema of its value in the IR. From one field the resolver
// gets its table (the call view below), the IR's TypeScript type and JSON Schema
// (ir/schema.ts, with TypeBox) and the docs their tables (ir/builtin-docs.ts).
//
// Plain data and functions only, no imports: the resolver loads this at every
// `adainfc check`, so it must cost nothing at start-up (TypeBox itself is loaded only
// by ir/schema.ts, off that path; see there).

/** What a value written in the language may be; values.ts checks it. */
export type ParamType =
  | { kind: "number"; min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }
  | { kind: "int"; min?: number; max?: number }
  | { kind: "bool" }
  | { kind: "string" }
  | { kind: "enum"; values: readonly string[] }
  /** `lo..hi` with lo <= hi, both inside [min, max]. */
  | { kind: "range"; min?: number; max?: number; minExclusive?: boolean }
  /** A length of training: a number of steps, or `N epochs` (converted with the epoch size). */
  | { kind: "duration"; allowNone?: boolean }
  /** A tuple/list of numbers, e.g. mean = (0.49, 0.48, 0.44). */
  | { kind: "numbers"; min?: number; max?: number; minExclusive?: boolean; length?: number; integer?: boolean };

/** A length as written: the resolver turns it into steps once the epoch size is known. */
export interface Duration {
  value: number;
  unit: "steps" | "epochs";
}

/** A JSON Schema fragment (plain data). */
export type JsonSchema = { readonly [keyword: string]: unknown };

/**
 * One field. `L` is its value as the resolver reads it from the source (a Duration for
 * a length), `I` its value in the IR (steps); both only exist as types.
 */
export interface Field<L = unknown, I = unknown> {
  readonly kind: "field";
  readonly type: ParamType;
  /** The default in the language's form; undefined: required; null: optional, absent. */
  readonly default: L | undefined;
  readonly doc: string;
  /** The unit of a number, for the docs (`pixels`, `0..255`). */
  readonly unit: string | undefined;
  /** Index of a positional argument: `cifar10("path")`. */
  readonly position: number | undefined;
  /** Its name in the language: the key in snake_case unless given; null: not settable (the IR holds the default). */
  readonly lang: string | null | undefined;
  /** What a message about a length in epochs calls it (default `<builtin>.<name>`). */
  readonly what: string | undefined;
  /** The IR value's JSON Schema without null, and whether the IR value may be null. */
  readonly ir: JsonSchema;
  readonly nullable: boolean;
  readonly __lang?: L;
  readonly __ir?: I;
}

/** Fields that the language writes flat (`momentum_base`) and the IR nests (`momentum: { base }`). */
export interface Group<F extends Fields = Fields> {
  readonly kind: "group";
  readonly doc: string;
  readonly fields: F;
}

/** Any field (fields are covariant in their value types). */
export type AnyField = Field<unknown, unknown>;
export type Fields = { readonly [key: string]: AnyField | Group<Fields> };

export type LangValue<F> = F extends Field<infer L, unknown> ? L : F extends Group<infer G> ? LangValues<G> : never;
export type LangValues<F extends Fields> = { -readonly [K in keyof F]: LangValue<F[K]> };
export type IrValue<F> = F extends Field<unknown, infer I> ? I : F extends Group<infer G> ? IrValues<G> : never;
export type IrValues<F extends Fields> = { -readonly [K in keyof F]: IrValue<F[K]> };

// ---------------------------------------------------------------- the resolver's view

/** One parameter as the resolver sees it, keyed by its name in the language. */
export interface ParamSpec {
  type: ParamType;
  /** Default in the language's form; undefined = required; null = optional, absent. */
  default?: unknown;
  doc: string;
  position?: number;
}

/** A builtin call or block of fields as the resolver checks it. */
export interface CallSpec {
  name: string;
  doc: string;
  params: Record<string, ParamSpec>;
}

// ---------------------------------------------------------------- builtins and blocks

/** Named fields: a block of a pipeline (`train { ... }`), a dataset declaration, or a builtin whose IR node has no tag (an evaluator). */
export interface Block<F extends Fields = Fields> {
  readonly name: string;
  readonly doc: string;
  readonly fields: F;
  readonly call: CallSpec;
}

/** A builtin that is one IR node: `{ <tag>: name, ...fields }` (`{ name: "lars", lr, ... }`). */
export interface Builtin<T extends string = string, N extends string = string, F extends Fields = Fields> extends Block<F> {
  readonly tag: T;
  readonly name: N;
}

/** The IR node of a builtin (its tag, then its fields) or of a block (its fields). */
export type NodeOf<B> = B extends Builtin<infer T, infer N, infer F> ? { [K in T]: N } & IrValues<F> : B extends Block<infer F> ? IrValues<F> : never;

export function block<F extends Fields>(name: string, doc: string, fields: F): Block<F> {
  return { name, doc, fields, call: callSpec(name, doc, fields) };
}

export function builtin<T extends string, N extends string, F extends Fields>(tag: T, name: N, doc: string, fields: F): Builtin<T, N, F> {
  return { tag, name, doc, fields, call: callSpec(name, doc, fields) };
}

export function group<F extends Fields>(doc: string, fields: F): Group<F> {
  return { kind: "group", doc, fields };
}

/** `featureDim` -> `feature_dim`. */
export function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Every settable field of `fields`, flattened, in order: its language name, field and path. */
export function langParams(fields: Fields, prefix: readonly string[] = []): { lang: string; field: AnyField; path: string[] }[] {
  const out: { lang: string; field: AnyField; path: string[] }[] = [];
  for (const [key, f] of Object.entries(fields)) {
    if (f.kind === "group") {
      for (const p of langParams(f.fields, [...prefix, key])) out.push(p);
      continue;
    }
    const path = [...prefix, key];
    const lang = langName(f, path);
    if (lang !== null) out.push({ lang, field: f, path });
  }
  return out;
}

/** The name of the field at `path` in the language; null when the language does not set it. */
export function langName(f: AnyField, path: readonly string[]): string | null {
  return f.lang === null ? null : (f.lang ?? snake(path.join("_")));
}

/** The builtin of `family` called `name` (its name in the language). */
export function byName<B extends Block>(family: Readonly<Record<string, B>>, name: string): B | undefined {
  return Object.values(family).find((b) => b.name === name);
}

// ---------------------------------------------------------------- values and nodes

/** One field's value: its field, its path of keys from the block, its name in the language. */
export type FieldValue = (field: AnyField, path: readonly string[], lang: string | null) => unknown;

function walk(fields: Fields, get: FieldValue, prefix: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    const path = [...prefix, key];
    out[key] = f.kind === "group" ? walk(f.fields, get, path) : get(f, path, langName(f, path));
  }
  return out;
}

/**
 * The values of a block's fields (groups nested), each computed by `get`. The record
 * is built key by key, which TypeScript cannot follow, so this is the one place it is
 * given the fields' type; every value comes from its field (values.ts checks it
 * against the field's ParamType).
 */
export function fieldValues<F extends Fields>(fields: F, get: FieldValue): LangValues<F> {
  return walk(fields, get, []) as LangValues<F>;
}

/** A length already in steps; one in epochs needs the epoch size (the resolver's `steps`). */
export function stepsOnly(d: Duration): number {
  if (d.unit !== "steps") throw new Error("a length in epochs needs the epoch size");
  return d.value;
}

/**
 * The IR node of a builtin or block from its fields' values: the tag first, then every
 * field in the definition's order (the IR's key order). A length goes through `steps`,
 * which may return a placeholder and call `set` later (the resolver knows the epoch
 * size last); `what` names the length in messages (`knn.every`). A filledIn field holds what the caller gave: the caller fills it in.
 */
export function nodeOf<B extends Block>(
  b: B,
  values: LangValues<B["fields"]>,
  steps: (d: Duration, set: (n: number) => void, what: string, path: readonly string[]) => number = stepsOnly,
): NodeOf<B> {
  const fill = (fields: Fields, vals: Readonly<Record<string, unknown>>, target: Record<string, unknown>, prefix: readonly string[]): void => {
    for (const [key, f] of Object.entries(fields)) {
      const v = vals[key];
      const path = [...prefix, key];
      if (f.kind === "group") {
        const sub: Record<string, unknown> = {};
        fill(f.fields, isRecord(v) ? v : {}, sub, path);
        target[key] = sub;
      } else if (f.type.kind === "duration" && isDuration(v)) {
        target[key] = steps(v, (n) => (target[key] = n), f.what ?? `${b.name}.${langName(f, path) ?? key}`, path);
      } else target[key] = v;
    }
  };
  const node: Record<string, unknown> = "tag" in b && typeof b.tag === "string" ? { [b.tag]: b.name } : {};
  fill(b.fields, values, node, []);
  // Built key by key from B's own fields (see fieldValues): B's node.
  return node as NodeOf<B>;
}

/** Every field of `fields` at its default (language form): what an absent block means. */
export function defaultValues<F extends Fields>(fields: F): LangValues<F> {
  return fieldValues(fields, (f) => structuredClone(f.default));
}

/** A builtin or block with every field at its default, as the IR holds it (the runtime's fallbacks). */
export function defaultNode<B extends Block>(b: B): NodeOf<B> {
  return nodeOf(
    b,
    fieldValues(b.fields, (f) => {
      if (f.default === undefined) throw new Error(`${b.name}: a required field has no default`);
      return structuredClone(f.default);
    }),
  );
}

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === "object" && v !== null;
}

export function isDuration(v: unknown): v is Duration {
  return isRecord(v) && typeof v["value"] === "number" && (v["unit"] === "steps" || v["unit"] === "epochs");
}

function callSpec(name: string, doc: string, fields: Fields): CallSpec {
  const params: Record<string, ParamSpec> = {};
  for (const { lang, field } of langParams(fields)) {
    const p: ParamSpec = { type: field.type, doc: field.doc };
    if (field.default !== undefined) p.default = field.default;
    if (field.position !== undefined) p.position = field.position;
    params[lang] = p;
  }
  return { name, doc, params };
}

// ---------------------------------------------------------------- fields

/** Options of a field; `D` is the default's type (null: optional, absent). */
export interface FieldOptions<D> {
  doc: string;
  default?: D;
  position?: number;
  unit?: string;
  lang?: string | null;
  what?: string;
  /** The IR value's schema, when it is not the language's (a length becomes steps). */
  ir?: JsonSchema;
}

/** `T`, or `T | null` when the default is null. */
type Opt<T, D> = T | (null extends NoInfer<D> ? null : never);

function field<L, I>(type: ParamType, ir: JsonSchema, o: FieldOptions<unknown>): Field<L, I> {
  return {
    kind: "field",
    type,
    default: o.default as L | undefined,
    doc: o.doc,
    unit: o.unit,
    position: o.position,
    lang: o.lang,
    what: o.what,
    ir: o.ir ?? ir,
    nullable: o.default === null || (type.kind === "duration" && type.allowNone === true),
  };
}

interface Bounds {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function numberSchema(type: "number" | "integer", b: Bounds): JsonSchema {
  const s: Record<string, unknown> = { type };
  if (b.min !== undefined) s[b.minExclusive ? "exclusiveMinimum" : "minimum"] = b.min;
  if (b.max !== undefined) s[b.maxExclusive ? "exclusiveMaximum" : "maximum"] = b.max;
  return s;
}

export function number<const D extends number | null | undefined = undefined>(b: Bounds, o: FieldOptions<D>): Field<Opt<number, D>, Opt<number, D>> {
  return field({ kind: "number", ...b }, numberSchema("number", b), o);
}

export function int<const D extends number | null | undefined = undefined>(
  b: { min?: number; max?: number },
  o: FieldOptions<D>,
): Field<Opt<number, D>, Opt<number, D>> {
  return field({ kind: "int", ...b }, numberSchema("integer", b), o);
}

export function bool<const D extends boolean | null | undefined = undefined>(o: FieldOptions<D>): Field<Opt<boolean, D>, Opt<boolean, D>> {
  return field({ kind: "bool" }, { type: "boolean" }, o);
}

export function string<const D extends string | null | undefined = undefined>(o: FieldOptions<D>): Field<Opt<string, D>, Opt<string, D>> {
  return field({ kind: "string" }, { type: "string" }, o);
}

export function oneOf<const V extends string, const D extends V | null | undefined = undefined>(
  values: readonly V[],
  o: FieldOptions<D>,
): Field<Opt<V, D>, Opt<V, D>> {
  return field({ kind: "enum", values }, { enum: [...values] }, o);
}

/** `lo..hi`: the IR has [lo, hi]. */
export function range<const D extends readonly [number, number] | null | undefined = undefined>(
  b: { min?: number; max?: number; minExclusive?: boolean },
  o: FieldOptions<D>,
): Field<Opt<[number, number], D>, Opt<[number, number], D>> {
  const item = numberSchema("number", b);
  return field({ kind: "range", ...b }, { type: "array", items: item, minItems: 2, maxItems: 2 }, o);
}

export function numbers<const D extends readonly number[] | null | undefined = undefined>(
  b: Bounds & { length?: number; integer?: boolean },
  o: FieldOptions<D>,
): Field<Opt<number[], D>, Opt<number[], D>> {
  const s: Record<string, unknown> = { type: "array", items: numberSchema(b.integer ? "integer" : "number", b) };
  if (b.length !== undefined) Object.assign(s, { minItems: b.length, maxItems: b.length });
  else s["minItems"] = 1;
  return field({ kind: "numbers", ...b }, s, o);
}

/** A length (`200 steps`, `10 epochs`); the IR has steps. `none` (allowNone) is null: never. */
export function duration<const N extends boolean = false, const D extends Readonly<Duration> | null | undefined = undefined>(
  opts: { allowNone?: N },
  o: FieldOptions<D>,
): Field<Opt<Duration, D> | (NoInfer<N> extends true ? null : never), Opt<number, D> | (NoInfer<N> extends true ? null : never)> {
  const type: ParamType = opts.allowNone ? { kind: "duration", allowNone: true } : { kind: "duration" };
  return field(type, { type: "integer", minimum: 1 }, { unit: "steps or epochs", ...o });
}

/** A field of the IR that the language does not set: always `value`. */
export function fixed<V>(value: V, ir: JsonSchema, doc: string): Field<V, V> {
  return field({ kind: "string" }, ir, { doc, default: value, lang: null });
}

/** The field, but the IR never holds null (the resolver fills an absent value in: a crop's size). */
export function filledIn<L, I>(f: Field<L, I>): Field<L, Exclude<I, null>> {
  return { ...f, nullable: false, __ir: undefined };
}
