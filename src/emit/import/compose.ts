// A solo-learn config as Hydra composes it from its defaults list: which files are
// merged into the config, in which order, and at which key. The config's own keys are
// merged where `_self_` stands, or last when it is absent (Hydra 1.1 and later: the
// config overrides its defaults). `group: name` (or `name.yaml`) is
// `<config's folder>/<group>/<name>.yaml`, merged at the group's key; `group/name` alone
// is the same file. A mapping merges key by key; a list or a scalar replaces what was
// there. Entries that configure Hydra itself (`hydra/...`, `override hydra/...`) are left
// out, `null` selects nothing; a file that is not there, and any entry the importer
// cannot follow, is said at its place. `--augmentations` is merged last, as a
// command-line override.

import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { type Places, shownPath } from "./places.js";
import { ImportError, isMap, type Note, readYaml, type YamlFile, type YamlMap } from "./read-config.js";

export interface LoadedSoloConfig {
  /** The composed config. */
  config: YamlMap;
  configPath: string;
  augmentations: YamlMap[];
  /** The file the composed augmentations came from (the config itself when they are inline). */
  augmentationsPath: string;
  /** The augmentation file's base name (`symmetric_adainf` for symmetric_adainf.yaml; `<config>_augmentations` inline). */
  augmentationsName: string;
  /** Each file the defaults list names, in its order: whether it was there to merge, and the key it went to. */
  defaults: (DefaultsFile & { shown: string; merged: boolean; key: string })[];
  /** Every file read besides the config (absolute), and what it is, for the user. */
  inputs: { path: string; as: string }[];
  /** Entries of the defaults list the importer could not follow, and group files' own defaults lists. */
  notes: Note[];
}

/** One file the defaults list names. */
export interface DefaultsFile {
  /** The config key of the entry (`defaults.2`): where anything about it is said. */
  at: string;
  /** The entry as written (`wandb: private.yaml`, `optional data: cifar`). */
  label: string;
  /** The config group (`wandb`, `data/extra`; "" for a config beside the primary one). */
  group: string;
  /** Absolute: `<folder of the config>/<group>/<name>.yaml`. */
  path: string;
  /** The dotted key its contents go to ("" for the root); null: the file's `# @package` line, else the group's key. */
  package: string | null;
  optional: boolean;
}

type DefaultsStep = { kind: "self" } | ({ kind: "file" } & DefaultsFile);

/** `[optional|override] group[@package]`, the key of a group entry. */
const GROUP_KEY = /^(?:(optional|override)\s+)?\/?([^\s@]+)(?:@(\S+))?$/;

/** The group as a dotted key (`data/extra` -> `data.extra`). */
function groupKey(group: string): string {
  return group.split("/").filter(Boolean).join(".");
}

/** Dotted names: what a package may be once its keyword prefix is taken off. */
const DOTTED = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/;

/**
 * A package name of Hydra's as a dotted key, for a group in the primary config (whose
 * own package is the root); null when it is no package (`a..b`, `x.`).
 */
function packageKey(pkg: string, group: string): string | null {
  if (pkg === "_global_" || pkg === "_here_") return "";
  if (pkg === "_group_") return groupKey(group);
  for (const [prefix, base] of [
    ["_global_.", ""],
    ["_group_.", groupKey(group)],
  ] as const) {
    if (pkg.startsWith(prefix)) {
      const rest = pkg.slice(prefix.length);
      return DOTTED.test(rest) ? [base, rest].filter(Boolean).join(".") : null;
    }
  }
  return DOTTED.test(pkg) ? pkg : null;
}

function isHydra(group: string): boolean {
  return group === "hydra" || group.startsWith("hydra/");
}

function fileOf(dir: string, group: string, name: string): string {
  return join(dir, ...group.split("/").filter(Boolean), /\.ya?ml$/.test(name) ? name : `${name}.yaml`);
}

/**
 * The merge order the defaults list gives (`defaults`: the config's `defaults` value; `dir`:
 * the config's folder), and a note for each entry it cannot follow.
 */
function readDefaults(defaults: unknown, dir: string): { steps: DefaultsStep[]; notes: Note[] } {
  const steps: DefaultsStep[] = [];
  const notes: Note[] = [];
  let self = false;
  if (defaults !== undefined && defaults !== null && !Array.isArray(defaults)) {
    notes.push({ at: "defaults", text: "defaults: not a list, so not read (Hydra's defaults list is a list of entries)" });
  }
  const entries: unknown[] = Array.isArray(defaults) ? defaults : [];
  /** Groups (at their packages) already given: Hydra refuses one given twice without `override`. */
  const given = new Set<string>();
  const again = (at: string, label: string, group: string, pkg: string | null) => {
    const id = `${group}@${pkg ?? ""}`;
    if (given.has(id)) {
      notes.push({
        at,
        text: `defaults: '${label}' gives ${group} a second time (Hydra refuses that; 'override ${group}: ...' replaces the first): both are merged, in order`,
      });
    }
    given.add(id);
  };
  const skip = (at: string, entry: unknown) =>
    notes.push({ at, text: `defaults: ${JSON.stringify(entry)} is not an entry the importer follows (_self_, group: name, group/name); skipped` });
  entries.forEach((entry, i) => {
    const at = `defaults.${i}`;
    if (entry === "_self_") {
      if (self) notes.push({ at, text: "defaults: _self_ again: ignored (Hydra refuses a second one); the config's keys are merged at the first" });
      else steps.push({ kind: "self" });
      self = true;
      return;
    }
    // `group/name[@package]`: one config, at its group's key.
    if (typeof entry === "string") {
      const m = /^\/?([^\s@]+)(?:@(\S+))?$/.exec(entry);
      if (!m) return skip(at, entry);
      const parts = m[1]!.split("/");
      const name = parts.pop()!;
      const group = parts.join("/");
      if (isHydra(m[1]!)) return;
      const file = fileOf(dir, group, name);
      const pkg = m[2] ? packageKey(m[2], group) : null;
      if (m[2] && pkg === null) return skip(at, entry);
      again(at, entry, group, pkg);
      steps.push({ kind: "file", at, label: entry, group, path: file, package: pkg, optional: false });
      return;
    }
    if (!isMap(entry) || Object.keys(entry).length !== 1) return skip(at, entry);
    const [key, value] = Object.entries(entry)[0]!;
    const m = GROUP_KEY.exec(key);
    if (!m) return skip(at, entry);
    const [, keyword, group, pkg] = m as unknown as [string, string | undefined, string, string | undefined];
    if (isHydra(group) || value === null) return;
    const placed = pkg ? packageKey(pkg, group) : null;
    if (pkg && placed === null) return skip(at, entry);
    const names = typeof value === "string" ? [value] : Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : null;
    if (names === null) return skip(at, entry);
    const files: DefaultsStep[] = names.map((name) => ({
      kind: "file",
      at: `${at}.${key}`,
      label: `${key}: ${name}`,
      group,
      path: fileOf(dir, group, name),
      package: placed,
      optional: keyword === "optional",
    }));
    // `override group: name` changes the option of an earlier entry of the group, where it stands.
    const earlier = keyword === "override" ? steps.findIndex((s) => s.kind === "file" && s.group === group) : -1;
    if (keyword === "override" && earlier < 0) {
      notes.push({
        at: `${at}.${key}`,
        text: `defaults: '${key}: ${names.join(", ")}' overrides no earlier entry of ${group} (Hydra refuses that); merged where it stands`,
      });
    }
    if (keyword !== "override") again(`${at}.${key}`, `${key}: ${names.join(", ")}`, group, placed);
    if (earlier < 0) steps.push(...files);
    else {
      const rest = steps.filter((s, j) => j <= earlier || s.kind !== "file" || s.group !== group);
      rest.splice(earlier, 1, ...files);
      steps.splice(0, steps.length, ...rest);
    }
  });
  if (!self) steps.push({ kind: "self" });
  return { steps, notes };
}

/** `over` merged into `base` as Hydra merges: mappings key by key; anything else replaces. */
function merged(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: YamlMap = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merged(base[k], v);
  return out;
}

/** `root` with `value` merged at the dotted key `prefix` ("" for the root itself), the mappings on the way made when missing. */
function mergedAt(root: YamlMap, prefix: string, value: unknown): YamlMap {
  if (prefix === "") return merged(root, value) as YamlMap;
  const dot = prefix.indexOf(".");
  const head = dot < 0 ? prefix : prefix.slice(0, dot);
  const inner = root[head];
  return { ...root, [head]: dot < 0 ? merged(inner, value) : mergedAt(isMap(inner) ? inner : {}, prefix.slice(dot + 1), value) };
}

/** The first key of a dotted key ("" for the root). */
function topKey(key: string): string {
  return key.split(".")[0]!;
}

const AUGMENTATIONS_ARE = "a list of pipelines with rrc, color_jitter, ..., crop_size, num_crops";

/**
 * Reads and composes a solo-learn config: the defaults list's files and the config's own
 * keys merged in its order, then `--augmentations` (`augmentationsPath`) over them; the
 * place of every key recorded in `places` as it is merged. Files are named relative to
 * `cwd` (`cfg/simclr.yaml:42`).
 */
export function loadSoloConfig(configPath: string, augmentationsPath: string | undefined, places: Places, cwd: string): LoadedSoloConfig {
  const shown = (path: string) => shownPath(cwd, path);
  const primary = readYaml(configPath, "the solo-learn config", shown(configPath));
  if (!isMap(primary.value)) throw new ImportError(`${shown(configPath)}: expected a solo-learn config (a YAML mapping)`);
  const own = primary.value;
  const { steps, notes } = readDefaults(own["defaults"], dirname(configPath));
  // The entries' places first: a file an entry names can fail before the config's own keys
  // are merged (its `_self_` comes later), and is reported at its entry's line.
  primary.recordKey(places, "defaults");
  const base = (path: string) => basename(path).replace(/\.ya?ml$/, "");

  let config: YamlMap = {};
  let augmentationsFrom: { path: string; name: string } | null = null;
  const defaults: LoadedSoloConfig["defaults"] = [];
  const inputs: LoadedSoloConfig["inputs"] = [];
  /**
   * Merges a file's value at `key`; an empty file adds nothing (as Hydra reads it: an empty
   * mapping). `omit`: its top-level key that is not merged (a defaults list).
   */
  const merge = (file: YamlFile, key: string, value: unknown, path: string, name: string, omit?: string) => {
    if (value === null || value === undefined) return;
    if (key === "" && !isMap(value)) throw new ImportError(`${file.shown}: merged at the config's top level, so it must be a YAML mapping`);
    file.recordAt(places, key, omit);
    config = mergedAt(config, key, value);
    if (key === "augmentations" || (key === "" && isMap(value) && "augmentations" in value)) augmentationsFrom = { path, name };
  };

  for (const step of steps) {
    if (step.kind === "self") {
      const { defaults: _list, ...keys } = own;
      merge(primary, "", keys, configPath, `${base(configPath)}_augmentations`);
      continue;
    }
    const { kind: _kind, ...entry } = step;
    const fallback = entry.package ?? groupKey(entry.group);
    // --augmentations stands for the augmentations the defaults list names: that entry is not read.
    if (augmentationsPath !== undefined && topKey(fallback) === "augmentations") continue;
    if (!existsSync(entry.path)) {
      defaults.push({ ...entry, shown: shown(entry.path), merged: false, key: fallback });
      continue;
    }
    const file = readYaml(entry.path, `named by the defaults entry '${entry.label}'`, shown(entry.path), entry.at);
    const fromLine = file.packageLine === null ? null : packageKey(file.packageLine, entry.group);
    if (entry.package === null && file.packageLine !== null && fromLine === null) {
      notes.push({
        at: entry.at,
        text: `defaults: '${entry.label}': '# @package ${file.packageLine}' in ${file.shown} names no package; merged at ${fallback || "the top level"}`,
      });
    }
    const key = entry.package ?? fromLine ?? fallback;
    let value = file.value;
    if (isMap(value) && "defaults" in value) {
      // A group file's own defaults list is not followed (solo-learn's group files have none).
      notes.push({ at: entry.at, text: `defaults: '${entry.label}': the defaults list inside ${file.shown} is not read (only the config's own)` });
      const { defaults: _list, ...keys } = value;
      value = keys;
    }
    merge(file, key, value, entry.path, base(entry.path), "defaults");
    defaults.push({ ...entry, shown: file.shown, merged: true, key });
    inputs.push({ path: entry.path, as: `${topKey(key) === "augmentations" ? "the augmentations" : "the defaults file"} ${file.shown}` });
  }
  if (augmentationsPath !== undefined) {
    const file = readYaml(augmentationsPath, "given with --augmentations", shown(augmentationsPath));
    if (file.value === null) throw new ImportError(`${file.shown}: expected solo-learn augmentations (${AUGMENTATIONS_ARE})`);
    merge(file, "augmentations", file.value, augmentationsPath, base(augmentationsPath));
    inputs.push({ path: augmentationsPath, as: `the augmentations ${file.shown}` });
  }

  const list = config["augmentations"];
  const from = augmentationsFrom as { path: string; name: string } | null;
  if (list === undefined || list === null || from === null) {
    const named = [...defaults].reverse().find((d) => topKey(d.key) === "augmentations");
    if (named && !named.merged) throw new ImportError(`${named.shown}: no such file (the augmentations named by the config's defaults)`, named.at);
    if (named) throw new ImportError(`${named.shown}: expected solo-learn augmentations (${AUGMENTATIONS_ARE})`, named.at);
    throw new ImportError("its defaults list names no augmentations; give them with --augmentations <file.yaml>", "defaults");
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every(isMap)) throw new ImportError(`augmentations must be ${AUGMENTATIONS_ARE}`, "augmentations");
  return { config, configPath, augmentations: list, augmentationsPath: from.path, augmentationsName: from.name, defaults, inputs, notes };
}
