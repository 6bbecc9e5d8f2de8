// MoCo's queue of negative keys: for each of the two views a FIFO ring of `size`
// L2-normalised keys. Stored [views, size, dim] (rows are keys). A push writes a batch
// at the pointer, wrapping around, and moves the pointer, as solo-learn's
// _dequeue_and_enqueue (which also needs size % batch == 0; here any batch size works).
import type { Tensor3D } from "@tensorflow/tfjs-core";
import type { Rng } from "../rng.js";
import { savedEntry, savedNumber, saveTensor, type StateDict } from "./state-dict.js";
import type { Tf } from "./tf.js";

export class KeyQueue {
  private keys: Tensor3D;
  private ptr = 0;

  constructor(
    private readonly tf: Tf,
    readonly views: number,
    readonly size: number,
    readonly dim: number,
    rng: Rng,
  ) {
    if (!(size > 0)) throw new Error(`moco queue size must be positive, got ${size}`);
    // randn, then normalised per key, as the reference initialises its queue.
    const values = new Float32Array(views * size * dim);
    for (let k = 0; k < views * size; k++) {
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        const x = rng.normal();
        values[k * dim + j] = x;
        norm += x * x;
      }
      const inv = 1 / Math.max(Math.sqrt(norm), 1e-12);
      for (let j = 0; j < dim; j++) values[k * dim + j]! *= inv;
    }
    this.keys = tf.tensor3d(values, [views, size, dim]);
  }

  /** The queue tensor [views, size, dim]; owned by the queue, do not dispose. */
  get tensor(): Tensor3D {
    return this.keys;
  }

  get pointer(): number {
    return this.ptr;
  }

  /** Writes `batch` ([views, B, dim]) at the pointer (FIFO: overwrites the oldest keys). */
  push(batch: Tensor3D): void {
    const [v, b, d] = batch.shape;
    if (v !== this.views || d !== this.dim) {
      throw new Error(`moco queue expects keys [${this.views}, B, ${this.dim}], got [${batch.shape.join(", ")}]`);
    }
    const tf = this.tf;
    const size = this.size;
    const next = tf.tidy(() => {
      // Only the newest `size` keys survive a push larger than the queue.
      let keys = batch;
      let start = this.ptr;
      if (b > size) {
        keys = tf.slice(batch, [0, b - size, 0], [-1, size, -1]);
        start = (this.ptr + (b - size)) % size;
      }
      const n = keys.shape[1];
      const q = this.keys;
      if (n === size) {
        // The whole ring is rewritten; rotate so key order follows the positions.
        const head = size - start;
        return start === 0 ? keys.clone() : tf.concat([tf.slice(keys, [0, head, 0], [-1, size - head, -1]), tf.slice(keys, [0, 0, 0], [-1, head, -1])], 1);
      }
      if (start + n <= size) {
        const parts: Tensor3D[] = [];
        if (start > 0) parts.push(tf.slice(q, [0, 0, 0], [-1, start, -1]));
        parts.push(keys);
        if (start + n < size) parts.push(tf.slice(q, [0, start + n, 0], [-1, size - start - n, -1]));
        return tf.concat(parts, 1);
      }
      const first = size - start; // keys [0, first) go to [start, size), the rest to [0, n - first)
      return tf.concat(
        [
          tf.slice(keys, [0, first, 0], [-1, n - first, -1]),
          tf.slice(q, [0, n - first, 0], [-1, start - (n - first), -1]),
          tf.slice(keys, [0, 0, 0], [-1, first, -1]),
        ],
        1,
      );
    }) as Tensor3D;
    this.keys.dispose();
    this.keys = next;
    this.ptr = (this.ptr + b) % size;
  }

  async saveInto(state: StateDict, prefix: string): Promise<void> {
    state.tensors[`${prefix}queue`] = await saveTensor(this.keys);
    state.numbers[`${prefix}queue_ptr`] = this.ptr;
  }

  loadFrom(state: StateDict, prefix: string): void {
    const saved = savedEntry(state, `${prefix}queue`, [this.views, this.size, this.dim]);
    const ptr = savedNumber(state, `${prefix}queue_ptr`);
    if (!Number.isInteger(ptr) || ptr < 0 || ptr >= this.size) throw new Error(`bad queue pointer ${ptr}`);
    this.keys.dispose();
    this.keys = this.tf.tensor3d(saved.values, [this.views, this.size, this.dim]);
    this.ptr = ptr;
  }

  dispose(): void {
    this.keys.dispose();
  }
}
