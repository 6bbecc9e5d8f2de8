// Counts what one piece of tfjs work asks of the engine: every kernel call by name (the
// engine's runKernelFunc, the entry of registered kernels and of tf.customGrad ops, the
// latter named `customGrad(<scope>)`), and the tensors made from JS values (each one an
// upload on a GPU backend). Patches the engine for the duration of `f` only.
import type { Tf } from "../src/runtime/methods/tf.js";

export interface KernelCalls<T> {
  result: T;
  /** Calls by kernel name, customGrad ops included. */
  byName: Map<string, number>;
  /** Registered kernels' calls (customGrad ops left out: they run kernels of their own). */
  kernels: number;
  customGradOps: number;
  /** Tensors made from JS values (tf.tensor, scalars an op was given as numbers, ones for a gradient). */
  madeFromValues: number;
}

/** The engine methods patched here: tfjs-core's internal names (4.x). */
interface CountedEngine {
  runKernelFunc(params: { kernelName?: string }): unknown;
  makeTensor(...args: unknown[]): unknown;
  state: { activeScope: { name: string } | null };
}

export function countKernelCalls<T>(tf: Tf, f: () => T): KernelCalls<T> {
  const engine = tf.engine() as unknown as CountedEngine;
  const byName = new Map<string, number>();
  let made = 0;
  const run = engine.runKernelFunc;
  const make = engine.makeTensor;
  engine.runKernelFunc = function (params) {
    // A customGrad op has no kernel name: tfjs names it after the active scope.
    const name = params.kernelName ?? `customGrad(${engine.state.activeScope?.name ?? ""})`;
    byName.set(name, (byName.get(name) ?? 0) + 1);
    return run.call(this, params);
  };
  engine.makeTensor = function (...args) {
    made++;
    return make.apply(this, args);
  };
  let result: T;
  try {
    result = f();
  } finally {
    engine.runKernelFunc = run;
    engine.makeTensor = make;
  }
  const total = (custom: boolean): number => [...byName].filter(([k]) => k.startsWith("customGrad(") === custom).reduce((a, [, n]) => a + n, 0);
  return { result, byName, kernels: total(false), customGradOps: total(true), madeFromValues: made };
}
