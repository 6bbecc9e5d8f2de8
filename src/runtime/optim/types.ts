// The optimiser contract: one call per training step, parameters in a fixed order.
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import type { StateDict } from "../methods/state-dict.js";

export interface Optimizer {
  readonly name: "lars" | "sgd" | "adamw";
  /**
   * Updates `params[i]` in place from `grads[i]` at learning rate `lr`. The order of
   * `params` must be the same at every call (state is kept per position). A missing
   * gradient (null/undefined) skips that parameter, as torch does for `p.grad is None`.
   * Gradients are read, never disposed: the caller owns them.
   */
  step(params: readonly Variable[], grads: readonly (Tensor | null | undefined)[], lr: number): void;
  /** Momentum buffers / moments and step counters, for checkpoints. */
  state(): Promise<StateDict>;
  loadState(state: StateDict): void;
  dispose(): void;
}

/**
 * Which parameters count as "bias or norm" (LARS may exclude them). Defaults to 1-D
 * parameters, exactly the `p.ndim == 1` test of solo-learn's LARS.
 */
export type BiasOrNormTest = (param: Variable, index: number) => boolean;

export const oneDimensional: BiasOrNormTest = (p) => p.rank === 1;
