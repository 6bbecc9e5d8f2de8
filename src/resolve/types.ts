// The small type system of builtin calls and block fields: what a parameter
// accepts, its range and its default (defaults are the paper's, docs/paper.md §2-3).

export type ParamType =
  | { kind: "number"; min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean }
  | { kind: "int"; min?: number; max?: number }
  | { kind: "bool" }
  | { kind: "string" }
  | { kind: "enum"; values: readonly string[] }
  /** `lo..hi` with lo <= hi, both inside [min, max]. */
  | { kind: "range"; min?: number; max?: number; minExclusive?: boolean }
  /** A length of training: a number of steps, or `N epochs` (converted with the epoch size). */
  | { kind: "duration"; allowNone?: boolean }
  /** A tuple/list of numbers, e.g. mean = (0.49, 0.48, 0.44). */
  | { kind: "numbers"; min?: number; max?: number; minExclusive?: boolean; length?: number; integer?: boolean };

export interface ParamSpec {
  type: ParamType;
  /** Default value in IR form; `undefined` = required; `null` = optional, absent. */
  default?: unknown;
  doc: string;
  /** Positional index, for `cifar10("path")`. */
  position?: number;
}

export interface CallSpec {
  name: string;
  doc: string;
  params: Record<string, ParamSpec>;
}

export type SpecTable = Record<string, CallSpec>;

export const prob: ParamType = { kind: "number", min: 0, max: 1 };
export const nonNegative: ParamType = { kind: "number", min: 0 };
export const positive: ParamType = { kind: "number", min: 0, minExclusive: true };
export const posInt: ParamType = { kind: "int", min: 1 };
export const nonNegInt: ParamType = { kind: "int", min: 0 };
