// The scalars of a YAML file as OmegaConf's loader reads them (Hydra loads every config
// with it): PyYAML's SafeLoader, which reads YAML 1.1 (`yes`/`no`/`on`/`off` are booleans,
// `010` is octal 8, `0b11` binary, `1_000` an int, `1:30` sexagesimal 90, but `y`, `n`,
// `0o10`, `09` and `-.5` are strings), with OmegaConf's float rule (`1e-3` is a float,
// PyYAML alone reads text) and without timestamps (`2024-01-02` stays text). Merge keys
// (`<<: *anchor`) are PyYAML's too. These replace the bool, int, float and timestamp tags
// of the yaml library's YAML 1.1 schema; its map, seq, str, null, merge and explicit tags
// (`!!binary`, `!!set`, ...) are kept.

import { Scalar, type ScalarTag, type Tags } from "yaml";

const BOOL_TAG = "tag:yaml.org,2002:bool";
const INT_TAG = "tag:yaml.org,2002:int";
const FLOAT_TAG = "tag:yaml.org,2002:float";
const TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp";

/** The formats given to ints and floats: a whole number is a float (`1.0`, `!!float 1`) by its tag, not its value (places.ts reads it). */
const INT_FORMAT = "INT";
export const FLOAT_FORMAT = "FLOAT";

/** PyYAML's implicit resolvers (resolver.py) and OmegaConf's float (omegaconf/_utils.py, get_yaml_loader). */
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/** `sign`, and the text without it, of a number with its `_` removed (PyYAML's constructors). */
function signed(text: string): [number, string] {
  const t = text.replace(/_/g, "");
  if (t.startsWith("-")) return [-1, t.slice(1)];
  return [1, t.startsWith("+") ? t.slice(1) : t];
}

/** `1:30` -> 90 (base 60, the last part the units). */
function sexagesimal(t: string, part: (p: string) => number): number {
  return t.split(":").reduce((acc, p) => acc * 60 + part(p), 0);
}

/** PyYAML's construct_yaml_int. */
function intValue(text: string, onError: (msg: string) => void): number {
  const [sign, t] = signed(text);
  let v: number;
  if (t === "0") v = 0;
  else if (t.startsWith("0b")) v = t.length > 2 ? parseInt(t.slice(2), 2) : NaN;
  else if (t.startsWith("0x")) v = t.length > 2 ? parseInt(t.slice(2), 16) : NaN;
  else if (t.startsWith("0")) v = parseInt(t, 8);
  else if (t.includes(":")) v = sexagesimal(t, (p) => parseInt(p, 10));
  else v = parseInt(t, 10);
  if (Number.isNaN(v)) onError(`'${text}' is not a number`);
  return sign * v;
}

/** PyYAML's construct_yaml_float. */
function floatValue(text: string, onError: (msg: string) => void): number {
  const [sign, t] = signed(text.toLowerCase());
  let v: number;
  if (t === ".inf") v = Infinity;
  else if (t === ".nan") return NaN;
  else if (t.includes(":")) v = sexagesimal(t, Number);
  else v = t === "." || t === "" ? NaN : Number(t);
  if (Number.isNaN(v)) onError(`'${text}' is not a number`);
  return sign * v;
}

const bool: ScalarTag = {
  identify: (v) => typeof v === "boolean",
  default: true,
  tag: BOOL_TAG,
  test: BOOL,
  resolve: (s) => /^(?:yes|true|on)$/i.test(s),
};
const int: ScalarTag = {
  identify: (v) => typeof v === "number" && Number.isInteger(v),
  default: true,
  tag: INT_TAG,
  format: INT_FORMAT,
  test: INT,
  resolve: (s, onError) => intValue(s, onError),
};
const float: ScalarTag = {
  identify: (v) => typeof v === "number",
  default: true,
  tag: FLOAT_TAG,
  format: FLOAT_FORMAT,
  test: FLOAT,
  resolve: (s, onError) => new Scalar(floatValue(s, onError)),
};

/** `!!int "7"`, `!!float 1`: any text, read by the same constructors (PyYAML's for an explicit tag). */
const explicit = (tag: ScalarTag): ScalarTag => ({ ...tag, default: false, test: undefined });

/** For `customTags`: the yaml library's YAML 1.1 tags with OmegaConf's bool, int and float, and no timestamps. */
export function omegaconfTags(tags: Tags): Tags {
  const replaced = new Set([BOOL_TAG, INT_TAG, FLOAT_TAG, TIMESTAMP_TAG]);
  const kept = tags.filter((t) => typeof t === "string" || !replaced.has(t.tag));
  return [...kept, bool, int, float, explicit(int), explicit(float)];
}
