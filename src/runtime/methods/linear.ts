// A fully connected layer, y = x W + b, initialised like torch.nn.Linear
// (weight and bias ~ U(-1/sqrt(in), 1/sqrt(in))). W is stored [in, out] for tfjs's matMul.
import type { Tensor2D, Variable } from "@tensorflow/tfjs-core";
import type { Rng } from "../rng.js";
import { cloneVariable, makeVariable, uniformValues } from "./init.js";
import type { Tf } from "./tf.js";
import type { ParamInfo } from "./types.js";

export class Linear {
  readonly weight: Variable;
  readonly bias: Variable;

  private constructor(
    private readonly tf: Tf,
    readonly name: string,
    readonly inDim: number,
    readonly outDim: number,
    weight: Variable,
    bias: Variable,
  ) {
    this.weight = weight;
    this.bias = bias;
  }

  static create(tf: Tf, name: string, inDim: number, outDim: number, rng: Rng, trainable = true): Linear {
    const bound = 1 / Math.sqrt(inDim);
    const w = makeVariable(tf, uniformValues(rng, inDim * outDim, bound), [inDim, outDim], trainable);
    const b = makeVariable(tf, uniformValues(rng, outDim, bound), [outDim], trainable);
    return new Linear(tf, name, inDim, outDim, w, b);
  }

  /** A copy with the same values (trainable or not). */
  clone(trainable: boolean, name = this.name): Linear {
    const tf = this.tf;
    return new Linear(tf, name, this.inDim, this.outDim, cloneVariable(tf, this.weight, trainable), cloneVariable(tf, this.bias, trainable));
  }

  apply(x: Tensor2D): Tensor2D {
    const tf = this.tf;
    return tf.add(tf.matMul(x, this.weight as unknown as Tensor2D), this.bias) as Tensor2D;
  }

  params(): ParamInfo[] {
    return [
      { name: `${this.name}.weight`, variable: this.weight, biasOrNorm: false },
      { name: `${this.name}.bias`, variable: this.bias, biasOrNorm: true },
    ];
  }

  dispose(): void {
    this.weight.dispose();
    this.bias.dispose();
  }
}
