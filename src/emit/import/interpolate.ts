// OmegaConf's interpolations in a composed solo-learn config, resolved as OmegaConf resolves
// them on the final config (after Hydra's defaults list is merged): `${a.b}` (absolute),
// `${.x}` / `${..x}` (relative: the first dot is the mapping or list holding the value, each
// further dot one level up), `${a.list.0}` and `${a.list[0]}`; a value that is one
// interpolation keeps its target's type (a number stays a number, a mapping a mapping);
// text around interpolations gives a string, each value written as Python's str() writes
// it (`simclr-${data.dataset}`, `1.0`, `True`); interpolations inside keys and resolver
// arguments (`${plans.${choice}}`); `\${` is a literal `${` and `\\${` a backslash before
// an interpolation (backslashes elsewhere are kept); the resolvers oc.env, oc.select and
// oc.decode. The grammar is OmegaConf's (its OmegaConfGrammarLexer/Parser.g4).
//
// Every value is resolved here once; one that cannot be becomes an Unresolved holding its
// one-line error, which is raised only where the importer reads the value (OmegaConf
// resolves on access: a broken interpolation nobody reads is no error), and so does `???`
// (OmegaConf's missing value). A text the grammar cannot parse is found by
// invalidInterpolation in every file merged (OmegaConf refuses the file when it loads it).
// A chain of more than MAX_CHAIN interpolations is the error of the key read, whatever the
// order keys are resolved in: each key keeps the length of its chain, and a key met
// MAX_CHAIN deep is resolved first on its own, so the stack stays shallow.

import { exactInt } from "./omegaconf-yaml.js";
import { MAX_CONFIG_BYTES, Unresolved, type YamlMap } from "./read-config.js";

/** A config key, as the list of its steps from the top level (list indices as digits). */
type Path = string[];

interface NodeInterp {
  kind: "node";
  /** Leading dots: 0 absolute, 1 the holding mapping or list, 2 its parent, ... */
  up: number;
  steps: Piece[][];
  src: string;
}
interface ResolverInterp {
  kind: "resolver";
  name: Piece[][];
  args: Element[];
  src: string;
}
type Interp = NodeInterp | ResolverInterp;
/** Text, or an interpolation whose value is written into it. */
type Piece = string | Interp;
type Element =
  | { kind: "literal"; value: unknown; float: boolean }
  | { kind: "text"; pieces: Piece[] }
  | { kind: "interp"; interp: Interp }
  | { kind: "list"; items: Element[] }
  | { kind: "dict"; entries: [Piece[], Element][] };

/** What a key resolves to: a value, or a mapping or list of the config (at its own key, for relative interpolations inside it). */
type Got = { kind: "value"; value: unknown; float: boolean } | { kind: "node"; path: Path };

/** OmegaConf's built-in resolvers that import evaluates. */
const RESOLVERS = ["oc.env", "oc.select", "oc.decode"];
/** Interpolations leading to one another, and interpolations (lists, mappings) nested in one string. */
const MAX_CHAIN = 100;
const MAX_NESTING = 100;

class GrammarError extends Error {}

/**
 * More than MAX_CHAIN interpolations lead on from `chain[0]` (its first keys, as far as
 * they are named): the error of that key and of every key that reads it.
 */
class ChainTooLong {
  constructor(readonly chain: Path[]) {}
}

/**
 * A key not yet resolved met MAX_CHAIN keys deep: resolved first on its own (Resolution.top),
 * then the key that led to it again, so a long chain takes no deeper a stack than this.
 */
class NeedFirst {
  constructor(readonly path: Path) {}
}

/** A failed interpolation: `text` is the message, beginning with the key that holds it. */
class InterpolationError extends Error {
  constructor(
    readonly key: string,
    readonly text: string,
  ) {
    super(text);
  }
}

const ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Characters that end a key inside `${...}` (OmegaConf's INTER_KEY). */
const KEY_END = new Set(["\\", "{", "}", "(", ")", "[", "]", ":", ".", " ", "\t", "'", '"']);
/** Characters an unquoted resolver argument may hold besides letters, digits and `_` (OmegaConf's UNQUOTED_CHAR, COLON, WS). */
const UNQUOTED = new Set(["/", "-", "\\", "+", ".", "$", "%", "*", "@", "?", "|", ":", " ", "\t"]);
/** `\x` escapes of an unquoted argument: x is kept, the backslash dropped. */
const ESCAPED = new Set(["\\", "(", ")", "[", "]", "{", "}", ":", "=", ",", " ", "\t"]);
/** The arguments OmegaConf's parser accepts after `${:` (a resolver without a name): plain words, commas between. */
const NAMELESS_ARGS = /^[ \t]*[\w/\-+.$%*@?|]+(?:[ \t]*,[ \t]*[\w/\-+.$%*@?|]+)*[ \t]*$/;
const INT = /^[+-]?(?:0|[1-9](?:_?\d)*)$/;
const FLOAT =
  /^[+-]?(?:(?:(?:0|[1-9](?:_?\d)*)?\.\d(?:_?\d)*|(?:0|[1-9](?:_?\d)*)\.)(?:[eE][+-]?\d(?:_?\d)*)?|(?:0|[1-9](?:_?\d)*)[eE][+-]?\d(?:_?\d)*|inf|nan)$/i;

/** OmegaConf's grammar over one string: `text()` for a config value, `single()` for oc.decode's input. */
class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  private fail(what: string, at = this.i): never {
    throw new GrammarError(`${what} at character ${at + 1}`);
  }

  private ws(): void {
    while (this.s[this.i] === " " || this.s[this.i] === "\t") this.i++;
  }

  private expect(c: string, open: number): void {
    if (this.i >= this.s.length) this.fail("'${' is not closed", open);
    if (this.s[this.i] !== c) this.fail(`'${this.s[this.i]}' where '${c}' was expected`);
    this.i++;
  }

  /** A whole config value: text and interpolations. */
  text(): Piece[] {
    const out = this.pieces(undefined);
    return out;
  }

  /** oc.decode's input: one element, nothing around it but spaces. */
  single(): Element {
    // Spaces around it (not escaped): OmegaConf reads a plain value as text, spaces and all, and
    // nothing else (a quoted text, a list, a mapping) at all.
    if (this.s === "") this.fail("nothing to read");
    const trailing = /[ \t]+$/.exec(this.s);
    const escapedEnd = trailing !== null && trailing[0].length === 1 && /(?:^|[^\\])(?:\\\\)*\\$/.test(this.s.slice(0, trailing.index));
    if (/^[ \t]/.test(this.s) || (trailing && !escapedEnd)) {
      this.ws();
      if (this.i >= this.s.length || "'\"[{".includes(this.s[this.i]!)) this.fail(`'${this.s[this.i] ?? "the end"}' after spaces`);
      this.i = 0;
      return this.element(["\u0000"], true);
    }
    this.ws();
    const e = this.element(["\u0000"]);
    this.ws();
    if (this.i < this.s.length) this.fail(`'${this.s[this.i]}' after the value`);
    return e;
  }

  /**
   * Text up to `quote` (the end of a quoted argument) or the end: a run of backslashes
   * before `${` (or before the quote) is halved, and an odd one escapes it.
   */
  private pieces(quote: string | undefined): Piece[] {
    const out: Piece[] = [];
    const s = this.s;
    let buf = "";
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === "\\") {
        let j = this.i;
        while (s[j] === "\\") j++;
        const next = s.startsWith("${", j) ? "${" : quote !== undefined && s[j] === quote ? quote : null;
        if (next === null) {
          buf += s.slice(this.i, j);
          this.i = j;
          continue;
        }
        const run = j - this.i;
        buf += "\\".repeat(run >> 1);
        this.i = j;
        if (run % 2 === 1) {
          buf += next;
          this.i += next.length;
        }
        continue;
      }
      if (c === quote) break;
      if (s.startsWith("${", this.i)) {
        if (buf) out.push(buf);
        buf = "";
        out.push(this.interp());
        continue;
      }
      buf += c;
      this.i++;
    }
    if (buf) out.push(buf);
    return out;
  }

  /** One more interpolation, list or mapping inside the others (at most MAX_NESTING: the parser recurses). */
  private nest(open: number): void {
    if (++this.depth > MAX_NESTING) this.fail(`more than ${MAX_NESTING} interpolations, lists or mappings nested in one another`, open);
  }

  /** `${...}` at this.i: a key (`${a.b}`, `${..x}`, `${a[0]}`) or a resolver (`${oc.env:HOME}`). */
  private interp(): Interp {
    const open = this.i;
    this.nest(open);
    if (!this.s.includes("}", open)) this.fail("'${' is not closed", open);
    this.i += 2;
    this.ws();
    if (this.s[this.i] === ":") {
      // A resolver without a name: OmegaConf's parser takes it only with plain arguments
      // (`${:x}`, `${:a, b}`; not `${:}`, `${:a b}`, `${:[a]}`, `${:x:y}`), and resolving it fails.
      const close = this.s.indexOf("}", this.i);
      if (close < 0 || !NAMELESS_ARGS.test(this.s.slice(this.i + 1, close))) this.fail("a resolver without a name", open);
      this.i++;
      this.ws();
      const args = this.sequence("}", open);
      this.expect("}", open);
      this.depth--;
      return { kind: "resolver", name: [], args, src: this.s.slice(open, this.i) };
    }
    let up = 0;
    while (this.s[this.i] === ".") {
      up++;
      this.i++;
    }
    const steps: Piece[][] = [];
    let name = up === 0;
    if (this.s[this.i] === "[") {
      this.i++;
      steps.push(this.key(open));
      this.expect("]", open);
      name = false;
    } else steps.push(this.key(open));
    for (;;) {
      if (this.s[this.i] === ".") {
        this.i++;
        steps.push(this.key(open));
      } else if (this.s[this.i] === "[") {
        this.i++;
        steps.push(this.key(open));
        this.expect("]", open);
        name = false;
      } else break;
    }
    this.ws();
    if (this.s[this.i] === ":" && name && steps.every((p) => p.length === 1 && (typeof p[0] !== "string" || ID.test(p[0])))) {
      this.i++;
      this.ws();
      const args = this.sequence("}", open);
      this.expect("}", open);
      this.depth--;
      return { kind: "resolver", name: steps, args, src: this.s.slice(open, this.i) };
    }
    this.expect("}", open);
    this.depth--;
    return { kind: "node", up, steps, src: this.s.slice(open, this.i) };
  }

  /** One step of a key: its name, or an interpolation that gives it. */
  private key(open: number): Piece[] {
    if (this.s.startsWith("${", this.i)) return [this.interp()];
    const start = this.i;
    while (this.i < this.s.length && !KEY_END.has(this.s[this.i]!)) this.i++;
    if (this.i === start) {
      if (this.i >= this.s.length) this.fail("'${' is not closed", open);
      this.fail(`'${this.s[this.i]}' where a key was expected`);
    }
    return [this.s.slice(start, this.i)];
  }

  /** Comma-separated elements up to `close` (not consumed); an empty one is "" (as OmegaConf 2.x). */
  private sequence(close: string, open: number): Element[] {
    const out: Element[] = [];
    this.ws();
    if (this.s[this.i] === close) return out;
    for (;;) {
      this.ws();
      if (this.s[this.i] === "," || this.s[this.i] === close) out.push({ kind: "literal", value: "", float: false });
      else out.push(this.element([",", close]));
      this.ws();
      if (this.s[this.i] === ",") {
        this.i++;
        this.ws();
        if (this.s[this.i] === close) {
          out.push({ kind: "literal", value: "", float: false });
          return out;
        }
        continue;
      }
      if (this.i >= this.s.length) this.fail("'${' is not closed", open);
      if (this.s[this.i] === close) return out;
      this.fail(`'${this.s[this.i]}' inside the arguments (quote an argument that holds it)`);
    }
  }

  /**
   * A key of a mapping in a resolver argument, up to its `:` (OmegaConf's dictKey): unquoted
   * characters, `\` escapes and interpolations, no quotes; spaces after it are dropped (the
   * caller has skipped those before it).
   */
  private dictKey(): Piece[] {
    const { pieces, buf, tail } = this.unquoted([":"], "in a key of a mapping");
    const text = buf.slice(0, buf.length - tail);
    if (text) pieces.push(text);
    return pieces;
  }

  /**
   * Unquoted text up to one of `ends`: letters, digits, `_`, /-\+.$%*@?|: and spaces, `\`
   * escapes, interpolations. Returns the pieces before the text still in `buf`, the raw
   * text (an interpolation as \u0000), whether an escape occurred, and `tail`: the unescaped
   * spaces that end `buf` (OmegaConf strips them at the end of an argument, keeps them
   * before an interpolation).
   */
  private unquoted(ends: readonly string[], where: string): { pieces: Piece[]; buf: string; raw: string; escaped: boolean; tail: number } {
    const s = this.s;
    const pieces: Piece[] = [];
    let buf = "";
    let raw = "";
    let escaped = false;
    let tail = 0;
    while (this.i < s.length && !ends.includes(s[this.i]!)) {
      const ch = s[this.i]!;
      if (s.startsWith("${", this.i)) {
        if (buf) pieces.push(buf);
        buf = "";
        tail = 0;
        pieces.push(this.interp());
        raw += "\u0000";
        continue;
      }
      if (ch === "\\" && this.i + 1 < s.length && ESCAPED.has(s[this.i + 1]!)) {
        buf += s[this.i + 1];
        raw += s.slice(this.i, this.i + 2);
        escaped = true;
        tail = 0;
        this.i += 2;
        continue;
      }
      if (!/[A-Za-z0-9_]/.test(ch) && !UNQUOTED.has(ch)) this.fail(`'${ch}' ${where}`);
      buf += ch;
      raw += ch;
      tail = ch === " " || ch === "\t" ? tail + 1 : 0;
      this.i++;
    }
    return { pieces, buf, raw, escaped, tail };
  }

  /** One resolver argument (or oc.decode's input): quoted text, a list, a mapping, or unquoted text, a number, true/false, null. */
  private element(ends: string[], spaced = false): Element {
    const s = this.s;
    const c = s[this.i];
    if (c === "'" || c === '"') {
      const open = this.i;
      this.i++;
      const pieces = this.pieces(c);
      if (this.i >= s.length) this.fail(`the quote ${c} is not closed`, open);
      this.i++;
      return { kind: "text", pieces };
    }
    if (c === "[") {
      const open = this.i;
      this.nest(open);
      this.i++;
      const items = this.sequence("]", open);
      this.expect("]", open);
      this.depth--;
      return { kind: "list", items };
    }
    if (c === "{") {
      const open = this.i;
      this.nest(open);
      this.i++;
      this.ws();
      const entries: [Piece[], Element][] = [];
      if (s[this.i] === "}") {
        this.i++;
        this.depth--;
        return { kind: "dict", entries };
      }
      for (;;) {
        this.ws();
        const key = this.dictKey();
        if (key.length === 0) this.fail("a key where one was expected");
        this.expect(":", open);
        this.ws();
        entries.push([key, this.element([",", "}"])]);
        this.ws();
        if (s[this.i] === ",") {
          this.i++;
          continue;
        }
        this.expect("}", open);
        this.depth--;
        return { kind: "dict", entries };
      }
    }
    // Unquoted: text, a number, true/false, null.
    const scanned = this.unquoted(ends, "in an unquoted argument (quote it)");
    const { pieces, raw, escaped, tail } = scanned;
    let buf = scanned.buf;
    if (!spaced) buf = buf.slice(0, buf.length - tail);
    if (buf) pieces.push(buf);
    if (spaced) return { kind: "text", pieces };
    const trimmed = raw.trim();
    if (pieces.length === 1 && typeof pieces[0] !== "string") return { kind: "interp", interp: pieces[0]! };
    if (pieces.length <= 1 && !escaped) {
      const t = trimmed;
      if (/^null$/i.test(t)) return { kind: "literal", value: null, float: false };
      if (/^(?:true|false)$/i.test(t)) return { kind: "literal", value: t.toLowerCase() === "true", float: false };
      if (INT.test(t)) return { kind: "literal", value: exactInt(BigInt(t.replace(/_/g, ""))), float: false };
      if (FLOAT.test(t)) {
        const n = t.replace(/_/g, "").toLowerCase();
        const value = n.endsWith("inf") ? (n.startsWith("-") ? -Infinity : Infinity) : n.endsWith("nan") ? NaN : Number(n);
        return { kind: "literal", value, float: true };
      }
    }
    return { kind: "text", pieces };
  }
}

/** Python's repr() of a float (`1.0`, `1e-05`, `1e+16`). */
function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa, e] = x.toExponential().split("e") as [string, string];
  const exp = Number(e);
  const sign = mantissa.startsWith("-") ? "-" : "";
  const digits = mantissa.replace(/^-/, "").replace(".", "");
  if (exp < -4 || exp >= 16) {
    return `${sign}${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  if (exp < 0) return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
  const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
  return `${sign}${whole}.${digits.slice(exp + 1) || "0"}`;
}

/** Python's repr() of a string. */
function pythonString(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === "\\" || ch === q) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + q;
}

/** How the config's YAML wrote a key (and the environment), for resolving. */
export interface ResolveContext {
  env: Record<string, string | undefined>;
  /** Whether the number at a key was written as a float (`1.0`, `1e3`): Python writes it `1.0`, `1000.0`. */
  isFloat(key: string): boolean;
  /** A key whose value is a whole-value interpolation of a mapping or list: the keys under it are those under `to`. */
  alias(from: string, to: string): void;
  /** A key written as an interpolation resolved to a number written as a float (`${x}` with `x: 1.0`): OmegaConf gives it 1.0. */
  resolvedFloat?(key: string): void;
}

/** A list index as Python's int() reads it (OmegaConf's is_int): spaces around, a sign, `_` between digits. */
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;
/** OmegaConf's KEY_PATH_HEAD and KEY_PATH_OTHER (_utils.py): the first key, then `.key` or `[key]` each. */
const KEY_PATH_HEAD = /^[^.[]*/;
const KEY_PATH_OTHER = /\.([^.[]*)|\[(.*?)\]/g;

/** A key without leading dots split as OmegaConf's split_key splits it (`a.b[0].c` -> a, b, 0, c). */
function splitKey(key: string): string[] {
  const head = KEY_PATH_HEAD.exec(key)![0];
  const steps = head === "" && key.startsWith("[") ? [] : [head];
  for (const m of key.slice(head.length).matchAll(KEY_PATH_OTHER)) steps.push(m[1] || (m[2] ?? ""));
  return steps;
}

const dotted = (p: Path) => p.join(".");
const idOf = (p: Path) => p.join("\u0000");

function isContainer(v: unknown): v is YamlMap | unknown[] {
  return typeof v === "object" && v !== null && !(v instanceof Unresolved) && !ArrayBuffer.isView(v);
}

function childOf(v: unknown, step: string): { found: true; value: unknown } | { found: false } {
  if (Array.isArray(v)) {
    if (!/^\d+$/.test(step) || Number(step) >= v.length) return { found: false };
    return { found: true, value: v[Number(step)] };
  }
  if (isContainer(v) && Object.hasOwn(v, step)) return { found: true, value: (v as YamlMap)[step] };
  return { found: false };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (isContainer(v)) return "a mapping";
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

/** A value as the message quotes it (one line, not too long). */
function quoted(s: string): string {
  const q = JSON.stringify(s);
  return q.length > 120 ? `${q.slice(0, 117)}..."` : q;
}

/** A key resolved: its value, and how many interpolations lead from it to a plain value (0 for a plain one). */
interface Resolved {
  got: Got;
  depth: number;
}

class Resolution {
  /** Each key resolved, or its error; ChainTooLong for a key whose chain is too long, whichever key reads it. */
  private readonly memo = new Map<string, Resolved | InterpolationError | ChainTooLong>();
  /** The keys `top` resolves first (NeedFirst) and those waiting for them. */
  private readonly waiting = new Set<string>();
  /** For each key being resolved (as `active`), the longest chain of the keys it has read so far. */
  private readonly deepest: number[] = [];
  /** Each string value's pieces, parsed once (a key may be resolved again after a NeedFirst). */
  private readonly parsed = new Map<string, Piece[] | GrammarError>();
  private readonly active: Path[] = [];
  private readonly activeAt = new Map<string, number>();
  private readonly built = new Map<string, unknown>();
  private readonly building = new Set<string>();

  constructor(
    private readonly root: YamlMap,
    private readonly ctx: ResolveContext,
  ) {}

  /** The value at a key of the config itself (no interpolation followed). */
  private raw(path: Path): unknown {
    let cur: unknown = this.root;
    for (const step of path) {
      const c = childOf(cur, step);
      cur = c.found ? c.value : undefined;
    }
    return cur;
  }

  private error(holder: Path, what: string): InterpolationError {
    const key = dotted(holder);
    return new InterpolationError(key, `${key}: ${quoted(String(this.raw(holder)))}${what}`);
  }

  /**
   * The key at `path` as the importer reads it (from no other key): resolved as `at` does,
   * the keys `at` asks for first (NeedFirst) each before the key that met it.
   */
  private top(path: Path): Got {
    const pending = [path];
    const waiting = this.waiting;
    waiting.clear();
    waiting.add(idOf(path));
    for (;;) {
      const p = pending[pending.length - 1]!;
      try {
        const got = this.at(p);
        if (pending.length === 1) return got;
      } catch (e) {
        if (e instanceof NeedFirst) {
          const id = idOf(e.path);
          // Met again while it waits: a cycle through more than MAX_CHAIN keys.
          if (waiting.has(id)) this.memo.set(id, new ChainTooLong([e.path]));
          else {
            waiting.add(id);
            pending.push(e.path);
          }
          continue;
        }
        if (pending.length === 1 || !(e instanceof InterpolationError)) throw e;
      }
      waiting.delete(idOf(pending.pop()!));
    }
  }

  /** The key at `path` (a key of the config itself, not under an interpolation), resolved. */
  private at(path: Path): Got {
    const id = idOf(path);
    const known = this.memo.get(id);
    if (known instanceof InterpolationError) throw known;
    if (known instanceof ChainTooLong) this.tooLong(path, known);
    if (known) return this.reached(path, known);
    const started = this.activeAt.get(id);
    if (started !== undefined) {
      const chain = [...this.active.slice(started), path].map(dotted);
      throw this.error(path, ` is part of a cycle of interpolations: ${chain.join(" -> ")}`);
    }
    if (this.active.length > 0 && this.waiting.has(id)) {
      // Waiting for a key that leads back to it: a cycle through more than MAX_CHAIN keys.
      const cycle = new ChainTooLong([path]);
      this.memo.set(id, cycle);
      this.tooLong(path, cycle);
    }
    const raw = this.raw(path);
    if (typeof raw !== "string" || !raw.includes("${")) {
      const got: Got = isContainer(raw) ? { kind: "node", path } : { kind: "value", value: raw, float: this.ctx.isFloat(dotted(path)) };
      const plain = { got, depth: 0 };
      this.memo.set(id, plain);
      return this.reached(path, plain);
    }
    if (this.active.length >= MAX_CHAIN) throw new NeedFirst(path);
    this.activeAt.set(id, this.active.length);
    this.active.push(path);
    this.deepest.push(0);
    let result: Resolved | InterpolationError | ChainTooLong;
    try {
      const pieces = this.parse(id, raw);
      if (pieces instanceof GrammarError) throw this.error(path, ` is not a valid interpolation: ${pieces.message}`);
      const got = this.value(pieces, path, raw);
      result = { got, depth: 1 + this.deepest[this.deepest.length - 1]! };
    } catch (e) {
      if (e instanceof ChainTooLong) result = new ChainTooLong([path, ...e.chain].slice(0, 3));
      else if (e instanceof InterpolationError) result = e;
      else throw e;
    } finally {
      this.active.pop();
      this.activeAt.delete(id);
      this.deepest.pop();
    }
    this.memo.set(id, result);
    if (result instanceof InterpolationError) throw result;
    if (result instanceof ChainTooLong) this.tooLong(path, result);
    return this.reached(path, result);
  }

  /** A key resolved, read by the key being resolved (if any): that key's chain is the longest it reads, plus one. */
  private reached(path: Path, r: Resolved): Got {
    const n = this.deepest.length;
    if (n > 0 && r.depth + 1 > MAX_CHAIN) throw new ChainTooLong([path]);
    if (n > 0 && r.depth > this.deepest[n - 1]!) this.deepest[n - 1] = r.depth;
    return r.got;
  }

  /** `path`'s chain is too long: the key reading it extends the chain; the importer's read gets the error. */
  private tooLong(path: Path, t: ChainTooLong): never {
    if (this.active.length > 0) throw t;
    const shown = t.chain.map(dotted).join(" -> ");
    throw this.error(path, `: more than ${MAX_CHAIN} interpolations lead to one another (${shown} -> ...)`);
  }

  private parse(id: string, raw: string): Piece[] | GrammarError {
    let pieces = this.parsed.get(id);
    if (pieces === undefined) {
      try {
        pieces = new Parser(raw).text();
      } catch (e) {
        if (!(e instanceof GrammarError)) throw e;
        pieces = e;
      }
      this.parsed.set(id, pieces);
    }
    return pieces;
  }

  /** Pieces of text as a value: one interpolation keeps its target's type; anything else is a string. */
  private value(pieces: Piece[], holder: Path, raw: string): Got {
    if (pieces.length === 1 && typeof pieces[0] !== "string") return this.interp(pieces[0]!, holder, raw);
    return { kind: "value", value: this.text(pieces, holder, raw), float: false };
  }

  private text(pieces: Piece[], holder: Path, raw: string): string {
    let out = "";
    for (const p of pieces) {
      out += typeof p === "string" ? p : this.str(this.interp(p, holder, raw));
      if (out.length > MAX_CONFIG_BYTES) throw this.error(holder, `: its interpolations make a text of over ${MAX_CONFIG_BYTES / 2 ** 20} MiB`);
    }
    return out;
  }

  /** Python's str() of a resolved value, as OmegaConf writes it into text. */
  private str(g: Got): string {
    if (g.kind === "node") return this.repr(this.raw(g.path), g.path);
    if (typeof g.value === "string") return g.value;
    if (typeof g.value === "number" && (g.float || !Number.isInteger(g.value))) return pythonFloat(g.value);
    return this.repr(g.value, null);
  }

  /** Python's repr() of a value (`path`: where it is in the config, for how its numbers were written). */
  private repr(v: unknown, path: Path | null): string {
    if (v === null || v === undefined) return "None";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "number") {
      const float = !Number.isInteger(v) || (path !== null && this.ctx.isFloat(dotted(path)));
      return float ? pythonFloat(v) : String(v);
    }
    if (typeof v === "bigint") return String(v);
    if (typeof v === "string") return pythonString(v);
    const at = (k: string) => (path === null ? null : [...path, k]);
    if (Array.isArray(v)) return `[${v.map((x, i) => this.repr(x, at(String(i)))).join(", ")}]`;
    if (v instanceof Unresolved) return "???";
    return `{${Object.entries(v as YamlMap)
      .map(([k, x]) => `${pythonString(k)}: ${this.repr(x, at(k))}`)
      .join(", ")}}`;
  }

  /** The steps of a key: each step's text (or the key an interpolation in it gives, which may hold dots). */
  private steps(steps: Piece[][], holder: Path, raw: string): Path {
    const out: Path = [];
    for (const step of steps) {
      const p = step[0]!;
      if (typeof p === "string") {
        out.push(p);
        continue;
      }
      const g = this.interp(p, holder, raw);
      if (g.kind !== "value" || typeof g.value !== "string")
        throw this.error(holder, `: ${p.src} stands for a key, so it must give text, not ${g.kind === "node" ? "a mapping or list" : describe(g.value)}`);
      out.push(...g.value.split("."));
    }
    return out;
  }

  private interp(it: Interp, holder: Path, raw: string): Got {
    if (it.kind === "node") {
      const lead = raw === it.src ? "" : `: ${it.src}`;
      const rel = this.steps(it.steps, holder, raw);
      let base: Path = [];
      if (it.up > 0) {
        if (it.up > holder.length) throw this.error(holder, `${lead} goes ${it.up} levels up from ${dotted(holder)}, above the top of the config`);
        base = holder.slice(0, holder.length - it.up);
      }
      const target = [...base, ...rel];
      const found = this.find(target);
      if (!found.found) throw this.error(holder, `${lead} looks up ${dotted(target)}, which is not in the composed config${found.why}`);
      if (found.got.kind === "value" && found.got.value === "???")
        throw this.error(holder, `${lead} looks up ${dotted(target)}, which is ??? (a value still to be given)`);
      return found.got;
    }
    const name = this.steps(it.name, holder, raw).join(".");
    const lead = raw === it.src ? "" : `: ${it.src}`;
    if (!RESOLVERS.includes(name))
      throw this.error(
        holder,
        `${lead} uses ${name === "" ? "a resolver with no name" : `the resolver ${name}`}, which import does not evaluate (it evaluates ${RESOLVERS.join(", ")}); write the value itself`,
      );
    const args = it.args.map((a) => this.element(a, holder, raw));
    switch (name) {
      case "oc.env": {
        const key = args[0];
        if (args.length < 1 || args.length > 2 || key?.kind !== "value" || typeof key.value !== "string")
          throw this.error(holder, `${lead}: oc.env takes the name of an environment variable and, after a comma, a default`);
        const v = this.ctx.env[key.value];
        if (v !== undefined) return { kind: "value", value: v, float: false };
        const fallback = args[1];
        if (fallback === undefined)
          throw this.error(holder, `${lead}: the environment variable ${key.value} is not set, and no default is given (\${oc.env:${key.value},<default>})`);
        if (fallback.kind === "value" && fallback.value === null) return { kind: "value", value: null, float: false };
        return { kind: "value", value: this.str(fallback), float: false };
      }
      case "oc.select": {
        const key = args[0];
        if (args.length < 1 || args.length > 2 || key?.kind !== "value" || typeof key.value !== "string")
          throw this.error(holder, `${lead}: oc.select takes a key and, after a comma, a default`);
        const fallback: Got = args[1] ?? { kind: "value", value: null, float: false };
        return this.select(key.value, holder, lead) ?? fallback;
      }
      case "oc.decode": {
        const input = args[0];
        if (args.length !== 1 || input?.kind !== "value" || (typeof input.value !== "string" && input.value !== null))
          throw this.error(holder, `${lead}: oc.decode takes one text (or null)`);
        if (input.value === null) return input;
        let element: Element;
        try {
          element = new Parser(input.value as string).single();
        } catch (e) {
          if (e instanceof GrammarError) throw this.error(holder, `${lead}: oc.decode cannot read ${quoted(input.value as string)}: ${e.message}`);
          throw e;
        }
        return this.element(element, holder, raw);
      }
      default:
        throw new Error(`resolver ${name} listed but not evaluated`);
    }
  }

  /**
   * oc.select's key as OmegaConf 2.2 selects it (select_value, absolute_key): any text is a
   * key, split as split_key splits it; leading dots are relative to the mapping or list
   * holding the value. null (the default is taken) when a step is not there, a step on the
   * way is no mapping or list, or the value is `???` itself; an error where OmegaConf
   * raises: more dots than levels above, a list step that is no whole number, a target
   * whose own interpolation fails.
   */
  private select(key: string, holder: Path, lead: string): Got | null {
    const dots = /^\.*/.exec(key)![0].length;
    // The first dot is the holding mapping or list (the holder's parent), each further dot one level up.
    if (dots > holder.length)
      throw this.error(holder, `${lead}: oc.select's '${key}' goes ${dots} levels up from ${dotted(holder)}, above the top of the config`);
    let got: Got = { kind: "node", path: dots === 0 ? [] : holder.slice(0, holder.length - dots) };
    const rest = key.slice(dots);
    if (rest === "") return got;
    const walked: string[] = [];
    for (const step of splitKey(rest)) {
      const container: unknown = got.kind === "node" ? this.raw(got.path) : got.value;
      let name = step;
      if (Array.isArray(container)) {
        if (!PY_INT.test(step)) throw this.error(holder, `${lead}: oc.select's '${key}': ${walked.join(".")} is a list, and '${step}' is no index of it`);
        const index = Number(step.replace(/[\s_]/g, ""));
        if (index < 0 || index >= container.length) return null;
        name = String(index);
      } else if (!isContainer(container) || !Object.hasOwn(container, step)) return null;
      walked.push(step);
      if (got.kind === "value") got = { kind: "value", value: (container as YamlMap)[name], float: false };
      else {
        const at = [...got.path, name];
        // `???` itself is no value yet: the default (one an interpolation gives fails in `at`).
        if (this.raw(at) === "???") return null;
        got = this.at(at);
      }
    }
    return got;
  }

  /** A resolver argument's value; lists and mappings in it become plain values. */
  private element(e: Element, holder: Path, raw: string): Got {
    switch (e.kind) {
      case "literal":
        return { kind: "value", value: e.value, float: e.float };
      case "text":
        return { kind: "value", value: this.text(e.pieces, holder, raw), float: false };
      case "interp":
        return this.interp(e.interp, holder, raw);
      case "list":
        return { kind: "value", value: e.items.map((x) => this.plain(this.element(x, holder, raw))), float: false };
      case "dict":
        return {
          kind: "value",
          value: Object.fromEntries(e.entries.map(([k, x]) => [this.text(k, holder, raw), this.plain(this.element(x, holder, raw))])),
          float: false,
        };
    }
  }

  private plain(g: Got): unknown {
    return g.kind === "node" ? this.output(g.path) : g.value;
  }

  /** The key at `target` (following interpolations on the way), or why it is not there. */
  private find(target: Path): { found: true; got: Got } | { found: false; why: string } {
    let got: Got = { kind: "node", path: [] };
    for (const [i, step] of target.entries()) {
      const here = target.slice(0, i);
      const container = got.kind === "node" ? this.raw(got.path) : got.value;
      const c = childOf(container, step);
      if (!c.found) {
        if (i === 0) return { found: false, why: "" };
        const why = Array.isArray(container)
          ? ` (${dotted(here)} is a list of ${container.length})`
          : isContainer(container)
            ? ""
            : ` (${dotted(here)} is ${describe(container)}, not a mapping)`;
        return { found: false, why };
      }
      got = got.kind === "node" ? this.at([...got.path, step]) : { kind: "value", value: c.value, float: false };
    }
    return { found: true, got };
  }

  /** The config as the importer reads it, from `path` down: each value resolved, or Unresolved. */
  output(path: Path): unknown {
    let got: Got;
    try {
      got = this.top(path);
    } catch (e) {
      if (e instanceof InterpolationError) return new Unresolved(e.key, e.text);
      throw e;
    }
    if (got.kind === "value") {
      // OmegaConf's missing value: reading it raises MissingMandatoryValue.
      if (got.value === "???" && this.raw(path) === "???") {
        const key = dotted(path);
        return new Unresolved(key, `${key} is ??? (OmegaConf's missing value, to be given on the command line): write the value`);
      }
      if (got.float && typeof got.value === "number") this.ctx.resolvedFloat?.(dotted(path));
      return got.value;
    }
    const id = idOf(got.path);
    const done = this.built.get(id);
    if (done !== undefined) return done;
    if (this.building.has(id)) {
      const key = dotted(path);
      return new Unresolved(key, `${key}: ${quoted(String(this.raw(path)))} refers to ${dotted(got.path)}, which holds it (a mapping or list inside itself)`);
    }
    if (id !== idOf(path)) this.ctx.alias(dotted(path), dotted(got.path));
    this.building.add(id);
    const raw = this.raw(got.path);
    const out = Array.isArray(raw)
      ? raw.map((_, i) => this.output([...got.path, String(i)]))
      : Object.fromEntries(Object.keys(raw as YamlMap).map((k) => [k, this.output([...got.path, k])]));
    this.building.delete(id);
    this.built.set(id, out);
    return out;
  }
}

/**
 * An option of a defaults list written with interpolations, resolved as Hydra resolves it
 * (Hydra's defaults-list interpolation): each `${group}` is the option chosen for that
 * config group before the entry (`choices`: Hydra's override key, `group` or
 * `group@package`, -> option), the text around it kept. What else OmegaConf would evaluate
 * there (a resolver, a relative or nested key) is not: its message, as is a key that is
 * no choice (Hydra reads no config key there) and text that is no interpolation.
 */
export function defaultsChoice(text: string, choices: ReadonlyMap<string, string>): { value: string } | { error: string } {
  let pieces: Piece[];
  try {
    pieces = new Parser(text).text();
  } catch (e) {
    if (e instanceof GrammarError) return { error: `${quoted(text)} is not a valid interpolation: ${e.message}` };
    throw e;
  }
  let out = "";
  for (const p of pieces) {
    if (typeof p === "string") {
      out += p;
      continue;
    }
    const steps = p.kind === "node" && p.up === 0 ? p.steps.map((step) => (step.length === 1 && typeof step[0] === "string" ? step[0] : null)) : [null];
    if (steps.includes(null))
      return {
        error: `${p.src}: import resolves only \${group} in a defaults list (the option chosen for a config group before this entry); write the option itself`,
      };
    const choice = steps.length === 1 ? choices.get(steps[0]!) : undefined;
    if (choice === undefined) {
      const known = [...choices.keys()].sort().join(", ");
      return {
        error: `${p.src} names no config group chosen before this entry (a defaults-list interpolation reads only those, not the config's keys${known ? `: ${known}` : "; none is chosen before it"})`,
      };
    }
    out += choice;
  }
  return { value: out };
}

/**
 * The first string under `value` (a file's keys, merged at `prefix`) that holds `${` and is
 * no valid interpolation, as OmegaConf parses every such value when it loads a file (and
 * refuses the file): its dotted key and message; null when there is none.
 */
export function invalidInterpolation(value: unknown, prefix: string): { key: string; message: string } | null {
  const stack: { v: unknown; path: string }[] = [{ v: value, path: prefix }];
  const child = (path: string, k: string) => (path === "" ? k : `${path}.${k}`);
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === "string") {
      if (!v.includes("${")) continue;
      try {
        new Parser(v).text();
      } catch (e) {
        if (!(e instanceof GrammarError)) throw e;
        return { key: path, message: `${path}: ${quoted(v)} is not a valid interpolation: ${e.message}` };
      }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: child(path, String(i)) });
    } else if (isContainer(v)) {
      for (const [k, x] of Object.entries(v as YamlMap).reverse()) stack.push({ v: x, path: child(path, k) });
    }
  }
  return null;
}

/**
 * The composed config with its interpolations resolved as OmegaConf resolves them; a value
 * that cannot be resolved is an Unresolved (its error, at the key holding the
 * interpolation), raised only where the importer reads it.
 */
export function resolveInterpolations(config: YamlMap, ctx: ResolveContext): YamlMap {
  return new Resolution(config, ctx).output([]) as YamlMap;
}
