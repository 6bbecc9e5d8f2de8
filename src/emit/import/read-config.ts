import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { atPlace, type Place, Places } from "./places.js";

// Reading a solo-learn pretrain config and its augmentation list. solo-learn's own
// defaults (args/pretrain.py, methods/base.py) fill what a config leaves out, so an
// imported pipeline runs what solo-learn would have run.

/**
 * A problem with the input files: reported as one line, exit 1. `key` is the dotted path
 * of the config key it is about (`optimizer.lr`, `augmentations.0.crop_size`); the
 * importer looks up its `place`, and `text` is the message as the user reads it.
 */
export class ImportError extends Error {
  readonly key: string | undefined;
  place: Place | undefined;
  constructor(message: string, key?: string) {
    super(message);
    this.name = "ImportError";
    this.key = key;
  }

  get text(): string {
    return this.place ? atPlace(this.place, this.message) : this.message;
  }
}

export type YamlMap = Record<string, unknown>;

export interface LoadedSoloConfig {
  config: YamlMap;
  configPath: string;
  augmentations: YamlMap[];
  augmentationsPath: string;
  /** The augmentation file's base name (`symmetric_adainf` for symmetric_adainf.yaml). */
  augmentationsName: string;
  /** Where each key was given: the augmentations are the key `augmentations` (entry i is `augmentations.i`). */
  places: Places;
}

/** solo-learn configs are a few KiB; anything this large is not one (and is refused before parsing). */
export const MAX_CONFIG_BYTES = 1 << 20;

/** Reads one YAML file into `prefix` of `places` (the file named as `shown`). */
function readYaml(path: string, what: string, places: Places, prefix: string, shown: string): unknown {
  if (!existsSync(path)) throw new ImportError(`${path}: no such file (${what})`);
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ImportError(`${path}: not a regular file (${what})`);
    if (st.size > MAX_CONFIG_BYTES) {
      throw new ImportError(`${path}: ${(st.size / 2 ** 20).toFixed(1)} MiB, over the 1 MiB a solo-learn config may have (${what})`);
    }
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError(`${path}: cannot read it (${(e as Error).message})`);
  }
  // The yaml library's own duplicate-key check is quadratic in a mapping's size (a 1 MB
  // mapping took seconds, 10 MB minutes): it is off, and duplicates are found in linear
  // time, with their line, by the walk that records every key's place.
  const lines = new LineCounter();
  try {
    const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines });
    const problem = doc.errors[0];
    if (problem && /call stack/i.test(problem.message)) throw new RangeError(problem.message);
    if (problem) throw new ImportError(`${path}: not valid YAML: ${problem.message.split("\n")[0]}`);
    const duplicate = places.record(prefix, doc.contents, shown, lines);
    if (duplicate) throw new ImportError(atPlace({ file: shown, line: duplicate.line }, `the key '${duplicate.key}' is given twice in one mapping`));
    return doc.toJS();
  } catch (e) {
    // The yaml library recurses per nesting level: thousands of levels exhaust the stack.
    if (e instanceof RangeError) throw new ImportError(`${path}: nested too deeply to be a solo-learn config (${what})`);
    throw e;
  }
}

export function isMap(v: unknown): v is YamlMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The `augmentations: <file>` entry of a Hydra defaults list, if any. */
function augmentationsDefault(config: YamlMap): string | null {
  const defaults = config["defaults"];
  if (!Array.isArray(defaults)) return null;
  for (const d of defaults) {
    if (isMap(d) && typeof d["augmentations"] === "string") return d["augmentations"];
  }
  return null;
}

/** `cwd`: what the files are named relative to in places (`cfg/simclr.yaml:42`). */
export function loadSoloConfig(configPath: string, augmentationsPath?: string, cwd = process.cwd()): LoadedSoloConfig {
  const shown = (path: string) => relative(cwd, path) || path;
  const places = new Places(shown(configPath));
  const config = readYaml(configPath, "the solo-learn config", places, "", shown(configPath));
  if (!isMap(config)) throw new ImportError(`${configPath}: expected a solo-learn config (a YAML mapping)`);
  // Augmentations written inline in the config (`augmentations: [ {...} ]`) are a valid
  // solo-learn form too: used as they are when no file is named.
  const inline = config["augmentations"];
  if (!augmentationsPath && Array.isArray(inline)) {
    if (inline.length === 0 || !inline.every(isMap)) {
      throw new ImportError(`${configPath}: its inline augmentations must be a list of pipelines with rrc, color_jitter, ..., crop_size, num_crops`);
    }
    const base = configPath
      .replace(/\\/g, "/")
      .split("/")
      .pop()!
      .replace(/\.ya?ml$/, "");
    return { config, configPath, augmentations: inline, augmentationsPath: configPath, augmentationsName: `${base}_augmentations`, places };
  }
  let augPath = augmentationsPath;
  if (!augPath) {
    const name = augmentationsDefault(config);
    if (!name) throw new ImportError(`${configPath}: its defaults list names no augmentations; give them with --augmentations <file.yaml>`);
    const file = name.endsWith(".yaml") ? name : `${name}.yaml`;
    augPath = join(dirname(configPath), "augmentations", file);
  }
  const aug = readYaml(
    augPath,
    augmentationsPath ? "given with --augmentations" : "the augmentations named by the config's defaults",
    places,
    "augmentations",
    shown(augPath),
  );
  if (!Array.isArray(aug) || aug.length === 0 || !aug.every(isMap)) {
    throw new ImportError(`${augPath}: expected solo-learn augmentations (a list of pipelines with rrc, color_jitter, ..., crop_size, num_crops)`);
  }
  const base = augPath
    .replace(/\\/g, "/")
    .split("/")
    .pop()!
    .replace(/\.ya?ml$/, "");
  return { config, configPath, augmentations: aug, augmentationsPath: augPath, augmentationsName: base, places };
}

/** `a.b.c` of a YAML mapping; undefined when a step is missing. null stays null. */
export function get(m: YamlMap, path: string): unknown {
  let cur: unknown = m;
  for (const k of path.split(".")) {
    if (!isMap(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
