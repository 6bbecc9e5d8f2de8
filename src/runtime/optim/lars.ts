// LARS as solo-learn's (after PyTorch Lightning Bolts), per parameter p with gradient g:
//   if p is not excluded (excluded = 1-D "bias or norm" params when excludeBiasAndNorm)
//   and ||p|| != 0 and ||g|| != 0:
//       lars_lr = eta * ||p|| / (||g|| + wd * ||p|| + 1e-8)
//       if clipLr: lars_lr = min(lars_lr / lr, 1)
//       d = (g + wd * p) * lars_lr
//   else d = g                      (so excluded params get no weight decay either)
//   buf = d at the first step, else momentum * buf + d;  p -= lr * buf
// The norms are read back once per step (one transfer for all parameters), as torch's
// LARS does for its `if`; everything else stays on the device.
import type { Tensor, Variable } from "@tensorflow/tfjs-core";
import { emptyState, type StateDict } from "../methods/state-dict.js";
import type { Tf } from "../methods/tf.js";
import { checkStepArgs, Slots } from "./slots.js";
import { oneDimensional, type BiasOrNormTest, type Optimizer } from "./types.js";

export const LARS_EPS = 1e-8;

export interface LarsOptions {
  momentum: number;
  weightDecay: number;
  eta: number;
  clipLr: boolean;
  excludeBiasAndNorm: boolean;
  /** Defaults to "the parameter is 1-D", as solo-learn. */
  isBiasOrNorm?: BiasOrNormTest;
}

export class Lars implements Optimizer {
  readonly name = "lars" as const;
  private readonly buffers = new Slots("momentum_buffer");
  private readonly isBiasOrNorm: BiasOrNormTest;

  constructor(
    private readonly tf: Tf,
    private readonly opts: LarsOptions,
  ) {
    this.isBiasOrNorm = opts.isBiasOrNorm ?? oneDimensional;
  }

  step(params: readonly Variable[], grads: readonly (Tensor | null | undefined)[], lr: number): void {
    checkStepArgs(params, grads, lr);
    const tf = this.tf;
    const { momentum, weightDecay: wd, eta, clipLr, excludeBiasAndNorm } = this.opts;
    // Pass 1: the norms of every adapted parameter and its gradient, read back in one
    // transfer. The per-parameter factors are then plain numbers, so pass 2 is only the
    // full-size arithmetic (torch's LARS reads the norms back too, for its `if`).
    const adapted = params.map((p, i) => grads[i] != null && !(excludeBiasAndNorm && this.isBiasOrNorm(p, i)));
    const norms = this.norms(params, grads, adapted);
    let k = 0;
    params.forEach((p, i) => {
      const g = grads[i];
      if (!g) return;
      let factor = 1;
      let decay = 0;
      if (adapted[i]) {
        const pNorm = norms[k++]!;
        const gNorm = norms[k++]!;
        if (pNorm !== 0 && gNorm !== 0) {
          factor = (eta * pNorm) / (gNorm + pNorm * wd + LARS_EPS);
          if (clipLr) factor = Math.min(factor / lr, 1);
          decay = wd;
        }
      }
      const prev = this.buffers.get(i);
      const [next, buf] = tf.tidy(() => {
        let d: Tensor = decay !== 0 ? tf.add(g, tf.mul(p, decay)) : g;
        if (factor !== 1) d = tf.mul(d, factor);
        if (momentum === 0) return [tf.sub(p, tf.mul(d, lr))];
        const b = prev ? tf.add(tf.mul(prev, momentum), d) : d.clone();
        return [tf.sub(p, tf.mul(b, lr)), b];
      }) as [Tensor, Tensor?];
      p.assign(next);
      next.dispose();
      if (buf) this.buffers.set(i, buf);
    });
  }

  /** [||p||, ||g||] for each adapted parameter, in order, as numbers. */
  private norms(params: readonly Variable[], grads: readonly (Tensor | null | undefined)[], adapted: boolean[]): Float32Array {
    const tf = this.tf;
    if (!adapted.some(Boolean)) return new Float32Array(0);
    const all = tf.tidy(() => {
      const parts: Tensor[] = [];
      params.forEach((p, i) => {
        if (!adapted[i]) return;
        // sqrt(sum(x^2)): tf.norm goes through abs and pow, several times slower on wasm
        parts.push(tf.sqrt(tf.sum(tf.square(p))), tf.sqrt(tf.sum(tf.square(grads[i]!))));
      });
      return tf.stack(parts);
    });
    const values = all.dataSync() as Float32Array;
    all.dispose();
    return values;
  }

  state(): StateDict {
    const s = emptyState();
    this.buffers.saveInto(s);
    return s;
  }

  loadState(state: StateDict): void {
    this.buffers.loadFrom(this.tf, state);
  }

  dispose(): void {
    this.buffers.dispose();
  }
}
