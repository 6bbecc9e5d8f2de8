// The online linear classifier: a linear layer trained during pre-training on detached
// backbone features of every view (solo-learn's BaseMethod classifier), so accuracy can
// be watched as training goes. Label -1 (generated data) is ignored. It has its own SGD
// (momentum 0.9, no weight decay) at OnlineLinearIR.lr, or whatever lr the caller passes
// (the trainer may scale it with the main schedule, as the reference does).
import type { Scalar, Tensor2D } from "@tensorflow/tfjs-core";
import type { OnlineLinearIR } from "../../ir/types.js";
import { Linear } from "../methods/linear.js";
import { emptyState, restoreVariable, saveTensor, type StateDict } from "../methods/state-dict.js";
import type { Tf } from "../methods/tf.js";
import { Sgd } from "../optim/sgd.js";
import type { Rng } from "../rng.js";
import { readBack } from "../readback.js";
import { maskedCrossEntropy, topKHits } from "./cross-entropy.js";

export interface ClassifierMetrics {
  /** Mean cross-entropy over labelled rows (averaged over views when training). */
  loss: number;
  /** Top-1 accuracy in percent over labelled rows (0 when there are none). */
  acc1: number;
  /** Labelled rows the figures are about (per view). */
  labelled: number;
}

export const ONLINE_LINEAR_MOMENTUM = 0.9;

export class OnlineLinearClassifier {
  private readonly layer: Linear;
  private readonly optimizer: Sgd;

  constructor(
    private readonly tf: Tf,
    readonly featureDim: number,
    readonly numClasses: number,
    private readonly ir: OnlineLinearIR,
    rng: Rng,
  ) {
    this.layer = Linear.create(tf, "classifier", featureDim, numClasses, rng);
    this.optimizer = new Sgd(tf, { momentum: ONLINE_LINEAR_MOMENTUM, weightDecay: 0 });
  }

  /** Logits [N, classes]; the caller disposes them. */
  logits(features: Tensor2D): Tensor2D {
    return this.layer.apply(features);
  }

  /**
   * One SGD step on the features of every view (loss = mean over views of the masked
   * cross-entropy). Features are only read: no gradient reaches the backbone. The step
   * is dispatched before this returns; the promise resolves when its loss and logits
   * have been read back (asynchronously: a GPU keeps working meanwhile).
   */
  trainStep(featuresPerView: readonly Tensor2D[], labels: ArrayLike<number>, lr = this.ir.lr): Promise<ClassifierMetrics> {
    const tf = this.tf;
    if (featuresPerView.length === 0) throw new Error("online linear: no features");
    const vars = [this.layer.weight, this.layer.bias];
    // Kept past the gradient scope (which disposes what it made) until read back.
    const logits: Tensor2D[] = [];
    const { value, grads } = tf.variableGrads(() => {
      const losses = featuresPerView.map((f) => {
        const l = this.layer.apply(f);
        logits.push(tf.keep(l));
        return maskedCrossEntropy(tf, l, labels);
      });
      return tf.div(tf.addN(losses), losses.length) as Scalar;
    }, vars);
    try {
      this.optimizer.step(
        vars,
        vars.map((v) => grads[v.name]),
        lr,
      );
    } finally {
      for (const g of Object.values(grads)) g?.dispose();
    }
    const labelsNow = Int32Array.from(labels);
    return readBack([value, ...logits], ([lossData, ...logitsData]) => {
      let hits = 0;
      let labelled = 0;
      for (const data of logitsData) {
        const r = topKHits(data as Float32Array, this.numClasses, labelsNow, 1);
        hits += r.hits;
        labelled += r.labelled;
      }
      const perView = labelled / featuresPerView.length;
      return { loss: lossData![0] as number, acc1: labelled > 0 ? (100 * hits) / labelled : 0, labelled: perView };
    });
  }

  /** Loss and accuracy on a batch, without training. */
  async evaluate(features: Tensor2D, labels: ArrayLike<number>): Promise<ClassifierMetrics> {
    const tf = this.tf;
    const [lossT, logits] = tf.tidy(() => {
      const l = this.layer.apply(features);
      return [maskedCrossEntropy(tf, l, labels), l];
    });
    try {
      const [lossData, data] = await Promise.all([lossT.data(), logits.data()]);
      const r = topKHits(data as Float32Array, this.numClasses, labels, 1);
      return { loss: lossData[0]!, acc1: r.labelled > 0 ? (100 * r.hits) / r.labelled : 0, labelled: r.labelled };
    } finally {
      lossT.dispose();
      logits.dispose();
    }
  }

  async state(): Promise<StateDict> {
    const s = emptyState();
    s.tensors["classifier.weight"] = await saveTensor(this.layer.weight);
    s.tensors["classifier.bias"] = await saveTensor(this.layer.bias);
    const opt = await this.optimizer.state();
    for (const [k, v] of Object.entries(opt.tensors)) s.tensors[`optimizer.${k}`] = v;
    for (const [k, v] of Object.entries(opt.numbers)) s.numbers[`optimizer.${k}`] = v;
    return s;
  }

  loadState(state: StateDict): void {
    restoreVariable(this.tf, this.layer.weight, state, "classifier.weight");
    restoreVariable(this.tf, this.layer.bias, state, "classifier.bias");
    const opt = emptyState();
    for (const [k, v] of Object.entries(state.tensors)) if (k.startsWith("optimizer.")) opt.tensors[k.slice(10)] = v;
    for (const [k, v] of Object.entries(state.numbers)) if (k.startsWith("optimizer.")) opt.numbers[k.slice(10)] = v;
    this.optimizer.loadState(opt);
  }

  dispose(): void {
    this.layer.dispose();
    this.optimizer.dispose();
  }
}
