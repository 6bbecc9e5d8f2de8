// LARS as solo-learn's (after PyTorch Lightning Bolts), per parameter p with gradient g:
//   if p is not excluded (excluded = 1-D "bias or norm" params when excludeBiasAndNorm)
//   and ||p|| != 0 and ||g|| != 0:
//       lars_lr = eta * ||p|| / (||g|| + wd * ||p|| + 1e-8)
//       if clipLr: lars_lr = min(lars_lr / lr, 1)
//       d = (g + wd * p) * lars_lr
//   else d = g                      (so excluded params get no weight decay either)
//   buf = d at the first step, else momentum * buf + d;  p -= lr * buf
// Everything, the norms and the `if` included, stays on the device (as tensor ops
// with `where`): a step never reads back, so a GPU backend is never stalled by it.
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import type { Tf } from "../methods/tf.js";
import { larsStepKernel } from "../backend/fused-kernels.js";
import { MomentumOptimizer, momentumUpdate } from "./momentum.js";
import { checkStepArgs } from "./slots.js";
import { oneDimensional, type BiasOrNormTest } from "./types.js";

export const LARS_EPS = 1e-8;

export interface LarsOptions {
  momentum: number;
  weightDecay: number;
  eta: number;
  clipLr: boolean;
  excludeBiasAndNorm: boolean;
  /** Defaults to "the parameter is 1-D", as solo-learn. */
  isBiasOrNorm?: BiasOrNormTest;
}

export class Lars extends MomentumOptimizer {
  readonly name = "lars" as const;
  private readonly isBiasOrNorm: BiasOrNormTest;

  constructor(
    tf: Tf,
    private readonly opts: LarsOptions,
  ) {
    super(tf);
    this.isBiasOrNorm = opts.isBiasOrNorm ?? oneDimensional;
  }

  step(params: readonly Variable[], grads: readonly (Tensor | null | undefined)[], lr: number): void {
    checkStepArgs(params, grads, lr);
    const tf = this.tf;
    const { momentum, weightDecay: wd, eta, clipLr, excludeBiasAndNorm } = this.opts;
    params.forEach((p, i) => {
      const g = grads[i];
      if (!g) return;
      const adapted = !(excludeBiasAndNorm && this.isBiasOrNorm(p, i));
      const prev = this.buffers.get(i);
      const attrs = { lr, momentum, weightDecay: wd, eta, clipLr, adapted, eps: LARS_EPS };
      // One fused kernel where the backend has it (webgpu), else the same as tensor ops.
      this.apply(
        p,
        i,
        larsStepKernel(tf, p, g, prev, attrs) ??
          (tf.tidy(() => {
            let d: Tensor = g;
            if (adapted) {
              // The trust ratio stays on the device: no read-back, so a GPU never waits for
              // the host. Where ||p|| or ||g|| is 0, factor 1 and no decay (torch's `if`).
              // sqrt(sum(x^2)): tf.norm goes through abs and pow, several times slower on wasm.
              const pNorm = tf.sqrt(tf.sum(tf.square(p)));
              const gNorm = tf.sqrt(tf.sum(tf.square(g)));
              const ok = tf.logicalAnd(tf.greater(pNorm, 0), tf.greater(gNorm, 0));
              let ratio: Tensor = tf.div(tf.mul(pNorm, eta), tf.add(tf.add(gNorm, tf.mul(pNorm, wd)), LARS_EPS));
              if (clipLr) ratio = tf.minimum(tf.div(ratio, lr), 1);
              const factor = tf.where(ok, ratio, tf.onesLike(ratio));
              const decay = tf.where(ok, tf.fill([], wd), tf.zerosLike(ratio));
              d = tf.mul(tf.add(g, tf.mul(p, decay)), factor);
            }
            return momentumUpdate(tf, p, d, prev, momentum, lr);
          }) as [Tensor, Tensor?]),
      );
    });
  }
}
