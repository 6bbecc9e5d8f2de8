// What every backbone offers the trainer: trainable variables (with names and a
// bias/norm flag for LARS's exclusion), a forward pass in train or eval mode, and
// a flat state for checkpoints. Models are plain functions over explicit weight
// tensors (tfjs-layers is not a dependency), initialised from our seeded Rng so a
// seed gives the same weights on every backend.
import type { Tensor2D, Tensor4D, Variable } from "@tensorflow/tfjs-core";

export interface NamedParam {
  /** Dotted name, torch style: `layer2.0.conv1.weight`, `bn1.gamma`. */
  name: string;
  variable: Variable;
  /** Bias or normalisation parameter: LARS leaves these out of adaptation and wd. */
  biasOrNorm: boolean;
}

/** One saved tensor: shape and a copy of its values. */
export interface SavedTensor {
  shape: number[];
  data: Float32Array;
}
export type ModelState = Record<string, SavedTensor>;

export interface Backbone {
  /** Trainable variables, in a fixed order (the order of `named`). */
  params: Variable[];
  named: NamedParam[];
  /** Width of the feature vector `forward` returns. */
  featureDim: number;
  /**
   * x [N, H, W, C] -> features [N, featureDim]. `training` uses batch statistics in
   * batch norm and updates the running statistics; eval mode uses the running ones.
   */
  forward(x: Tensor4D, training: boolean): Tensor2D;
  /** Every variable, trainable or not (running statistics), by name. */
  getState(): Promise<ModelState>;
  /** Loads a state from getState (same architecture); throws on a missing or mis-shaped entry. */
  setState(state: ModelState): void;
  dispose(): void;
}
