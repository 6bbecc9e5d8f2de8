// Where each key of an imported config came from: one map from a dotted key path
// (`optimizer.lr`, `augmentations.0.color_jitter.prob`) to the file, as the user named
// it relative to the cwd, and the line and column of the key (of the item, in a list). Files read later override earlier ones as Hydra
// merges them: a mapping merges key by key, a list or a scalar replaces what was there.
// Every message about a config key (an error, a note, a compile error about a value
// written from it) is put at its place by `located`, and every place is written by
// `atPlace`. A key whose value is a whole-value interpolation of a mapping or list
// (`optimizer: ${base}`) has the keys under it placed where its target's keys are. It also
// keeps how each number was written (`1.0` is a float), as OmegaConf writes it into text.
// A key whose value is a YAML alias (`*name`), or that a merge key (`<<: *name`) brings
// in, is placed where the anchored node gives it.

import { relative } from "node:path";
import { type Alias, isAlias, isMap as isYamlMap, isScalar, isSeq, type LineCounter, type Pair, type YAMLMap } from "yaml";
import { FLOAT_FORMAT } from "./omegaconf-yaml.js";

/** A file as the user would name it: relative to the cwd (the absolute path when it is the cwd). */
export function shownPath(cwd: string, path: string): string {
  return relative(cwd, path) || path;
}

export interface Place {
  /** The file as the user would name it (relative to the cwd). */
  file: string;
  /** 1-based; null when the place is the whole file. */
  line: number | null;
  /** 1-based, where the YAML library gives it (a key, a list item, an error in the file); absent or null: the line. */
  col?: number | null;
}

/** `file:line:col: text` (`file:line: text` without a column, `file: text` for a whole file): the one way a place is written. */
export function atPlace(place: Place, text: string): string {
  const col = place.line !== null && place.col ? `:${place.col}` : "";
  return `${place.file}${place.line === null ? "" : `:${place.line}`}${col}: ${text}`;
}

export class Places {
  private readonly map = new Map<string, Place>();
  /** The recorded keys directly under each path, so a value that replaces one drops them. */
  private readonly children = new Map<string, Set<string>>();
  /** The paths whose recorded value is a mapping (a later mapping there merges into it). */
  private readonly mappings = new Set<string>([""]);
  /** The paths whose number was written as a float (`1.0`, `1e3`), though its value is whole. */
  private readonly floats = new Set<string>();
  /** Keys holding a whole-value interpolation of a mapping or list -> the key of that mapping or list. */
  private readonly aliases = new Map<string, string>();
  /** Keys a command-line override deleted -> that override's place (a key given again later has its own place). */
  private readonly deleted = new Map<string, Place>();

  /** `file`: the config itself, the place of a key whose parent is not recorded either. */
  constructor(readonly file: string) {}

  /**
   * Records the keys of one parsed YAML document merged into `prefix` ("" for the root),
   * as Hydra merges it; `omit`: a key of its top level that is not merged (a group file's
   * own `defaults`). Returns the first key repeated within one mapping, if any (then
   * nothing of it should be used); the walk is iterative and linear, as the documents
   * may be large.
   */
  record(
    prefix: string,
    root: unknown,
    file: string,
    lines: LineCounter,
    omit?: string,
    resolve: (alias: Alias) => unknown = () => undefined,
  ): { key: string; line: number; col: number | null } | null {
    if (prefix !== "") {
      // The mappings that lead to the prefix hold it now (they are made when missing).
      const steps = prefix.split(".");
      let parent = "";
      for (const [i, step] of steps.entries()) {
        const at = i === 0 ? step : `${parent}.${step}`;
        this.link(parent, at);
        if (i < steps.length - 1) this.mappings.add(at);
        parent = at;
      }
      this.set(prefix, { file, line: null }, isYamlMap(root));
    }
    const placeOf = (offset: number | undefined): Place => (offset === undefined ? { file, line: null } : { file, ...lines.linePos(offset) });
    const deref = (node: unknown) => {
      let n = node;
      for (let i = 0; isAlias(n) && i < 100; i++) n = resolve(n);
      return n;
    };
    const stack: { node: unknown; path: string }[] = [{ node: root, path: prefix }];
    const child = (path: string, k: string | number) => (path === "" ? String(k) : `${path}.${k}`);
    // Each mapping's pairs with those its merge keys bring in (read once per mapping).
    const pairsOf = new Map<YAMLMap, { pairs: Pair[]; duplicate: Pair | null }>();
    const pairs = (map: YAMLMap, depth = 0): { pairs: Pair[]; duplicate: Pair | null } => {
      const known = pairsOf.get(map);
      if (known) return known;
      const own: Pair[] = [];
      const merges: unknown[] = [];
      const seen = new Set<string>();
      let duplicate: Pair | null = null;
      for (const pair of map.items) {
        if (isScalar(pair.key) && typeof pair.key.value === "symbol") merges.push(pair.value);
        else {
          const key = keyText(pair);
          if (seen.has(key)) duplicate ??= pair;
          seen.add(key);
          own.push(pair);
        }
      }
      // A key the mapping gives itself wins over a merged one; of the merged, the first source's.
      const out = [...own];
      for (const m of merges) {
        const src = deref(m);
        for (const s of isSeq(src) ? src.items.map(deref) : [src]) {
          if (!isYamlMap(s) || depth >= 100) continue;
          for (const pair of pairs(s, depth + 1).pairs) {
            const key = keyText(pair);
            if (seen.has(key)) continue;
            seen.add(key);
            out.push(pair);
          }
        }
      }
      const result = { pairs: out, duplicate };
      pairsOf.set(map, result);
      return result;
    };
    while (stack.length) {
      const top = stack.pop()!;
      const node = deref(top.node);
      const path = top.path;
      if (isYamlMap(node)) {
        const { pairs: items, duplicate } = pairs(node);
        if (duplicate) {
          const offset = isScalar(duplicate.key) ? duplicate.key.range?.[0] : undefined;
          const at = placeOf(offset);
          return { key: keyText(duplicate), line: at.line ?? 1, col: at.col ?? null };
        }
        for (const pair of items) {
          const key = keyText(pair);
          const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
          if (node === root && key === omit) continue;
          const at = child(path, key);
          const value = deref(pair.value);
          this.link(path, at);
          this.set(at, placeOf(offset), isYamlMap(value), floatLiteral(value));
          stack.push({ node: value, path: at });
        }
      } else if (isSeq(node)) {
        node.items.forEach((raw, i) => {
          const item = deref(raw);
          const at = child(path, i);
          const offset = (raw as { range?: [number, number, number] } | null)?.range?.[0];
          this.link(path, at);
          this.set(at, placeOf(offset), isYamlMap(item), floatLiteral(item));
          stack.push({ node: item, path: at });
        });
      }
    }
    return null;
  }

  private link(parent: string, path: string): void {
    let set = this.children.get(parent);
    if (!set) this.children.set(parent, (set = new Set()));
    set.add(path);
  }

  /** A mapping merges into a mapping recorded at `path`; anything else replaces what was under it. */
  private set(path: string, place: Place, mapping: boolean, float = false): void {
    if (!mapping || !this.mappings.has(path)) this.dropUnder(path);
    this.map.set(path, place);
    if (float) this.floats.add(path);
    else this.floats.delete(path);
    if (mapping) this.mappings.add(path);
    else this.mappings.delete(path);
  }

  private dropUnder(path: string): void {
    const stack = [path];
    while (stack.length) {
      const at = stack.pop()!;
      for (const c of this.children.get(at) ?? []) {
        this.map.delete(c);
        this.mappings.delete(c);
        this.floats.delete(c);
        stack.push(c);
      }
      this.children.delete(at);
    }
  }

  /** A command-line override's place, at the key `at`: a message there is written `override '<text>': ...`. */
  overridePlace(at: string, text: string): void {
    this.map.set(at, { file: `override '${text}'`, line: null });
  }

  /**
   * The keys a command-line override (its place at `placeKey`) writes at `path`: placed at
   * it, as Hydra merges the value (a mapping into a mapping there, anything else
   * replaces); `floats`: paths in the value ("" itself) of whole numbers written as floats.
   */
  recordValue(path: string, value: unknown, placeKey: string, floats: Set<string>): void {
    const place = this.map.get(placeKey) ?? { file: this.file, line: null };
    const steps = path.split(".");
    for (let i = 1; i < steps.length; i++) {
      const parent = steps.slice(0, i - 1).join(".");
      const at = steps.slice(0, i).join(".");
      this.link(parent, at);
      // A step that was not there is a mapping Hydra made for the key (+a.b=1).
      if (!this.map.has(at)) {
        this.map.set(at, place);
        this.mappings.add(at);
      }
    }
    this.link(steps.slice(0, -1).join("."), path);
    const stack: { at: string; rel: string; v: unknown }[] = [{ at: path, rel: "", v: value }];
    while (stack.length) {
      const { at, rel, v } = stack.pop()!;
      const mapping = typeof v === "object" && v !== null && !Array.isArray(v);
      // A mapping merged into one keeps that one's place; its new keys are the override's.
      if (!(mapping && this.mappings.has(at) && this.map.has(at))) this.set(at, place, mapping, floats.has(rel));
      const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : mapping ? Object.entries(v as object) : [];
      for (const [k, x] of entries) {
        this.link(at, `${at}.${k}`);
        stack.push({ at: `${at}.${k}`, rel: rel === "" ? k : `${rel}.${k}`, v: x });
      }
    }
  }

  /** Drops `path` and the keys under it: the command-line override placed at `placeKey` deleted it, so a message about it is put there. */
  remove(path: string, placeKey: string): void {
    const by = this.map.get(placeKey);
    if (by) this.deleted.set(path, by);
    this.dropUnder(path);
    this.map.delete(path);
    this.mappings.delete(path);
    this.floats.delete(path);
    const dot = path.lastIndexOf(".");
    this.children.get(dot < 0 ? "" : path.slice(0, dot))?.delete(path);
  }

  /** Places `key` itself (recorded already) at `place`: a key whose value is a scalar, placed at its own line. */
  placeAt(key: string, place: Place): void {
    if (this.map.has(key)) this.map.set(key, place);
  }

  /** `text` at the place of the config key `key` (a dotted path). */
  located(key: string, text: string): string {
    return atPlace(this.of(key), text);
  }

  /** Whether the number at `key` was written as a float (`1.0`), though its value is whole. */
  isFloat(key: string): boolean {
    return this.floats.has(key);
  }

  /** `from` holds a whole-value interpolation of the mapping or list at `to`: the keys under `from` are placed as those under `to`. */
  alias(from: string, to: string): void {
    this.aliases.set(from, to);
  }

  /**
   * The place of a key: where it was given; under a key that interpolates a mapping or
   * list, where the target's key was given; for one a command-line override deleted, that
   * override; for one that was not, the mapping that lacks it (its parent's place), else
   * the config file.
   */
  of(key: string): Place {
    const here = this.map.get(key);
    if (here) return here;
    for (let dot = key.lastIndexOf("."); dot > 0; dot = key.lastIndexOf(".", dot - 1)) {
      const to = this.aliases.get(key.slice(0, dot));
      if (to !== undefined) return this.given(to + key.slice(dot));
    }
    return this.given(key);
  }

  private given(key: string): Place {
    const here = this.map.get(key);
    if (here) return here;
    // A key an override deleted (or one under it): the override, unless it was given again.
    for (let at = key; at !== ""; at = at.slice(0, Math.max(0, at.lastIndexOf(".")))) {
      if (at !== key && this.map.has(at)) break;
      const by = this.deleted.get(at);
      if (by) return by;
    }
    const dot = key.lastIndexOf(".");
    const parent = dot < 0 ? undefined : this.map.get(key.slice(0, dot));
    return parent ?? { file: this.file, line: null };
  }
}

/** A mapping key as the config's keys are written (the yaml library's toJS: String of the scalar). */
function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/**
 * A number read as a float whose value is whole (`1.0`, `1e3`, `!!float 1`): Python's str()
 * writes it `1.0`, JavaScript's `1`. Every number of a file read by readYaml has the
 * format omegaconf-yaml.ts gives it, FLOAT_FORMAT or INT_FORMAT.
 */
function floatLiteral(node: unknown): boolean {
  return isScalar(node) && typeof node.value === "number" && Number.isInteger(node.value) && node.format === FLOAT_FORMAT;
}
