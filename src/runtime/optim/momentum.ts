// What SGD and LARS share, torch's momentum step (dampening 0, no Nesterov) over a
// direction d: buf = d at the first step, else momentum * buf + d; p -= lr * buf; and
// the per-parameter momentum buffers, saved in and loaded from checkpoints. Each update
// is one axpby: one kernel where the backend has AdainfAxpby (webgpu), elsewhere (cpu,
// wasm) the same tfjs ops, and bits, as the formula written out.
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import { axpby } from "../backend/fused-kernels.js";
import { emptyState, type StateDict } from "../methods/state-dict.js";
import type { Tf } from "../methods/tf.js";
import { Slots } from "./slots.js";
import type { Optimizer } from "./types.js";

/**
 * The new parameter value and, with momentum, the new buffer (inside a tidy scope). On
 * webgpu a shader compiler may fuse a multiply and an add into an FMA (one rounding, not
 * two): the last bit can differ from the CPU backends'.
 */
export function momentumUpdate(tf: Tf, p: Tensor, d: Tensor, prev: Tensor | null, momentum: number, lr: number): [Tensor, Tensor?] {
  if (momentum === 0) return [axpby(tf, p, d, 1, -lr)];
  const b = prev ? axpby(tf, prev, d, momentum, 1) : d.clone();
  return [axpby(tf, p, b, 1, -lr), b];
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
