// What the solo-learn target can express, decided on the IR alone. Each construct
// solo-learn has no key for is an error that names it and points at its span, so
// nothing is dropped silently; where solo-learn runs the pipeline slightly
// differently (channel order, checkpoint cadence) a warning says how.
import type { Diagnostic } from "../../check/diagnostic.js";
import type { AugmentOpIR, DataSourceIR, PipelineIR, SpanMap, ViewIR } from "../../ir/types.js";
import { SOLO_CODES } from "./codes.js";
import { SOLO_FIXED, SOLO_OP_ORDER, SOLO_STATS } from "./config.js";
import { placeOf } from "./place.js";
import { diagnostic, type Message } from "../../check/registry.js";

/** The pipeline's data, sorted into the three places solo-learn has for it. */
export interface SoloPlan {
  real: DataSourceIR;
  dup: number;
  extra: DataSourceIR | null;
  eval: DataSourceIR;
  /** Steps per epoch of the inflated set (drop_last, as solo-learn's loader), when known. */
  stepsPerEpoch: number | null;
}

/** Which solo-learn: the AdaInf fork (data.dup, data.extra_data, compute_warm_step_epoch) or upstream vturrisi/solo-learn. */
export type SoloFlavour = "adainf" | "upstream";

export interface SoloOptions {
  /** GPUs to spread the batch over (DDP): the pipeline's train.devices unless overridden; the total batch stays the pipeline's. */
  devices: number;
  flavour: SoloFlavour;
}

const CIFAR_TRAIN = 50_000;
const CIFAR_TEST = 10_000;

export function analyze(ir: PipelineIR, spans: SpanMap, opts: SoloOptions): { diagnostics: Diagnostic[]; plan: SoloPlan | null } {
  const out: Diagnostic[] = [];
  const at = (pointer: string) => placeOf(spans, pointer, ir.file);
  const error: Report = (cannotExpress, pointer, what, hint) => out.push(diagnostic(cannotExpress({ what }), at(pointer), hint));
  const warn: Warn = (m, pointer) => out.push(diagnostic(m, at(pointer)));

  const plan = analyzeData(ir, error, warn);
  if (plan && opts.flavour === "upstream" && (plan.extra !== null || plan.dup !== 1)) {
    const entry = ir.data.train.findIndex((t) => t.source === (plan.extra?.name ?? plan.real.name));
    error(
      SOLO_CODES.data,
      `/data/train/${entry}`,
      `inflation on upstream solo-learn: it has no data.extra_data or data.dup (the AdaInf fork adds them), so the generated set and the replication would be dropped`,
      "compile with --flavour adainf (the default) and run it in a PKU-ML/adainf checkout",
    );
  }
  analyzeAugment(ir, plan?.real ?? null, error);
  analyzeModel(ir, error);
  analyzeTraining(ir, opts, error);
  if (plan) analyzeOutput(ir, plan, warn);
  return { diagnostics: out, plan: out.some((d) => d.severity === "error") ? null : plan };
}

/** An error under one of the solo-learn codes: "solo-learn cannot express <what>". */
type Report = (cannotExpress: CannotExpress, pointer: string, what: string, hint?: string) => void;
type CannotExpress = (typeof SOLO_CODES)["data" | "augment" | "model" | "train"];
type Warn = (m: Message, pointer: string) => void;

function sourcePtr(ir: PipelineIR, name: string): string {
  return `/data/sources/${ir.data.sources.findIndex((s) => s.name === name)}`;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) <= 1e-9 * Math.max(1, Math.abs(b[i]!)));
}

function analyzeData(ir: PipelineIR, error: Report, warn: Warn): SoloPlan | null {
  const C = SOLO_CODES.data;
  const byName = new Map(ir.data.sources.map((s) => [s.name, s]));
  let real: { s: DataSourceIR; replicate: number; i: number } | null = null;
  const extras: { s: DataSourceIR; replicate: number; i: number }[] = [];
  ir.data.train.forEach((t, i) => {
    const s = byName.get(t.source)!;
    if ((s.format === "cifar10" || s.format === "cifar100") && s.origin === "real" && !real) real = { s, replicate: t.replicate, i };
    else extras.push({ s, replicate: t.replicate, i });
  });
  const r = real as { s: DataSourceIR; replicate: number; i: number } | null;
  let ok = true;
  if (!r) {
    const what = ir.data.train.map((t) => `${t.source} (${byName.get(t.source)!.format})`).join(", ");
    error(
      C,
      "/data/train",
      `a training set without CIFAR: it trains on ${what}`,
      "solo-learn's CIFAR pretraining set is cifar10 or cifar100, with at most one npz file added (data.extra_data)",
    );
    return null;
  }
  const real_ = r.s;
  const rp = sourcePtr(ir, real_.name);
  if (real_.split !== "train") {
    error(C, `${rp}/split`, `training on the ${real_.split} split of ${real_.format}: solo-learn pretrains on the train split`);
    ok = false;
  }
  if (real_.size !== CIFAR_TRAIN) {
    error(
      C,
      `${rp}/size`,
      `'${real_.name}' with size = ${real_.size}: solo-learn takes the whole ${real_.format} train split (its data.fraction draws a random stratified subset, not the first N images)`,
      "use the full split, or save the subset as an npz file",
    );
    ok = false;
  }
  if (
    !sameNumbers(real_.shape, [32, 32, 3]) ||
    !sameNumbers(real_.mean, SOLO_STATS[real_.format as "cifar10"].mean) ||
    !sameNumbers(real_.std, SOLO_STATS[real_.format as "cifar10"].std)
  ) {
    error(C, rp, `'${real_.name}': a ${real_.format} preset with other image shape or statistics than solo-learn's (32x32x3, docs/paper.md §2)`);
    ok = false;
  }
  for (const e of extras) {
    const p = sourcePtr(ir, e.s.name);
    if (e.s.format === "mnist") {
      error(C, p, `MNIST ('${e.s.name}'): solo-learn has no MNIST dataset`);
      ok = false;
    } else if (e.s.format === "cifar10" || e.s.format === "cifar100") {
      error(C, p, `a second CIFAR training source '${e.s.name}': solo-learn's train set is one dataset plus one npz file`);
      ok = false;
    } else if (e.s.format === "folder") {
      error(
        C,
        p,
        `the image folder '${e.s.name}' as training data: data.extra_data reads one .npz file`,
        "convert it first: adainfc data convert <folder> -o <file>.npz",
      );
      ok = false;
    }
  }
  const npz = extras.filter((e) => e.s.format === "npz");
  if (npz.length > 1) {
    error(
      C,
      `/data/train/${npz[1]!.i}`,
      `several generated sources (${npz.map((e) => e.s.name).join(", ")}): data.extra_data takes one npz file`,
      "merge them into one npz file",
    );
    ok = false;
  }
  const extra = npz[0] ?? null;
  if (extra && extra.replicate !== 1) {
    error(
      C,
      `/data/train/${extra.i}/replicate`,
      `'${extra.s.name} x ${extra.replicate}': the reference repeats only the real data (data.dup); generated data enters once`,
      `write ${real_.name} x N (re-weight the real data) instead`,
    );
    ok = false;
  }
  if (!extra && r.replicate !== 1) {
    error(
      C,
      `/data/train/${r.i}/replicate`,
      `'${real_.name} x ${r.replicate}' without generated data: the reference applies data.dup only together with data.extra_data`,
    );
    ok = false;
  }
  if (extra) {
    const s = extra.s;
    const p = sourcePtr(ir, s.name);
    if (s.layout !== "nhwc") {
      error(C, `${p}/layout`, `'${s.name}' with layout = nchw: the reference concatenates the npz images with CIFAR's N,H,W,C array`);
      ok = false;
    }
    if (!sameNumbers(s.shape, real_.shape)) {
      error(C, `${p}/shape`, `'${s.name}' with image shape ${s.shape.join("x")}: it must match ${real_.format} (${real_.shape.join("x")}) to be concatenated`);
      ok = false;
    }
    if (!sameNumbers(s.mean, real_.mean) || !sameNumbers(s.std, real_.std)) {
      error(C, p, `'${s.name}' with its own mean/std: solo-learn normalises every image with ${real_.format}'s statistics`);
      ok = false;
    }
    if (s.channelOrder === "bgr") {
      warn(SOLO_CODES.channels({ name: s.name }), `${p}/channelOrder`);
    }
  }
  // Evaluation: solo-learn validates on the CIFAR test split under data.val_path.
  const evalSrc = ir.data.eval ? (byName.get(ir.data.eval) ?? null) : null;
  if (!evalSrc) {
    error(
      SOLO_CODES.train,
      "/data",
      "a pipeline without an evaluation source: solo-learn always validates on the CIFAR test split",
      `add eval = ${real_.format}("${real_.path}", split = test)`,
    );
    ok = false;
  } else {
    const p = sourcePtr(ir, evalSrc.name);
    if (evalSrc.format !== real_.format || evalSrc.split !== "test" || evalSrc.size !== CIFAR_TEST) {
      error(
        C,
        p,
        `evaluation on '${evalSrc.name}' (${evalSrc.format}${evalSrc.split ? `, ${evalSrc.split}` : ""}, ${evalSrc.size ?? "?"} images): solo-learn validates on the whole ${real_.format} test split`,
      );
      ok = false;
    }
  }
  const used = new Set([...ir.data.train.map((t) => t.source), ...(ir.data.eval ? [ir.data.eval] : [])]);
  for (const s of ir.data.sources) {
    if (!used.has(s.name)) {
      error(
        C,
        sourcePtr(ir, s.name),
        `the unused source '${s.name}': solo-learn has no place for a source that is neither trained on nor evaluated`,
        "remove it",
      );
      ok = false;
    }
  }
  if (!ok || !evalSrc) return null;
  const stepsPerEpoch = ir.train.epochSize !== null ? Math.floor(ir.train.epochSize / ir.train.batchSize) : null;
  return { real: real_, dup: r.replicate, extra: extra?.s ?? null, eval: evalSrc, stepsPerEpoch };
}

function analyzeAugment(ir: PipelineIR, real: DataSourceIR | null, error: Report): void {
  const C = SOLO_CODES.augment;
  if (ir.augment.views.length !== 2) {
    error(C, "/augment", `${ir.augment.views.length} views: solo-learn's ${ir.model.method.name} takes exactly two large crops`);
  }
  const sizes = new Set<number>();
  ir.augment.views.forEach((v, vi) => {
    sizes.add(cropSize(v, real));
    analyzeView(v, `/augment/views/${vi}`, real, error);
  });
  if (sizes.size > 1)
    error(C, "/augment", `views with different crop sizes (${[...sizes].join(", ")}): solo-learn treats the smaller ones as multi-crop views`);
}

export function cropSize(v: ViewIR, real: DataSourceIR | null): number {
  const rrc = v.ops.find((o) => o.op === "random_resized_crop");
  return rrc && rrc.op === "random_resized_crop" ? rrc.size : (real?.shape[0] ?? 32);
}

function analyzeView(v: ViewIR, base: string, real: DataSourceIR | null, error: Report): void {
  const C = SOLO_CODES.augment;
  let last = -1;
  const seen = new Set<string>();
  v.ops.forEach((op: AugmentOpIR, i) => {
    const p = `${base}/ops/${i}`;
    const rank = SOLO_OP_ORDER.indexOf(op.op);
    if (seen.has(op.op)) error(C, p, `${op.op} twice in view '${v.name}': solo-learn applies each op at most once`);
    else if (rank < last)
      error(C, p, `${op.op} after ${SOLO_OP_ORDER[last]} in view '${v.name}': solo-learn applies its ops in one fixed order (${SOLO_OP_ORDER.join(", ")})`);
    seen.add(op.op);
    last = Math.max(last, rank);
    switch (op.op) {
      case "random_resized_crop":
        if (!sameNumbers(op.ratio, SOLO_FIXED.ratio))
          error(C, `${p}/ratio`, `random_resized_crop ratio = ${op.ratio.join("..")}: solo-learn's crop uses torchvision's default 3/4..4/3`);
        if (op.interpolation !== SOLO_FIXED.interpolation)
          error(C, `${p}/interpolation`, `random_resized_crop interpolation = ${op.interpolation}: solo-learn always resamples bicubic`);
        break;
      case "gaussian_blur":
        if (!sameNumbers(op.sigma, SOLO_FIXED.blurSigma))
          error(C, `${p}/sigma`, `gaussian_blur sigma = ${op.sigma.join("..")}: solo-learn's blur draws sigma from 0.1..2.0`);
        break;
      case "solarize":
        if (op.threshold !== SOLO_FIXED.solarizeThreshold)
          error(C, `${p}/threshold`, `solarize threshold = ${op.threshold}: solo-learn solarizes at PIL's 128`);
        break;
      case "normalize":
        if (i !== v.ops.length - 1) error(C, p, `normalize before other ops in view '${v.name}'`);
        if (real && (real.format === "cifar10" || real.format === "cifar100")) {
          const stats = SOLO_STATS[real.format];
          if (!sameNumbers(op.mean, stats.mean) || !sameNumbers(op.std, stats.std))
            error(C, p, `normalize with mean ${op.mean.join(", ")} / std ${op.std.join(", ")}: solo-learn normalises with ${real.format}'s fixed statistics`);
        }
        break;
      default:
        break;
    }
  });
  const rrc = v.ops.find((o) => o.op === "random_resized_crop");
  if (!rrc && real && real.shape[0] !== cropSize(v, real)) error(C, base, `view '${v.name}' without random_resized_crop at another size`);
}

function analyzeModel(ir: PipelineIR, error: Report): void {
  const b = ir.model.backbone;
  if (b.name === "convnet")
    error(
      SOLO_CODES.model,
      "/model/backbone",
      "the convnet backbone: solo-learn builds resnet18 (and larger) backbones, not adainfc's small convnet",
      "use backbone = resnet18(stem = cifar)",
    );
  else if (b.stem !== "cifar")
    error(
      SOLO_CODES.model,
      "/model/backbone/stem",
      "resnet18 with stem = imagenet on CIFAR: solo-learn always swaps in the CIFAR stem (3x3 stride-1 conv, no max-pool)",
      "use stem = cifar",
    );
}

function analyzeTraining(ir: PipelineIR, opts: SoloOptions, error: Report): void {
  const C = SOLO_CODES.train;
  if (ir.train.batchSize % opts.devices !== 0) {
    error(
      C,
      "/train/batchSize",
      `batch_size = ${ir.train.batchSize} on ${opts.devices} GPUs: solo-learn's batch_size is per GPU, and ${opts.devices} does not divide it`,
    );
  }
  const ev = ir.evaluate;
  if (!ev.onlineLinear)
    error(
      C,
      "/evaluate",
      "a run without the online linear classifier: solo-learn always trains it",
      "add online_linear(lr = 0.1, every = 200 steps) to evaluate",
    );
  if (ev.knn) {
    if (Math.abs(ev.knn.temperature - SOLO_FIXED.knnTemperature) > 1e-12)
      error(
        C,
        "/evaluate/knn/temperature",
        `knn temperature = ${ev.knn.temperature}: solo-learn's online kNN uses a fixed 0.07`,
        "write knn(temperature = 0.07, ...)",
      );
    if (ev.onlineLinear && ev.knn.every !== ev.onlineLinear.every)
      error(
        C,
        "/evaluate/knn/every",
        `knn every = ${ev.knn.every ?? "the end"}: solo-learn runs kNN at every validation (every ${ev.onlineLinear.every} steps)`,
        `write knn(every = ${ev.onlineLinear.every} steps, ...)`,
      );
  }
  if (ev.linearProbe)
    error(
      C,
      "/evaluate/linearProbe",
      "linear_probe: solo-learn runs the offline probe as a separate main_linear.py job with its own config",
      "remove it here and run solo-learn's main_linear.py on the checkpoint",
    );
}

function analyzeOutput(ir: PipelineIR, plan: SoloPlan, warn: Warn): void {
  const E = plan.stepsPerEpoch;
  const every = ir.output.checkpointEvery;
  const notes: string[] = [];
  if (every !== null && !(E !== null && every % E === 0)) {
    notes.push(`checkpoint_every = ${every} steps becomes checkpoint.frequency: ${checkpointFrequency(ir, plan)} epoch(s)${E ? ` (${E} steps each)` : ""}`);
  }
  if (every === null && (E === null || E === 0)) {
    notes.push(
      `checkpoint_every = none (only at the end) becomes checkpoint.frequency: ${checkpointFrequency(ir, plan)} epoch(s), the run's ${ir.train.steps} steps at one step an epoch: the epoch length is unknown`,
    );
  }
  if (ir.output.keep > 1) notes.push(`keep = ${ir.output.keep} becomes keep_prev: True (solo-learn keeps every checkpoint or only the last)`);
  if (notes.length) warn(SOLO_CODES.checkpoint({ notes: notes.join("; ") }), every !== null ? "/output/checkpointEvery" : "/output");
}

/**
 * checkpoint.frequency in epochs: the interval rounded to whole epochs, at least one.
 * Only at the end (checkpoint_every = none) with the epoch length unknown: the run's
 * steps, as no epoch is shorter than one step (W071 says so).
 */
export function checkpointFrequency(ir: PipelineIR, plan: SoloPlan): number {
  const E = plan.stepsPerEpoch;
  const every = ir.output.checkpointEvery;
  if ((E === null || E === 0) && every === null) return Math.max(1, ir.train.steps);
  if (E === null || E === 0) return 1;
  if (every === null) return Math.max(1, Math.ceil(ir.train.steps / E));
  return Math.max(1, Math.round(every / E));
}
