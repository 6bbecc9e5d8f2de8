// BYOL (Grill et al. 2020) as solo-learn computes it.
// Projector: Linear(feat, hidden) - BN - ReLU - Linear(hidden, out); predictor:
// Linear(out, predHidden) - BN - ReLU - Linear(predHidden, out); a momentum copy of the
// backbone and projector gives the targets. Loss, summed over ordered view pairs v1 != v2:
//   2 - 2 * mean_i cos(p_i^(v2), z_target_i^(v1))
import type { Scalar, Tensor2D } from "@tensorflow/tfjs-core";
import type { BYOLIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { BaseMethod } from "./base.js";
import { Head } from "./head.js";
import { detach, l2Normalize, requireViews } from "./ops.js";
import type { Tf } from "./tf.js";
import type { LossInput } from "./types.js";

/** solo-learn's byol_loss_func: 2 - 2 * mean cosine similarity; no gradient through z. */
export function byolLoss(tf: Tf, p: Tensor2D, z: Tensor2D): Scalar {
  return tf.tidy(() => {
    const pn = l2Normalize(tf, p, 1e-8);
    const zn = l2Normalize(tf, detach(tf, z) as Tensor2D, 1e-8);
    const cos = tf.sum(tf.mul(pn, zn), 1);
    return tf.sub(2, tf.mul(2, tf.mean(cos))) as Scalar;
  });
}

export class BYOL extends BaseMethod {
  readonly name = "byol" as const;
  readonly numViews = 2;
  readonly usesMomentumBackbone = true;
  private readonly projector: Head;
  private readonly predictor: Head;
  private readonly targetProjector: Head;

  constructor(tf: Tf, ir: BYOLIR, featureDim: number, rng: Rng) {
    const projector = Head.create(
      tf,
      "projector",
      featureDim,
      [{ kind: "linear", out: ir.projHiddenDim }, { kind: "bn" }, { kind: "relu" }, { kind: "linear", out: ir.projOutputDim }],
      rng,
    );
    const predictor = Head.create(
      tf,
      "predictor",
      ir.projOutputDim,
      [{ kind: "linear", out: ir.predHiddenDim }, { kind: "bn" }, { kind: "relu" }, { kind: "linear", out: ir.projOutputDim }],
      rng,
    );
    const targetProjector = projector.cloneAsTarget("momentum_projector");
    super(tf, [projector, predictor], [{ online: projector, target: targetProjector }], ir.momentum);
    this.projector = projector;
    this.predictor = predictor;
    this.targetProjector = targetProjector;
  }

  loss(input: LossInput): Scalar {
    const views = input.features.length;
    if (views < 2) throw new Error(`byol: expected at least 2 views, got ${views}`);
    const targets = requireViews("byol", input.targetFeatures, views, "momentum-backbone features");
    const tf = this.tf;
    return tf.tidy(() => {
      const p = input.features.map((f) => this.predictor.apply(this.projector.apply(f, true), true));
      const zt = targets.map((f) => detach(tf, this.targetProjector.apply(f, true)) as Tensor2D);
      let total: Scalar = tf.scalar(0);
      for (let v1 = 0; v1 < views; v1++) {
        for (let v2 = 0; v2 < views; v2++) {
          if (v1 !== v2) total = tf.add(total, byolLoss(tf, p[v2]!, zt[v1]!));
        }
      }
      return total;
    });
  }
}
