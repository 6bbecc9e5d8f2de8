// The builtin tables of docs/language.md, generated from the definition
// (ir/builtins.ts) so the docs cannot drift from what the resolver accepts. Each table
// sits between `<!-- builtins:<name>:start -->` and `<!-- builtins:<name>:end -->`;
// test/ir/builtin-docs.test.ts fails when one is stale, and `npm run docs` rewrites them.
import * as B from "./builtins.js";
import { isDuration, langParams, type Block, type ParamType } from "./define.js";

/** A number as a person writes it: 1e-4, 0.0051, 1.333, 32768. */
function num(n: number): string {
  if (Number.isInteger(n)) return String(n);
  if (Math.abs(n) < 1e-3) return n.toExponential();
  return String(Number(n.toPrecision(4)));
}

function rangeEnd(n: number): string {
  const t = num(n);
  return /^\d+$/.test(t) ? `${t}.0` : t;
}

/** A value (a default) as the language writes it: `1e-4`, `0.08..1.0`, `1,000 steps`, `none`. */
export function valueText(v: unknown, t: ParamType): string {
  if (v === null) return "none";
  if (isDuration(v)) return `${v.value.toLocaleString("en-US")} ${v.unit}`;
  if (typeof v === "number") return num(v);
  if (Array.isArray(v)) return t.kind === "range" ? `${rangeEnd(v[0])}..${rangeEnd(v[1])}` : `(${v.map((x) => num(Number(x))).join(", ")})`;
  if (typeof v === "string") return t.kind === "string" ? JSON.stringify(v) : v;
  return String(v);
}

/** What a value may be, briefly: `in [0, 1]`, `> 0`, `cifar, imagenet`. */
export function typeText(t: ParamType): string {
  const bounds = (b: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }): string => {
    if (b.min !== undefined && b.max !== undefined) return `${b.minExclusive ? "(" : "["}${num(b.min)}, ${num(b.max)}${b.maxExclusive ? ")" : "]"}`;
    if (b.min !== undefined) return `${b.minExclusive ? ">" : ">="} ${num(b.min)}`;
    if (b.max !== undefined) return `${b.maxExclusive ? "<" : "<="} ${num(b.max)}`;
    return "";
  };
  switch (t.kind) {
    case "number":
      return `number ${bounds(t)}`.trim();
    case "int":
      return `whole number ${bounds(t)}`.trim();
    case "bool":
      return "true, false";
    case "string":
      return "string";
    case "enum":
      return t.values.join(", ");
    case "range":
      return `range lo..hi ${bounds(t)}`.trim();
    case "duration":
      return t.allowNone ? "steps, epochs or none" : "steps or epochs";
    case "numbers":
      return `${t.length ? `${t.length} ` : ""}${t.integer ? "whole numbers" : "numbers"} ${bounds(t)}`.trim();
  }
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** One row per parameter: `| builtin | parameter | accepts | default | meaning |`; the builtin's own row first. */
function rows(b: Block): string[] {
  const params = langParams(b.fields);
  const head = `| \`${b.name}\` | | | | ${cell(b.doc)} |`;
  return [
    head,
    ...params.map(({ lang, field }) => {
      const def = field.default === undefined ? "required" : valueText(field.default, field.type);
      const unit = field.unit && field.type.kind !== "duration" ? ` (${field.unit})` : "";
      return `| | \`${lang}\` | ${cell(typeText(field.type))}${unit} | ${cell(def)} | ${cell(field.doc)} |`;
    }),
  ];
}

/** The markdown table of `blocks`' parameters (the language server's hover shows one builtin's). */
export function table(blocks: readonly Block[]): string {
  return ["| builtin | parameter | accepts | default | meaning |", "|---|---|---|---|---|", ...blocks.flatMap(rows), ""].join("\n");
}

/** Every generated table of docs/language.md, by marker name. */
export function builtinTables(): Record<string, string> {
  return {
    sources: table([
      ...Object.values(B.SOURCE_FORMATS),
      { ...B.DATASET_CALL, name: "<dataset preset>", doc: B.DATASET_CALL.doc },
      { ...B.DATASET_FIELDS, name: "dataset NAME { ... }", doc: "Fields of a dataset preset's declaration (stdlib/datasets.adainf)." },
    ]),
    ops: table([...Object.values(B.AUGMENT_OPS), B.AUGMENT]),
    model: table([...Object.values(B.BACKBONES), ...Object.values(B.METHODS)]),
    training: table([B.TRAIN, ...Object.values(B.OPTIMIZERS), ...Object.values(B.SCHEDULES)]),
    evaluation: table([...Object.values(B.EVALUATORS), B.OUTPUT, B.SEED]),
  };
}

/** `text` with every marked table replaced by its generated form. */
export function withBuiltinTables(text: string): string {
  let out = text;
  for (const [name, body] of Object.entries(builtinTables())) {
    const start = `<!-- builtins:${name}:start -->`;
    const end = `<!-- builtins:${name}:end -->`;
    const a = out.indexOf(start);
    const b = out.indexOf(end);
    if (a < 0 || b < a) throw new Error(`docs: no ${start} ... ${end} section`);
    out = out.slice(0, a) + `${start}\n${body}${end}` + out.slice(b + end.length);
  }
  return out;
}
