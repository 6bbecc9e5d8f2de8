// The one entry point the trainer uses: a Backbone for a BackboneIR.
import type { BackboneIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import type { Backbone } from "./backbone.js";
import type { Tf } from "../methods/tf.js";
import { buildConvNet } from "./convnet.js";
import { buildResNet18 } from "./resnet.js";

/**
 * Builds the backbone with weights drawn from `rng` (same seed, same weights on
 * every backend). `inputShape` is one image, [height, width, channels].
 */
export function buildBackbone(tf: Tf, ir: BackboneIR, inputShape: [number, number, number], rng: Rng): Backbone {
  switch (ir.name) {
    case "resnet18":
      return buildResNet18(tf, ir, inputShape, rng);
    case "convnet":
      return buildConvNet(tf, ir, inputShape, rng);
  }
}
