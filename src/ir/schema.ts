// The JSON Schema of the IR, printed by `adainfc schema`, and through TypeBox's
// `Static<>` the IR's TypeScript types (ir/types.ts). Builtin nodes (ops, backbones,
// methods, optimizers, schedules, evaluators) come from their one definition in
// ir/builtins.ts; the nodes the resolver assembles (sources, views, train, ...) are
// written here with TypeBox, reusing those fields. Every object is closed
// (additionalProperties: false) so a typo in an emitter or a hand-edited IR file is
// caught, not ignored.
//
// Why TypeBox: one definition yields both the static type and a standard JSON Schema
// (draft-07 keywords, which ajv compiles as they are, so scripts/gen-validator.mjs keeps
// precompiling a standalone validator at build time), with no code-generation step for
// the types (zod needs a converter for JSON Schema; json-schema-to-ts derives types only
// from literal schemas). Importing TypeBox costs ~90 ms, more than node's own start-up,
// so only this module loads it: `adainfc schema`, the build and the tests; `check` and
// `run` validate with the precompiled validator and read the builtins from plain data
// (ir/define.ts).
import { Type, type TSchema, type TUnsafe } from "@sinclair/typebox";
import * as B from "./builtins.js";
import type { AnyField, Block, Fields, IrValue, NodeOf } from "./define.js";

const closed = { additionalProperties: false } as const;
const PosInt = Type.Integer({ minimum: 1 });
const Nullable = <T extends TSchema>(s: T) => Type.Union([s, Type.Null()]);
/** `{ enum: [...] }`, as JSON Schema writes a set of strings. */
const StringEnum = <V extends string>(values: readonly V[], description?: string): TUnsafe<V> =>
  Type.Unsafe<V>(description ? { enum: [...values], description } : { enum: [...values] });
/** An object with any keys, each value of `value`'s schema. */
const StringMap = <V>(value: TUnsafe<V> | TSchema, description: string): TUnsafe<Record<string, V>> =>
  Type.Unsafe<Record<string, V>>({ type: "object", additionalProperties: value, description });

/** One field's IR value: its schema from the definition, its doc as the description. */
function field<F extends AnyField>(f: F): TUnsafe<IrValue<F>> {
  const own = Type.Unsafe<IrValue<F>>({ ...f.ir, description: f.doc });
  return f.nullable ? Type.Unsafe<IrValue<F>>(Nullable(own)) : own;
}

function properties(fields: Fields): Record<string, TSchema> {
  const out: Record<string, TSchema> = {};
  for (const [key, f] of Object.entries(fields)) {
    out[key] = f.kind === "group" ? Type.Object(properties(f.fields), { ...closed, description: f.doc }) : field(f);
  }
  return out;
}

/** A builtin's (or block's) IR node: `{ <tag>: name, ...fields }`, closed. */
function node<K extends Block>(b: K): TUnsafe<NodeOf<K>> {
  const tag: Record<string, TSchema> = "tag" in b && typeof b.tag === "string" ? { [b.tag]: Type.Literal(b.name) } : {};
  return Type.Unsafe<NodeOf<K>>(Type.Object({ ...tag, ...properties(b.fields) }, { ...closed, description: b.doc }));
}

/** Exactly one builtin of a family (the tag tells which). */
function family<T extends Readonly<Record<string, Block>>, E extends Block = never>(builtins: T, extra: readonly E[] = []): TUnsafe<NodeOf<T[keyof T] | E>> {
  return Type.Unsafe<NodeOf<T[keyof T] | E>>({ oneOf: [...Object.values(builtins), ...extra].map(node) });
}

// ---------------------------------------------------------------- data

const F = B.NPZ.fields;
export const DataSource = Type.Object(
  {
    name: Type.String({ description: "name given in the `data` block (`real`, `generated`, `eval`, ...)" }),
    format: StringEnum([...B.DATASET_FORMATS, ...B.FILE_FORMATS]),
    path: Nullable(Type.String({ description: "file or directory; null for sources embedded in a package (mnist)" })),
    split: Nullable(field(B.DATASET_CALL.fields.split)),
    origin: field(F.origin),
    size: Nullable(Type.Integer({ minimum: 1, description: "number of images, when known without reading pixels (preset or declared)" })),
    shape: Type.Tuple([PosInt, PosInt, PosInt], { description: "image shape [height, width, channels]" }),
    classes: Nullable(Type.Integer({ minimum: 1, description: "number of classes of a labelled source; null when unlabelled" })),
    layout: field(F.layout),
    channelOrder: field(F.channelOrder),
    fid: field(F.fid),
    standIn: field(F.standIn),
    mean: Type.Array(Type.Number(), { description: "per-channel mean (0..1 scale) used by normalize" }),
    std: Type.Array(Type.Number(), { description: "per-channel std (0..1 scale) used by normalize" }),
  },
  closed,
);

export const InflationEntry = Type.Object(
  {
    source: Type.String({ description: "name of a source in data.sources" }),
    replicate: Type.Integer({ minimum: 1, description: "replication factor: the source is repeated this many times per epoch" }),
  },
  closed,
);

export const Data = Type.Object(
  {
    sources: Type.Array(DataSource),
    train: Type.Array(InflationEntry, { minItems: 1, description: "the training mixture: [real] * dup + [generated] in the reference" }),
    eval: Nullable(Type.String({ description: "name of the labelled source used for evaluation; null = none" })),
  },
  closed,
);

// ---------------------------------------------------------------- augmentation

export const AugmentOp = family(B.AUGMENT_OPS, [B.NORMALIZE]);

export const View = Type.Object(
  {
    name: Type.String({ description: "`view1`, `view2`, ... or the name declared in the preset" }),
    ops: Type.Array(AugmentOp, { description: "ops in application order; the last one is always `normalize`" }),
  },
  closed,
);

export const Augment = Type.Object(
  {
    preset: Nullable(Type.String({ description: "the preset the pipeline named, or null for an inline one" })),
    // A chain of presets multiplies strengths, so the product may leave the knob's range.
    strength: Type.Number({ minimum: 0, description: "product of the `strength = s` settings the ops were scaled by (1: as written)" }),
    symmetric: Type.Boolean({ description: "every view has the same ops (SimCLR / MoCo style)" }),
    views: Type.Array(View, { minItems: 1, description: "fully expanded views, one entry per view" }),
  },
  closed,
);

// ---------------------------------------------------------------- model, training, evaluation

export const Backbone = family(B.BACKBONES);
export const Method = family(B.METHODS);
export const Model = Type.Object({ backbone: Backbone, method: Method }, closed);

export const Optimizer = family(B.OPTIMIZERS);
export const Schedule = family(B.SCHEDULES);

export const LrScaling = Type.Object(
  {
    rule: field(B.TRAIN.fields.lrScaling),
    factor: Type.Number({
      exclusiveMinimum: 0,
      description: `what the written rates were multiplied by: batchSize / ${B.LR_SCALING_BASE_BATCH} for \`linear\`, else 1`,
    }),
  },
  { ...closed, description: "how the written learning rates relate to the trained ones" },
);

const T = B.TRAIN.fields;
export const Train = Type.Object(
  {
    batchSize: field(T.batchSize),
    devices: field(T.devices),
    batchPerDevice: Type.Integer({ minimum: 1, description: "batchSize / devices: what each device takes (solo-learn's `optimizer.batch_size`)" }),
    lrScaling: LrScaling,
    steps: field(T.steps),
    optimizer: Optimizer,
    schedule: Schedule,
    epochSize: Nullable(Type.Integer({ minimum: 1, description: "samples per epoch of the inflated training set, when every size is known" })),
  },
  closed,
);

export const OnlineLinear = node(B.EVALUATORS.online_linear);
export const Knn = node(B.EVALUATORS.knn);
export const LinearProbe = node(B.EVALUATORS.linear_probe);
export const Evaluate = Type.Object({ onlineLinear: Nullable(OnlineLinear), knn: Nullable(Knn), linearProbe: Nullable(LinearProbe) }, closed);

// ---------------------------------------------------------------- output, lint, sweep

export const Output = node(B.OUTPUT);

export const LintConfig = Type.Object(
  { rules: StringMap(StringEnum(B.RULE_SEVERITIES), "per-rule severity set in the file (`lint { allow balance; rule x = error }`)") },
  closed,
);

export const SweepPoint = Type.Object(
  {
    base: Type.String({ description: "the pipeline that declares the sweep" }),
    point: StringMap<string>(Type.String(), "axis name -> the value's name at this point, in axis order"),
  },
  { ...closed, description: "set on each point of a `sweep`: the base pipeline and the point's coordinates" },
);

import { IR_VERSION } from "./types.js";

export const Pipeline = Type.Object(
  {
    version: Type.Literal(IR_VERSION),
    name: Type.String({ description: "the pipeline's name as declared" }),
    file: Type.String({ description: "path of the .adainf file it came from, relative to the working directory" }),
    seed: field(B.SEED.fields.seed),
    data: Data,
    augment: Augment,
    model: Model,
    train: Train,
    evaluate: Evaluate,
    output: Output,
    lint: LintConfig,
    sweep: Type.Optional(SweepPoint),
  },
  {
    $schema: "http://json-schema.org/draft-07/schema#",
    $id: "https://adainf.dev/schema/ir-v1.json",
    title: "adainf pipeline IR, version 1",
    description: "A resolved adainf pipeline: every preset expanded, every default filled in, every length in steps.",
    ...closed,
  },
);

/** The schema `adainfc schema` prints and the build precompiles. */
export const irSchema = Pipeline;
