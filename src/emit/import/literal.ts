// Values as .adainf source text. Every value the importer writes goes through here,
// so a path holding quotes, backslashes or newlines stays one string literal, and with
// the config key it was read from (Valued), so an error about it can name that key.

import type { Block } from "../../ir/define.js";

export type Lit =
  | { kind: "num"; v: number }
  | { kind: "str"; v: string }
  | { kind: "bool"; v: boolean }
  | { kind: "ident"; v: string }
  | { kind: "range"; v: [number, number] }
  | { kind: "dur"; v: number; unit: "steps" | "epochs" };

export const num = (v: number): Lit => ({ kind: "num", v });
export const str = (v: string): Lit => ({ kind: "str", v });
export const bool = (v: boolean): Lit => ({ kind: "bool", v });
export const ident = (v: string): Lit => ({ kind: "ident", v });
export const range = (a: number, b: number): Lit => ({ kind: "range", v: [a, b] });
export const dur = (v: number, unit: "steps" | "epochs"): Lit => ({ kind: "dur", v, unit });

/** Shortest text that reads back as the same double; digit groups on big integers. */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  if (Number.isInteger(n) && Math.abs(n) >= 1_000 && Math.abs(n) < 1e21) return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "_");
  const s = String(n);
  // 1e+21 -> 1e21: the lexer takes an exponent sign only for negative exponents.
  return s.replace("e+", "e");
}

/** A string literal: `\\`, `\"`, `\n`, `\t` and `\u{..}` for every other control character. */
export function stringText(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0x2028 || c === 0x2029) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

export function litText(l: Lit): string {
  switch (l.kind) {
    case "num":
      return numberText(l.v);
    case "str":
      return stringText(l.v);
    case "bool":
      return l.v ? "true" : "false";
    case "ident":
      return l.v;
    case "range":
      return `${rangeEnd(l.v[0])}..${rangeEnd(l.v[1])}`;
    case "dur":
      return `${numberText(l.v)} ${l.unit}`;
  }
}

/** Range ends keep a decimal point (`1.0`), as the stdlib writes them. */
function rangeEnd(n: number): string {
  const t = numberText(n);
  return /^\d+$/.test(t) ? `${t}.0` : t;
}

/**
 * A value the importer writes into the pipeline, with the config key it was read from
 * (`optimizer.lr`), or null for one the importer fixes itself (`stem = cifar`): a compile
 * error about the value is reported at that key's place.
 */
export interface Valued {
  value: Lit;
  at: string | null;
}

export interface CallArg extends Valued {
  key: string;
  /** Written even when it equals the builtin's default (readability: an op's p). */
  always?: boolean;
  /** Written without `key =` (a data source's path). */
  positional?: boolean;
}

/** Where the value read from config key `at` lies in a text: [start, end). */
export interface Mark {
  at: string;
  start: number;
  end: number;
}

/** A value as text, with its mark when it was read from a config key. */
function markedValue(v: Valued): { text: string; marks: Mark[] } {
  const text = litText(v.value);
  return { text, marks: v.at === null ? [] : [{ at: v.at, start: 0, end: text.length }] };
}

/** `name(k = v, ...)`, leaving out arguments equal to the builtin's defaults. */
export function callText(name: string, args: CallArg[], spec: Block | null): string {
  return markedCall(name, args, spec).text;
}

/** callText, with the marks of the arguments read from a config key. */
export function markedCall(name: string, args: CallArg[], spec: Block | null): { text: string; marks: Mark[] } {
  const kept = args.filter((a) => a.always || !spec || !equalsDefault(a.value, spec.call.params[a.key]?.default));
  let text = `${name}(`;
  const marks: Mark[] = [];
  kept.forEach((a, i) => {
    text += `${i ? ", " : ""}${a.positional ? "" : `${a.key} = `}`;
    const value = markedValue(a);
    for (const m of value.marks) marks.push({ at: m.at, start: text.length + m.start, end: text.length + m.end });
    text += value.text;
  });
  return { text: `${text})`, marks };
}

function equalsDefault(l: Lit, d: unknown): boolean {
  if (d === undefined || d === null) return false;
  switch (l.kind) {
    case "num":
    case "bool":
    case "ident":
      return d === l.v;
    case "str":
      return false;
    case "range":
      return Array.isArray(d) && d.length === 2 && d[0] === l.v[0] && d[1] === l.v[1];
    case "dur": {
      const x = d as { value?: unknown; unit?: unknown };
      return x.value === l.v && x.unit === l.unit;
    }
  }
}
