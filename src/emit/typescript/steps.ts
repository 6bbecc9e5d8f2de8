// The pipeline's IR cut into the named steps a reader edits, in the order they happen:
// data sources, the inflation mixture, the augmentation views, the model, the optimiser
// and schedule, evaluation, output, and last the whole PipelineIR that refers to them.
// Each step is a typed const; its value is the IR's own value (same keys, same order),
// with the parts declared earlier replaced by references. Comments only explain: the
// program's behaviour is entirely in the values.
import type { AugmentOpIR, DataSourceIR, PipelineIR } from "../../ir/types.js";
import type { NameTable } from "./names.js";
import { Commented, Ref, type Value } from "./value.js";

export interface ConstStep {
  /** Section heading printed before this const (a new step of the pipeline). */
  section?: string;
  /** Comment lines above the const (plain text; the writer makes them safe). */
  comment: string[];
  name: string;
  /** A type exported by the runtime (`DataSourceIR`, `AugmentOpIR[]`, ...). */
  type: string;
  value: Value;
}

const BACKBONE_TYPE = { resnet18: "ResNet18IR", convnet: "ConvNetIR" } as const;
const METHOD_TYPE = { simclr: "SimCLRIR", mocov2plus: "MoCoV2PlusIR", byol: "BYOLIR", barlow: "BarlowTwinsIR" } as const;
const OPTIMIZER_TYPE = { lars: "LarsIR", sgd: "SgdIR", adamw: "AdamWIR" } as const;
const SCHEDULE_TYPE = { warmup_cosine: "WarmupCosineIR", constant: "ConstantScheduleIR" } as const;

/** Every type a step may name (imported with `import type`, so no const may take the name). */
export const STEP_TYPES = [
  ...["DataSourceIR", "InflationEntryIR", "DataIR", "ViewIR", "AugmentIR", "ModelIR", "TrainIR", "EvaluateIR", "OutputIR", "LintConfigIR", "PipelineIR"],
  ...Object.values(BACKBONE_TYPE),
  ...Object.values(METHOD_TYPE),
  ...Object.values(OPTIMIZER_TYPE),
  ...Object.values(SCHEDULE_TYPE),
];

/** IR parts are plain JSON data; this views one as a Value for the writer. */
const plain = (x: object): { [key: string]: Value } => ({ ...(x as { [key: string]: Value }) });

export function pipelineSteps(ir: PipelineIR, names: NameTable): ConstStep[] {
  return [
    ...dataSteps(ir, names),
    ...augmentSteps(ir, names),
    ...modelSteps(ir),
    ...trainSteps(ir),
    ...evaluateSteps(ir),
    ...outputSteps(ir),
    pipelineStep(ir),
  ];
}

// ---------------------------------------------------------------- data

function dataSteps(ir: PipelineIR, names: NameTable): ConstStep[] {
  const steps: ConstStep[] = [];
  const refs: Ref[] = [];
  ir.data.sources.forEach((s, i) => {
    const name = names.fresh(`${s.name}_source`, "Source");
    refs.push(new Ref(name));
    steps.push({
      ...(i === 0 ? { section: "1. Data sources" } : {}),
      comment: [describeSource(s, ir)],
      name,
      type: "DataSourceIR",
      value: plain(s),
    });
  });
  const sizes = new Map(ir.data.sources.map((s) => [s.name, s]));
  const mixture = ir.data.train.map((t) => {
    const size = sizes.get(t.source)?.size ?? null;
    const note =
      size === null
        ? `'${t.source}' repeated ${t.replicate}x per epoch`
        : `${count(size)} images x ${t.replicate} = ${count(size * t.replicate)} samples per epoch`;
    return new Commented(plain(t), note);
  });
  steps.push({
    section: "2. Inflation: the training mixture",
    comment: mixtureSummary(ir),
    name: "mixture",
    type: "InflationEntryIR[]",
    value: mixture,
  });
  steps.push({
    comment: ["All sources, the mixture trained on, and the labelled source used for evaluation (null: none)."],
    name: "data",
    type: "DataIR",
    value: { ...plain(ir.data), sources: refs, train: new Ref("mixture") },
  });
  return steps;
}

function describeSource(s: DataSourceIR, ir: PipelineIR): string {
  const where = s.path === null ? `${s.format} (bundled)` : `${s.format} file ${s.path}`;
  const split = s.split ? `, ${s.split} split` : "";
  const size = s.size === null ? "size read from the data" : `${count(s.size)} images`;
  const role = ir.data.eval === s.name ? "; evaluation set" : s.origin === "generated" ? "; generated (label -1)" : "";
  return `'${s.name}': ${where}${split}, ${size}, ${s.shape.join("x")}${role}.`;
}

function mixtureSummary(ir: PipelineIR): string[] {
  const lines = ["The reference's [real] * dup + [generated]: each epoch holds every source of this list `replicate` times, shuffled together."];
  const sizes = ir.data.train.map((t) => {
    const s = ir.data.sources.find((x) => x.name === t.source);
    return { total: s?.size == null ? null : s.size * t.replicate, generated: s?.origin === "generated" };
  });
  if (sizes.every((x) => x.total !== null)) {
    const total = sizes.reduce((a, x) => a + (x.total ?? 0), 0);
    const generated = sizes.reduce((a, x) => a + (x.generated ? (x.total ?? 0) : 0), 0);
    if (total > 0) lines.push(`${count(total)} samples per epoch, ${((100 * generated) / total).toFixed(1)}% generated.`);
  }
  return lines;
}

// ---------------------------------------------------------------- augmentation

function augmentSteps(ir: PipelineIR, names: NameTable): ConstStep[] {
  const steps: ConstStep[] = [];
  const refs: Ref[] = [];
  const declared: { name: string; ops: AugmentOpIR[] }[] = [];
  ir.augment.views.forEach((v, i) => {
    const name = names.fresh(v.name, "View");
    refs.push(new Ref(name));
    // Views with the same ops as an earlier one (a symmetric preset) share its list, so
    // an edit to the first view changes them all, as the preset means.
    const same = declared.find((d) => JSON.stringify(d.ops) === JSON.stringify(v.ops));
    declared.push({ name, ops: v.ops });
    steps.push({
      ...(i === 0 ? { section: "3. Augmentation: the ops of each view, in order" } : {}),
      comment: [viewComment(v.name, v.ops, same?.name ?? null, i > 0 ? declared[0]! : null)],
      name,
      type: "ViewIR",
      value: { name: v.name, ops: same ? new Ref(`${same.name}.ops`) : v.ops.map(plain) },
    });
  });
  steps.push({
    comment: [
      (ir.augment.preset === null ? "An inline augmentation (no preset)" : `Expanded from the preset '${ir.augment.preset}'`) +
        (ir.augment.strength === 1 ? "." : `, its ops scaled to strength ${ir.augment.strength}.`),
    ],
    name: "augment",
    type: "AugmentIR",
    value: { ...plain(ir.augment), views: refs },
  });
  return steps;
}

function viewComment(name: string, ops: AugmentOpIR[], sameAs: string | null, first: { name: string; ops: AugmentOpIR[] } | null): string {
  if (sameAs) return `View '${name}': the same ops as ${sameAs}.`;
  const sequence = ops.map((o) => o.op);
  if (first && first.ops.length === ops.length && first.ops.every((o, i) => o.op === sequence[i])) {
    const differ = ops.filter((o, i) => JSON.stringify(o) !== JSON.stringify(first.ops[i])).map((o) => o.op);
    return `View '${name}': the ops of ${first.name}, with different ${differ.join(", ")}.`;
  }
  return `View '${name}': ${sequence.join(" -> ")}.`;
}

// ---------------------------------------------------------------- model, training

function modelSteps(ir: PipelineIR): ConstStep[] {
  const { backbone, method } = ir.model;
  return [
    { section: "4. Model: encoder and method", comment: [], name: "backbone", type: BACKBONE_TYPE[backbone.name], value: plain(backbone) },
    { comment: [], name: "method", type: METHOD_TYPE[method.name], value: plain(method) },
    { comment: [], name: "model", type: "ModelIR", value: { ...plain(ir.model), backbone: new Ref("backbone"), method: new Ref("method") } },
  ];
}

function trainSteps(ir: PipelineIR): ConstStep[] {
  const t = ir.train;
  return [
    {
      section: "5. Training: optimiser and schedule (lengths in steps)",
      comment: [],
      name: "optimizer",
      type: OPTIMIZER_TYPE[t.optimizer.name],
      value: plain(t.optimizer),
    },
    { comment: [], name: "schedule", type: SCHEDULE_TYPE[t.schedule.name], value: plain(t.schedule) },
    {
      comment: ["epochSize: samples per epoch as compiled. A run counts them from the data itself (the data check reports a mismatch)."],
      name: "train",
      type: "TrainIR",
      value: { ...plain(t), optimizer: new Ref("optimizer"), schedule: new Ref("schedule") },
    },
  ];
}

function evaluateSteps(ir: PipelineIR): ConstStep[] {
  return [
    {
      section: "6. Evaluation (null: off)",
      comment: ["Online linear classifier on detached features, kNN on frozen features, offline linear probe."],
      name: "evaluate",
      type: "EvaluateIR",
      value: plain(ir.evaluate),
    },
  ];
}

function outputSteps(ir: PipelineIR): ConstStep[] {
  return [
    {
      section: "7. Output",
      comment: ["The run directory (metrics.jsonl, checkpoints, done.json, ir.json) and checkpoint policy."],
      name: "output",
      type: "OutputIR",
      value: plain(ir.output),
    },
    {
      comment: ["Lint settings of the source file, kept for the record (`adainfc lint` reads them; a run does not)."],
      name: "lint",
      type: "LintConfigIR",
      value: plain(ir.lint),
    },
  ];
}

function pipelineStep(ir: PipelineIR): ConstStep {
  const comment = ["The whole pipeline, assembled from the steps above."];
  if (ir.sweep)
    comment.push(
      `One point of the sweep of '${ir.sweep.base}': ${Object.entries(ir.sweep.point)
        .map(([a, v]) => `${a} = ${v}`)
        .join(", ")}.`,
    );
  return {
    section: "The pipeline",
    comment,
    name: "pipeline",
    type: "PipelineIR",
    value: {
      ...plain(ir),
      data: new Ref("data"),
      augment: new Ref("augment"),
      model: new Ref("model"),
      train: new Ref("train"),
      evaluate: new Ref("evaluate"),
      output: new Ref("output"),
      lint: new Ref("lint"),
    },
  };
}

const count = (n: number): string => n.toLocaleString("en-US");
