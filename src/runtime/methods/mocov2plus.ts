// MoCo v2+ (Chen et al. 2020) as solo-learn computes it.
// Projector: Linear(feat, hidden) - ReLU - Linear(hidden, out) (no batch norm), a momentum
// copy of backbone and projector for the keys, and a queue of past keys per view.
// With q = normalise(projector(online feats)), k = normalise(momentum projector(momentum feats)):
//   L(q, k, Q) = cross-entropy of [q . k, q . Q^T] / T against class 0
//   loss = (L(q1, k2, Q[view 2]) + L(q2, k1, Q[view 1])) / 2
// then the keys (k1, k2) are pushed into the queue.
import type { Scalar, Tensor2D, Tensor3D } from "@tensorflow/tfjs-core";
import type { MoCoV2PlusIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import { BaseMethod } from "./base.js";
import { Head } from "./head.js";
import { KeyQueue } from "./key-queue.js";
import { crossEntropyFirstClass, detach, l2Normalize, requireViews } from "./ops.js";
import type { StateDict } from "./state-dict.js";
import type { Tf } from "./tf.js";
import type { LossInput, MomentumPair } from "./types.js";

/**
 * solo-learn's mocov2plus_loss_func. `query` and `key` are [N, D] and already normalised;
 * `queue` is [K, D] (one key per row).
 */
export function mocoLoss(tf: Tf, query: Tensor2D, key: Tensor2D, queue: Tensor2D, temperature: number): Scalar {
  return tf.tidy(() => {
    const pos = tf.sum(tf.mul(query, key), 1, true);
    const neg = tf.matMul(query, queue, false, true);
    const logits = tf.div(tf.concat([pos, neg], 1), temperature) as Tensor2D;
    return crossEntropyFirstClass(tf, logits);
  });
}

export class MoCoV2Plus extends BaseMethod {
  readonly name = "mocov2plus" as const;
  readonly numViews = 2;
  readonly usesMomentumBackbone = true;
  private readonly projector: Head;
  private readonly targetProjector: Head;
  private readonly queue: KeyQueue;
  /** Keys of the last loss() call, pushed by afterStep(). */
  private pending: Tensor3D | null = null;

  constructor(
    tf: Tf,
    private readonly ir: MoCoV2PlusIR,
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
    const targetProjector = projector.cloneAsTarget("momentum_projector");
    super(tf, [projector], [{ online: projector, target: targetProjector }], ir.momentum);
    this.projector = projector;
    this.targetProjector = targetProjector;
    this.queue = new KeyQueue(tf, 2, ir.queueSize, ir.projOutputDim, rng);
  }

  /** The queue [2, queueSize, projOutputDim] (view-major); owned by the method. */
  get queueTensor(): Tensor3D {
    return this.queue.tensor;
  }

  get queuePointer(): number {
    return this.queue.pointer;
  }

  loss(input: LossInput): Scalar {
    const [f1, f2] = requireViews("mocov2plus", input.features, 2, "online features");
    const [t1, t2] = requireViews("mocov2plus", input.targetFeatures, 2, "momentum-backbone features");
    const tf = this.tf;
    const T = this.ir.temperature;
    return tf.tidy(() => {
      const q1 = l2Normalize(tf, this.projector.apply(f1!, true));
      const q2 = l2Normalize(tf, this.projector.apply(f2!, true));
      const k1 = detach(tf, l2Normalize(tf, this.targetProjector.apply(t1!, true))) as Tensor2D;
      const k2 = detach(tf, l2Normalize(tf, this.targetProjector.apply(t2!, true))) as Tensor2D;
      const size = this.ir.queueSize;
      const dim = this.ir.projOutputDim;
      const queue1 = tf.reshape(tf.slice(this.queue.tensor, [0, 0, 0], [1, size, dim]), [size, dim]) as Tensor2D;
      const queue2 = tf.reshape(tf.slice(this.queue.tensor, [1, 0, 0], [1, size, dim]), [size, dim]) as Tensor2D;
      const loss = tf.div(tf.add(mocoLoss(tf, q1, k2, queue2, T), mocoLoss(tf, q2, k1, queue1, T)), 2) as Scalar;
      this.setPending(tf.keep(tf.stack([k1, k2]) as Tensor3D));
      return loss;
    });
  }

  override afterStep(step: number, totalSteps: number, backbonePairs: readonly MomentumPair[] = []): void {
    super.afterStep(step, totalSteps, backbonePairs);
    if (this.pending !== null) {
      this.queue.push(this.pending);
      this.setPending(null);
    }
  }

  private setPending(keys: Tensor3D | null): void {
    this.pending?.dispose();
    this.pending = keys;
  }

  override async state(): Promise<StateDict> {
    const s = await super.state();
    await this.queue.saveInto(s, "");
    return s;
  }

  override loadState(state: StateDict): void {
    super.loadState(state);
    this.queue.loadFrom(state, "");
    this.setPending(null);
  }

  override dispose(): void {
    super.dispose();
    this.queue.dispose();
    this.setPending(null);
  }
}
