// Builds the optimiser an IR names.
import type { OptimizerIR } from "../../ir/types.js";
import type { Tf } from "../methods/tf.js";
import { AdamW } from "./adamw.js";
import { Lars } from "./lars.js";
import { Sgd } from "./sgd.js";
import type { BiasOrNormTest, Optimizer } from "./types.js";

export function buildOptimizer(tf: Tf, ir: OptimizerIR, isBiasOrNorm?: BiasOrNormTest): Optimizer {
  switch (ir.name) {
    case "lars":
      return new Lars(tf, {
        momentum: ir.momentum,
        weightDecay: ir.weightDecay,
        eta: ir.eta,
        clipLr: ir.clipLr,
        excludeBiasAndNorm: ir.excludeBiasAndNorm,
        ...(isBiasOrNorm ? { isBiasOrNorm } : {}),
      });
    case "sgd":
      return new Sgd(tf, { momentum: ir.momentum, weightDecay: ir.weightDecay });
    case "adamw":
      return new AdamW(tf, { weightDecay: ir.weightDecay, beta1: ir.beta1, beta2: ir.beta2 });
  }
}

export type { BiasOrNormTest, Optimizer } from "./types.js";
export { oneDimensional } from "./types.js";
export { learningRateAt } from "./schedule.js";
export { Lars, LARS_EPS } from "./lars.js";
export { Sgd } from "./sgd.js";
export { AdamW } from "./adamw.js";
