// The IR: plain, versioned JSON produced by `resolve` and read by every later phase
// (check, lint, emit, run). Every value is resolved (presets expanded, defaults filled
// in, units normalised to steps), so a reader never needs the source text.
// These types are derived, not written: builtin nodes from their definition
// (ir/builtins.ts), the rest from the JSON Schema (ir/schema.ts) with TypeBox's
// Static<>. The field docs are in those two files (and in `adainfc schema`).
// Type-only imports: loading this module loads nothing.
import type { Static } from "@sinclair/typebox";
import type * as B from "./builtins.js";
import type { NodeOf } from "./define.js";
import type * as S from "./schema.js";

export const IR_VERSION = 1 as const;

/** A whole compiled pipeline. */
export type PipelineIR = Static<typeof S.Pipeline>;
/** Set on each point of a `sweep`: the base pipeline and the point's coordinates. */
export type SweepPointIR = Static<typeof S.SweepPoint>;
/** The sweep axis that repeats a point (results are mean and spread over it): a coordinate's key. */
export const SEED_AXIS = "seed";

// ---------------------------------------------------------------- data

export type DataSourceIR = Static<typeof S.DataSource>;
export type SourceFormat = DataSourceIR["format"];
/** Real data keeps its labels; generated data carries label -1 (docs/paper.md §1). */
export type SourceOrigin = DataSourceIR["origin"];
export type ChannelOrder = NonNullable<DataSourceIR["channelOrder"]>;
export type InflationEntryIR = Static<typeof S.InflationEntry>;
export type DataIR = Static<typeof S.Data>;

// ---------------------------------------------------------------- augmentation

export type RandomResizedCropIR = NodeOf<typeof B.AUGMENT_OPS.random_resized_crop>;
export type ColorJitterIR = NodeOf<typeof B.AUGMENT_OPS.color_jitter>;
export type GrayscaleIR = NodeOf<typeof B.AUGMENT_OPS.grayscale>;
export type GaussianBlurIR = NodeOf<typeof B.AUGMENT_OPS.gaussian_blur>;
export type SolarizeIR = NodeOf<typeof B.AUGMENT_OPS.solarize>;
export type EqualizeIR = NodeOf<typeof B.AUGMENT_OPS.equalize>;
export type HorizontalFlipIR = NodeOf<typeof B.AUGMENT_OPS.horizontal_flip>;
export type NormalizeIR = NodeOf<typeof B.NORMALIZE>;
export type AugmentOpIR = Static<typeof S.AugmentOp>;
export type AugmentOpName = AugmentOpIR["op"];
export type ViewIR = Static<typeof S.View>;
export type AugmentIR = Static<typeof S.Augment>;

// ---------------------------------------------------------------- model

export type ResNet18IR = NodeOf<typeof B.BACKBONES.resnet18>;
export type ConvNetIR = NodeOf<typeof B.BACKBONES.convnet>;
export type BackboneIR = Static<typeof S.Backbone>;
export type SimCLRIR = NodeOf<typeof B.METHODS.simclr>;
export type MoCoV2PlusIR = NodeOf<typeof B.METHODS.mocov2plus>;
export type BYOLIR = NodeOf<typeof B.METHODS.byol>;
export type BarlowTwinsIR = NodeOf<typeof B.METHODS.barlow>;
export type MethodIR = Static<typeof S.Method>;
export type MethodName = MethodIR["name"];
/** Momentum of the target encoder at step 0 (base) and at the last step (final, cosine increase). */
export type Momentum = MoCoV2PlusIR["momentum"];
export type ModelIR = Static<typeof S.Model>;

// ---------------------------------------------------------------- training

export type LarsIR = NodeOf<typeof B.OPTIMIZERS.lars>;
export type SgdIR = NodeOf<typeof B.OPTIMIZERS.sgd>;
export type AdamWIR = NodeOf<typeof B.OPTIMIZERS.adamw>;
export type OptimizerIR = Static<typeof S.Optimizer>;
export type WarmupCosineIR = NodeOf<typeof B.SCHEDULES.warmup_cosine>;
export type ConstantScheduleIR = NodeOf<typeof B.SCHEDULES.constant>;
export type ScheduleIR = Static<typeof S.Schedule>;
/**
 * How the written learning rates relate to the trained ones. `none`: as written;
 * `linear`: written per 256 images, multiplied by batchSize / 256 (solo-learn's rule).
 */
export type LrScalingIR = Static<typeof S.LrScaling>;
export type TrainIR = Static<typeof S.Train>;

// ---------------------------------------------------------------- evaluation

export type OnlineLinearIR = Static<typeof S.OnlineLinear>;
export type KnnIR = Static<typeof S.Knn>;
export type LinearProbeIR = Static<typeof S.LinearProbe>;
export type EvaluateIR = Static<typeof S.Evaluate>;

// ---------------------------------------------------------------- output, lint

export type OutputIR = Static<typeof S.Output>;
export type RuleSeverity = (typeof B.RULE_SEVERITIES)[number];
export type LintConfigIR = Static<typeof S.LintConfig>;

// ---------------------------------------------------------------- spans

/** A place in a source file (1-based lines and columns; end is exclusive). */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** 0-based character offsets, for code frames and fixes. */
  start: number;
  end: number;
}

/**
 * Where each IR value came from, keyed by JSON Pointer into the IR
 * (`/augment/views/0/ops/1/p`). Kept beside the IR, not in it, so the IR stays
 * plain data; a missing key means "a default" and readers fall back to the
 * nearest ancestor pointer that has a span.
 */
export type SpanMap = Record<string, Span>;
