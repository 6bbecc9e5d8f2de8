// SGD with momentum and weight decay, torch semantics (dampening 0, no Nesterov):
//   d = g + wd * p;  buf = d at the first step, else momentum * buf + d;  p -= lr * buf
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import { emptyState, type StateDict } from "../methods/state-dict.js";
import type { Tf } from "../methods/tf.js";
import { checkStepArgs, Slots } from "./slots.js";
import type { Optimizer } from "./types.js";

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

export class Sgd implements Optimizer {
  readonly name = "sgd" as const;
  private readonly buffers = new Slots("momentum_buffer");

  constructor(
    private readonly tf: Tf,
    private readonly opts: SgdOptions,
  ) {}

  step(params: readonly Variable[], grads: readonly (Tensor | null | undefined)[], lr: number): void {
    checkStepArgs(params, grads, lr);
    const tf = this.tf;
    const { momentum, weightDecay } = this.opts;
    params.forEach((p, i) => {
      const g = grads[i];
      if (!g) return;
      const prev = this.buffers.get(i);
      const [next, buf] = tf.tidy(() => {
        const d = weightDecay !== 0 ? tf.add(g, tf.mul(p, weightDecay)) : g;
        if (momentum === 0) return [tf.sub(p, tf.mul(d, lr))];
        const b = prev ? tf.add(tf.mul(prev, momentum), d) : d.clone();
        return [tf.sub(p, tf.mul(b, lr)), b];
      }) as [Tensor, Tensor?];
      p.assign(next);
      next.dispose();
      if (buf) this.buffers.set(i, buf);
    });
  }

  async state(): Promise<StateDict> {
    const s = emptyState();
    await this.buffers.saveInto(s);
    return s;
  }

  loadState(state: StateDict): void {
    this.buffers.loadFrom(this.tf, state);
  }

  dispose(): void {
    this.buffers.dispose();
  }
}
