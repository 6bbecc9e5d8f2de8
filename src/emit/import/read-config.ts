// Reading one YAML file of a solo-learn config (the config, a file its defaults list
// names, the augmentations) as OmegaConf's loader reads it (omegaconf-yaml.ts: YAML 1.1
// scalars, merge keys; bytes that are not UTF-8 and tags it has no constructor for are
// errors at their line), and the terms the importer's steps share: the error and the note
// about a config key, a value whose interpolation cannot be resolved (raised where it is
// read), and access to YAML values.

import { existsSync, readFileSync, statSync } from "node:fs";
import { isAlias, isMap as isYamlMapNode, isScalar, isSeq, LineCounter, parseDocument, visit } from "yaml";
import { omegaconfTags } from "./omegaconf-yaml.js";
import { atPlace, type Places } from "./places.js";

/**
 * A problem with the input files: reported as one line, exit 1. `key` is the dotted path
 * of the config key it is about (`optimizer.lr`, `augmentations.0.crop_size`); the
 * importer writes `text`, the message as the user reads it, at that key's place.
 */
export class ImportError extends Error {
  readonly key: string | undefined;
  /** The message as the user reads it: at the key's place once the importer has located it. */
  text: string;
  /**
   * Notes that may explain it, at their places (a defaults entry not followed, the file
   * a defaults entry names for its key not there): printed first.
   */
  notes: string[] = [];
  constructor(message: string, key?: string) {
    super(message);
    this.name = "ImportError";
    this.key = key;
    this.text = message;
  }

  /** Writes the message at its key's place, now that the places of all files read are known. */
  locate(places: Places): this {
    if (this.key !== undefined) this.text = places.located(this.key, this.message);
    return this;
  }
}

/**
 * A value of the composed config whose interpolation cannot be resolved (interpolate.ts):
 * its error, at the key that holds the interpolation, raised only where the importer
 * reads the value (as OmegaConf raises only on access).
 */
export class Unresolved {
  constructor(
    readonly key: string,
    readonly message: string,
  ) {}

  /** The error, for the importer reading the value as `read` (which may reach it through other interpolations). */
  error(read: string): ImportError {
    return new ImportError(read === this.key ? this.message : `${this.message} (read for ${read})`, this.key);
  }
}

/** Something solo-learn does that the pipeline will not, about the config key `at`. */
export interface Note {
  at: string;
  text: string;
}

export type YamlMap = Record<string, unknown>;

/** solo-learn configs are a few KiB; anything this large is not one (and is refused before parsing). */
export const MAX_CONFIG_BYTES = 1 << 20;

/** One YAML file read: its value, and what merging it records of it. */
export interface YamlFile {
  value: unknown;
  /** The file as the user names it (relative to the cwd). */
  shown: string;
  /** The package its `# @package <name>` header line names (Hydra's placement of the file), and that line; null without one. */
  packageLine: { name: string; line: number } | null;
  /** Records the places of its keys merged at `prefix` (`places.record`, without `omit`); a key given twice is an error. */
  recordAt(places: Places, prefix: string, omit?: string): void;
  /**
   * Records the places of one top-level key's value, at `as` (default: the key itself): a
   * defaults list, before its entries are read (a group file's under a key of its own).
   */
  recordKey(places: Places, key: string, as?: string): void;
}

/**
 * Reads one YAML file (named as `shown`). `key`: the config key that names the file (a
 * defaults entry), where a file that is missing, no regular file, over MAX_CONFIG_BYTES,
 * unreadable or nested too deeply is reported (its YAML errors are at their own lines).
 */
export function readYaml(path: string, what: string, shown: string, key?: string): YamlFile {
  if (!existsSync(path)) throw new ImportError(`${shown}: no such file (${what})`, key);
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ImportError(`${shown}: not a regular file (${what})`, key);
    if (st.size > MAX_CONFIG_BYTES) {
      throw new ImportError(
        `${shown}: ${(st.size / 2 ** 20).toFixed(1)} MiB, over the ${MAX_CONFIG_BYTES / 2 ** 20} MiB a solo-learn config may have (${what})`,
        key,
      );
    }
    text = utf8Text(readFileSync(path), shown);
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError(`${shown}: cannot read it (${(e as Error).message})`, key);
  }
  // The yaml library's own duplicate-key check is quadratic in a mapping's size (a 1 MB
  // mapping took seconds, 10 MB minutes): it is off, and duplicates are found in linear
  // time, with their line, by the walk that records every key's place.
  const lines = new LineCounter();
  try {
    // YAML 1.1 with OmegaConf's scalars, as Hydra loads it (merge keys are on in 1.1).
    const doc = parseDocument(text, { version: "1.1", customTags: omegaconfTags, uniqueKeys: false, lineCounter: lines });
    const problem = doc.errors[0];
    if (problem && /call stack/i.test(problem.message)) throw new RangeError(problem.message);
    // A tag PyYAML's SafeLoader has no constructor for (`!foo`, `!!python/...`): the yaml
    // library reads its value as if untagged; OmegaConf's loader refuses the file.
    const unknownTag = doc.warnings.find((w) => w.code === "TAG_RESOLVE_FAILED");
    if (!problem && unknownTag) {
      const tag = /^Unresolved tag: (.*?) at line/.exec(unknownTag.message)?.[1] ?? "?";
      const shownTag = tag.replace(/^tag:yaml\.org,2002:/, "!!");
      throw new ImportError(
        atPlace(
          { file: shown, line: unknownTag.linePos?.[0].line ?? null, col: unknownTag.linePos?.[0].col ?? null },
          `not valid YAML: unknown tag ${shownTag} (OmegaConf's loader has no constructor for it)`,
        ),
      );
    }
    if (problem) {
      // The library's message ends with its own "at line L, column C:": the line is put first, as every place.
      const first = problem.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new ImportError(
        atPlace({ file: shown, line: problem.linePos?.[0].line ?? null, col: problem.linePos?.[0].col ?? null }, `not valid YAML: ${first}`),
      );
    }
    // An alias inside the node its anchor names (`a: &a [*a]`) makes a structure that holds
    // itself, which every later walk of the config would follow without end.
    const recursive: { name: string; line: number | null; col: number | null }[] = [];
    visit(doc, {
      Alias(_, node, path) {
        const target = node.resolve(doc);
        if (target === undefined || !path.includes(target)) return;
        const at = node.range ? lines.linePos(node.range[0]) : null;
        recursive.push({ name: node.source, line: at?.line ?? null, col: at?.col ?? null });
        return visit.BREAK;
      },
    });
    if (recursive.length > 0) {
      const { name, line, col } = recursive[0]!;
      throw new ImportError(
        atPlace({ file: shown, line, col }, `not valid YAML: the alias *${name} is inside the node its anchor &${name} names (it would hold itself)`),
      );
    }
    // A mapping or list as a key (`? {eta: 0.02}`, `[1, 2]: 3`): OmegaConf refuses it; the
    // yaml library would make it text (and print a warning of its own), as it would
    // `!!binary` data, which no key import reads can be either.
    let complexKey: { kind: string; line: number | null; col: number | null } | null = null;
    visit(doc, {
      Pair(_, pair) {
        const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
        const binary = isScalar(key) && ArrayBuffer.isView(key.value);
        if (!isYamlMapNode(key) && !isSeq(key) && !binary) return;
        const at = (pair.key as { range?: [number, number, number] | null }).range;
        const pos = at ? lines.linePos(at[0]) : null;
        complexKey = { kind: binary ? "!!binary data" : isSeq(key) ? "a list" : "a mapping", line: pos?.line ?? null, col: pos?.col ?? null };
        return visit.BREAK;
      },
    });
    if (complexKey !== null) {
      const { kind, line, col } = complexKey as { kind: string; line: number | null; col: number | null };
      throw new ImportError(atPlace({ file: shown, line, col }, `a key must be a plain name, found ${kind} (OmegaConf refuses it)`));
    }
    let value: unknown;
    try {
      value = doc.toJS();
    } catch (e) {
      // Aliases are resolved here: one before its anchor, one that expands beyond the
      // library's limit (a "billion laughs" document), a merge key of no mapping (whose
      // message, "Merge sources must be maps or map aliases", names aliases too).
      if (e instanceof RangeError || !(e instanceof Error)) throw e;
      const alias = !/^Merge sources/.test(e.message) && /alias/i.test(e.message);
      let line: number | null = null;
      let col: number | null = null;
      visit(doc, {
        Alias(_, node) {
          if (!alias || line !== null || !node.range) return;
          if (!/^Unresolved alias/.test(e.message) || node.resolve(doc) === undefined) ({ line, col } = lines.linePos(node.range[0]));
        },
        Pair(_, pair) {
          const merge = isScalar(pair.key) && typeof pair.key.value === "symbol";
          if (alias || line !== null || !merge || !isScalar(pair.key) || !pair.key.range) return;
          // The merge key whose source is no mapping (nor a list of mappings), not the first one.
          const source = (n: unknown) => (isAlias(n) ? n.resolve(doc) : n);
          const v = source(pair.value);
          if (isYamlMapNode(v) || (isSeq(v) && v.items.every((i) => isYamlMapNode(source(i))))) return;
          ({ line, col } = lines.linePos(pair.key.range[0]));
        },
      });
      const why = /^Excessive alias count/.test(e.message)
        ? "its aliases (*name) expand to more data than a config holds"
        : /^Merge sources/.test(e.message)
          ? "a merge key (<<) takes a mapping, or an alias (*name) of a mapping anchored above it"
          : e.message;
      throw new ImportError(atPlace({ file: shown, line, col }, `not valid YAML: ${why}`));
    }
    return {
      value,
      shown,
      packageLine: packageHeader(text, shown),
      recordAt(places, prefix, omit) {
        const duplicate = places.record(prefix, doc.contents, shown, lines, omit, (a) => a.resolve(doc));
        if (duplicate)
          throw new ImportError(atPlace({ file: shown, line: duplicate.line, col: duplicate.col }, `the key '${duplicate.key}' is given twice in one mapping`));
      },
      recordKey(places, key, as = key) {
        if (!isYamlMapNode(doc.contents)) return;
        const pair = doc.contents.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
        if (!pair) return;
        places.record(as, pair.value, shown, lines, undefined, (a) => a.resolve(doc));
        // A value that is no mapping or list (`defaults: 5`): placed at its key's line.
        if (!isYamlMapNode(pair.value) && !isSeq(pair.value) && isScalar(pair.key) && pair.key.range)
          places.placeAt(as, { file: shown, ...lines.linePos(pair.key.range[0]) });
      },
    };
  } catch (e) {
    // The yaml library recurses per nesting level: thousands of levels exhaust the stack.
    if (e instanceof RangeError) throw new ImportError(`${shown}: nested too deeply to be a solo-learn config (${what})`, key);
    throw e;
  }
}

/**
 * The file's bytes as UTF-8 text, as PyYAML's reader (Hydra's loader) decodes them: a
 * byte sequence that is not UTF-8 is an error at its line, not a U+FFFD that would
 * change a path or a name. A byte-order mark stays, as readFileSync(path, "utf8") keeps it.
 */
function utf8Text(bytes: Uint8Array, shown: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    // The longest prefix that decodes (a sequence cut at its end is not yet invalid): the bad byte follows it.
    let lo = 0;
    let hi = bytes.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      try {
        new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid - 1;
      }
    }
    // A sequence begun at the prefix's end and broken by the next byte: the bad one is its first.
    const decodes = (end: number) => {
      try {
        new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, end));
        return true;
      } catch {
        return false;
      }
    };
    let at = lo;
    while (at > 0 && lo - at < 3 && !decodes(at)) at--;
    if (at === bytes.length) at--;
    const line = bytes.subarray(0, at).reduce((n, b) => n + (b === 0x0a ? 1 : 0), 1);
    // The column in characters, as the YAML library counts them.
    const col = new TextDecoder().decode(bytes.subarray(bytes.lastIndexOf(0x0a, at - 1) + 1, at)).length + 1;
    const byte = (bytes[at] ?? 0).toString(16).padStart(2, "0");
    throw new ImportError(
      atPlace({ file: shown, line, col }, `not UTF-8 text: the byte 0x${byte} does not decode (Hydra's YAML loader refuses the file); save it as UTF-8`),
    );
  }
}

/**
 * The `# @package <name>` line of a file's header, as Hydra reads the header
 * (config_source.py, _get_header_dict): `# @key value` lines at the top, blank lines
 * skipped, up to the first other line (a plain comment ends it too); the last `@package`
 * counts. A header line of more or fewer than two words is refused, as Hydra refuses it.
 */
function packageHeader(text: string, shown: string): { name: string; line: number } | null {
  let found: { name: string; line: number } | null = null;
  for (const [i, raw] of text.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/).entries()) {
    const line = raw.trim();
    if (line === "") continue;
    if (!/^#\s*@/.test(line)) break;
    const words = line.replace(/^#+/, "").trim().split(" ").filter(Boolean);
    if (words.length !== 2) throw new ImportError(atPlace({ file: shown, line: i + 1 }, `'${line}': a header line is '# @key value' (Hydra refuses it)`));
    if (words[0] === "@package") found = { name: words[1]!, line: i + 1 };
  }
  return found;
}

/**
 * `m`'s own value at `key`: a key named like a member of Object.prototype (`constructor`,
 * `toString`, `__proto__`) is a key like any other, there or not.
 */
export function ownValue(m: YamlMap, key: string): unknown {
  return Object.hasOwn(m, key) ? m[key] : undefined;
}

/** Sets a mapping's own key (`__proto__` too, as a key like any other, not the prototype). */
export function setOwn(map: YamlMap, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
}

export function isMap(v: unknown): v is YamlMap {
  // `!!binary` data (bytes, a Uint8Array) is a value, not a mapping of its bytes.
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Unresolved) && !ArrayBuffer.isView(v);
}

/**
 * `a.b.c` of a YAML mapping; undefined when a step is missing. null stays null. A value on
 * the way whose interpolation cannot be resolved is its error, read as `base` + the path
 * to it (`base`: where `m` sits in the config, as `augmentations.0.`).
 */
export function get(m: YamlMap, path: string, base = ""): unknown {
  let cur: unknown = m;
  const parts = path.split(".");
  for (const [i, k] of parts.entries()) {
    if (cur instanceof Unresolved) throw cur.error(base + parts.slice(0, i).join("."));
    if (!isMap(cur)) return undefined;
    cur = ownValue(cur, k);
  }
  return plain(cur, base + path);
}

/**
 * `v`, unless it is a value whose interpolation cannot be resolved (then its error, read as
 * `key`) or a whole number beyond 2^53 - 1 (a bigint, exactInt), refused where it is read:
 * no value of a pipeline holds it exactly.
 */
export function plain(v: unknown, key: string): unknown {
  if (v instanceof Unresolved) throw v.error(key);
  if (typeof v === "bigint") throw new ImportError(`${key}: ${v} is a whole number outside ±(2^53 - 1), which a pipeline's numbers cannot hold exactly`, key);
  return v;
}

/**
 * A config value as JSON, for a message: a bigint's digits as they are (JSON.stringify
 * throws on one), and a float that is no number as Python writes it (`nan`, `inf`,
 * `-inf`: `.nan`, `.inf`, `1e400` in the file), not JSON's `null`.
 */
export function jsonText(v: unknown): string {
  const special = (x: number) => (Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf");
  // The holder's own value: a Buffer (`!!binary`) is seen before its toJSON.
  const mark = function (this: Record<string, unknown>, key: string, x: unknown) {
    const own = this[key];
    if (ArrayBuffer.isView(own) && !(own instanceof DataView)) return `\u0000${bytesText(own)}\u0000`;
    if (typeof x === "bigint") return `\u0000${x}\u0000`;
    if (typeof x === "number" && !Number.isFinite(x)) return `\u0000${special(x)}\u0000`;
    return x;
  };
  const marked = JSON.stringify(v, mark) ?? String(v);
  return marked.replace(/"\\u0000((?:[^"\\]|\\.)*?)\\u0000"/g, (_, inner: string) => JSON.parse(`"${inner}"`) as string);
}

/** `!!binary` data as Python writes bytes: b'...', with \\xNN for what is not printable ASCII. */
function bytesText(view: ArrayBufferView): string {
  const b = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  let out = "";
  for (const c of b) out += c >= 0x20 && c < 0x7f && c !== 0x27 && c !== 0x5c && c !== 0x22 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
  return `b'${out}'`;
}
