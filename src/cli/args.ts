// Checks of command-line values that many commands share, each a usage error (exit 2) that
// names the flag or argument and quotes the value: a path may not be empty (`""` would
// silently mean the current folder), an integer is digits only and within its range (no
// hex, exponent, sign, space or fraction, as Number() would take), and a --pipeline name
// may not be empty. Loads nothing but the context, so any command may use it at start-up.
import { EXIT_USAGE, UserError } from "./context.js";

/** The largest seed (seeds are 32-bit: the runtime's Rng takes `seed >>> 0`). */
export const MAX_SEED = 0xffffffff;

/**
 * A path typed on the command line, refused when empty. `name` is the flag or argument as
 * --help shows it (`--package`, `<run-dir>`), `kind` what it should name.
 */
export function nonEmptyPath(value: string, name: string, kind: "file" | "folder" | "file or folder"): string {
  return nonEmpty(value, name, `a ${kind} path`);
}

/** A value typed on the command line that may not be empty: `<source> '' is empty: give an .npz file, a folder, or mnist`. */
export function nonEmpty(value: string, name: string, give: string): string {
  if (value === "") throw new UserError(`${name} '' is empty: give ${give}`, EXIT_USAGE);
  return value;
}

/**
 * An integer flag written in decimal digits only, from `min` to `max` (none: any size that
 * is exact): `--n must be an integer from 1 to 64, not '0x4'`.
 */
export function integerFlag(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(v >= min && v <= max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UserError(`${flag} must be an integer ${range}, not '${text}'`, EXIT_USAGE);
  }
  return v;
}

/** A --seed: an integer from 0 to 4294967295. */
export function seedFlag(text: string, flag = "--seed"): number {
  return integerFlag(flag, text, 0, MAX_SEED);
}

/** --pipeline <name>: undefined when not given; an empty name is refused (it would mean the first pipeline). */
export function pipelineFlag(name: string | undefined): string | undefined {
  if (name === "") throw new UserError("--pipeline '' is empty: give a pipeline's name (adainfc check lists them)", EXIT_USAGE);
  return name;
}
