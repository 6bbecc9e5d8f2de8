// Where each key of an imported config came from: one map from a dotted key path
// (`optimizer.lr`, `augmentations.0.color_jitter.prob`) to the file, as the user named
// it relative to the cwd, and the line. Files read later override earlier ones as Hydra
// merges them: a mapping merges key by key, a list or a scalar replaces what was there.
// Every message about a config key (an error, a note, a compile error about a value
// written from it) is put at its place by `located`, and every place is written by
// `atPlace`.

import { relative } from "node:path";
import { isMap as isYamlMap, isScalar, isSeq, type LineCounter } from "yaml";

/** A file as the user would name it: relative to the cwd (the absolute path when it is the cwd). */
export function shownPath(cwd: string, path: string): string {
  return relative(cwd, path) || path;
}

export interface Place {
  /** The file as the user would name it (relative to the cwd). */
  file: string;
  /** 1-based; null when the place is the whole file. */
  line: number | null;
}

/** `file:line: text` (or `file: text` for a whole file): the one way a place is written. */
export function atPlace(place: Place, text: string): string {
  return `${place.file}${place.line === null ? "" : `:${place.line}`}: ${text}`;
}

export class Places {
  private readonly map = new Map<string, Place>();

  /** `file`: the config itself, the place of a key whose parent is not recorded either. */
  constructor(readonly file: string) {}

  /**
   * Records the keys of one parsed YAML document read into `prefix` ("" for the config's
   * root). Returns the first key repeated within one mapping, if any (then nothing of it
   * should be used); the walk is iterative and linear, as the documents may be large.
   */
  record(prefix: string, root: unknown, file: string, lines: LineCounter): { key: string; line: number } | null {
    if (prefix !== "" && !isYamlMap(root)) {
      for (const k of [...this.map.keys()]) if (k.startsWith(`${prefix}.`)) this.map.delete(k);
    }
    if (prefix !== "") this.map.set(prefix, { file, line: null });
    const lineOf = (offset: number | undefined) => (offset === undefined ? null : lines.linePos(offset).line);
    const stack: { node: unknown; path: string }[] = [{ node: root, path: prefix }];
    const child = (path: string, k: string | number) => (path === "" ? String(k) : `${path}.${k}`);
    while (stack.length) {
      const { node, path } = stack.pop()!;
      if (isYamlMap(node)) {
        const seen = new Set<string>();
        for (const pair of node.items) {
          const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
          const offset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
          if (seen.has(key)) return { key, line: lineOf(offset) ?? 1 };
          seen.add(key);
          const at = child(path, key);
          this.map.set(at, { file, line: lineOf(offset) });
          stack.push({ node: pair.value, path: at });
        }
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => {
          const at = child(path, i);
          const offset = (item as { range?: [number, number, number] } | null)?.range?.[0];
          this.map.set(at, { file, line: lineOf(offset) });
          stack.push({ node: item, path: at });
        });
      }
    }
    return null;
  }

  /** `text` at the place of the config key `key` (a dotted path). */
  located(key: string, text: string): string {
    return atPlace(this.of(key), text);
  }

  /**
   * The place of a key: where it was given; for one that was not, the mapping that lacks
   * it (its parent's place), else the config file.
   */
  of(key: string): Place {
    const here = this.map.get(key);
    if (here) return here;
    const dot = key.lastIndexOf(".");
    const parent = dot < 0 ? undefined : this.map.get(key.slice(0, dot));
    return parent ?? { file: this.file, line: null };
  }
}
