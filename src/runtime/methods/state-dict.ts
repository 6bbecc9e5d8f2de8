// Plain-data snapshots of tensors for checkpoints (methods, optimisers, classifiers).
// Values are copied out of the backend, so a StateDict stays valid after the tensors
// it came from are disposed, and the trainer can serialise it however it likes.
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import { StateMismatch } from "../errors.js";

export interface SavedTensor {
  shape: number[];
  values: Float32Array;
}

export interface StateDict {
  tensors: Record<string, SavedTensor>;
  /** Counters and pointers (queue position, optimiser step count). */
  numbers: Record<string, number>;
}

export function emptyState(): StateDict {
  return { tensors: {}, numbers: {} };
}

/** A copy of t's values (an asynchronous read: GPU backends cannot read synchronously). */
export async function saveTensor(t: Tensor): Promise<SavedTensor> {
  return { shape: [...t.shape], values: Float32Array.from((await t.data()) as ArrayLike<number>) };
}

/** The saved entry `key`, checked against the shape the caller expects. */
export function savedEntry(state: StateDict, key: string, shape: readonly number[]): SavedTensor {
  const saved = state.tensors[key];
  if (saved === undefined) throw new StateMismatch(`checkpoint state has no tensor "${key}"`);
  if (saved.shape.length !== shape.length || saved.shape.some((d, i) => d !== shape[i])) {
    throw new StateMismatch(`checkpoint tensor "${key}" has shape [${saved.shape.join(", ")}], expected [${shape.join(", ")}]`);
  }
  return saved;
}

export function savedNumber(state: StateDict, key: string): number {
  const n = state.numbers[key];
  if (n === undefined) throw new StateMismatch(`checkpoint state has no number "${key}"`);
  return n;
}

/** Overwrites a variable with a saved value of the same shape. */
export function restoreVariable(tf: { tensor: (values: Float32Array, shape: number[]) => Tensor }, variable: Variable, state: StateDict, key: string): void {
  const saved = savedEntry(state, key, variable.shape);
  const t = tf.tensor(saved.values, saved.shape);
  variable.assign(t);
  t.dispose();
}
