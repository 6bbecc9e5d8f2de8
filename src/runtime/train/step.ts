// One optimisation step (docs/methods.md, "one training step"):
//   momentum-backbone features (no gradient)  ->  online backbone on every view inside
//   the gradient closure -> method loss -> gradients of backbone + head parameters ->
//   (loss finite?) optimiser step at the scheduled lr -> method.afterStep (EMA, queue)
//   -> online linear classifier on the detached features (label -1 skipped).
// Every tensor made here is disposed here: the tensor count is the same after every step.
import type { Scalar, Tensor, Tensor2D, Tensor4D } from "@tensorflow/tfjs-core";
import type { ClassifierMetrics } from "../eval/index.js";
import type { PreparedBatch } from "./batches.js";
import type { TrainModel } from "./model.js";

export interface StepOutcome {
  loss: number;
  /** The online classifier on this batch (null without a classifier). */
  online: ClassifierMetrics | null;
}

export interface StepSettings {
  step: number;
  totalSteps: number;
  lr: number;
  /** Learning rate of the online classifier at this step. */
  classifierLr: number;
}

/**
 * Runs the step. When the loss is not finite nothing is updated and `loss` says so:
 * the caller stops the run with the weights of the previous step intact.
 */
export function trainStep(m: TrainModel, batch: PreparedBatch, s: StepSettings): StepOutcome {
  const tf = m.tf;
  const views = batch.views.map((v, i) => tf.tensor4d(v, batch.shapes[i]!) as Tensor4D);
  const kept: Tensor2D[] = [];
  let targetFeatures: Tensor2D[] | undefined;
  try {
    if (m.momentumBackbone) {
      const mb = m.momentumBackbone;
      // Train mode, as solo-learn's momentum backbone: batch statistics, own running stats.
      targetFeatures = views.map((v) => tf.tidy(() => mb.forward(v, true)));
    }
    const { value, grads } = tf.variableGrads(() => {
      const features = views.map((v) => m.backbone.forward(v, true));
      // Kept past the gradient scope for the online classifier (detached there).
      for (const f of features) kept.push(tf.keep(f));
      return m.method.loss({ features, ...(targetFeatures ? { targetFeatures } : {}), step: s.step, totalSteps: s.totalSteps }) as Scalar;
    }, m.params);
    let loss: number;
    try {
      loss = value.dataSync()[0]!;
      if (Number.isFinite(loss)) {
        m.optimizer.step(m.params, m.params.map((p) => grads[p.name] as Tensor | undefined), s.lr);
      }
    } finally {
      value.dispose();
      for (const g of Object.values(grads)) g?.dispose();
    }
    if (!Number.isFinite(loss)) return { loss, online: null };
    m.method.afterStep(s.step, s.totalSteps, m.backbonePairs);
    const online = m.classifier ? m.classifier.trainStep(kept, batch.labels, s.classifierLr) : null;
    return { loss, online };
  } finally {
    for (const t of [...views, ...kept, ...(targetFeatures ?? [])]) t.dispose();
  }
}
