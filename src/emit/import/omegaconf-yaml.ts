// The scalars of a YAML file as OmegaConf's loader reads them (Hydra loads every config
// with it): PyYAML's SafeLoader, which reads YAML 1.1 (`yes`/`no`/`on`/`off` are booleans,
// `010` is octal 8, `0b11` binary, `1_000` an int, `1:30` sexagesimal 90, but `y`, `n`,
// `0o10`, `09` and `-.5` are strings), with OmegaConf's float rule (`1e-3` is a float,
// PyYAML alone reads text) and without timestamps (`2024-01-02` stays text). Merge keys
// (`<<: *anchor`) are PyYAML's too. These replace the bool, int, float and timestamp tags
// of the yaml library's YAML 1.1 schema; its map, seq, str, null, merge and explicit tags
// (`!!binary`, `!!set`, ...) are kept. An int beyond 2^53 - 1 is a bigint, exact as
// Python's (exactInt).

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

/** `1:30.5` -> 90.5 (base 60, the last part the units; an int's are counted exactly in intValue). */
function sexagesimal(t: string): number {
  return t.split(":").reduce((acc, p) => acc * 60 + Number(p), 0);
}

/**
 * A whole number as a config holds it (Python's ints are exact): a number where a JS number
 * holds it exactly (up to 2^53 - 1), else the bigint, kept exact where it is written into
 * text and refused where it is read as a number (read-config.ts, wholeNumberRead).
 */
export function exactInt(v: bigint): number | bigint {
  return v >= -MAX_EXACT && v <= MAX_EXACT ? Number(v) : v;
}
const MAX_EXACT = BigInt(Number.MAX_SAFE_INTEGER);

/** PyYAML's construct_yaml_int, exact. */
function intValue(text: string, onError: (msg: string) => void): number | bigint {
  const [sign, t] = signed(text);
  let v: bigint;
  try {
    if (t.startsWith("0b") || t.startsWith("0x")) v = BigInt(t);
    else if (t.startsWith("0") && t !== "0") v = BigInt(`0o${t.slice(1)}`);
    else if (t.includes(":")) v = t.split(":").reduce((acc, p) => acc * 60n + BigInt(p), 0n);
    else v = BigInt(t);
  } catch {
    onError(`'${text}' is not a number`);
    return NaN;
  }
  return exactInt(BigInt(sign) * v);
}

/** PyYAML's construct_yaml_float. */
function floatValue(text: string, onError: (msg: string) => void): number {
  const [sign, t] = signed(text.toLowerCase());
  let v: number;
  if (t === ".inf") v = Infinity;
  else if (t === ".nan") return NaN;
  else if (t.includes(":")) v = sexagesimal(t);
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
  identify: (v) => (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint",
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
