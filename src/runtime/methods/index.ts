// Builds the method an IR names. Heads are initialised from `rng`, so one seed gives
// one set of weights.
import type { MethodIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { BarlowTwins } from "./barlow.js";
import { BYOL } from "./byol.js";
import { MoCoV2Plus } from "./mocov2plus.js";
import { SimCLR } from "./simclr.js";
import type { Tf } from "./tf.js";
import type { Method } from "./types.js";

export function buildMethod(tf: Tf, ir: MethodIR, featureDim: number, rng: Rng): Method {
  switch (ir.name) {
    case "simclr":
      return new SimCLR(tf, ir, featureDim, rng);
    case "mocov2plus":
      return new MoCoV2Plus(tf, ir, featureDim, rng);
    case "byol":
      return new BYOL(tf, ir, featureDim, rng);
    case "barlow":
      return new BarlowTwins(tf, ir, featureDim, rng);
  }
}

export type { LossInput, Method, MomentumPair, ParamInfo } from "./types.js";
export type { SavedTensor, StateDict } from "./state-dict.js";
export { copyOnlineToTarget, emaUpdate, tauAt } from "./momentum.js";
export { simclrLoss } from "./simclr.js";
export { mocoLoss } from "./mocov2plus.js";
export { byolLoss } from "./byol.js";
export { barlowLoss } from "./barlow.js";
