// Tensors a loss needs at every step that depend only on the batch's shape and the
// method's settings (SimCLR's masks, Barlow Twins' identity and weights): built once per
// shape and kept, instead of being made in JS and uploaded again every step (megabytes at
// the paper's sizes). A new shape (a short last batch) replaces them; dispose() frees them.
// Being built at a process's first step, they are counted apart (heldAsConstants), so the
// trainer's live-tensor count is the same before it (a resumed run's first line) and after.
import type { Tensor } from "@tensorflow/tfjs-core";
import type { Tf } from "./tf.js";

let held = 0;

/** Tensors kept by every ShapeConstants now. */
export function heldAsConstants(): number {
  return held;
}

export class ShapeConstants<T extends Record<string, Tensor>> {
  private key: string | null = null;
  private value: T | null = null;

  constructor(private readonly tf: Tf) {}

  /** The constants for `key`, from `build` when the key changed. Safe inside tidy scopes. */
  get(key: string, build: () => T): T {
    if (this.value === null || this.key !== key) {
      this.dispose();
      const value = this.tf.tidy(build);
      for (const t of Object.values(value)) this.tf.keep(t);
      held += Object.keys(value).length;
      this.key = key;
      this.value = value;
    }
    return this.value;
  }

  /** The constants now held (for tests), or null. */
  peek(): T | null {
    return this.value;
  }

  dispose(): void {
    if (this.value) {
      this.tf.dispose(Object.values(this.value));
      held -= Object.keys(this.value).length;
    }
    this.key = null;
    this.value = null;
  }
}
