// BatchNorm1d as torch computes it: in training mode normalise with the batch mean and
// the biased batch variance, and move the running statistics by `momentum` (0.1) using
// the unbiased variance; in eval mode use the running statistics. eps = 1e-5. An empty
// batch is refused (refuseEmptyBatch), not turned into NaN running statistics.
import type { Tensor2D, Variable } from "@tensorflow/tfjs-core";
import { refuseEmptyBatch } from "../backend/batch-norm-kernels.js";
import { cloneVariable, makeVariable } from "./init.js";
import type { Tf } from "./tf.js";
import type { ParamInfo } from "./types.js";

export const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;

export class BatchNorm1d {
  private constructor(
    private readonly tf: Tf,
    readonly name: string,
    readonly dim: number,
    readonly gamma: Variable,
    readonly beta: Variable,
    readonly runningMean: Variable,
    readonly runningVar: Variable,
  ) {}

  static create(tf: Tf, name: string, dim: number, trainable = true): BatchNorm1d {
    return new BatchNorm1d(
      tf,
      name,
      dim,
      makeVariable(tf, new Float32Array(dim).fill(1), [dim], trainable),
      makeVariable(tf, new Float32Array(dim), [dim], trainable),
      makeVariable(tf, new Float32Array(dim), [dim], false),
      makeVariable(tf, new Float32Array(dim).fill(1), [dim], false),
    );
  }

  clone(trainable: boolean, name = this.name): BatchNorm1d {
    const tf = this.tf;
    return new BatchNorm1d(
      tf,
      name,
      this.dim,
      cloneVariable(tf, this.gamma, trainable),
      cloneVariable(tf, this.beta, trainable),
      cloneVariable(tf, this.runningMean, false),
      cloneVariable(tf, this.runningVar, false),
    );
  }

  apply(x: Tensor2D, training: boolean): Tensor2D {
    const tf = this.tf;
    if (!training) {
      return tf.tidy(() => {
        const xhat = tf.div(tf.sub(x, this.runningMean), tf.sqrt(tf.add(this.runningVar, BN_EPS)));
        return tf.add(tf.mul(xhat, this.gamma), this.beta) as Tensor2D;
      });
    }
    refuseEmptyBatch(x.shape);
    const n = x.shape[0];
    const { mean, variance } = tf.moments(x, 0);
    // Running statistics are state, not part of the loss: no path leads from them to
    // the loss, so the gradient tape prunes these ops.
    tf.tidy(() => {
      const unbiased = n > 1 ? tf.mul(variance, n / (n - 1)) : variance;
      const m = tf.add(tf.mul(this.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM));
      const v = tf.add(tf.mul(this.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM));
      this.runningMean.assign(m);
      this.runningVar.assign(v);
    });
    const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS)));
    return tf.add(tf.mul(xhat, this.gamma), this.beta) as Tensor2D;
  }

  params(): ParamInfo[] {
    return [
      { name: `${this.name}.weight`, variable: this.gamma, biasOrNorm: true },
      { name: `${this.name}.bias`, variable: this.beta, biasOrNorm: true },
    ];
  }

  /** Running statistics (checkpointed, not trained). */
  buffers(): { name: string; variable: Variable }[] {
    return [
      { name: `${this.name}.running_mean`, variable: this.runningMean },
      { name: `${this.name}.running_var`, variable: this.runningVar },
    ];
  }

  dispose(): void {
    this.gamma.dispose();
    this.beta.dispose();
    this.runningMean.dispose();
    this.runningVar.dispose();
  }
}
