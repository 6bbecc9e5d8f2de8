// What SGD and LARS share, torch's momentum step (dampening 0, no Nesterov) over a
// direction d: buf = d at the first step, else momentum * buf + d; p -= lr * buf; and
// the per-parameter momentum buffers, saved in and loaded from checkpoints. Where the
// backend has AdainfAxpby (webgpu), each of those is one kernel instead of two; elsewhere
// (cpu, wasm) the same tfjs ops as always, so their bits do not change.
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import { AXPBY, axpby, hasKernels } from "../backend/fused-kernels.js";
import { emptyState, type StateDict } from "../methods/state-dict.js";
import type { Tf } from "../methods/tf.js";
import { Slots } from "./slots.js";
import type { Optimizer } from "./types.js";

/**
 * Whether a x + b y runs as one kernel here. Its products by 1 are exact and
 * p + (-lr) b is p - lr b, so without contraction it gives the composed ops' bits; a
 * shader compiler may fuse a multiply and an add into an FMA (one rounding, not two).
 */
export function fusedAxpby(tf: Tf): boolean {
  return hasKernels(tf, AXPBY);
}

/** The new parameter value and, with momentum, the new buffer (inside a tidy scope). */
export function momentumUpdate(tf: Tf, p: Tensor, d: Tensor, prev: Tensor | null, momentum: number, lr: number): [Tensor, Tensor?] {
  const fused = fusedAxpby(tf);
  const descend = (step: Tensor): Tensor => (fused ? axpby(tf, p, step, 1, -lr) : tf.sub(p, tf.mul(step, lr)));
  if (momentum === 0) return [descend(d)];
  const b = prev ? (fused ? axpby(tf, prev, d, momentum, 1) : tf.add(tf.mul(prev, momentum), d)) : d.clone();
  return [descend(b), b];
}

/** An optimiser whose only state is one momentum buffer per parameter. */
export abstract class MomentumOptimizer implements Optimizer {
  abstract readonly name: Optimizer["name"];
  protected readonly buffers = new Slots("momentum_buffer");

  constructor(protected readonly tf: Tf) {}

  abstract step(params: readonly Variable[], grads: readonly (Tensor | null | undefined)[], lr: number): void;

  /** Assigns parameter `i`'s new value and keeps its new buffer (both from one update). */
  protected apply(p: Variable, i: number, [next, buf]: [Tensor, Tensor?]): void {
    p.assign(next);
    next.dispose();
    if (buf) this.buffers.set(i, buf);
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
