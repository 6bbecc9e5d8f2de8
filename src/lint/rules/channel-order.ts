// The reference converter reads images with OpenCV, which returns BGR, and saves them
// as they are (docs/paper.md §4): a generated npz is BGR unless someone converted it.
import { pointer } from "../pointer.js";
import type { LintRule } from "../types.js";

export const rule: LintRule = {
  meta: {
    id: "channel-order",
    name: "NpzChannelOrder",
    defaultSeverity: "warn",
    fixable: false,
    docs: {
      summary: "A 3-channel npz source does not declare its channel order (rgb or bgr).",
      rationale:
        "The reference code converts generated images with `cv2.imread`, which returns BGR, and writes them " +
        "to the npz unchanged; the real CIFAR data is RGB. Mixing the two silently swaps red and blue on " +
        "most of the training set (a distribution gap of our own making), and normalisation with RGB " +
        "statistics makes it worse. The file cannot tell which it is, so the pipeline must say.",
      example: 'generated = npz("datasets/generated/cifar10-stf-1m.npz", size = 1_000_000, fid = 1.94)   // rgb or bgr?',
      fix: "Declare it: `channels = bgr` for files written by the reference converter, `channels = rgb` otherwise. No automatic fix: only you know where the file came from.",
    },
  },
  check(ctx) {
    const { ir } = ctx;
    const used = new Set([...ir.data.train.map((e) => e.source), ...(ir.data.eval ? [ir.data.eval] : [])]);
    ir.data.sources.forEach((s, i) => {
      if (s.format !== "npz" || s.channelOrder !== null || s.shape[2] !== 3 || !used.has(s.name)) return;
      ctx.report({
        pointer: pointer("data", "sources", i),
        message: `npz source '${s.name}' does not declare its channel order; files from the reference converter are BGR`,
        hint: "declare `channels = bgr` (reference converter, OpenCV) or `channels = rgb`",
      });
    });
  },
};
