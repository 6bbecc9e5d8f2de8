// AdamW, torch semantics (eps 1e-8, no amsgrad), with t the 1-based step count:
//   p *= 1 - lr * wd
//   m = b1 * m + (1 - b1) * g;  v = b2 * v + (1 - b2) * g^2
//   p -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import { emptyState, savedNumber, type StateDict } from "../methods/state-dict.js";
import type { Tf } from "../methods/tf.js";
import { checkStepArgs, Slots } from "./slots.js";
import type { Optimizer } from "./types.js";

export interface AdamWOptions {
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps?: number;
}

export class AdamW implements Optimizer {
  readonly name = "adamw" as const;
  private readonly m = new Slots("exp_avg");
  private readonly v = new Slots("exp_avg_sq");
  /** Steps taken by each parameter (torch keeps one per parameter). */
  private steps: number[] = [];

  constructor(
    private readonly tf: Tf,
    private readonly opts: AdamWOptions,
  ) {}

  step(params: readonly Variable[], grads: readonly (Tensor | null | undefined)[], lr: number): void {
    checkStepArgs(params, grads, lr);
    const tf = this.tf;
    const { weightDecay: wd, beta1: b1, beta2: b2 } = this.opts;
    const eps = this.opts.eps ?? 1e-8;
    params.forEach((p, i) => {
      const g = grads[i];
      if (!g) return;
      const t = (this.steps[i] ?? 0) + 1;
      this.steps[i] = t;
      const prevM = this.m.get(i);
      const prevV = this.v.get(i);
      const [next, m, v] = tf.tidy(() => {
        const decayed = wd !== 0 ? tf.mul(p, 1 - lr * wd) : p;
        const m1 = prevM ? tf.add(tf.mul(prevM, b1), tf.mul(g, 1 - b1)) : tf.mul(g, 1 - b1);
        const v1 = prevV ? tf.add(tf.mul(prevV, b2), tf.mul(tf.square(g), 1 - b2)) : tf.mul(tf.square(g), 1 - b2);
        const bc1 = 1 - b1 ** t;
        const bc2 = 1 - b2 ** t;
        const denom = tf.add(tf.div(tf.sqrt(v1), Math.sqrt(bc2)), eps);
        const p1 = tf.sub(decayed, tf.mul(tf.div(m1, denom), lr / bc1));
        return [p1, m1, v1];
      }) as [Tensor, Tensor, Tensor];
      p.assign(next);
      next.dispose();
      this.m.set(i, m);
      this.v.set(i, v);
    });
  }

  async state(): Promise<StateDict> {
    const s = emptyState();
    await this.m.saveInto(s);
    await this.v.saveInto(s);
    s.numbers["step.count"] = this.steps.length;
    this.steps.forEach((t, i) => (s.numbers[`step.${i}`] = t ?? 0));
    return s;
  }

  loadState(state: StateDict): void {
    this.m.loadFrom(this.tf, state);
    this.v.loadFrom(this.tf, state);
    const count = state.numbers["step.count"] ?? 0;
    this.steps = Array.from({ length: count }, (_, i) => savedNumber(state, `step.${i}`));
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
  }
}
