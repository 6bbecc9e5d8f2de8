// The paper's augmentation presets as the lint rules use them: (a) to anchor the
// recommended strength and (b) to know which preset a `--fix` may switch to. The numbers
// are the standard library's (stdlib/augment.adainf, what users see and write), resolved
// once on first use; this file only says which presets are the reference ones and what
// role each plays. docs/paper.md (§2) documents the paper's values, and the tests check the
// stdlib against that table.
import type { ViewIR } from "../ir/types.js";
import { stdlibAugment } from "../resolve/presets.js";
import { pipelineStrength } from "./strength.js";
import type { ViewFamily } from "./types.js";

export interface ReferencePreset {
  name: string;
  family: ViewFamily;
  /** True for the presets AdaInf pairs with inflation. */
  adainf: boolean;
  /** The views for CIFAR-sized images (strength does not depend on the size or statistics). */
  views: ViewIR[];
  /** Pipeline strength a of the preset. */
  strength: number;
}

/** The reference presets by name, with their family and whether AdaInf pairs them with inflation. */
const ROLES: ReadonlyArray<[name: string, family: ViewFamily, adainf: boolean]> = [
  ["symmetric", "symmetric", false],
  ["symmetric_weak", "symmetric", false],
  ["symmetric_adainf", "symmetric", true],
  ["asymmetric", "asymmetric", false],
  ["asymmetric_adainf", "asymmetric", true],
];

let table: readonly ReferencePreset[] | null = null;

/** The reference presets, resolved from the stdlib on first use. */
export function referencePresets(): readonly ReferencePreset[] {
  table ??= ROLES.map(([name, family, adainf]) => {
    const views = stdlibAugment(name)?.views;
    if (!views) throw new Error(`stdlib/augment.adainf has no preset '${name}'`);
    return { name, family, adainf, views, strength: pipelineStrength(views) };
  });
  return table;
}

/** The preset's bare name: `std.augment.symmetric` and `symmetric` both give `symmetric`. */
export function presetBaseName(name: string): string {
  const i = name.lastIndexOf(".");
  return i < 0 ? name : name.slice(i + 1);
}

export function findReferencePreset(name: string | null): ReferencePreset | null {
  if (name === null) return null;
  const bare = presetBaseName(name);
  return referencePresets().find((p) => p.name === bare) ?? null;
}

/** A preset's strength a as measured on training data with `channels` channels (strength.ts). */
export function presetStrength(p: ReferencePreset, channels: number): number {
  return channels === 3 ? p.strength : pipelineStrength(p.views, channels);
}

/** The default-strength preset of a family (the `g = 0` anchor of the balance rule). */
export function defaultPreset(family: ViewFamily): ReferencePreset {
  return findReferencePreset(family)!;
}

/** The AdaInf preset of a family (the `g = 2/3` anchor of the balance rule). */
export function adainfPreset(family: ViewFamily): ReferencePreset {
  return findReferencePreset(`${family}_adainf`)!;
}
