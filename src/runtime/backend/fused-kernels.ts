// Small fused kernels for the per-step bookkeeping that otherwise costs one GPU dispatch
// per tfjs op: running statistics and momentum-encoder updates (a x + b c y), and the
// LARS step. Each function runs our kernel where the current backend has one registered
// (webgpu: webgpu-kernels/optim.ts) and otherwise the same formula as tfjs ops, op for op
// as before, so the CPU backends' numbers do not change. No tfjs import here.
import type { NamedTensorMap, Tensor } from "@tensorflow/tfjs-core";

/** What these functions use of tfjs (models and methods type their tf differently). */
type Tf = Pick<typeof import("@tensorflow/tfjs-core"), "getKernel" | "getBackend" | "engine" | "tidy" | "add" | "sub" | "mul">;

/** out = a * x + b * (c * y): inputs { x, y }, attrs { a, b, c } -> out. */
export const AXPBY = "AdainfAxpby";

/**
 * One LARS update of one parameter: inputs { p, g, buf? }, attrs LarsStepAttrs ->
 * [p', buf'] (with momentum) or [p'] (momentum 0). See optim/lars.ts for the formula.
 */
export const LARS_STEP = "AdainfLarsStep";

export interface LarsStepAttrs {
  lr: number;
  momentum: number;
  weightDecay: number;
  eta: number;
  clipLr: boolean;
  /** False for excluded (bias / norm) parameters: d = g, no trust ratio, no decay. */
  adapted: boolean;
  eps: number;
}

/** Whether the current backend has every one of these kernels registered. */
export function hasKernels(tf: Pick<Tf, "getKernel" | "getBackend">, ...names: string[]): boolean {
  const backend = tf.getBackend();
  return names.every((n) => tf.getKernel(n, backend) !== undefined);
}

/**
 * a * x + b * (c * y), as one kernel where there is one. Elsewhere the tfjs ops of the
 * formula as written by hand: no multiplication by 1 (exact, so it changes no bit), and a
 * negative b as a subtraction (x - lr * y, not x + (-lr) * y: the same bits, the same
 * kernels as before). The caller owns the result.
 */
export function axpby(tf: Tf, x: Tensor, y: Tensor, a: number, b: number, c = 1): Tensor {
  if (hasKernels(tf, AXPBY)) return tf.engine().runKernel(AXPBY, { x, y }, { a, b, c }) as Tensor;
  return tf.tidy(() => {
    const ax = a === 1 ? x : tf.mul(x, a);
    const cy = c === 1 ? y : tf.mul(y, c);
    const size = Math.abs(b);
    const term = size === 1 ? cy : tf.mul(cy, size);
    return b < 0 ? tf.sub(ax, term) : tf.add(ax, term);
  });
}

/** The LARS kernel where there is one, else null (the caller runs the composed ops). */
export function larsStepKernel(tf: Tf, p: Tensor, g: Tensor, buf: Tensor | null, attrs: LarsStepAttrs): [Tensor, Tensor?] | null {
  if (!hasKernels(tf, LARS_STEP)) return null;
  const inputs: NamedTensorMap = buf ? { p, g, buf } : { p, g };
  return tf.engine().runKernel(LARS_STEP, inputs, { ...attrs }) as unknown as [Tensor, Tensor?];
}
