// On single-channel images (MNIST) saturation, hue and grayscale have nothing to act
// on: they cost time, and a reader would think the pipeline uses them. They already do
// not count towards the strength a (strength.ts), so removing them changes no other rule.
import type { TextEdit } from "../../check/diagnostic.js";
import { pointer } from "../pointer.js";
import { trainingChannels } from "../strength.js";
import type { LintRule, RuleContext } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "noop-ops",
    name: "NoOpColourOperations",
    defaultSeverity: "warn",
    fixable: true,
    docs: {
      summary: "Colour operations (saturation, hue, grayscale) on single-channel training data.",
      rationale:
        "Saturation and hue jitter and random grayscale change only the relation between colour channels; " +
        "on 1-channel data (MNIST) they are the identity. Brightness and contrast still act. Keeping them " +
        "makes the augmentation look stronger than it is to a reader. The strength a the lint reports " +
        "already leaves them out (on such data it counts only the ops that act, and measures the reference " +
        "presets the same way), so setting them to 0 changes neither a nor what `balance` says.",
      example:
        "pipeline mnist_simclr from simclr {   // augment = symmetric: saturation 0.8, hue 0.2, grayscale 0.2\n  data {\n    real = mnist(split = train)\n  }\n}",
      fix: "Set them to 0, or use the `digits` / `digits_adainf` presets (sized for 28x28 grey digits). `--fix` writes 0 where the value is written in the pipeline's own file.",
    },
  },
  check(ctx) {
    const { ir } = ctx;
    if (trainingChannels(ir) !== 1) return;
    const found: Record<"saturation" | "hue" | "grayscale", string[]> = { saturation: [], hue: [], grayscale: [] };
    ir.augment.views.forEach((v, vi) =>
      v.ops.forEach((op, oi) => {
        if (op.op === "color_jitter" && op.p > 0) {
          if (op.saturation > 0) found.saturation.push(pointer("augment", "views", vi, "ops", oi, "saturation"));
          if (op.hue > 0) found.hue.push(pointer("augment", "views", vi, "ops", oi, "hue"));
        } else if (op.op === "grayscale" && op.p > 0) {
          found.grayscale.push(pointer("augment", "views", vi, "ops", oi, "p"));
        }
      }),
    );
    for (const [what, pointers] of Object.entries(found)) {
      if (pointers.length === 0) continue;
      const label = what === "grayscale" ? "random grayscale" : `${what} jitter`;
      ctx.report({
        pointer: pointers[0]!,
        message: `${label} does nothing on single-channel training data (${pointers.length} view${pointers.length === 1 ? "" : "s"})`,
        hint: `set ${what === "grayscale" ? "grayscale.p" : `color_jitter.${what}`} to 0`,
        fix: zeroFix(ctx, pointers),
      });
    }
  },
};

function zeroFix(ctx: RuleContext, pointers: string[]): TextEdit[] {
  const edits: TextEdit[] = [];
  const seen = new Set<number>();
  for (const p of pointers) {
    const e = ctx.editAt(p, "0");
    if (!e) return []; // a value set in a preset cannot be edited here
    if (seen.has(e.span.start)) continue; // both views of a symmetric preset share one span
    seen.add(e.span.start);
    edits.push(e);
  }
  return edits;
}
