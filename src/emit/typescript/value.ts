// Plain data (IR pieces) as formatted TypeScript expressions. A value may refer to a
// const declared earlier (`Ref`) and may carry a trailing comment (`Commented`), so the
// assembled pipeline reads `data: { sources: [real, generated], ... }` rather than one
// nested blob. Scalars go through literal.ts; nothing else reaches the output.
import { commentText, numberLiteral, propertyKey, stringLiteral } from "./literal.js";

export class Ref {
  constructor(readonly name: string) {}
}

export class Commented {
  constructor(
    readonly value: Value,
    readonly comment: string,
  ) {}
}

export type Value = string | number | boolean | null | undefined | Ref | Commented | Value[] | { [key: string]: Value };

const WIDTH = 100;
const INDENT = "  ";

/**
 * The expression text of `v`, its continuation lines indented by `depth` levels; `lead`
 * is how many characters precede it on its first line (`const x: T = `, `key: `).
 */
export function renderValue(v: Value, depth = 0, lead = 0): string {
  const inline = inlineText(v);
  if (inline !== null && lead + inline.length + 1 <= WIDTH) return inline;
  return blockText(v, depth);
}

/** One-line form, or null when the value holds a comment (which needs its own line). */
function inlineText(v: Value): string | null {
  if (v instanceof Commented) return null;
  if (v instanceof Ref) return v.name;
  if (Array.isArray(v)) {
    const items = v.map(inlineText);
    return items.some((x) => x === null) ? null : `[${items.join(", ")}]`;
  }
  if (v !== null && typeof v === "object") {
    const parts: string[] = [];
    for (const [k, x] of entries(v)) {
      const t = inlineText(x);
      if (t === null) return null;
      parts.push(property(k, x, t));
    }
    return parts.length ? `{ ${parts.join(", ")} }` : "{}";
  }
  return scalar(v);
}

function blockText(v: Value, depth: number): string {
  const pad = INDENT.repeat(depth + 1);
  const end = INDENT.repeat(depth);
  if (v instanceof Commented) return renderValue(v.value, depth);
  if (Array.isArray(v)) {
    const lines = v.map((x) => `${pad}${item(renderValue(unwrap(x), depth + 1, pad.length), x)}`);
    return `[\n${lines.join("\n")}\n${end}]`;
  }
  if (v !== null && typeof v === "object" && !(v instanceof Ref)) {
    const lines = entries(v).map(([k, x]) => {
      const lead = pad.length + propertyKey(k).length + 2;
      return `${pad}${item(property(k, unwrap(x), renderValue(unwrap(x), depth + 1, lead)), x)}`;
    });
    return lines.length ? `{\n${lines.join("\n")}\n${end}}` : "{}";
  }
  return inlineText(v) ?? "null";
}

/** An element or property line: the text, its comma, then its comment if it has one. */
function item(text: string, original: Value): string {
  return original instanceof Commented ? `${text}, // ${commentText(original.comment)}` : `${text},`;
}

/** `key: text`, or the shorthand `key` for a reference to a const of the same name. */
function property(key: string, v: Value, text: string): string {
  return v instanceof Ref && v.name === key ? key : `${propertyKey(key)}: ${text}`;
}

const unwrap = (v: Value): Value => (v instanceof Commented ? v.value : v);

/** Own properties in insertion order, skipping `undefined` (an absent optional field). */
function entries(o: { [key: string]: Value }): [string, Value][] {
  return Object.entries(o).filter(([, x]) => x !== undefined);
}

function scalar(v: string | number | boolean | null | undefined): string {
  if (typeof v === "string") return stringLiteral(v);
  if (typeof v === "number") return numberLiteral(v);
  if (typeof v === "boolean") return String(v);
  return "null";
}
