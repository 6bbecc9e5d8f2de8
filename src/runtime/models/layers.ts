// The building blocks of our backbones as small objects over tf.Variables: a
// convolution (no bias, as ResNet/convnet use before BN or ReLU), batch norm with
// running statistics, and a linear layer. Initialisation draws from our Rng in a
// fixed order: He/Kaiming normal (fan_out, ReLU gain) for convolutions as
// torchvision's ResNet does, torch's default U(+-1/sqrt(fan_in)) for linear layers.
import type { Tensor, Tensor2D, Tensor4D, Variable } from "@tensorflow/tfjs-core";
import type { Rng } from "../rng.js";
import type { ModelState, NamedParam } from "./backbone.js";
import type { Tf } from "../methods/tf.js";
import { StateMismatch } from "../errors.js";
import { axpby } from "../backend/fused-kernels.js";
import { batchNormTrain } from "./batch-norm-train.js";

/** Holds every variable of a model by name; layers register into it. */
export class VariableStore {
  readonly named: NamedParam[] = [];
  /** Non-trainable variables (batch-norm running statistics). */
  readonly buffers = new Map<string, Variable>();

  constructor(readonly tf: Tf) {}

  param(name: string, shape: number[], values: Float32Array, biasOrNorm: boolean): Variable {
    // No tfjs name: tfjs variable names are process-global, and two copies of a
    // model (online and momentum encoders) must coexist. Our names live in `named`.
    const v = this.tf.tidy(() => this.tf.variable(this.tf.tensor(values, shape), true));
    this.named.push({ name, variable: v, biasOrNorm });
    return v;
  }

  buffer(name: string, shape: number[], fill: number): Variable {
    const v = this.tf.tidy(() => this.tf.variable(this.tf.fill(shape, fill), false));
    this.buffers.set(name, v);
    return v;
  }

  all(): Array<[string, Variable]> {
    return [...this.named.map((p): [string, Variable] => [p.name, p.variable]), ...this.buffers];
  }

  async getState(): Promise<ModelState> {
    const state: ModelState = {};
    for (const [name, v] of this.all()) {
      state[name] = { shape: [...v.shape], data: Float32Array.from((await v.data()) as Float32Array) };
    }
    return state;
  }

  setState(state: ModelState): void {
    const pairs = this.all();
    // Validate everything before assigning anything: a bad checkpoint changes nothing.
    for (const [name, v] of pairs) {
      const s = state[name];
      if (s === undefined) throw new StateMismatch(`model state has no entry '${name}'`);
      const size = v.shape.reduce((a, b) => a * b, 1);
      if (s.shape.join("x") !== v.shape.join("x") || s.data.length !== size) {
        throw new StateMismatch(`model state '${name}' has shape [${s.shape.join(", ")}], expected [${v.shape.join(", ")}]`);
      }
    }
    for (const [name, v] of pairs) {
      const s = state[name] as { shape: number[]; data: Float32Array };
      this.tf.tidy(() => v.assign(this.tf.tensor(s.data, v.shape)));
    }
  }

  dispose(): void {
    for (const [, v] of this.all()) v.dispose();
  }
}

function heNormal(rng: Rng, size: number, fanOut: number): Float32Array {
  const std = Math.sqrt(2 / fanOut);
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = std * rng.normal();
  return a;
}

function uniform(rng: Rng, size: number, bound: number): Float32Array {
  const a = new Float32Array(size);
  for (let i = 0; i < size; i++) a[i] = rng.uniform(-bound, bound);
  return a;
}

export interface Conv {
  apply(x: Tensor4D): Tensor4D;
}

/** k x k convolution, torch-style symmetric padding (k-1)/2, HWIO weights, no bias. */
export function conv(store: VariableStore, rng: Rng, name: string, k: number, cin: number, cout: number, stride: number): Conv {
  const w = store.param(`${name}.weight`, [k, k, cin, cout], heNormal(rng, k * k * cin * cout, k * k * cout), false);
  const p = (k - 1) >> 1;
  // Explicit symmetric padding, not 'same': with stride 2 tf's 'same' pads
  // bottom/right only, torch pads both sides; explicit keeps torch's alignment.
  const pad: [[0, 0], [number, number], [number, number], [0, 0]] = [
    [0, 0],
    [p, p],
    [p, p],
    [0, 0],
  ];
  const tf = store.tf;
  return { apply: (x) => tf.conv2d(x, w as unknown as Tensor4D, stride, pad) };
}

export interface BatchNorm {
  apply(x: Tensor4D, training: boolean): Tensor4D;
  /** relu(apply(x)), fused in training mode (one op, one output kept). */
  applyRelu(x: Tensor4D, training: boolean): Tensor4D;
}

/**
 * Batch norm over N, H, W (torch BatchNorm2d: eps 1e-5, momentum 0.1, running
 * variance updated with the unbiased batch variance, normalisation with the biased).
 * Training mode is one op with a hand-written gradient (batch-norm-train.ts).
 */
export function batchNorm(store: VariableStore, name: string, channels: number): BatchNorm {
  const tf = store.tf;
  const gamma = store.param(`${name}.gamma`, [channels], new Float32Array(channels).fill(1), true);
  const beta = store.param(`${name}.beta`, [channels], new Float32Array(channels), true);
  const runningMean = store.buffer(`${name}.running_mean`, [channels], 0);
  const runningVar = store.buffer(`${name}.running_var`, [channels], 1);
  const eps = 1e-5;
  const momentum = 0.1;
  const train = (x: Tensor4D, relu: boolean): Tensor4D => {
    const count = x.size / channels;
    const onStats = (mean: Tensor, variance: Tensor): void => {
      // Runs inside the op, off the gradient tape: running statistics get no gradient.
      // a x + b (c y): one kernel each on webgpu, the same tfjs ops as ever elsewhere.
      tf.tidy(() => {
        runningMean.assign(axpby(tf, runningMean, mean, 1 - momentum, momentum));
        runningVar.assign(axpby(tf, runningVar, variance, 1 - momentum, momentum, count / Math.max(1, count - 1)));
      });
    };
    return batchNormTrain(tf, x, gamma, beta, eps, onStats, relu);
  };
  const evaluate = (x: Tensor4D): Tensor4D => tf.batchNorm(x, runningMean, runningVar, beta, gamma, eps) as Tensor4D;
  return {
    apply: (x, training) => (training ? train(x, false) : evaluate(x)),
    applyRelu: (x, training) => (training ? train(x, true) : tf.relu(evaluate(x))),
  };
}

export interface Linear {
  apply(x: Tensor2D): Tensor2D;
}

/** x W (+ b), W [in, out]; torch's default init bounds. */
export function linear(store: VariableStore, rng: Rng, name: string, cin: number, cout: number, bias: boolean): Linear {
  const tf = store.tf;
  const bound = 1 / Math.sqrt(cin);
  const w = store.param(`${name}.weight`, [cin, cout], uniform(rng, cin * cout, bound), false);
  const b = bias ? store.param(`${name}.bias`, [cout], uniform(rng, cout, bound), true) : null;
  return {
    apply(x) {
      const y = tf.matMul(x, w as unknown as Tensor2D) as Tensor2D;
      return b === null ? y : (tf.add(y, b as unknown as Tensor) as Tensor2D);
    },
  };
}

/** Global average pooling: [N, H, W, C] -> [N, C]. */
export function globalAvgPool(tf: Tf, x: Tensor4D): Tensor2D {
  return tf.mean(x, [1, 2]) as Tensor2D;
}
