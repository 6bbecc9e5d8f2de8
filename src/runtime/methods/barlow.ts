// Barlow Twins (Zbontar et al. 2021) as solo-learn computes it.
// Projector: Linear(feat, hidden) - BN - ReLU - Linear(hidden, hidden) - BN - ReLU -
// Linear(hidden, out). Loss on the two views' projections z1, z2 ([N, D]):
//   zk <- batch-normalised zk (batch mean, biased variance, eps 1e-5, no affine)
//   c = z1^T z2 / N
//   loss = scaleLoss * ( sum_i (1 - c_ii)^2 + lambda * sum_{i != j} c_ij^2 )
import type { Scalar, Tensor, Tensor2D } from "@tensorflow/tfjs-core";
import type { BarlowTwinsIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { BaseMethod } from "./base.js";
import { BN_EPS } from "./batchnorm1d.js";
import { Head } from "./head.js";
import { ShapeConstants } from "./shape-constants.js";
import type { Tf } from "./tf.js";
import type { LossInput } from "./types.js";

/** The loss's constants for d-dimensional projections: I, and the weights I + lambda (1 - I). */
export interface BarlowConstants {
  [name: string]: Tensor;
  eye: Tensor;
  offWeight: Tensor;
}

export function barlowConstants(tf: Tf, d: number, lambda: number): BarlowConstants {
  return tf.tidy(() => {
    const eye = tf.eye(d);
    return { eye, offWeight: tf.add(eye, tf.mul(tf.sub(1, eye), lambda)) };
  });
}

/** `constants` (barlowConstants for this d and lambda) are used and kept; without them the loss makes its own. */
export function barlowLoss(tf: Tf, z1: Tensor2D, z2: Tensor2D, lambda: number, scaleLoss: number, constants?: BarlowConstants): Scalar {
  const [n, d] = z1.shape;
  if (constants && constants.eye.shape[0] !== d) throw new Error(`barlow: constants for ${constants.eye.shape[0]} dimensions, not ${d}`);
  return tf.tidy(() => {
    const standardise = (z: Tensor2D): Tensor2D => {
      const { mean, variance } = tf.moments(z, 0);
      return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, BN_EPS))) as Tensor2D;
    };
    const c = tf.div(tf.matMul(standardise(z1), standardise(z2), true, false), n);
    const { eye, offWeight } = constants ?? barlowConstants(tf, d, lambda);
    const cdif = tf.square(tf.sub(c, eye));
    return tf.mul(tf.sum(tf.mul(cdif, offWeight)), scaleLoss) as Scalar;
  });
}

export class BarlowTwins extends BaseMethod {
  readonly name = "barlow" as const;
  readonly numViews = 2;
  readonly usesMomentumBackbone = false;
  private readonly projector: Head;
  /** The loss's identity and weights (barlowConstants), built once; freed by dispose(). */
  readonly constants: ShapeConstants<BarlowConstants>;

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
    this.constants = new ShapeConstants(tf);
  }

  loss(input: LossInput): Scalar {
    if (input.features.length !== 2) throw new Error(`barlow: expected 2 views, got ${input.features.length}`);
    const d = this.ir.projOutputDim;
    const constants = this.constants.get(String(d), () => barlowConstants(this.tf, d, this.ir.lambda));
    return this.tf.tidy(() => {
      const [z1, z2] = input.features.map((f) => this.projector.apply(f, true)) as [Tensor2D, Tensor2D];
      return barlowLoss(this.tf, z1, z2, this.ir.lambda, this.ir.scaleLoss, constants);
    });
  }

  override dispose(): void {
    this.constants.dispose();
    super.dispose();
  }
}
