// How a data source is named on the command line, by `generate --from` and `data info`
// alike: a path (an npz, a CIFAR folder, an image folder) or `mnist`, with an optional
// split suffix:
//
//   mnist            the embedded MNIST digits; mnist:train, mnist:test, mnist:all
//   data/cifar10     a CIFAR-10/100 binary folder; data/cifar10:train, data/cifar10:test
//   real.npz         an npz (no splits); an image folder (no splits)
//
// What a spec without a suffix means (train for `generate`, all of MNIST for `data
// info`) is each command's choice; the parser and the checks are shared.

import fs from "node:fs";
import path from "node:path";
import type { SourceFormat } from "../../ir/types.js";
import { RuntimeProblem } from "../errors.js";

export type SplitChoice = "train" | "test" | "all";

export interface SourceSpec {
  /** The path part (or `mnist`). */
  target: string;
  /** null: no suffix. */
  split: SplitChoice | null;
}

const SPLIT_SUFFIX = /^(.*):(train|test|all)$/;

/** Split `mnist:test` into target and split. A path that exists as typed is never split, so a file named `a:test` still works. */
export function parseSourceSpec(spec: string, cwd: string): SourceSpec {
  const m = SPLIT_SUFFIX.exec(spec);
  if (m?.[1] && (m[1].toLowerCase() === "mnist" || !fs.existsSync(path.resolve(cwd, spec)))) {
    return { target: m[1], split: m[2] as SplitChoice };
  }
  if (/^mnist:/i.test(spec) && !fs.existsSync(path.resolve(cwd, spec))) {
    throw new RuntimeProblem(`unknown split in '${spec}': use :train, :test or :all`, "usage");
  }
  return { target: spec, split: null };
}

/** Whether a format has splits (MNIST, CIFAR). */
export function hasSplits(format: SourceFormat): boolean {
  return format === "mnist" || format === "cifar10" || format === "cifar100";
}

/**
 * Refuse a split the format does not have: any on an npz or a folder, `:all` on CIFAR (a
 * usage problem). `given` is how the split was asked for: a `:test` suffix (the default)
 * or a flag (`--split test`), which the message says to drop.
 */
export function checkSplit(target: string, format: SourceFormat, split: SplitChoice | null, given?: string): void {
  if (split === null) return;
  if (!hasSplits(format)) throw new RuntimeProblem(`${target}: ${format} sources have no splits (drop ${given ?? `':${split}'`})`, "usage");
  if (split === "all" && format !== "mnist") throw new RuntimeProblem(`${target}: ':all' is only for mnist; use :train or :test`, "usage");
}
