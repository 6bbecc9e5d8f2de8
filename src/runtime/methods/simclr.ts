// SimCLR (Chen et al. 2020) as solo-learn computes it.
// Projector: Linear(feat, hidden) - ReLU - Linear(hidden, out) (solo-learn's SimCLR head
// has no batch norm). Loss over all V*N projections z (V views of N images):
//   z <- z / ||z||;  s_ij = exp(z_i . z_j / T)
//   pos_i = sum of s_ij over j != i showing the same image, neg_i = sum over other images
//   loss = -mean_i log(pos_i / (pos_i + neg_i))
import type { Scalar, Tensor2D } from "@tensorflow/tfjs-core";
import type { SimCLRIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { BaseMethod } from "./base.js";
import { Head } from "./head.js";
import { l2Normalize } from "./ops.js";
import { ShapeConstants } from "./shape-constants.js";
import type { Tf } from "./tf.js";
import type { LossInput } from "./types.js";

/** Masks excluded entries with a large negative logit before a log-sum-exp. */
const MASKED = -1e9;

/** The two additive masks of the loss: same-image pairs (`pos`) and all pairs but i = i (`other`). */
export interface SimclrMasks {
  [name: string]: Tensor2D;
  pos: Tensor2D;
  other: Tensor2D;
}

/**
 * The masks for `views` views of `n` images (m = n * views rows): constants of the batch
 * shape, so a run builds them once (SimCLR keeps them) rather than every step, where at
 * the paper's 1,024 views they are 8 MB built in JS (about 7 ms) and uploaded again.
 */
export function simclrMasks(tf: Tf, n: number, views: number): SimclrMasks {
  const m = n * views;
  const pos = new Float32Array(m * m).fill(MASKED);
  const other = new Float32Array(m * m).fill(MASKED);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i === j) continue;
      other[i * m + j] = 0;
      if (i % n === j % n) pos[i * m + j] = 0;
    }
  }
  return { pos: tf.tensor2d(pos, [m, m]), other: tf.tensor2d(other, [m, m]) };
}

/**
 * The NT-Xent loss of solo-learn's simclr_loss_func. `views[v]` holds the projections of
 * view v, row i of every view being the same image. Written with log-sum-exp so that
 * small temperatures cannot overflow or underflow exp(). `masks` (from simclrMasks for
 * this shape) are used and kept; without them the loss builds and frees its own.
 */
export function simclrLoss(tf: Tf, views: readonly Tensor2D[], temperature: number, masks?: SimclrMasks): Scalar {
  if (views.length < 2) throw new Error("simclr: needs at least two views");
  const n = views[0]!.shape[0];
  const m = n * views.length;
  if (masks && masks.pos.shape[0] !== m) throw new Error(`simclr: masks for ${masks.pos.shape[0]} rows, not ${m}`);
  return tf.tidy(() => {
    const { pos, other } = masks ?? simclrMasks(tf, n, views.length);
    const z = l2Normalize(tf, tf.concat([...views], 0) as Tensor2D);
    const logits = tf.div(tf.matMul(z, z, false, true), temperature);
    const logPos = tf.logSumExp(tf.add(logits, pos), 1);
    const logAll = tf.logSumExp(tf.add(logits, other), 1);
    return tf.neg(tf.mean(tf.sub(logPos, logAll))) as Scalar;
  });
}

export class SimCLR extends BaseMethod {
  readonly name = "simclr" as const;
  readonly numViews = 2;
  readonly usesMomentumBackbone = false;
  private readonly projector: Head;
  /** The loss's masks for the batch shape (simclrMasks); freed by dispose(). */
  readonly masks: ShapeConstants<SimclrMasks>;

  constructor(
    tf: Tf,
    private readonly ir: SimCLRIR,
    featureDim: number,
    rng: Rng,
  ) {
    const projector = Head.create(
      tf,
      "projector",
      featureDim,
      [{ kind: "linear", out: ir.projHiddenDim }, { kind: "relu" }, { kind: "linear", out: ir.projOutputDim }],
      rng,
    );
    super(tf, [projector], [], null);
    this.projector = projector;
    this.masks = new ShapeConstants(tf);
  }

  loss(input: LossInput): Scalar {
    if (input.features.length < 2) throw new Error(`simclr: expected at least 2 views, got ${input.features.length}`);
    const n = input.features[0]!.shape[0];
    const views = input.features.length;
    const masks = this.masks.get(`${n}x${views}`, () => simclrMasks(this.tf, n, views));
    return this.tf.tidy(() => {
      const z = input.features.map((f) => this.projector.apply(f, true));
      return simclrLoss(this.tf, z, this.ir.temperature, masks);
    });
  }

  override dispose(): void {
    this.masks.dispose();
    super.dispose();
  }
}
