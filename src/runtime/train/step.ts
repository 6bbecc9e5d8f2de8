// One optimisation step (docs/methods.md, "one training step"):
//   momentum-backbone features (no gradient)  ->  online backbone on every view inside
//   the gradient closure -> method loss -> gradients of backbone + head parameters ->
//   optimiser step at the scheduled lr -> method.afterStep (EMA, queue) -> online linear
//   classifier on the detached features (label -1 skipped) -> (asynchronously) the loss.
// Every tensor made here is disposed here, the read-back ones once read: the tensor count
// is the same after every step.
import type { Scalar, Tensor, Tensor2D, Tensor4D } from "@tensorflow/tfjs-core";
import type { ClassifierMetrics } from "../eval/index.js";
import type { PreparedBatch } from "./batches.js";
import type { TrainModel } from "./model.js";
import { readBack } from "../readback.js";

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
 * Dispatches the whole step (forward, backward, optimiser, afterStep, online classifier)
 * and returns at once; the promise resolves when the step's loss and classifier figures
 * have been read back. Nothing here reads synchronously, so on a GPU the next step can
 * be dispatched while this one computes. When the loss is not finite the step's update
 * has still been applied: the trainer stops on it, discards the weights in memory
 * and keeps the last checkpoint (written before this step).
 */
export function trainStep(m: TrainModel, batch: PreparedBatch, s: StepSettings): Promise<StepOutcome> {
  const tf = m.tf;
  const views = batch.views.map((v, i) => tf.tensor4d(v, batch.shapes[i]!) as Tensor4D);
  const kept: Tensor2D[] = [];
  let targetFeatures: Tensor2D[] | undefined;
  let value: Scalar | null = null;
  let online: Promise<ClassifierMetrics> | null = null;
  try {
    if (m.momentumBackbone) {
      const mb = m.momentumBackbone;
      // Train mode, as solo-learn's momentum backbone: batch statistics, own running stats.
      targetFeatures = views.map((v) => tf.tidy(() => mb.forward(v, true)));
    }
    const result = tf.variableGrads(() => {
      const features = views.map((v) => m.backbone.forward(v, true));
      // Kept past the gradient scope for the online classifier (detached there).
      for (const f of features) kept.push(tf.keep(f));
      return m.method.loss({ features, ...(targetFeatures ? { targetFeatures } : {}), step: s.step, totalSteps: s.totalSteps }) as Scalar;
    }, m.params);
    value = result.value;
    try {
      m.optimizer.step(
        m.params,
        m.params.map((p) => result.grads[p.name] as Tensor | undefined),
        s.lr,
      );
    } finally {
      for (const g of Object.values(result.grads)) g?.dispose();
    }
    m.method.afterStep(s.step, s.totalSteps, m.backbonePairs);
    online = m.classifier ? m.classifier.trainStep(kept, batch.labels, s.classifierLr) : null;
  } catch (e) {
    value?.dispose();
    throw e;
  } finally {
    for (const t of [...views, ...kept, ...(targetFeatures ?? [])]) t.dispose();
  }
  const loss = readBack([value], ([data]) => data![0] as number);
  return Promise.all([loss, online]).then(([l, o]) => ({ loss: l, online: o }));
}
