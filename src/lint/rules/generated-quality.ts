// A low-quality (high-FID) generated set that makes up most of the mixture widens the
// gap between training and test distributions; an unknown FID cannot be judged.
import { fmtShare, sourceIndex, trainEntries } from "../rule-helpers.js";
import { pointer } from "../pointer.js";
import type { LintRule } from "../types.js";

/** FID above which generated data counts as low quality (the paper's sets: 1.94 ... 18.27). */
export const FID_LIMIT = 10;
/** Generated share above which the generated data dominates. */
export const DOMINANT_SHARE = 0.5;

export const rule: LintRule = {
  meta: {
    id: "generated-quality",
    name: "GeneratedDataQuality",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: "Generated data of high (> 10) or unknown FID makes up more than half of the mixture.",
      rationale:
        "The paper traces the harm of generated data to the gap between the generated and the real " +
        "distribution; its 1M sets have FID 1.94-3.14, while the data-scarce 500k set has FID 18.27 and " +
        "needed AdaInf's re-weighting to help. When generated data dominates (g > 0.5), its quality decides " +
        "what the encoder learns.",
      example: 'generated = npz("datasets/generated/samples.npz", size = 1_000_000)   // no fid\ninflate {\n  real x 1\n  generated x 1\n}',
      fix: "Declare the set's FID (`fid = 1.94`), use a better generator, or replicate the real data more so the generated share falls.",
    },
  },
  check(ctx) {
    const g = ctx.q.generatedShare;
    if (g === null || g <= DOMINANT_SHARE) return;
    for (const e of trainEntries(ctx.ir)) {
      const s = e.source;
      if (s?.origin !== "generated") continue;
      const at = pointer("data", "sources", sourceIndex(ctx.ir, s.name), "fid");
      if (s.fid === null) {
        ctx.report({
          pointer: at,
          message: `generated source '${s.name}' makes up ${fmtShare(g)} of the mixture but its FID is not declared`,
          hint: "declare it (`fid = ...`) so its quality can be judged; the paper's sets have FID 1.94 to 18.27",
        });
      } else if (s.fid > FID_LIMIT) {
        ctx.report({
          pointer: at,
          message: `generated source '${s.name}' has FID ${s.fid} (> ${FID_LIMIT}) and makes up ${fmtShare(g)} of the mixture`,
          hint: "replicate the real data more (lower g) or use a better generator",
        });
      }
    }
  },
};
