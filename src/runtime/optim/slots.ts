// Per-parameter optimiser state (momentum buffers, Adam moments), indexed by the
// parameter's position. Replacing a slot disposes the old tensor, so a step leaves the
// number of live tensors unchanged.
import type { Tensor } from "@tensorflow/tfjs-core";
import type { Tf } from "../methods/tf.js";
import { saveTensor, type StateDict } from "../methods/state-dict.js";

export class Slots {
  private readonly slots: (Tensor | null)[] = [];

  constructor(readonly kind: string) {}

  get(i: number): Tensor | null {
    return this.slots[i] ?? null;
  }

  /** Takes ownership of `t` (keep it out of any tidy scope's disposal). */
  set(i: number, t: Tensor): void {
    const old = this.slots[i];
    if (old) old.dispose();
    while (this.slots.length <= i) this.slots.push(null);
    this.slots[i] = t;
  }

  async saveInto(state: StateDict): Promise<void> {
    state.numbers[`${this.kind}.count`] = this.slots.length;
    for (const [i, t] of this.slots.entries()) {
      if (t) state.tensors[`${this.kind}.${i}`] = await saveTensor(t);
    }
  }

  loadFrom(tf: Tf, state: StateDict): void {
    this.dispose();
    const count = state.numbers[`${this.kind}.count`] ?? 0;
    for (let i = 0; i < count; i++) {
      const saved = state.tensors[`${this.kind}.${i}`];
      this.slots.push(saved ? tf.tensor(saved.values, saved.shape, "float32") : null);
    }
  }

  dispose(): void {
    for (const t of this.slots) t?.dispose();
    this.slots.length = 0;
  }
}

export function checkStepArgs(params: readonly unknown[], grads: readonly unknown[], lr: number): void {
  if (params.length !== grads.length) {
    throw new Error(`optimiser step: ${params.length} parameters but ${grads.length} gradients`);
  }
  if (!Number.isFinite(lr)) throw new Error(`optimiser step: learning rate ${lr} is not finite`);
}
