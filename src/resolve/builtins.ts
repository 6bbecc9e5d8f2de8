import type * as IR from "../ir/types.js";
import { interpretCall, lookupSpec } from "./calls.js";
import type { ResolveContext } from "./context.js";
import { callOf, recordSpans, type PendingDuration } from "./entries.js";
import type { StmtEntry } from "./merge.js";
import * as S from "./specs.js";
import type { Duration } from "./values.js";

// Calls to builtins with a family each: backbone, method, optimiser, schedule.

export function resolveBackbone(e: StmtEntry, ctx: ResolveContext): IR.BackboneIR | null {
  const c = callOf(e, S.BACKBONES, ctx, "backbone");
  if (!c) return null;
  const spec = lookupSpec(S.BACKBONES, c.name, ctx, "backbone");
  if (!spec) return null;
  const r = interpretCall(spec, c.args, c.overrides, ctx, c.span, S.BACKBONES);
  if (!r) return null;
  ctx.at("/model/backbone", c.span);
  recordSpans(ctx, "/model/backbone", r.spans);
  if (spec.name === "resnet18") return { name: "resnet18", stem: r.values["stem"] as "cifar", featureDim: 512 };
  const channels = r.values["channels"] as number[];
  return { name: "convnet", channels, featureDim: r.values["feature_dim"] as number, batchNorm: r.values["batch_norm"] as boolean };
}

export function resolveMethod(e: StmtEntry, ctx: ResolveContext): IR.MethodIR | null {
  const c = callOf(e, S.METHODS, ctx, "method");
  if (!c) return null;
  const spec = lookupSpec(S.METHODS, c.name, ctx, "method");
  if (!spec) return null;
  const r = interpretCall(spec, c.args, c.overrides, ctx, c.span, S.METHODS);
  if (!r) return null;
  const v = r.values;
  ctx.at("/model/method", c.span);
  ctx.at("/model/method/name", c.name.span);
  const rename = { momentum_base: "momentum/base", momentum_final: "momentum/final", lambda: "lambda" };
  recordSpans(ctx, "/model/method", r.spans, rename);
  const n = (k: string) => v[k] as number;
  const momentum = () => ({ base: n("momentum_base"), final: n("momentum_final") });
  switch (spec.name) {
    case "simclr":
      return { name: "simclr", projHiddenDim: n("proj_hidden_dim"), projOutputDim: n("proj_output_dim"), temperature: n("temperature") };
    case "mocov2plus":
      return {
        name: "mocov2plus",
        projHiddenDim: n("proj_hidden_dim"),
        projOutputDim: n("proj_output_dim"),
        temperature: n("temperature"),
        queueSize: n("queue_size"),
        momentum: momentum(),
      };
    case "byol":
      return { name: "byol", projHiddenDim: n("proj_hidden_dim"), projOutputDim: n("proj_output_dim"), predHiddenDim: n("pred_hidden_dim"), momentum: momentum() };
    default:
      return { name: "barlow", projHiddenDim: n("proj_hidden_dim"), projOutputDim: n("proj_output_dim"), scaleLoss: n("scale_loss"), lambda: n("lambda") };
  }
}

export function resolveOptimizer(e: StmtEntry, ctx: ResolveContext): IR.OptimizerIR | null {
  const c = callOf(e, S.OPTIMIZERS, ctx, "optimizer");
  if (!c) return null;
  const spec = lookupSpec(S.OPTIMIZERS, c.name, ctx, "optimizer");
  if (!spec) return null;
  const r = interpretCall(spec, c.args, c.overrides, ctx, c.span, S.OPTIMIZERS);
  if (!r) return null;
  ctx.at("/train/optimizer", c.span);
  recordSpans(ctx, "/train/optimizer", r.spans, { exclude_bias_n_norm: "excludeBiasAndNorm", weight_decay: "weightDecay" });
  const v = r.values;
  const n = (k: string) => v[k] as number;
  if (spec.name === "lars") {
    return {
      name: "lars",
      lr: n("lr"),
      weightDecay: n("weight_decay"),
      momentum: n("momentum"),
      eta: n("eta"),
      clipLr: v["clip_lr"] as boolean,
      excludeBiasAndNorm: v["exclude_bias_n_norm"] as boolean,
    };
  }
  if (spec.name === "sgd") return { name: "sgd", lr: n("lr"), weightDecay: n("weight_decay"), momentum: n("momentum") };
  return { name: "adamw", lr: n("lr"), weightDecay: n("weight_decay"), beta1: n("beta1"), beta2: n("beta2") };
}

export function resolveSchedule(e: StmtEntry | undefined, ctx: ResolveContext, pending: PendingDuration[]): IR.ScheduleIR | null {
  const spec = S.SCHEDULES["warmup_cosine"]!;
  let r;
  if (!e) {
    r = interpretCall(spec, null, [], ctx, { file: "", line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0 });
  } else {
    const c = callOf(e, S.SCHEDULES, ctx, "schedule");
    if (!c) return null;
    const s = lookupSpec(S.SCHEDULES, c.name, ctx, "schedule");
    if (!s) return null;
    ctx.at("/train/schedule", c.span);
    if (s.name === "constant") {
      if (!interpretCall(s, c.args, c.overrides, ctx, c.span)) return null;
      return { name: "constant" };
    }
    r = interpretCall(s, c.args, c.overrides, ctx, c.span);
    if (r) recordSpans(ctx, "/train/schedule", r.spans, { warmup: "warmupSteps" });
  }
  if (!r) return null;
  const out: IR.WarmupCosineIR = {
    name: "warmup_cosine",
    warmupSteps: 0,
    warmupStartLr: r.values["warmup_start_lr"] as number,
    minLr: r.values["min_lr"] as number,
  };
  pending.push({ d: r.values["warmup"] as Duration, span: r.spans["warmup"] ?? null, assign: (n) => (out.warmupSteps = n), what: "warmup" });
  return out;
}
