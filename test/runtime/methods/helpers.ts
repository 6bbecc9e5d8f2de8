// Shared by the tests of methods/, optim/ and eval/: the cpu backend, and plain-JS
// matrices to compute expected values without tfjs.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
// tfjs-core's Node bundle registers no gradient functions (the union package
// @tensorflow/tfjs does that). Vitest can load core's ES-module gradient configs; they
// register into the global gradient registry that the Node bundle's engine reads.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import type { Rng } from "../../../src/runtime/rng.js";

export type Matrix = number[][];

export async function cpuTf(): Promise<typeof tf> {
  await tf.setBackend("cpu");
  await tf.ready();
  return tf;
}

export function randomMatrix(rng: Rng, rows: number, cols: number, scale = 1): Matrix {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.normal() * scale));
}

export function toMatrix(t: tf.Tensor): Matrix {
  return t.arraySync() as Matrix;
}

export function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function normalizeRows(m: Matrix): Matrix {
  return m.map((r) => {
    const n = Math.max(Math.sqrt(dot(r, r)), 1e-12);
    return r.map((x) => x / n);
  });
}

/** x W + b with W [in, out]. */
export function linearJs(x: Matrix, w: Matrix, b: readonly number[]): Matrix {
  return x.map((row) => b.map((bj, j) => bj + row.reduce((s, xi, i) => s + xi * w[i]![j]!, 0)));
}

export function reluJs(x: Matrix): Matrix {
  return x.map((r) => r.map((v) => Math.max(0, v)));
}

/** Batch norm in training mode with gamma 1, beta 0 (biased variance, eps 1e-5). */
export function batchNormJs(x: Matrix, eps = 1e-5): Matrix {
  const n = x.length;
  const d = x[0]!.length;
  const out = x.map((r) => [...r]);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i]![j]!;
    mean /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (x[i]![j]! - mean) ** 2;
    v /= n;
    for (let i = 0; i < n; i++) out[i]![j] = (x[i]![j]! - mean) / Math.sqrt(v + eps);
  }
  return out;
}

export function expectClose(actual: number, expected: number, tol = 1e-5): void {
  const err = Math.abs(actual - expected);
  if (!(err <= tol * Math.max(1, Math.abs(expected)))) {
    throw new Error(`expected ${expected}, got ${actual} (error ${err})`);
  }
}

export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!);
    if (!(err <= tol * Math.max(1, Math.abs(expected[i]!)))) {
      throw new Error(`at ${i}: expected ${expected[i]}, got ${actual[i]} (error ${err})`);
    }
  }
}
