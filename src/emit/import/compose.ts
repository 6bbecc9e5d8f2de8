// A solo-learn config as Hydra composes it from its defaults list, then its interpolations
// resolved as OmegaConf resolves them on the composed config (interpolate.ts). Which files
// are merged, in which order, and at which key: `group: name` (or `name.yaml`) is
// `<config's folder>/<group>/<name>.yaml`, merged at the group's key; `group/name` alone is
// the same file; packages (`group@pkg`, `# @package`) are placed as Hydra 1.2 places them
// (solo-learn's version_base), and a keyword whose meaning changed since Hydra 1.1
// (`_name_`, a header's `_group_`) is an error at its line. A group file's own defaults
// list is followed as Hydra follows it: its groups are relative to the file's group
// (`/group` from the config's folder), its packages relative to the file's package, its
// own keys merged where its `_self_` stands.
// A config's own keys are merged where `_self_` stands, or last when it is absent (Hydra
// 1.1 and later). `override group@pkg: name` changes the option of the group's entry at
// that package (Hydra's override key; a config above decides first, as in Hydra), and one
// that matches only entries at other packages is an error at its line, as Hydra refuses
// it; `~group` and `~group: name` delete it. A
// mapping merges key by key; a list or a scalar replaces what was there. Entries that
// configure Hydra itself (`hydra/...`) are left out, `null` selects nothing; a file that is
// not there, and any entry the importer cannot follow, is said at its place; an entry with
// a `..` step (outside the config's folder) is an error at its line. An option given by
// interpolation (Hydra's defaults-list interpolation, `${group}`) is resolved after its
// list's other entries, from the options chosen for config groups by then; any other
// interpolation there is an error at its entry.
// Hydra's command-line overrides (overrides.ts) come first for the defaults list:
// `group=option` sets the option of the group's entry before any config's `override` does,
// `+group=option` is appended to the config's list, `~group[=option]` deletes; one that
// matches nothing, or names an option that is not there, is an error at the override.
// `--augmentations` is merged last, as a command-line override, then the command line's
// config overrides, before interpolations are resolved (as Hydra). A value of a merged file
// that OmegaConf's grammar cannot parse is an error at its key, read or not (OmegaConf
// refuses the file when it loads it).

import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { defaultsChoice, invalidInterpolation, resolveInterpolations } from "./interpolate.js";
import { applyConfigOverride, isHydraOverride, type Override } from "./overrides.js";
import { atPlace, type Places, shownPath } from "./places.js";
import { ImportError, isMap, jsonText, type Note, ownValue, plain, readYaml, setOwn, type YamlFile, type YamlMap } from "./read-config.js";

export interface LoadedSoloConfig {
  /** The composed config, its interpolations resolved (a value that cannot be is an Unresolved, raised where it is read). */
  config: YamlMap;
  configPath: string;
  augmentations: YamlMap[];
  /** The file the composed augmentations came from (the config itself when they are inline). */
  augmentationsPath: string;
  /** The augmentation file's base name (`symmetric_adainf` for symmetric_adainf.yaml; `<config>_augmentations` inline). */
  augmentationsName: string;
  /** Each file the defaults lists name, in the order they are merged: whether it was there to merge, and the key it went to. */
  defaults: (DefaultsFile & { shown: string; merged: boolean; key: string })[];
  /** Every file read besides the config (absolute), and what it is, for the user. */
  inputs: { path: string; as: string }[];
  /** Entries of the defaults lists the importer could not follow, or followed differently from Hydra. */
  notes: Note[];
  /** Whether the number at a (dotted) key was written as a float (`1.0`), though its value is whole: OmegaConf keeps `1` and `1.0` apart. */
  isFloat(key: string): boolean;
}

/** One file a defaults list names. */
export interface DefaultsFile {
  /** The key of its entry (`defaults.2.optimizer`; a group file's list has a key of its own): where anything about it is said. */
  at: string;
  /** The entry as written (`wandb: private.yaml`, `optional data: cifar`). */
  label: string;
  /** The config group, from the config's folder (`wandb`, `data/extra`; "" for a config beside the primary one). */
  group: string;
  /** Absolute: `<folder of the config>/<group>/<name>.yaml`. */
  path: string;
  /** The dotted key its contents go to, from its entry ("" for the root); null: its `# @package` line, else its group's. */
  package: string | null;
  optional: boolean;
}

/** One config of the defaults tree: the primary config, or a file an entry names. */
interface ConfigNode {
  file: YamlFile;
  path: string;
  /** Its group, from the config's folder ("" for the primary config). */
  group: string;
  /** Where its own keys are merged ("" for the root). */
  pkg: string;
  /** Its own keys (without its defaults list). */
  own: unknown;
  entries: Entry[];
  /** Notes about its list as a whole. */
  notes: Note[];
  /** The configs above it and itself: one that names any of them would include itself. */
  chain: Set<string>;
  /** Chosen by a defaults-list interpolation, or below one such file (Hydra refuses overrides there). */
  interpolated: boolean;
}

interface GroupEntry {
  kind: "group";
  at: string;
  /** How a file of it is named in messages. */
  label: (name: string) => string;
  /** The whole entry (`override knn: a, b`). */
  text: string;
  /** `override group: name`: it sets the option of the group's entry rather than being one. */
  override: boolean;
  /** `optional group: name`: a file that is not there is no error to Hydra. */
  optional: boolean;
  /** The group as written (no leading `/`): its default package, relative to the containing config's. */
  written: string;
  /** From the config's folder. */
  group: string;
  /** `@package` as written. */
  spec: string | undefined;
  /** Where its files go before a file's `# @package` line is read: its package, else its group's key, under its config's package. */
  pkg: string;
  /** Hydra's override key (overrideKey): an `override` sets the option of the entries with its own key only. */
  key: string;
  /** Its options as written (`${...}` in one: Hydra's defaults-list interpolation, resolved when it is followed). */
  names: string[];
  /** `group: name` with one name (Hydra's GroupDefault): the option it chooses is a group choice interpolations read. */
  choice: boolean;
  parent: ConfigNode;
  notes: Note[];
  /** The files it stands for, once followed (a deleted entry stands for none). */
  children: Child[];
  followed: boolean;
  /** Given on the command line (`group=option`, `+group=option`): a file that is not there is an error at it. */
  external?: boolean;
}

interface DeleteEntry {
  kind: "delete";
  at: string;
  text: string;
  group: string;
  name: string | null;
  notes: Note[];
  used: boolean;
  /** `~group[=option]` on the command line: one that deletes nothing is an error, as in Hydra. */
  external?: boolean;
}

type Entry = { kind: "self"; notes: Note[] } | { kind: "other"; notes: Note[] } | GroupEntry | DeleteEntry;

interface Child {
  file: DefaultsFile;
  /** The package before the file's `# @package` line is read. */
  entryKey: string;
  node: ConfigNode | null;
  shown: string;
}

/** `[optional] [override] [~][/]group[@package]`, the key of a mapping entry (Hydra takes both keywords, in either order). */
const GROUP_KEY = /^((?:(?:optional|override)\s+)*)(~)?(\/)?([^\s@~]+)(?:@(\S+))?$/;
/** `[~][/]group/name[@package]`, a string entry. */
const STRING_ENTRY = /^(~)?(\/)?([^\s@~]+)(?:@(\S+))?$/;

/** Group files followed in all, at most: a defaults tree is a few files. */
const MAX_FILES = 1000;

/** The group as a dotted key (`data/extra` -> `data.extra`). */
function groupKey(group: string): string {
  return group.split("/").filter(Boolean).join(".");
}

function joinKeys(...keys: string[]): string {
  return keys.filter(Boolean).join(".");
}

/** Dotted names: what a package may be once its keywords are resolved. */
const DOTTED = /^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$/;

/**
 * An entry's package as Hydra places it (default_element.py, update_parent and
 * _get_final_package), for a group whose containing config is at `parent`: `_here_` is
 * `parent` itself; `_group_`, wherever it stands, is the group's package and makes the
 * package absolute; any other is under `parent`; whatever comes before the last `_global_`
 * is dropped (`_global_.a.b` and `x._global_.a.b` are `a.b`). null when the result is no
 * dotted key (`a..b`, `x.`).
 */
function packageKey(pkg: string, group: string, parent: string): string | null {
  let p = pkg === "_here_" ? "" : pkg;
  if (p.includes("_group_")) p = `_global_.${p.replaceAll("_group_", groupKey(group))}`;
  return finalKey(parent === "" ? p : p === "" ? parent : `${parent}.${p}`);
}

/**
 * Hydra's override key of a group's entry placed at `pkg` (default_element.py,
 * get_override_key): the group, and `@package` where the package is not the group's own
 * (`_global_` for the top level). An override matches the entries with its key, Hydra's
 * known choices are kept by it, and a group is given twice when its key is.
 */
function overrideKey(group: string, pkg: string): string {
  return pkg === groupKey(group) ? group : `${group}@${pkg || "_global_"}`;
}

/** A package for a message: the dotted key, or "the top level". */
const shownPackage = (pkg: string) => pkg || "the top level";

/** A `# @package` line's package: always absolute (Hydra's set_package_header); null when it is no dotted key. */
function headerKey(name: string): string | null {
  return finalKey(name === "_global_" || name.startsWith("_global_.") ? name : `_global_.${name}`);
}

/** A package after its last `_global_` as a dotted key ("" for the top level), or null. */
function finalKey(pkg: string): string | null {
  const at = pkg.lastIndexOf("_global_");
  const key = at < 0 ? pkg : pkg.slice(at + "_global_".length + 1);
  return key === "" || DOTTED.test(key) ? key : null;
}

/**
 * Why a package cannot be placed as solo-learn's Hydra places it: Hydra 1.1 replaces these
 * keywords (`keywords`: `_name_` in an entry's package; `_name_` and `_group_` in a
 * `# @package` line, where an entry's `_group_` is replaced by every version), Hydra 1.2
 * and later, as solo-learn runs it (version_base="1.2"), keep them as keys. null when
 * there is none.
 */
function versioned(pkg: string, keywords: ("_name_" | "_group_")[], where: string): string | null {
  const meaning = { _name_: "the option's name", _group_: "the group's package" };
  const k = keywords.find((w) => pkg.includes(w));
  return k === undefined ? null : `${k} in ${where} is ${meaning[k]} to Hydra 1.1 but a key named ${k} from Hydra 1.2 on (solo-learn runs version_base 1.2)`;
}

/**
 * The package a file's `# @package` line gives it (`header`: that line); null when it names
 * none. A keyword whose meaning depends on Hydra's version is an error at the line.
 */
function headerPackage(file: YamlFile, header: { name: string; line: number }): string | null {
  const why = versioned(header.name, ["_group_", "_name_"], "a package line");
  if (why) {
    const fix = header.name.includes("_group_") ? "remove the line for the group's package, or write the package itself" : "write the package itself";
    throw new ImportError(atPlace({ file: file.shown, line: header.line }, `'# @package ${header.name}': ${why}; ${fix}`));
  }
  return headerKey(header.name);
}

function isHydra(group: string): boolean {
  return group === "hydra" || group.startsWith("hydra/");
}

/** A config's name without its `.yaml` (or `.yml`): `lars.yaml` and `lars` are one option. */
const optionName = (name: string) => name.replace(/\.ya?ml$/, "");

function fileOf(dir: string, group: string, name: string): string {
  return join(dir, ...group.split("/").filter(Boolean), optionName(name) === name ? `${name}.yaml` : name);
}

/** Whether a group or option path has a `..` step: Hydra names groups from the config's folder down only. */
const climbs = (path: string) => path.split("/").includes("..");

/** The error of an entry that steps out of its folder (`at`: its key, `text`: as written). */
function climbing(text: string, at: string): ImportError {
  return new ImportError(
    `defaults: '${text}' steps out of its folder with '..', which Hydra does not support (name the group from the config's folder: /group)`,
    at,
  );
}

/** The entries of one config's defaults list (`list`; `at`: its key), and the notes about it. */
function readList(list: unknown, at: string, node: ConfigNode): void {
  const entries: Entry[] = [];
  // Hydra refuses a defaults value that is not a list ("defaults must be a list").
  if (list !== undefined && list !== null && !Array.isArray(list))
    throw new ImportError(`defaults must be a list of entries (Hydra refuses anything else), found ${isMap(list) ? "a mapping" : jsonText(list)}`, at);
  const items: unknown[] = Array.isArray(list) ? list : [];
  let self = false;
  const skip = (here: string, entry: unknown) =>
    entries.push({
      kind: "other",
      notes: [{ at: here, text: `defaults: ${jsonText(entry)} is not an entry the importer follows (_self_, group: name, group/name, ~group); skipped` }],
    });
  const absolute = (slash: string | undefined, written: string) => (slash ? written : [node.group, written].filter(Boolean).join("/"));
  for (const [i, entry] of items.entries()) {
    const here = `${at}.${i}`;
    if (entry === "_self_") {
      if (self)
        entries.push({
          kind: "other",
          notes: [
            {
              at: here,
              text: `defaults: _self_ again: ignored (Hydra refuses a second one); the ${node.chain.size === 1 ? "config's" : "file's"} keys are merged at the first`,
            },
          ],
        });
      else entries.push({ kind: "self", notes: [] });
      self = true;
      continue;
    }
    if (typeof entry === "string") {
      const m = STRING_ENTRY.exec(entry);
      if (!m) {
        skip(here, entry);
        continue;
      }
      const [, tilde, slash, path, pkg] = m as unknown as [string, string | undefined, string | undefined, string, string | undefined];
      if (climbs(path)) throw climbing(entry, here);
      if (tilde) {
        // `~group`: the group's entry is deleted, whichever option it selects.
        const group = absolute(slash, path);
        if (isHydra(group)) entries.push({ kind: "other", notes: [] });
        else entries.push({ kind: "delete", at: here, text: entry, group, name: null, notes: [], used: false });
        continue;
      }
      const parts = path.split("/");
      const name = parts.pop()!;
      const written = parts.join("/");
      const group = absolute(slash, written);
      if (isHydra(path) || isHydra(group)) {
        entries.push({ kind: "other", notes: [] });
        continue;
      }
      const named = pkg === undefined ? null : versioned(pkg, ["_name_"], "a package");
      if (named) throw new ImportError(`defaults: '${entry}': ${named}; write the package itself`, here);
      const placed = pkg === undefined ? joinKeys(node.pkg, groupKey(written)) : packageKey(pkg, group, node.pkg);
      if (placed === null) {
        skip(here, entry);
        continue;
      }
      if (path.includes("${")) {
        // Hydra resolves the whole path, then reads it under the file's group again (its group twice).
        if (node.chain.size > 1)
          throw new ImportError(
            `defaults: '${entry}': Hydra reads an interpolated group/name entry of a group file from the wrong folder (its group twice); write it as 'group: \${...}'`,
            here,
          );
        if (written.includes("${"))
          throw new ImportError(`defaults: '${entry}': import resolves an interpolation in the option's name only; write the group itself`, here);
      }
      entries.push({
        kind: "group",
        at: here,
        label: (option) => (option === name ? entry : `${entry} (${option})`),
        text: entry,
        override: false,
        optional: false,
        written,
        group,
        spec: pkg,
        pkg: placed,
        key: overrideKey(group, placed),
        names: [name],
        choice: false,
        parent: node,
        notes: [],
        children: [],
        followed: false,
      });
      continue;
    }
    if (!isMap(entry) || Object.keys(entry).length !== 1) {
      skip(here, entry);
      continue;
    }
    const [key, value] = Object.entries(entry)[0]!;
    const m = GROUP_KEY.exec(key);
    if (!m || (m[1] && m[2])) {
      skip(here, entry);
      continue;
    }
    const [, keywords, tilde, slash, written, pkg] = m as unknown as [string, string, string | undefined, string | undefined, string, string | undefined];
    const keyword = (k: string) => keywords.split(/\s+/).includes(k);
    const group = absolute(slash, written);
    if (isHydra(group)) {
      entries.push({ kind: "other", notes: [] });
      continue;
    }
    const options = typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
    const asWritten = value === null ? key : `${key}: ${options.join(", ")}`;
    if (climbs(written) || options.some(climbs)) throw climbing(asWritten, `${here}.${key}`);
    const named = pkg === undefined ? null : versioned(pkg, ["_name_"], "a package");
    if (named) throw new ImportError(`defaults: '${asWritten}': ${named}; write the package itself`, `${here}.${key}`);
    if (tilde) {
      // `~group: name`: deleted only where it selects that option.
      if (value !== null && typeof value !== "string") skip(here, entry);
      else entries.push({ kind: "delete", at: `${here}.${key}`, text: value === null ? key : `${key}: ${value}`, group, name: value, notes: [], used: false });
      continue;
    }
    if (value === null) {
      entries.push({ kind: "other", notes: [] });
      continue;
    }
    const placed = pkg === undefined ? joinKeys(node.pkg, groupKey(written)) : packageKey(pkg, group, node.pkg);
    if (placed === null) {
      skip(here, entry);
      continue;
    }
    if (typeof value === "boolean" || (Array.isArray(value) && value.some((v) => typeof v === "boolean"))) {
      // `knn: on` names no on.yaml: Hydra loads the list as YAML 1.1, where on/off/yes/no are booleans.
      entries.push({
        kind: "other",
        notes: [
          {
            at: `${here}.${key}`,
            text: `defaults: '${key}' selects ${jsonText(value)}, not a config name (YAML 1.1, as Hydra reads it, makes on/off/yes/no booleans: quote the name); skipped`,
          },
        ],
      });
      continue;
    }
    const names = typeof value === "string" ? [value] : Array.isArray(value) && value.every((v) => typeof v === "string") ? (value as string[]) : null;
    if (names === null) {
      skip(here, entry);
      continue;
    }
    const text = `${key}: ${names.join(", ")}`;
    if (Array.isArray(value) && names.some((n) => n.includes("${")))
      throw new ImportError(`defaults: '${text}': Hydra does not support an interpolation in a list of options`, `${here}.${key}`);
    entries.push({
      kind: "group",
      at: `${here}.${key}`,
      label: (name) => `${key}: ${name}`,
      text,
      override: keyword("override"),
      optional: keyword("optional"),
      written,
      group,
      spec: pkg,
      pkg: placed,
      key: overrideKey(group, placed),
      names,
      choice: typeof value === "string",
      parent: node,
      notes: [],
      children: [],
      followed: false,
    });
  }
  if (!self) entries.push({ kind: "self", notes: [] });
  node.entries = entries;
}

/** `over` merged into `base` as Hydra merges: mappings key by key; anything else replaces. */
function merged(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return over;
  const out: YamlMap = { ...base };
  for (const [k, v] of Object.entries(over)) setOwn(out, k, merged(ownValue(base, k), v));
  return out;
}

/** `root` with `value` merged at the dotted key `prefix` ("" for the root itself), the mappings on the way made when missing. */
function mergedAt(root: YamlMap, prefix: string, value: unknown): YamlMap {
  if (prefix === "") return merged(root, value) as YamlMap;
  const dot = prefix.indexOf(".");
  const head = dot < 0 ? prefix : prefix.slice(0, dot);
  const inner = ownValue(root, head);
  return { ...root, [head]: dot < 0 ? merged(inner, value) : mergedAt(isMap(inner) ? inner : {}, prefix.slice(dot + 1), value) };
}

/** The first key of a dotted key ("" for the root). */
function topKey(key: string): string {
  return key.split(".")[0]!;
}

const AUGMENTATIONS_ARE = "a list of pipelines with rrc, color_jitter, ..., crop_size, num_crops";

/** The keys of a config file without its defaults list (a file that is no mapping has none). */
function ownKeys(value: unknown): unknown {
  if (!isMap(value) || !("defaults" in value)) return value;
  const { defaults: _list, ...keys } = value;
  return keys;
}

/**
 * Reads and composes a solo-learn config: the files of its defaults lists and the config's
 * own keys merged in their order, then `--augmentations` (`augmentationsPath`) over them,
 * then the interpolations resolved; the place of every key recorded in `places` as it is
 * merged. Files are named relative to `cwd` (`cfg/simclr.yaml:42`).
 */
export function loadSoloConfig(
  configPath: string,
  augmentationsPath: string | undefined,
  places: Places,
  cwd: string,
  commandLine: Override[] = [],
): LoadedSoloConfig {
  const shown = (path: string) => shownPath(cwd, path);
  const dir = dirname(configPath);
  const primary = readYaml(configPath, "the solo-learn config", shown(configPath));
  if (!isMap(primary.value)) throw new ImportError(`${shown(configPath)}: expected a solo-learn config (a YAML mapping)`);
  // The config's own `# @package` line places its keys, and its entries' packages under them.
  const rootPkg = primary.packageLine === null ? "" : headerPackage(primary, primary.packageLine);
  if (rootPkg === null)
    throw new ImportError(atPlace({ file: primary.shown, line: primary.packageLine!.line }, `'# @package ${primary.packageLine!.name}' names no package`));
  // The entries' places first: a file an entry names can fail before the config's own keys
  // are merged (its `_self_` comes later), and is reported at its entry's line.
  primary.recordKey(places, "defaults");
  const root: ConfigNode = {
    file: primary,
    path: configPath,
    group: "",
    pkg: rootPkg,
    own: ownKeys(primary.value),
    entries: [],
    notes: [],
    chain: new Set([configPath]),
    interpolated: false,
  };

  /** The option an `override` sets for the entries of its override key: a config above decides first; in one list, the last. */
  const overrides = new Map<string, { entry: GroupEntry; used: boolean }>();
  const overrideEntries: GroupEntry[] = [];
  /** The entries (not overrides) of each group, at whichever package: what an override that matches none is told about. */
  const entriesOf = new Map<string, GroupEntry[]>();
  const deletions: DeleteEntry[] = [];
  /** The deletions of each group. */
  const deleting = new Map<string, DeleteEntry[]>();
  /** The option chosen for each group so far, by Hydra's override key (`group`, `group@package`): what a defaults-list interpolation reads. */
  const chosen = new Map<string, string>();
  let files = 0;

  // Command-line overrides, as Hydra sorts them: one whose key is a folder of config group
  // options (and whose value is no dict) changes the defaults list: `group=option` sets the
  // option of the group's entry before any `override` of a config does, `+group=option`
  // appends an entry to the config's list, `~group[=option]` deletes one; Hydra's own
  // (`hydra.*`, `hydra/...`) are left out; the rest change the composed config.
  const configOverrides: Override[] = [];
  const externalSets: GroupEntry[] = [];
  const appended: GroupEntry[] = [];
  const externalNotes: Note[] = [];
  const isGroup = (group: string) => {
    try {
      return statSync(join(dir, ...group.split("/"))).isDirectory();
    } catch {
      return false;
    }
  };
  /** A group's options (its .yaml files), for a message. */
  const optionsOf = (group: string) => {
    try {
      const names = readdirSync(join(dir, ...group.split("/")))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
      return names.length > 0 ? ` (its options: ${names.join(", ")})` : "";
    } catch {
      return "";
    }
  };
  /** The command line, as the parent of its `group=option` overrides (it is above every config). */
  const externalRoot: ConfigNode = { ...root, entries: [], notes: [], chain: new Set() };
  for (const o of commandLine) {
    if (isHydraOverride(o)) {
      externalNotes.push({ at: o.at, text: "configures Hydra itself, not the run: not read" });
      continue;
    }
    if (!isGroup(o.key) || isMap(o.value)) {
      if (o.pkg !== undefined || o.key.includes("/"))
        throw new ImportError(
          `'${o.key}' looks like a config group, but ${shown(join(dir, ...o.key.split("/")))} is no folder of options (config groups are folders beside the config); a config key is written with dots, without @`,
          o.at,
        );
      configOverrides.push(o);
      continue;
    }
    const group = o.key;
    if (augmentationsPath !== undefined && topKey(groupKey(group)) === "augmentations")
      throw new ImportError("--augmentations gives the augmentations already: give them one way, not both", o.at);
    if (o.op === "force")
      throw new ImportError(
        `Hydra does not take ++ for a config group ("force-add of config groups is not supported"): write ${o.text.slice(2)} to change the option the defaults list chooses, or +${o.text.slice(2)} to add the group`,
        o.at,
      );
    if (o.op === "delete") {
      if (o.hasValue && typeof o.value !== "string")
        throw new ImportError(`a deleted group's option is a name (~${group}=name), found ${jsonText(o.value)}`, o.at);
      const d: DeleteEntry = {
        kind: "delete",
        at: o.at,
        text: o.text,
        group,
        name: o.hasValue ? (o.value as string) : null,
        notes: [],
        used: false,
        external: true,
      };
      deletions.push(d);
      const same = deleting.get(group);
      if (same) same.push(d);
      else deleting.set(group, [d]);
      continue;
    }
    const names =
      typeof o.value === "string" ? [o.value] : Array.isArray(o.value) && o.value.every((v) => typeof v === "string") ? (o.value as string[]) : null;
    if (names === null || names.some((n) => n === ""))
      throw new ImportError(
        `a config group's option is a file name of ${group} (${group}=name.yaml) or a list of them, found ${jsonText(o.value)}${optionsOf(group)}`,
        o.at,
      );
    if (names.some(climbs)) throw new ImportError(`'${o.text}' steps out of its folder with '..', which Hydra does not support`, o.at);
    // Hydra's key as typed (`group`, `group@pkg`) for an override; an appended entry is placed as one of the config's list.
    const under = o.op === "add" ? root.pkg : "";
    const placed = o.pkg === undefined ? joinKeys(under, groupKey(group)) : packageKey(o.pkg, group, under);
    if (placed === null) throw new ImportError(`'@${o.pkg}' names no package (a dotted key, or _global_)`, o.at);
    const entry: GroupEntry = {
      kind: "group",
      at: o.at,
      label: () => o.text,
      text: o.text,
      override: o.op === "set",
      optional: false,
      written: group,
      group,
      spec: o.pkg,
      pkg: placed,
      key: overrideKey(group, placed),
      names,
      choice: typeof o.value === "string",
      parent: o.op === "set" ? externalRoot : root,
      notes: [],
      children: [],
      followed: false,
      external: true,
    };
    if (o.op === "set") {
      // Hydra reads the command line's first: an `override` in a config does not replace it.
      externalSets.push(entry);
      overrides.set(entry.key, { entry, used: false });
    } else appended.push(entry);
  }

  /** Follows a config's defaults list: its overrides and deletions first, then its entries, the last first (as Hydra). */
  const expand = (node: ConfigNode, list: unknown, at: string) => {
    readList(list, at, node);
    // `+group=option` on the command line: appended to the config's list (after its `_self_`), as Hydra appends it.
    if (node === root) node.entries.push(...appended);
    const entries = node.entries;
    let lastPlain = -1;
    for (const [i, x] of entries.entries()) if (x.kind === "group" && !x.override && !x.external) lastPlain = i;
    for (const [i, e] of entries.entries()) {
      if (e.kind === "group" && !e.override) {
        const same = entriesOf.get(e.group);
        if (same) same.push(e);
        else entriesOf.set(e.group, [e]);
      }
      if (e.kind === "delete") {
        deletions.push(e);
        const same = deleting.get(e.group);
        if (same) same.push(e);
        else deleting.set(e.group, [e]);
      }
      if (e.kind !== "group" || !e.override) continue;
      // Hydra sets every group before it resolves an interpolation: a file chosen by one may override none.
      if (node.interpolated)
        throw new ImportError(`defaults: '${e.text}': Hydra refuses an override in a file chosen by a defaults-list interpolation (or below one)`, e.at);
      overrideEntries.push(e);
      const before = overrides.get(e.key);
      if (!before || before.entry.parent === node) overrides.set(e.key, { entry: e, used: false });
      if (i < lastPlain)
        e.notes.push({
          at: e.at,
          text: `defaults: '${e.text}' comes before other entries of its list (Hydra wants overrides at the end); it applies to them too`,
        });
    }
    // An option given by interpolation is resolved after the list's other entries, from the groups chosen by then (as Hydra).
    const deferred: GroupEntry[] = [];
    for (const e of [...entries].reverse()) if (e.kind === "group" && !e.override && !follow(e)) deferred.push(e);
    const choices = new Map(chosen);
    for (const e of deferred) follow(e, choices);
  };

  /**
   * The files of a group entry (its option, or the option an override sets), each read and
   * its own list followed; false, and nothing done, for an option given by interpolation
   * while `choices` (the groups chosen by then, to resolve it from) are not given.
   */
  const follow = (e: GroupEntry, choices?: ReadonlyMap<string, string>): boolean => {
    let by = e;
    const o = e.override ? undefined : overrides.get(e.key);
    if (o) {
      o.used = true;
      by = o.entry;
    }
    let names = by.names;
    const interpolated = names.some((n) => n.includes("${"));
    if (interpolated) {
      if (choices === undefined) return false;
      names = names.map((n) => {
        const r = defaultsChoice(n, choices);
        if ("error" in r) throw new ImportError(`defaults: '${by.text}': ${r.error}`, by.at);
        if (climbs(r.value)) throw climbing(by.label(r.value), by.at);
        return r.value;
      });
    }
    const deletion = deleting.get(e.group)?.find((d) => d.name === null || (names.length === 1 && optionName(d.name) === optionName(names[0]!)));
    if (deletion) {
      deletion.used = true;
      return true;
    }
    e.followed = true;
    let looped = false;
    const parent = e.parent;
    const entryPkg = e.pkg;
    // Hydra's known choices, by its override key.
    if (e.choice && !chosen.has(e.key)) chosen.set(e.key, names[0]!);
    for (const name of names) {
      const file: DefaultsFile = {
        at: by.at,
        label: by.label(name),
        group: e.group,
        path: fileOf(dir, e.group, name),
        package: e.spec === undefined ? null : entryPkg,
        optional: by.optional || e.optional,
      };
      // --augmentations stands for the augmentations the defaults list names: that entry is not read.
      if (augmentationsPath !== undefined && topKey(entryPkg) === "augmentations") continue;
      const child: Child = { file, entryKey: entryPkg, node: null, shown: shown(file.path) };
      e.children.push(child);
      if (!existsSync(file.path)) {
        // An option the command line names must be there (Hydra: "Could not find ...").
        if ((by.external || e.external) && !file.optional) throw new ImportError(`${child.shown}: no such option of ${e.group}${optionsOf(e.group)}`, by.at);
        continue;
      }
      if (parent.chain.has(file.path)) {
        e.notes.push({
          at: file.at,
          text: `defaults: '${file.label}' names ${child.shown}, which is being composed already (it would include itself): not followed`,
        });
        e.children.pop();
        looped = true;
        continue;
      }
      if (++files > MAX_FILES) throw new ImportError(`its defaults lists name more than ${MAX_FILES} files; a solo-learn config has a few`, file.at);
      const read = readYaml(file.path, `named by the defaults entry '${file.label}'`, child.shown, file.at);
      // The file's `# @package` line places it unless its entry names a package.
      const header = file.package === null ? read.packageLine : null;
      const fromLine = header === null ? null : headerPackage(read, header);
      if (header !== null && fromLine === null) {
        e.notes.push({
          at: file.at,
          text: `defaults: '${file.label}': '# @package ${header.name}' in ${read.shown} names no package; merged at ${entryPkg || "the top level"}`,
        });
      }
      const node: ConfigNode = {
        file: read,
        path: file.path,
        group: e.group,
        pkg: file.package ?? fromLine ?? entryPkg,
        own: ownKeys(read.value),
        entries: [],
        notes: [],
        chain: new Set([...parent.chain, file.path]),
        interpolated: parent.interpolated || interpolated,
      };
      child.node = node;
      // The list's own key, so that its entries are placed at their lines in the file.
      const listAt = `\u0000defaults#${files}`;
      read.recordKey(places, "defaults", listAt);
      expand(node, isMap(read.value) ? read.value["defaults"] : undefined, listAt);
    }
    // An entry that names only configs being composed already adds nothing.
    if (looped && e.children.length === 0) e.followed = false;
    return true;
  };

  expand(root, primary.value["defaults"], "defaults");
  // A command-line `group=option` that sets no entry's option is an error (Hydra's "Could not override").
  for (const e of externalSets) {
    if (overrides.get(e.key)!.used) continue;
    const others = entriesOf.get(e.group) ?? [];
    const keys = [...new Set(others.map((x) => x.key))].sort();
    const value = e.text.slice(e.text.indexOf("=") + 1);
    throw new ImportError(
      others.length > 0
        ? `Could not override '${e.key}': the defaults lists choose ${e.group} as ${keys.join(" and ")}; write ${keys.map((k) => `${k}=${value}`).join(" or ")}`
        : `Could not override '${e.key}': no entry of the defaults lists chooses ${e.group}; to add it, write +${e.text}`,
      e.at,
    );
  }
  // An override matches the entries of its group at its package (its override key), as in
  // Hydra 1.2. One that matches none while its group has entries at other packages is an
  // error (Hydra's "Could not override"); one whose group has no entry at all is merged
  // where it stands (Hydra refuses it too).
  for (const e of overrideEntries) {
    const o = overrides.get(e.key)!;
    if (o.used) {
      if (o.entry !== e) e.notes.push({ at: e.at, text: `defaults: '${e.text}' has no effect: '${o.entry.text}' decides ${e.key}` });
      continue;
    }
    const others = entriesOf.get(e.group) ?? [];
    if (others.length > 0) {
      const at = others.map((x) => `${shownPackage(x.pkg)} ('${x.text}')`).join(" and at ");
      const keys = [...new Set(others.map((x) => x.key))].sort();
      const hydra = `Could not override '${e.key}'. Did you mean to override ${keys.length > 1 ? `one of ${keys.join(", ")}` : keys[0]}?`;
      throw new ImportError(
        `defaults: '${e.text}' overrides ${e.group} at ${shownPackage(e.pkg)}, where no entry chooses it: ${e.group} is chosen at ${at}, and Hydra matches an override to the entry of the same group and package (it refuses this one: "${hydra}")`,
        e.at,
      );
    }
    e.notes.push({ at: e.at, text: `defaults: '${e.text}' overrides no earlier entry of ${e.group} (Hydra refuses that); merged where it stands` });
    if (!follow(e)) follow(e, new Map(chosen));
  }
  for (const d of deletions) {
    if (!d.used && d.external)
      throw new ImportError(
        `Could not delete '${d.text.slice(1)}': no entry of the defaults lists chooses ${d.group}${d.name === null ? "" : ` as ${optionName(d.name)}`}; remove this override`,
        d.at,
      );
    if (!d.used)
      d.notes.push({
        at: d.at,
        text: `defaults: '${d.text}' deletes nothing: the defaults lists have no entry of ${d.group}${d.name === null ? "" : ` selecting ${optionName(d.name)}`}`,
      });
  }

  let config: YamlMap = {};
  let augmentationsFrom: { path: string; name: string } | null = null;
  const defaults: LoadedSoloConfig["defaults"] = [];
  const inputs: LoadedSoloConfig["inputs"] = [];
  const notes: Note[] = [];
  const base = (path: string) => optionName(basename(path));
  /**
   * Merges a file's value at `key`; an empty file adds nothing (as Hydra reads it: an empty
   * mapping). `omit`: its top-level key that is not merged (a defaults list).
   */
  const merge = (file: YamlFile, key: string, value: unknown, path: string, name: string, omit?: string) => {
    if (value === null || value === undefined) return;
    if (key === "" && !isMap(value)) throw new ImportError(`${file.shown}: merged at the config's top level, so it must be a YAML mapping`);
    file.recordAt(places, key, omit);
    // OmegaConf parses every `${` of a file when it loads it: one it cannot parse fails the run, read or not.
    const invalid = invalidInterpolation(value, key);
    if (invalid) throw new ImportError(invalid.message, invalid.key);
    config = mergedAt(config, key, value);
    if (key === "augmentations" || (key === "" && isMap(value) && "augmentations" in value)) augmentationsFrom = { path, name };
  };
  /** Groups given (at their packages): Hydra refuses one given twice without `override`. */
  const given = new Set<string>();
  /** The tree in Hydra's order: each config's entries in order, its own keys where its `_self_` stands. */
  const compose = (node: ConfigNode) => {
    notes.push(...node.notes);
    for (const e of node.entries) {
      notes.push(...e.notes);
      if (e.kind === "self") {
        if (node === root) merge(node.file, node.pkg, node.own, node.path, `${base(node.path)}_augmentations`);
        else merge(node.file, node.pkg, node.own, node.path, base(node.path), "defaults");
        continue;
      }
      if (e.kind !== "group" || !e.followed) continue;
      const id = e.key;
      if (e.external && given.has(id))
        throw new ImportError(
          `Could not append ${e.group}: the defaults list chooses it already (Hydra refuses a second one); to change its option, write ${e.text.slice(1)}`,
          e.at,
        );
      if (!e.override && given.has(id))
        notes.push({
          at: e.at,
          text: `defaults: '${e.text}' gives ${e.group} a second time (Hydra refuses that; 'override ${e.group}: ...' replaces the first): both are merged, in order`,
        });
      given.add(id);
      for (const child of e.children) {
        if (child.node === null) {
          defaults.push({ ...child.file, shown: child.shown, merged: false, key: child.entryKey });
          continue;
        }
        defaults.push({ ...child.file, shown: child.node.file.shown, merged: true, key: child.node.pkg });
        inputs.push({
          path: child.file.path,
          as: `${topKey(child.node.pkg) === "augmentations" ? "the augmentations" : "the defaults file"} ${child.node.file.shown}`,
        });
        compose(child.node);
      }
    }
  };
  compose(root);
  notes.push(...externalNotes);
  if (augmentationsPath !== undefined) {
    const file = readYaml(augmentationsPath, "given with --augmentations", shown(augmentationsPath));
    if (file.value === null) throw new ImportError(`${file.shown}: expected solo-learn augmentations (${AUGMENTATIONS_ARE})`);
    merge(file, "augmentations", file.value, augmentationsPath, base(augmentationsPath));
    inputs.push({ path: augmentationsPath, as: `the augmentations ${file.shown}` });
  }
  // The config overrides of the command line, on the composed config before its interpolations are resolved (as Hydra).
  for (const o of configOverrides) {
    config = applyConfigOverride(config, o, places);
    if (topKey(o.key) === "augmentations" && augmentationsFrom === null) augmentationsFrom = { path: configPath, name: `${base(configPath)}_augmentations` };
  }

  let resolved: YamlMap;
  /** Keys written as an interpolation of a float (`${x}`, `x: 1.0`): floats, as OmegaConf resolves them. */
  const floatsResolved = new Set<string>();
  try {
    resolved = resolveInterpolations(config, {
      env: process.env,
      isFloat: (key) => places.isFloat(key),
      alias: (from, to) => places.alias(from, to),
      resolvedFloat: (key) => floatsResolved.add(key),
    });
  } catch (e) {
    if (e instanceof RangeError) throw new ImportError(`${shown(configPath)}: nested too deeply to be a solo-learn config`);
    throw e;
  }

  const list = plain(resolved["augmentations"], "augmentations");
  const from = augmentationsFrom as { path: string; name: string } | null;
  if (list === undefined || list === null || from === null) {
    const named = [...defaults].reverse().find((d) => topKey(d.key) === "augmentations");
    if (named && !named.merged) throw new ImportError(`${named.shown}: no such file (the augmentations named by the config's defaults)`, named.at);
    if (named) throw new ImportError(`${named.shown}: expected solo-learn augmentations (${AUGMENTATIONS_ARE})`, named.at);
    throw new ImportError("its defaults list names no augmentations; give them with --augmentations <file.yaml>", "defaults");
  }
  if (Array.isArray(list)) list.forEach((entry, i) => plain(entry, `augmentations.${i}`));
  if (!Array.isArray(list) || list.length === 0 || !list.every(isMap)) throw new ImportError(`augmentations must be ${AUGMENTATIONS_ARE}`, "augmentations");
  return {
    config: resolved,
    configPath,
    augmentations: list,
    augmentationsPath: from.path,
    augmentationsName: from.name,
    defaults,
    inputs,
    notes,
    isFloat: (key) => places.isFloat(key) || floatsResolved.has(key),
  };
}
