// Hydra's command-line overrides, as `main_pretrain.py ... augmentations=x.yaml data.dup=10`
// takes them (Hydra 1.2's override grammar, hydra.cc "Basic Override syntax"): parsed
// here into the operation, key and value Hydra reads, and the config overrides applied to
// the composed config as Hydra applies them (config_loader_impl.py,
// _apply_overrides_to_config), with the config in struct mode: `key=value` only for a key
// that is there, `+key=value` only where none is (or it is null or ???) unless the value
// is a list or dict, `++key=value` either way, `~key[=value]` deletes (with a value other than null, only a key with that value). Group overrides (a key naming a folder of config groups) are
// applied to the defaults list by compose.ts. Every error names the override as typed
// (its place: `override '<text>': ...`, places.ts) and what to write instead.

import { isMap, ImportError, jsonText, ownValue, setOwn, type YamlMap } from "./read-config.js";
import type { Places } from "./places.js";

export type OverrideOp = "set" | "add" | "force" | "delete";

export interface Override {
  /** As typed. */
  text: string;
  /** `key=v`, `+key=v`, `++key=v`, `~key[=v]`. */
  op: OverrideOp;
  /** The key (`data.dup`) or config group (`augmentations`, `server/db`) as written. */
  key: string;
  /** `@package` as written (`group@pkg=x`; "" for `group@=x`). */
  pkg?: string;
  /** Whether a value was given (`~key` has none; `key=` is the empty string). */
  hasValue: boolean;
  value: unknown;
  /** Dotted paths in the value ("" for the value itself) of whole numbers written as floats (`1.0`): OmegaConf keeps them floats. */
  floats: Set<string>;
  /** Its place key (places.ts: messages at it are written `override '<text>': ...`). */
  at: string;
}

/** A key segment: Hydra's ID (letters, digits, `_`, `-`, `$`) or a list index. */
const SEGMENT = String.raw`(?:[\p{L}_$][\p{L}\p{N}_$-]*|\d+)`;
const DOTTED = String.raw`${SEGMENT}(?:\.${SEGMENT})*`;
const GROUP_PATH = String.raw`[\p{L}_$][\p{L}\p{N}_$-]*(?:\/[\p{L}_$][\p{L}\p{N}_$-]*)+`;
const KEY = new RegExp(`^(${GROUP_PATH}|${DOTTED})(?:@(${DOTTED})?)?$`, "u");
const HAS_AT = /@/;

const INT = /^[+-]?(?:0|[1-9](?:_?\d)*)$/;
const DIGITS = String.raw`\d(?:_?\d)*`;
const FLOAT = new RegExp(String.raw`^[+-]?(?:(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.)(?:[eE][+-]?${DIGITS})?|${DIGITS}[eE][+-]?${DIGITS}|inf|nan)$`, "i");
/** How deep lists and dicts may nest in one value (a config's are a few levels). */
const MAX_DEPTH = 100;
/** Hydra's WS: a space or a tab (nothing else is whitespace in its grammar). */
const WS = /^[ \t]$/;
/** A dict's key as Hydra's dictKey reads it: letters, digits, `_`, `/-\+.$%*@?|`, spaces and tabs. */
const DICT_KEY = /^[\p{L}\p{N}_/\-\\+.$%*@?| \t]+/u;
/** Hydra's sweep functions: each makes a multirun. */
const SWEEPS = new Set(["choice", "range", "interval", "glob"]);

/** One override as Hydra's grammar reads it; a malformed one is an error naming it. */
export function parseOverride(text: string, at: string): Override {
  const fail = (why: string): never => {
    throw new ImportError(why, at);
  };
  let rest = text;
  let op: OverrideOp = "set";
  if (rest.startsWith("++")) {
    op = "force";
    rest = rest.slice(2);
  } else if (rest.startsWith("+")) {
    op = "add";
    rest = rest.slice(1);
  } else if (rest.startsWith("~")) {
    op = "delete";
    rest = rest.slice(1);
  }
  const eq = rest.indexOf("=");
  const keyText = eq < 0 ? rest : rest.slice(0, eq);
  const forms = "an override is key=value (or +key=value, ++key=value, ~key)";
  if (eq < 0 && op !== "delete")
    fail(keyText === "" ? `${forms}, as after main_pretrain.py` : `no '=': ${forms}; a config file is given first, or with --config-path and --config-name`);
  const m = KEY.exec(keyText);
  if (!m || /^\d+$/.test(m[1]!))
    fail(`'${keyText}' is not a key Hydra reads: a dotted key (data.dup) or a config group (augmentations, server/db), optionally @package`);
  const key = m![1]!;
  const pkg = HAS_AT.test(keyText) ? (m![2] ?? "") : undefined;
  const base = { text, op, key, ...(pkg !== undefined ? { pkg } : {}), at };
  if (eq < 0) return { ...base, hasValue: false, value: null, floats: new Set() };
  const parsed = new ValueParser(rest.slice(eq + 1), fail).top();
  return { ...base, hasValue: true, value: parsed.value, floats: parsed.floats };
}

/** Hydra's value grammar: a primitive, a list `[a, b]`, a dict `{a: 1}`; sweeps and functions refused. */
class ValueParser {
  private i = 0;
  readonly floats = new Set<string>();
  constructor(
    private readonly s: string,
    private readonly fail: (why: string) => never,
  ) {}

  top(): { value: unknown; floats: Set<string> } {
    // `key=` is the empty string; the value may start with spaces (`key= 1`).
    this.ws();
    if (this.i === this.s.length) return { value: "", floats: this.floats };
    const value = this.element("", true);
    this.ws();
    if (this.s[this.i] === ",")
      this.fail(
        "a comma-separated value is a sweep, which runs one config per value (--multirun); import reads one config: import each value on its own, or write a list as key=[a,b], or a string with a comma quoted: key='a,b'",
      );
    if (this.i < this.s.length)
      this.fail(`unexpected '${this.s[this.i]}' at character ${this.i + 1} of the value (a text value with it is quoted whole: key='...')`);
    return { value, floats: this.floats };
  }

  private ws(): void {
    while (this.i < this.s.length && WS.test(this.s[this.i]!)) this.i++;
  }

  private depth = 0;

  private element(path: string, top = false): unknown {
    this.ws();
    const c = this.s[this.i];
    if ((c === "[" || c === "{") && ++this.depth > MAX_DEPTH) this.fail(`lists and dicts nested more than ${MAX_DEPTH} deep`);
    if (c === "[") return this.list(path);
    if (c === "{") return this.dict(path);
    if (c === "'" || c === '"') return this.quoted();
    const fn = /^([\p{L}_][\p{L}\p{N}_]*)\s*\(/u.exec(this.s.slice(this.i));
    if (fn) {
      const name = fn[1]!;
      if (SWEEPS.has(name))
        this.fail(`${name}(...) is a sweep, which runs one config per value (--multirun); import reads one config: import each value on its own`);
      this.fail(`import does not evaluate Hydra's function ${name}(...); write the value it gives`);
    }
    return this.primitive(path, top);
  }

  private list(path: string): unknown[] {
    this.i++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.element(path === "" ? String(out.length) : `${path}.${out.length}`));
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === "]") return out;
      if (c !== ",") this.fail(c === undefined ? "a list '[' is not closed with ']'" : `unexpected '${c}' in a list (items are separated by ',')`);
    }
  }

  private dict(path: string): YamlMap {
    this.i++;
    const out: YamlMap = {};
    this.ws();
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      const k = DICT_KEY.exec(this.s.slice(this.i));
      if (!k) this.fail(this.i >= this.s.length ? "a dict '{' is not closed with '}'" : `a dict's key is expected at '${this.s[this.i]}' ({key: value, ...})`);
      this.i += k![0].length;
      const key = k![0].trim();
      if (this.s[this.i] !== ":") this.fail(`'${key}' in a dict needs ':' and a value ({key: value, ...})`);
      this.i++;
      setOwn(out, key, this.element(path === "" ? key : `${path}.${key}`));
      this.ws();
      const c = this.s[this.i];
      this.i++;
      if (c === "}") return out;
      if (c !== ",") this.fail(c === undefined ? "a dict '{' is not closed with '}'" : `unexpected '${c}' in a dict (entries are separated by ',')`);
    }
  }

  /** `'...'` or `"..."`: backslashes before a quote are halved (an odd count escapes it); nothing else is an escape. */
  private quoted(): string {
    const q = this.s[this.i]!;
    let out = "";
    this.i++;
    for (;;) {
      if (this.i >= this.s.length) this.fail(`a quoted value is not closed with ${q}`);
      const c = this.s[this.i]!;
      if (c === "\\") {
        let n = 0;
        while (this.s[this.i + n] === "\\") n++;
        if (this.s[this.i + n] === q) {
          out += "\\".repeat(Math.floor(n / 2));
          this.i += n;
          if (n % 2 === 1) {
            out += q;
            this.i++;
          }
          continue;
        }
        out += "\\".repeat(n);
        this.i += n;
        continue;
      }
      this.i++;
      if (c === q) return out;
      out += c;
    }
  }

  /**
   * An unquoted value: letters, digits and `_-/\+.$%*@?|:`, spaces and tabs inside, `${...}`
   * kept for OmegaConf, `\` before one of `()[]{}:=, \t\` escapes it. Spaces and tabs
   * around it are not part of it (`[1 ,2]`, `a=1 `), escaped ones are (`a\ `). A whole int,
   * float, bool or null is one; anything else a string.
   */
  private primitive(path: string, top: boolean): unknown {
    let raw = "";
    let out = "";
    /** `out`'s length without its trailing unescaped spaces and tabs. */
    let kept = 0;
    let escaped = false;
    while (this.i < this.s.length) {
      const c = this.s[this.i]!;
      if (c === "$" && this.s[this.i + 1] === "{") {
        const end = this.interpolationEnd(this.i);
        const part = this.s.slice(this.i, end);
        raw += part;
        out += part;
        kept = out.length;
        this.i = end;
        continue;
      }
      if (c === "\\" && /[()[\]{}:=, \t\\]/.test(this.s[this.i + 1] ?? "")) {
        escaped = true;
        raw += c + this.s[this.i + 1];
        out += this.s[this.i + 1];
        kept = out.length;
        this.i += 2;
        continue;
      }
      if (c === "," || (!top && (c === "]" || c === "}"))) break;
      if (!/[\p{L}\p{N}_\-/\\+.$%*@?|: \t]/u.test(c)) {
        const hint = c === "'" || c === '"' ? " (quote the whole value)" : " (quote the value, or escape it with \\)";
        this.fail(`'${c}' is not allowed in an unquoted value${hint}`);
      }
      raw += c;
      out += c;
      if (!WS.test(c)) kept = out.length;
      this.i++;
    }
    // Hydra's lexer takes the spaces and tabs after a value as separators, not part of it.
    const text = out.slice(0, kept);
    if (!escaped) {
      const t = raw.replace(/[ \t]+$/, "");
      if (INT.test(t)) {
        const n = Number(t.replaceAll("_", ""));
        return Number.isSafeInteger(n) ? n : BigInt(t.replaceAll("_", ""));
      }
      if (FLOAT.test(t)) {
        const lower = t.toLowerCase();
        const n = lower.endsWith("inf") ? (t.startsWith("-") ? -Infinity : Infinity) : lower.endsWith("nan") ? Number.NaN : Number(t.replaceAll("_", ""));
        if (Number.isInteger(n)) this.floats.add(path);
        return n;
      }
      if (/^(?:true|false)$/i.test(t)) return t.toLowerCase() === "true";
      if (/^null$/i.test(t)) return null;
    }
    if (text === "" && !top) this.fail(`an empty item at character ${this.i + 1} of the value`);
    return text;
  }

  /** The end of the `${...}` starting at `from` (nested braces and quotes inside kept). */
  private interpolationEnd(from: number): number {
    let depth = 0;
    for (let j = from + 1; j < this.s.length; j++) {
      const c = this.s[j];
      if (c === "\\") j++;
      else if (c === "{") depth++;
      else if (c === "}" && --depth === 0) return j + 1;
    }
    return this.fail("an interpolation '${' is not closed with '}'");
  }
}

/** Whether an override configures Hydra itself (`hydra.run.dir=.`, `hydra/launcher=x`): no setting of the run. */
export function isHydraOverride(o: Override): boolean {
  return o.key === "hydra" || o.key.startsWith("hydra.") || o.key.startsWith("hydra/");
}

/** What Hydra's OmegaConf.select gives None for: a null, or `???` (a value still to be given). */
const absent = (v: unknown) => v === null || v === undefined || v === "???";

type Found = { found: true; value: unknown } | { found: false; missing: string; parent: unknown };

/** The value at a dotted key (list items by index); where it is not, the first missing step and the container that lacks it. */
function lookup(root: unknown, segs: string[]): Found {
  let node: unknown = root;
  for (const [i, seg] of segs.entries()) {
    const missing = segs.slice(0, i + 1).join(".");
    if (isMap(node) && Object.hasOwn(node, seg)) node = node[seg];
    else if (Array.isArray(node) && /^\d+$/.test(seg) && Number(seg) < node.length) node = node[Number(seg)];
    else return { found: false, missing, parent: node };
  }
  return { found: true, value: node };
}

/** `over` merged into `base` as OmegaConf merges: mappings key by key, anything else replaces. */
function merged(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: YamlMap = { ...base };
  for (const [k, v] of Object.entries(over)) setOwn(out, k, merged(ownValue(base, k), v));
  return out;
}

/** The first key of `over` that `base` lacks where both are mappings (struct mode refuses to add it), as a dotted key under `at`. */
function newKey(base: unknown, over: unknown, at: string): string | null {
  if (!isMap(base) || !isMap(over)) return null;
  for (const [k, v] of Object.entries(over)) {
    if (!Object.hasOwn(base, k)) return `${at}.${k}`;
    const inner = newKey(ownValue(base, k), v, `${at}.${k}`);
    if (inner) return inner;
  }
  return null;
}

/** `root` with `value` merged at `segs` (a mapping into a mapping there; anything else replaces), the mappings on the way made when missing. */
function setAt(root: unknown, segs: string[], value: unknown, fail: (why: string) => never, done: string[] = []): unknown {
  if (segs.length === 0) return value;
  const [seg, ...rest] = segs as [string, ...string[]];
  if (Array.isArray(root)) {
    if (!/^\d+$/.test(seg) || Number(seg) >= root.length) fail(`${done.join(".")} is a list of ${root.length} items: it has no item ${seg}`);
    const copy = [...root];
    copy[Number(seg)] = setAt(root[Number(seg)], rest, value, fail, [...done, seg]);
    return copy;
  }
  if (root !== undefined && root !== null && !isMap(root)) fail(`${done.join(".")} is ${jsonText(root)}, not a mapping: it has no key ${seg}`);
  const map = isMap(root) ? root : {};
  const inner = ownValue(map, seg);
  return { ...map, [seg]: rest.length === 0 ? merged(inner, value) : setAt(inner, rest, value, fail, [...done, seg]) };
}

function deleteAt(root: unknown, segs: string[]): unknown {
  const [seg, ...rest] = segs as [string, ...string[]];
  if (!isMap(root)) return root;
  if (rest.length === 0) {
    const { [seg]: _gone, ...keep } = root;
    return keep;
  }
  return { ...root, [seg]: deleteAt(ownValue(root, seg), rest) };
}

/** Python's `==` on config values, closely enough: numbers by value, lists and mappings item by item. */
function same(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (isMap(a) && isMap(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b || (typeof a === "bigint" && typeof b === "bigint" && a === b);
}

/**
 * One config override applied to the composed config (its interpolations not yet
 * resolved), as Hydra applies it in struct mode; the keys it sets are placed at it.
 */
export function applyConfigOverride(config: YamlMap, o: Override, places: Places): YamlMap {
  const fail = (why: string): never => {
    throw new ImportError(why, o.at);
  };
  const segs = o.key.split(".");
  const found = lookup(config, segs);
  const value = o.value;
  const shownValue = (v: unknown) => (typeof v === "string" ? `'${v}'` : jsonText(v));
  const keysOf = (node: unknown) => (isMap(node) ? Object.keys(node) : []);
  /** What the config has where a key is missing: its keys, for a typo. */
  const lacking = (f: { missing: string; parent: unknown }) => {
    const keys = keysOf(f.parent);
    const dot = f.missing.lastIndexOf(".");
    const where = dot < 0 ? "the config" : f.missing.slice(0, dot);
    if (f.parent !== undefined && f.parent !== null && !isMap(f.parent) && !Array.isArray(f.parent)) return `${where} is ${jsonText(f.parent)}, not a mapping`;
    return keys.length > 0 ? `${where} has ${keys.slice(0, 12).join(", ")}${keys.length > 12 ? ", ..." : ""}` : `${where} has no keys`;
  };
  switch (o.op) {
    case "delete": {
      if (!found.found || absent(found.value)) {
        const why = found.found
          ? `'${o.key}' is ${found.value === "???" ? "??? (missing)" : "null"}, which Hydra counts as not there`
          : `'${o.key}' is not in the config (${lacking(found)})`;
        return fail(`Could not delete from config: ${why}; remove this override`);
      }
      // Hydra deletes whatever the value when the value given is null.
      if (o.hasValue && value !== null && !same(found.value, value))
        fail(
          `Could not delete from config: the value of '${o.key}' is ${shownValue(found.value)}, not ${shownValue(value)}; write ~${o.key} to delete it whatever its value`,
        );
      const parent = segs.length > 1 ? lookup(config, segs.slice(0, -1)) : { found: true as const, value: config };
      if (parent.found && Array.isArray(parent.value)) fail(`import does not delete a list's items; give the whole list: ${segs.slice(0, -1).join(".")}=[...]`);
      places.remove(o.key, o.at);
      return deleteAt(config, segs) as YamlMap;
    }
    case "set": {
      const structMode = `and Hydra adds no key without + (struct mode); to add it, write +${o.text}`;
      if (!found.found) fail(`Could not override '${o.key}': it is not in the config (${lacking(found)}), ${structMode}`);
      const added = newKey(found.found ? (found as { value: unknown }).value : undefined, value, o.key);
      if (added) fail(`Could not override '${o.key}': ${added} is not in the config, ${structMode}`);
      break;
    }
    case "add": {
      const there = found.found && !absent(found.value);
      if (there && !isMap(value) && !Array.isArray(value))
        fail(
          `Could not append to config: '${o.key}' is there already (${shownValue((found as { value: unknown }).value)}); to override it, write ${o.text.slice(1)}, or ++${o.text.slice(1)} to add or override`,
        );
      break;
    }
    case "force":
      break;
  }
  const next = setAt(config, segs, value, fail) as YamlMap;
  places.recordValue(o.key, value, o.at, o.floats);
  return next;
}
