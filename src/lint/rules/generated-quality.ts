// Low-quality (high-FID) generated data that makes up most of the mixture widens the gap
// between training and test distributions; an unknown FID cannot be judged. Judged by
// each source's own share of the epoch, with a higher FID limit under AdaInf's re-weighting.
import { fmtShare, sourceIndex, trainEntries } from "../rule-helpers.js";
import { pointer } from "../pointer.js";
import type { DataSourceIR } from "../../ir/types.js";
import type { LintRule } from "../types.js";
import { ADAINF_DUP } from "./vanilla-inflation.js";

/** FID above which generated data counts as low quality without re-weighting (the paper's 1M sets: 1.94 ... 3.14). */
export const FID_LIMIT = 10;
/**
 * The largest FID the paper shows helping under AdaInf's re-weighting (real data x 10): its
 * data-scarce set, 500,000 images at FID 18.27, where AdaInf helps the most (docs/paper.md §1).
 * The limit when every real training source is replicated at least ADAINF_DUP times.
 */
export const ADAINF_FID_LIMIT = 18.27;
/** Share of the mixture above which low-quality generated data dominates. */
export const DOMINANT_SHARE = 0.5;

export const rule: LintRule = {
  meta: {
    id: "generated-quality",
    name: "GeneratedDataQuality",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: `Generated data of high (> ${FID_LIMIT}; > ${ADAINF_FID_LIMIT} with real data x ${ADAINF_DUP}) or unknown FID makes up more than half of the mixture.`,
      rationale:
        "The paper traces the harm of generated data to the gap between the generated and the real " +
        `distribution; its 1M sets have FID 1.94-3.14, while the data-scarce 500k set has FID ${ADAINF_FID_LIMIT} and ` +
        `helps the most with AdaInf's re-weighting (real data x ${ADAINF_DUP}). So the limit is FID ${FID_LIMIT} ` +
        `without that re-weighting and ${ADAINF_FID_LIMIT} (the largest FID the paper shows helping) when every real ` +
        "training source is replicated at least that much. The sources over the limit, or with no FID declared, " +
        "count together: when they make up more than half of the samples of an epoch (counting replication), " +
        "their quality decides what the encoder learns. Each is reported with its own share.",
      example: 'generated = npz("datasets/generated/samples.npz", size = 1_000_000)   // no fid\ninflate {\n  real x 1\n  generated x 1\n}',
      fix: `Declare the set's FID (\`fid = 1.94\`), use a better generator, or replicate the real data (x ${ADAINF_DUP}, or more) so the low-quality share falls.`,
    },
  },
  check(ctx) {
    const { q, ir } = ctx;
    if (q.epochSize === null || q.epochSize === 0) return;
    const entries = trainEntries(ir);
    const real = entries.filter((e) => e.source?.origin !== "generated");
    const reweighted = real.length > 0 && real.every((e) => e.replicate >= ADAINF_DUP);
    const limit = reweighted ? ADAINF_FID_LIMIT : FID_LIMIT;
    // Each generated source's own share of the epoch (a source listed twice counts once, summed).
    const shares = new Map<DataSourceIR, number>();
    for (const e of entries) {
      const s = e.source;
      if (s?.origin !== "generated") continue;
      shares.set(s, (shares.get(s) ?? 0) + (q.sizes[s.name] ?? 0) * e.replicate);
    }
    const low = [...shares].filter(([s]) => s.fid === null || s.fid > limit);
    const lowShare = low.reduce((sum, [, n]) => sum + n, 0) / q.epochSize;
    if (lowShare <= DOMINANT_SHARE) return;
    const together = low.length > 1 ? `; low-quality generated sources together make up ${fmtShare(lowShare)}` : "";
    const why = reweighted ? `${limit}, the largest FID the paper shows helping with real data x ${ADAINF_DUP}` : `${limit}`;
    for (const [s, n] of low) {
      const share = fmtShare(n / q.epochSize);
      const at = pointer("data", "sources", sourceIndex(ir, s.name), "fid");
      if (s.fid === null) {
        ctx.report({
          pointer: at,
          message: `generated source '${s.name}' makes up ${share} of the mixture but its FID is not declared${together}`,
          hint: `declare it (\`fid = ...\`) so its quality can be judged; the paper's sets have FID 1.94 to ${ADAINF_FID_LIMIT}`,
        });
      } else {
        ctx.report({
          pointer: at,
          message: `generated source '${s.name}' has FID ${s.fid} (> ${why}) and makes up ${share} of the mixture${together}`,
          hint:
            reweighted || s.fid > ADAINF_FID_LIMIT
              ? "use a better generator, or replicate the real data more so low-quality generated data is at most half of the mixture"
              : `replicate every real source x ${ADAINF_DUP} as AdaInf does (the limit is then FID ${ADAINF_FID_LIMIT}), or use a better generator`,
        });
      }
    }
  },
};
