// Parameter initialisation from the run's seeded Rng (never tfjs's own random ops), so
// the same seed gives the same weights on every backend.
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import type { Rng } from "../rng.js";
import type { Tf } from "./tf.js";

/** U(-bound, bound) values, drawn in row-major order. */
export function uniformValues(rng: Rng, size: number, bound: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.uniform(-bound, bound);
  return out;
}

/** A variable holding `values`; the temporary tensor is released at once. */
export function makeVariable(tf: Tf, values: Float32Array, shape: number[], trainable: boolean): Variable {
  const t: Tensor = tf.tensor(values, shape, "float32");
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}

/** A non-trainable copy of a variable (the target side of a momentum pair). */
export function cloneVariable(tf: Tf, source: Variable, trainable: boolean): Variable {
  return tf.tidy(() => tf.variable(source.clone(), trainable));
}
