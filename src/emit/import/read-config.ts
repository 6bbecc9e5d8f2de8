// Reading a solo-learn pretrain config and its augmentation list. solo-learn's own
// defaults (args/pretrain.py, methods/base.py) fill what a config leaves out, so an
// imported pipeline runs what solo-learn would have run.

import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { atPlace, type Places, shownPath } from "./places.js";

/**
 * A problem with the input files: reported as one line, exit 1. `key` is the dotted path
 * of the config key it is about (`optimizer.lr`, `augmentations.0.crop_size`); the
 * importer writes `text`, the message as the user reads it, at that key's place.
 */
export class ImportError extends Error {
  readonly key: string | undefined;
  /** The message as the user reads it: at the key's place once the importer has located it. */
  text: string;
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

/** Something solo-learn does that the pipeline will not, about the config key `at`. */
export interface Note {
  at: string;
  text: string;
}

export type YamlMap = Record<string, unknown>;

export interface LoadedSoloConfig {
  config: YamlMap;
  configPath: string;
  augmentations: YamlMap[];
  augmentationsPath: string;
  /** The augmentation file's base name (`symmetric_adainf` for symmetric_adainf.yaml). */
  augmentationsName: string;
}

/** solo-learn configs are a few KiB; anything this large is not one (and is refused before parsing). */
export const MAX_CONFIG_BYTES = 1 << 20;

/**
 * Reads one YAML file into `prefix` of `places` (the file named as `shown`). `key`: the
 * config key that names the file (a defaults entry), where a missing file is reported.
 */
function readYaml(path: string, what: string, places: Places, prefix: string, shown: string, key?: string): unknown {
  if (!existsSync(path)) throw new ImportError(`${shown}: no such file (${what})`, key);
  let text: string;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new ImportError(`${shown}: not a regular file (${what})`, key);
    if (st.size > MAX_CONFIG_BYTES) {
      throw new ImportError(`${shown}: ${(st.size / 2 ** 20).toFixed(1)} MiB, over the 1 MiB a solo-learn config may have (${what})`);
    }
    text = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof ImportError) throw e;
    throw new ImportError(`${shown}: cannot read it (${(e as Error).message})`);
  }
  // The yaml library's own duplicate-key check is quadratic in a mapping's size (a 1 MB
  // mapping took seconds, 10 MB minutes): it is off, and duplicates are found in linear
  // time, with their line, by the walk that records every key's place.
  const lines = new LineCounter();
  try {
    const doc = parseDocument(text, { uniqueKeys: false, lineCounter: lines });
    const problem = doc.errors[0];
    if (problem && /call stack/i.test(problem.message)) throw new RangeError(problem.message);
    if (problem) {
      // The library's message ends with its own "at line L, column C:": the line is put first, as every place.
      const first = problem.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
      throw new ImportError(atPlace({ file: shown, line: problem.linePos?.[0].line ?? null }, `not valid YAML: ${first}`));
    }
    const duplicate = places.record(prefix, doc.contents, shown, lines);
    if (duplicate) throw new ImportError(atPlace({ file: shown, line: duplicate.line }, `the key '${duplicate.key}' is given twice in one mapping`));
    return doc.toJS();
  } catch (e) {
    // The yaml library recurses per nesting level: thousands of levels exhaust the stack.
    if (e instanceof RangeError) throw new ImportError(`${shown}: nested too deeply to be a solo-learn config (${what})`);
    throw e;
  }
}

export function isMap(v: unknown): v is YamlMap {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The `augmentations: <file>` entry of a Hydra defaults list, if any, and its key (`defaults.1.augmentations`). */
function augmentationsDefault(config: YamlMap): { name: string; key: string } | null {
  const defaults = config["defaults"];
  if (!Array.isArray(defaults)) return null;
  for (const [i, d] of defaults.entries()) {
    if (isMap(d) && typeof d["augmentations"] === "string") return { name: d["augmentations"], key: `defaults.${i}.augmentations` };
  }
  return null;
}

/** The files as `places` names them: relative to `cwd` (`cfg/simclr.yaml:42`). */
export function loadSoloConfig(configPath: string, augmentationsPath: string | undefined, places: Places, cwd: string): LoadedSoloConfig {
  const shown = (path: string) => shownPath(cwd, path);
  const config = readYaml(configPath, "the solo-learn config", places, "", shown(configPath));
  if (!isMap(config)) throw new ImportError(`${shown(configPath)}: expected a solo-learn config (a YAML mapping)`);
  // Augmentations written inline in the config (`augmentations: [ {...} ]`) are a valid
  // solo-learn form too: used as they are when no file is named.
  const inline = config["augmentations"];
  if (!augmentationsPath && Array.isArray(inline)) {
    if (inline.length === 0 || !inline.every(isMap)) {
      throw new ImportError("augmentations: an inline list must hold pipelines with rrc, color_jitter, ..., crop_size, num_crops", "augmentations");
    }
    const base = configPath
      .replace(/\\/g, "/")
      .split("/")
      .pop()!
      .replace(/\.ya?ml$/, "");
    return { config, configPath, augmentations: inline, augmentationsPath: configPath, augmentationsName: `${base}_augmentations` };
  }
  let augPath = augmentationsPath;
  let namedBy: string | undefined;
  if (!augPath) {
    const entry = augmentationsDefault(config);
    if (!entry) throw new ImportError("its defaults list names no augmentations; give them with --augmentations <file.yaml>", "defaults");
    const file = entry.name.endsWith(".yaml") ? entry.name : `${entry.name}.yaml`;
    augPath = join(dirname(configPath), "augmentations", file);
    namedBy = entry.key;
  }
  const aug = readYaml(
    augPath,
    augmentationsPath ? "given with --augmentations" : "the augmentations named by the config's defaults",
    places,
    "augmentations",
    shown(augPath),
    namedBy,
  );
  if (!Array.isArray(aug) || aug.length === 0 || !aug.every(isMap)) {
    throw new ImportError("expected solo-learn augmentations (a list of pipelines with rrc, color_jitter, ..., crop_size, num_crops)", "augmentations");
  }
  const base = augPath
    .replace(/\\/g, "/")
    .split("/")
    .pop()!
    .replace(/\.ya?ml$/, "");
  return { config, configPath, augmentations: aug, augmentationsPath: augPath, augmentationsName: base };
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
