// SGD with momentum and weight decay, torch semantics (dampening 0, no Nesterov):
//   d = g + wd * p;  buf = d at the first step, else momentum * buf + d;  p -= lr * buf
// Each of the three is one axpby (fused-kernels.ts): one AdainfAxpby kernel where the
// backend has it (webgpu); else two tfjs ops, each rounded to f32 (cpu, wasm).
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import type { Tf } from "../methods/tf.js";
import { axpby } from "../backend/fused-kernels.js";
import { MomentumOptimizer, momentumUpdate } from "./momentum.js";
import { checkStepArgs } from "./slots.js";

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

export class Sgd extends MomentumOptimizer {
  readonly name = "sgd" as const;

  constructor(
    tf: Tf,
    private readonly opts: SgdOptions,
  ) {
    super(tf);
  }

  step(params: readonly Variable[], grads: readonly (Tensor | null | undefined)[], lr: number): void {
    checkStepArgs(params, grads, lr);
    const tf = this.tf;
    const { momentum, weightDecay } = this.opts;
    params.forEach((p, i) => {
      const g = grads[i];
      if (!g) return;
      const prev = this.buffers.get(i);
      this.apply(
        p,
        i,
        tf.tidy(() => {
          const d = weightDecay === 0 ? g : axpby(tf, g, p, 1, weightDecay);
          return momentumUpdate(tf, p, d, prev, momentum, lr);
        }) as [Tensor, Tensor?],
      );
    });
  }
}
