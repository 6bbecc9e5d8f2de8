// The contract between a self-supervised method (heads + loss) and the trainer.
//
// One training step, as the trainer drives it:
//   1. online backbone forward of each view (inside the gradient closure)   -> features
//   2. for methods with a momentum backbone, its forward of each view       -> targetFeatures
//   3. method.loss({features, targetFeatures, step, totalSteps})            -> scalar
//   4. gradients w.r.t. backbone params + method.params(); optimiser step
//   5. method.afterStep(step, totalSteps, backbonePairs): momentum (EMA) update of the
//      target networks, queue push (MoCo)
import type { Scalar, Tensor2D, Variable } from "@tensorflow/tfjs-core";
import type { MethodName } from "../../ir/types.js";
import type { StateDict } from "./state-dict.js";

/** A trainable parameter with what the optimiser needs to know about it. */
export interface ParamInfo {
  /** Stable name, torch-style (`projector.0.weight`); also the checkpoint key. */
  name: string;
  variable: Variable;
  /** Biases and norm scales/shifts (1-D), which LARS may exclude from adaptation and decay. */
  biasOrNorm: boolean;
}

/** (online, target): the target follows the online one by exponential moving average. */
export type MomentumPair = readonly [online: Variable, target: Variable];

export interface LossInput {
  /** Online backbone features, one [batch, featureDim] tensor per view. */
  features: readonly Tensor2D[];
  /** Momentum-backbone features per view; required when `usesMomentumBackbone`. */
  targetFeatures?: readonly Tensor2D[];
  /** 0-based index of the current optimisation step. */
  step: number;
  totalSteps: number;
}

export interface Method {
  readonly name: MethodName;
  /** How many views `loss` expects. */
  readonly numViews: number;
  /** True when the trainer must keep a momentum copy of the backbone (MoCo, BYOL). */
  readonly usesMomentumBackbone: boolean;
  /** Trainable head parameters (projector, predictor). */
  params(): ParamInfo[];
  /** The heads' (online, target) pairs; empty for methods without a momentum network. */
  momentumPairs(): MomentumPair[];
  /** Momentum tau used by the update after step `step`; null without momentum. */
  tau(step: number, totalSteps: number): number | null;
  /**
   * The loss of one batch. Safe to call inside `tf.variableGrads`; tensors the method
   * must remember past the call (MoCo's keys) are kept with `tf.keep` internally.
   */
  loss(input: LossInput): Scalar;
  /**
   * After the optimiser step: EMA update of the heads' targets and of `backbonePairs`
   * (the trainer's online/momentum backbone variables) with tau(step), then the queue push.
   */
  afterStep(step: number, totalSteps: number, backbonePairs?: readonly MomentumPair[]): void;
  /** Head parameters, targets, batch-norm statistics and queue, for checkpoints. */
  state(): Promise<StateDict>;
  loadState(state: StateDict): void;
  dispose(): void;
}
