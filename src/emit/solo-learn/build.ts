// IR -> solo-learn's pretrain config (the AdaInf fork by default, or upstream solo-learn). Only called on a pipeline that
// `analyze` accepted. Two conversions need care:
// - learning rates: solo-learn multiplies lr and classifier_lr by
//   batch_size * devices / 256 (args/pretrain.py), so we write the IR's (effective)
//   lr * 256 / batch, as the shortest decimal that this factor turns back into exactly
//   the pipeline's rate (configRate), and the rate it trains with is the pipeline's. For
//   a pipeline written with `lr_scaling = linear` that is the rate it wrote;
// - warm-up: the fork warms up for warmup_epochs * max_steps / compute_warm_step_epoch
//   steps, upstream for warmup_epochs * max_steps / max_epochs (when max_epochs epochs
//   hold max_steps). Each key is a whole number, as solo-learn and Lightning type them:
//   warmup_epochs 10 where the divisor comes out whole (the fork's own configs' 10 and
//   1000), else the ratio in lowest terms (warmupRatio). Either way the product is the
//   pipeline's warm-up in steps.
import type { MethodIR, OptimizerIR, PipelineIR } from "../../ir/types.js";
import { SOLO_METHOD, SOLO_RUNTIME, type Provenance, type SoloConfig } from "./config.js";
import { LR_SCALING_BASE_BATCH } from "../../ir/builtins.js";
import { checkpointFrequency, type SoloOptions, type SoloPlan } from "./expressible.js";

/**
 * The config value of a rate that solo-learn multiplies by `factor` (its parse_cfg's
 * batch_size x len(devices) x num_nodes / 256) to train with: the shortest decimal whose
 * product with `factor`, in floating point as Python computes it, is the rate itself (an
 * IR rate of 0.4 at 1.5 is 0.26666666666666666, which trains at 0.4, not 0.266666666666667,
 * which trains at 0.4000000000000005); the quotient when no decimal gives it exactly.
 */
export function configRate(rate: number, factor: number): number {
  const q = rate / factor;
  for (let digits = 1; digits <= 17; digits++) {
    const d = Number(q.toPrecision(digits));
    if (d * factor === rate) return d;
  }
  return q;
}

/**
 * The augmentations/<name>.yaml base name: the preset's, or the pipeline's for an inline
 * block; `_strength<s>` follows when `strength = s` scaled the ops (the yaml holds the
 * scaled values, so it is not the reference's file of that name).
 */
export function augmentationName(ir: PipelineIR): string {
  const strength = ir.augment.strength === 1 ? "" : `_strength${ir.augment.strength}`;
  return ((ir.augment.preset ?? ir.name) + strength).replace(/[^A-Za-z0-9_.-]/g, "_");
}

export function buildConfig(ir: PipelineIR, plan: SoloPlan, opts: SoloOptions): SoloConfig {
  const t = ir.train;
  // solo-learn's scale factor: batch_size x len(devices) / 256 (one node), the whole batch / 256.
  const factor = t.batchSize / LR_SCALING_BASE_BATCH;
  const schedule = t.schedule;
  // The warm-up as two whole numbers (solo-learn and Lightning type them int) whose ratio
  // is warm-up steps / max_steps: warmupRatio.
  const ratio = warmupRatio(schedule.name === "warmup_cosine" ? schedule.warmupSteps : 0, t.steps);
  let warmupEpochs = ratio.epochs;
  const cwse = ratio.divisor;
  // Upstream solo-learn warms up for warmup_epochs * (estimated_stepping_batches / max_epochs)
  // steps (methods/base.py), which is the fork's formula with max_epochs for
  // compute_warm_step_epoch, but Lightning also stops at max_epochs: both are scaled by
  // a whole k so that max_epochs epochs hold max_steps (k from the epoch length when
  // known, else large enough for any epoch of at least one step). The warm-up is unchanged.
  const upstream = opts.flavour === "upstream";
  let maxEpochs: number | undefined;
  if (upstream) {
    const k = plan.stepsPerEpoch ? Math.max(1, Math.ceil(t.steps / (cwse * plan.stepsPerEpoch))) : Math.max(1, Math.ceil(t.steps / cwse));
    maxEpochs = cwse * k;
    warmupEpochs *= k;
  }
  const online = ir.evaluate.onlineLinear!;
  const method = ir.model.method;
  const momentum = "momentum" in method ? { momentum: { base_tau: method.momentum.base, final_tau: method.momentum.final } } : {};
  const knn = ir.evaluate.knn;
  return {
    defaults: [
      "_self_",
      { augmentations: `${augmentationName(ir)}.yaml` },
      { "override hydra/hydra_logging": "disabled" },
      { "override hydra/job_logging": "disabled" },
    ],
    hydra: { output_subdir: null, run: { dir: "." } },
    name: ir.name,
    method: SOLO_METHOD[method.name],
    backbone: { name: "resnet18" },
    method_kwargs: methodKwargs(method),
    ...momentum,
    data: {
      dataset: plan.real.format as "cifar10" | "cifar100",
      train_path: plan.real.path ?? "",
      val_path: plan.eval.path ?? "",
      format: SOLO_RUNTIME.format,
      num_workers: SOLO_RUNTIME.numWorkers,
      ...(upstream ? {} : { dup: plan.extra ? plan.dup : null, extra_data: plan.extra?.path ?? null }),
    },
    optimizer: {
      name: t.optimizer.name,
      batch_size: t.batchSize / opts.devices,
      lr: configRate(t.optimizer.lr, factor),
      classifier_lr: configRate(online.lr, factor),
      weight_decay: t.optimizer.weightDecay,
      kwargs: optimizerKwargs(t.optimizer),
    },
    scheduler:
      schedule.name === "warmup_cosine"
        ? { name: "warmup_cosine", warmup_start_lr: schedule.warmupStartLr, min_lr: schedule.minLr, warmup_epochs: warmupEpochs, interval: "step" }
        : { name: "none" },
    ...(knn ? { knn_eval: { enabled: true, k: knn.k, distance_func: knn.distance } } : {}),
    checkpoint: { enabled: true, dir: ir.output.dir, frequency: checkpointFrequency(ir, plan), keep_prev: ir.output.keep > 1 },
    auto_resume: { enabled: false },
    wandb: { enabled: false, project: SOLO_RUNTIME.project, entity: null, offline: true },
    ...(upstream ? { max_epochs: maxEpochs! } : { compute_warm_step_epoch: cwse }),
    max_steps: t.steps,
    devices: Array.from({ length: opts.devices }, (_, i) => i),
    sync_batchnorm: true,
    accelerator: SOLO_RUNTIME.accelerator,
    strategy: SOLO_RUNTIME.strategy,
    precision: SOLO_RUNTIME.precision,
    val_check_interval: online.every,
    check_val_every_n_epoch: null,
    seed: ir.seed,
    adainf: provenance(ir, plan),
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * warmup_epochs and the number it is divided by (the fork's compute_warm_step_epoch,
 * upstream's max_epochs), whole numbers with warmup_epochs x max_steps / divisor = the
 * warm-up in steps exactly: 10 and 10 x steps / warm-up when that is whole (the fork's
 * own 10 and 1000 for 1,000 steps of 100k; a warm-up of whole epochs gives the run's
 * length in epochs), else the fraction in lowest terms (500 of 2,910 steps: 50 and 291).
 * No warm-up: 0 and max_steps.
 */
export function warmupRatio(warmupSteps: number, steps: number): { epochs: number; divisor: number } {
  if (warmupSteps <= 0) return { epochs: 0, divisor: steps };
  if ((10 * steps) % warmupSteps === 0) return { epochs: 10, divisor: (10 * steps) / warmupSteps };
  const g = gcd(warmupSteps, steps);
  return { epochs: warmupSteps / g, divisor: steps / g };
}

function methodKwargs(m: MethodIR): Record<string, number> {
  const proj = { proj_hidden_dim: m.projHiddenDim, proj_output_dim: m.projOutputDim };
  switch (m.name) {
    case "simclr":
      return { ...proj, temperature: m.temperature };
    case "mocov2plus":
      return { ...proj, queue_size: m.queueSize, temperature: m.temperature };
    case "byol":
      return { ...proj, pred_hidden_dim: m.predHiddenDim };
    case "barlow":
      return { ...proj, scale_loss: m.scaleLoss, lamb: m.lambda };
  }
}

function optimizerKwargs(o: OptimizerIR): Record<string, number | boolean | number[]> {
  switch (o.name) {
    case "lars":
      return { clip_lr: o.clipLr, eta: o.eta, exclude_bias_n_norm: o.excludeBiasAndNorm, momentum: o.momentum };
    case "sgd":
      return { momentum: o.momentum };
    case "adamw":
      return { betas: [o.beta1, o.beta2] };
  }
}

function provenance(ir: PipelineIR, plan: SoloPlan): Provenance {
  const x = plan.extra;
  const defaultViews = ir.augment.views.every((v, i) => v.name === `view${i + 1}`);
  return {
    sources: { train: plan.real.name, extra: x?.name ?? null, eval: plan.eval.name },
    extra_data: x ? { size: x.size, fid: x.fid, channels: x.channelOrder, origin: x.origin, classes: x.classes } : null,
    augment_preset: ir.augment.preset,
    views: defaultViews ? [] : ir.augment.views.map((v) => v.name),
    checkpoint_every: ir.output.checkpointEvery,
    keep: ir.output.keep,
    lint: { ...ir.lint.rules },
    lr_scaling: ir.train.lrScaling.rule,
  };
}
