// Everything trainable in a run, built from the IR, and its checkpoint state:
// the backbone, the momentum backbone (MoCo v2+, BYOL: owned here, as docs/methods.md
// asks of the trainer), the method's heads, the optimiser over backbone + head
// parameters, and the online linear classifier.
import type { Variable } from "@tensorflow/tfjs-core";
import type { PipelineIR } from "../../ir/types.js";
import type { Tf } from "../methods/tf.js";
import { OnlineLinearClassifier } from "../eval/index.js";
import { buildMethod, copyOnlineToTarget, type Method, type MomentumPair, type StateDict } from "../methods/index.js";
import type { Backbone, ModelState } from "../models/backbone.js";
import { buildBackbone } from "../models/build.js";
import { buildOptimizer, type Optimizer } from "../optim/index.js";
import { Rng } from "../rng.js";
import type { FlatState } from "./checkpoint-format.js";

/** Rng streams of the initialisations (the sampler and augmentation use others). */
export const INIT_STREAMS = { backbone: 1, method: 2, classifier: 3, probe: 4 } as const;

export interface TrainModel {
  tf: Tf;
  backbone: Backbone;
  /** Momentum copy of the backbone; null for methods without one. */
  momentumBackbone: Backbone | null;
  method: Method;
  optimizer: Optimizer;
  /** Null when the IR has no online linear evaluation or no labelled classes. */
  classifier: OnlineLinearClassifier | null;
  /** Backbone then method parameters: the optimiser's fixed order. */
  params: Variable[];
  /** (online, momentum) backbone variables for the EMA update. */
  backbonePairs: MomentumPair[];
  dispose(): void;
}

/**
 * A tfjs module whose variables get a name prefix. tfjs refuses two variables with one
 * name, and the backbone builder names its variables (`conv1.weight`); the momentum
 * backbone is a second instance, so its variables are created through this wrapper.
 * The backbone's own state keys are unaffected (it keeps its names separately).
 */
function prefixedVariables(tf: Tf, prefix: string): Tf {
  const variable: Tf["variable"] = (initial, trainable, name, dtype) =>
    tf.variable(initial, trainable, name === undefined ? undefined : `${prefix}${name}`, dtype);
  return { ...tf, variable };
}

export function buildTrainModel(tf: Tf, ir: PipelineIR, inputShape: [number, number, number], numClasses: number | null): TrainModel {
  const disposers: (() => void)[] = [];
  try {
    const backbone = buildBackbone(tf, ir.model.backbone, inputShape, new Rng(ir.seed, INIT_STREAMS.backbone));
    disposers.push(() => backbone.dispose());
    const method = buildMethod(tf, ir.model.method, backbone.featureDim, new Rng(ir.seed, INIT_STREAMS.method));
    disposers.push(() => method.dispose());
    let momentumBackbone: Backbone | null = null;
    let backbonePairs: MomentumPair[] = [];
    if (method.usesMomentumBackbone) {
      // Same stream, same initial weights; copyOnlineToTarget makes it exact anyway.
      const mb = buildBackbone(prefixedVariables(tf, "momentum_backbone/"), ir.model.backbone, inputShape, new Rng(ir.seed, INIT_STREAMS.backbone));
      momentumBackbone = mb;
      disposers.push(() => mb.dispose());
      backbonePairs = backbone.params.map((p, i) => [p, mb.params[i]!] as const);
      for (const v of mb.params) v.trainable = false;
      copyOnlineToTarget(tf, backbonePairs);
    }
    const methodParams = method.params();
    const flags = [...backbone.named.map((n) => n.biasOrNorm), ...methodParams.map((p) => p.biasOrNorm)];
    const optimizer = buildOptimizer(tf, ir.train.optimizer, (_p, i) => flags[i] ?? false);
    disposers.push(() => optimizer.dispose());
    let classifier: OnlineLinearClassifier | null = null;
    if (ir.evaluate.onlineLinear !== null && numClasses !== null && numClasses > 0) {
      const c = new OnlineLinearClassifier(tf, backbone.featureDim, numClasses, ir.evaluate.onlineLinear, new Rng(ir.seed, INIT_STREAMS.classifier));
      classifier = c;
      disposers.push(() => c.dispose());
    }
    return {
      tf,
      backbone,
      momentumBackbone,
      method,
      optimizer,
      classifier,
      params: [...backbone.params, ...methodParams.map((p) => p.variable)],
      backbonePairs,
      dispose: () => {
        for (const d of disposers.reverse()) d();
      },
    };
  } catch (e) {
    for (const d of disposers.reverse()) d();
    throw e;
  }
}

// ------------------------------------------------------------------ checkpoint state

const SECTIONS = ["backbone", "momentum_backbone", "method", "optimizer", "classifier"] as const;

/** Every weight and buffer of the model as one flat, section-prefixed state (read back from the device). */
export async function modelState(m: TrainModel): Promise<FlatState> {
  const flat: FlatState = { tensors: new Map(), numbers: {} };
  const addModel = (section: string, state: ModelState): void => {
    for (const [k, v] of Object.entries(state)) flat.tensors.set(`${section}/${k}`, { shape: v.shape, values: v.data });
  };
  const addDict = (section: string, s: StateDict): void => {
    for (const [k, v] of Object.entries(s.tensors)) flat.tensors.set(`${section}/${k}`, { shape: v.shape, values: v.values });
    for (const [k, v] of Object.entries(s.numbers)) flat.numbers[`${section}/${k}`] = v;
  };
  addModel("backbone", await m.backbone.getState());
  if (m.momentumBackbone) addModel("momentum_backbone", await m.momentumBackbone.getState());
  addDict("method", await m.method.state());
  addDict("optimizer", await m.optimizer.state());
  if (m.classifier) addDict("classifier", await m.classifier.state());
  return flat;
}

/** Loads a state written by modelState for the same IR; throws naming what is missing. */
export function loadModelState(m: TrainModel, flat: FlatState): void {
  const modelPart = (section: string): Record<string, { shape: number[]; data: Float32Array }> => {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [k, v] of flat.tensors) if (k.startsWith(`${section}/`)) out[k.slice(section.length + 1)] = { shape: v.shape, data: v.values };
    return out;
  };
  const dictPart = (section: string): StateDict => {
    const s: StateDict = { tensors: {}, numbers: {} };
    for (const [k, v] of flat.tensors) if (k.startsWith(`${section}/`)) s.tensors[k.slice(section.length + 1)] = { shape: v.shape, values: v.values };
    for (const [k, v] of Object.entries(flat.numbers)) if (k.startsWith(`${section}/`)) s.numbers[k.slice(section.length + 1)] = v;
    return s;
  };
  m.backbone.setState(modelPart("backbone"));
  if (m.momentumBackbone) m.momentumBackbone.setState(modelPart("momentum_backbone"));
  m.method.loadState(dictPart("method"));
  m.optimizer.loadState(dictPart("optimizer"));
  if (m.classifier) m.classifier.loadState(dictPart("classifier"));
}

/** Only the encoder's weights (for `adainfc eval`). */
export function backboneState(flat: FlatState): Record<string, { shape: number[]; data: Float32Array }> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [k, v] of flat.tensors) if (k.startsWith("backbone/")) out[k.slice(9)] = { shape: v.shape, data: v.values };
  return out;
}

export const STATE_SECTIONS = SECTIONS;
