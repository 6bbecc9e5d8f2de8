// Barlow Twins (Zbontar et al. 2021) as solo-learn computes it.
// Projector: Linear(feat, hidden) - BN - ReLU - Linear(hidden, hidden) - BN - ReLU -
// Linear(hidden, out). Loss on the two views' projections z1, z2 ([N, D]):
//   zk <- batch-normalised zk (batch mean, biased variance, eps 1e-5, no affine)
//   c = z1^T z2 / N
//   loss = scaleLoss * ( sum_i (1 - c_ii)^2 + lambda * sum_{i != j} c_ij^2 )
import type { Scalar, Tensor2D } from "@tensorflow/tfjs-core";
import type { BarlowTwinsIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { BaseMethod } from "./base.js";
import { BN_EPS } from "./batchnorm1d.js";
import { Head } from "./head.js";
import type { Tf } from "./tf.js";
import type { LossInput } from "./types.js";

export function barlowLoss(tf: Tf, z1: Tensor2D, z2: Tensor2D, lambda: number, scaleLoss: number): Scalar {
  const [n, d] = z1.shape;
  return tf.tidy(() => {
    const standardise = (z: Tensor2D): Tensor2D => {
      const { mean, variance } = tf.moments(z, 0);
      return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, BN_EPS))) as Tensor2D;
    };
    const c = tf.div(tf.matMul(standardise(z1), standardise(z2), true, false), n);
    const eye = tf.eye(d);
    const offWeight = tf.add(eye, tf.mul(tf.sub(1, eye), lambda));
    const cdif = tf.square(tf.sub(c, eye));
    return tf.mul(tf.sum(tf.mul(cdif, offWeight)), scaleLoss) as Scalar;
  });
}

export class BarlowTwins extends BaseMethod {
  readonly name = "barlow" as const;
  readonly numViews = 2;
  readonly usesMomentumBackbone = false;
  private readonly projector: Head;

  constructor(
    tf: Tf,
    private readonly ir: BarlowTwinsIR,
    featureDim: number,
    rng: Rng,
  ) {
    const projector = Head.create(
      tf,
      "projector",
      featureDim,
      [
        { kind: "linear", out: ir.projHiddenDim },
        { kind: "bn" },
        { kind: "relu" },
        { kind: "linear", out: ir.projHiddenDim },
        { kind: "bn" },
        { kind: "relu" },
        { kind: "linear", out: ir.projOutputDim },
      ],
      rng,
    );
    super(tf, [projector], [], null);
    this.projector = projector;
  }

  loss(input: LossInput): Scalar {
    if (input.features.length !== 2) throw new Error(`barlow: expected 2 views, got ${input.features.length}`);
    return this.tf.tidy(() => {
      const [z1, z2] = input.features.map((f) => this.projector.apply(f, true)) as [Tensor2D, Tensor2D];
      return barlowLoss(this.tf, z1, z2, this.ir.lambda, this.ir.scaleLoss);
    });
  }
}
