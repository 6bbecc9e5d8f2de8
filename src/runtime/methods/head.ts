// A projector / predictor: a sequence of Linear, BatchNorm1d and ReLU layers, named like
// the torch.nn.Sequential the reference builds (`projector.0.weight`, `projector.1.running_mean`).
import type { Tensor2D, Variable } from "@tensorflow/tfjs-core";
import type { Rng } from "../rng.js";
import { BatchNorm1d } from "./batchnorm1d.js";
import { Linear } from "./linear.js";
import type { Tf } from "./tf.js";
import type { MomentumPair, ParamInfo } from "./types.js";

export type HeadLayerSpec = { kind: "linear"; out: number } | { kind: "bn" } | { kind: "relu" };

type Layer = Linear | BatchNorm1d | "relu";

export class Head {
  private constructor(
    private readonly tf: Tf,
    readonly name: string,
    private readonly layers: Layer[],
  ) {}

  static create(tf: Tf, name: string, inDim: number, spec: readonly HeadLayerSpec[], rng: Rng): Head {
    const layers: Layer[] = [];
    let dim = inDim;
    spec.forEach((s, i) => {
      const layerName = `${name}.${i}`;
      if (s.kind === "linear") {
        layers.push(Linear.create(tf, layerName, dim, s.out, rng));
        dim = s.out;
      } else if (s.kind === "bn") {
        layers.push(BatchNorm1d.create(tf, layerName, dim));
      } else {
        layers.push("relu");
      }
    });
    return new Head(tf, name, layers);
  }

  /** A non-trainable copy with the same values: the momentum (target) head. */
  cloneAsTarget(name: string): Head {
    const layers = this.layers.map((l, i) => (l === "relu" ? l : l.clone(false, `${name}.${i}`)));
    return new Head(this.tf, name, layers);
  }

  apply(x: Tensor2D, training: boolean): Tensor2D {
    const tf = this.tf;
    let h = x;
    for (const l of this.layers) {
      if (l === "relu") h = tf.relu(h);
      else if (l instanceof Linear) h = l.apply(h);
      else h = l.apply(h, training);
    }
    return h;
  }

  params(): ParamInfo[] {
    return this.layers.flatMap((l) => (l === "relu" ? [] : l.params()));
  }

  /** Params and batch-norm statistics, in a fixed order (checkpoints). */
  namedVariables(): { name: string; variable: Variable }[] {
    return this.layers.flatMap((l) => {
      if (l === "relu") return [];
      const ps = l.params().map((p) => ({ name: p.name, variable: p.variable }));
      return l instanceof BatchNorm1d ? [...ps, ...l.buffers()] : ps;
    });
  }

  /** (this, target) pairs over trainable parameters only, as the reference's EMA. */
  pairsWith(target: Head): MomentumPair[] {
    const a = this.params();
    const b = target.params();
    if (a.length !== b.length) throw new Error(`head ${this.name} and ${target.name} differ in shape`);
    return a.map((p, i) => [p.variable, b[i]!.variable] as const);
  }

  dispose(): void {
    for (const l of this.layers) if (l !== "relu") l.dispose();
  }
}
