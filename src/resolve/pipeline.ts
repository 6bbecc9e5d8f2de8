// One pipeline declaration -> IR. The body is merged from its recipe chain, its own
// statements and `--set` overrides (merge.ts), then each block is interpreted by its
// definition (ir/builtins.ts): calls to builtins and blocks of fields are checked and
// their IR nodes built from it; what is genuinely the pipeline's (the data mixture,
// the views, batch and devices) is written out below. Lengths written in epochs become
// steps once the epoch size is known; everything that can be checked without reading
// data is checked here.

import type { Decl, Statement } from "../syntax/ast.js";
import type * as IR from "../ir/types.js";
import type { Span } from "../ir/types.js";
import { IR_VERSION } from "../ir/types.js";
import * as B from "../ir/builtins.js";
import { defaultNode, defaultValues, nodeOf, type Block, type NodeOf } from "../ir/define.js";
import { didYouMean } from "../check/suggest.js";
import { resolveAugment } from "./augment.js";
import { interpretCall } from "./calls.js";
import { ptr, ResolveContext } from "./context.js";
import { emptyBlock, mergeStatements, type BlockEntry, type StmtEntry } from "./merge.js";
import type { LoadedFile, Program } from "./program.js";
import { bareName, interpretValue } from "./values.js";
import { resolveData, type ResolvedData } from "./data.js";
import { blockEntry, checkKeys, fieldsOf, pendingSteps, recordSpans, stmtEntry, type PendingDuration } from "./entries.js";
import { resolveFamilyCall } from "./builtins.js";
import { resolveLint } from "./lint-config.js";
import { diag } from "../check/registry.js";

export interface ResolvedPipeline {
  ir: IR.PipelineIR | null;
  spans: IR.SpanMap;
  diagnostics: ResolveContext["diagnostics"];
}

export function resolvePipeline(
  decl: Decl,
  file: LoadedFile,
  program: Program,
  extras: { statements: Statement[]; file: LoadedFile }[] = [],
): ResolvedPipeline {
  const ctx = new ResolveContext();
  const root = emptyBlock(decl.name);
  ctx.at("", decl.name.span);
  ctx.at("/name", decl.name.span);
  if (!mergeChain(decl, file, program, ctx, root, [])) return { ir: null, spans: ctx.spans, diagnostics: ctx.diagnostics };
  recordSectionSpans(decl, root, ctx);
  // --set and sweep points: later wins, a key may repeat.
  for (const extra of extras) mergeStatements(root, extra.statements, extra.file, ctx, { once: false });
  const ir = interpretPipeline(decl, file, root, program, ctx);
  return { ir: ctx.failed ? null : ir, spans: ctx.spans, diagnostics: ctx.diagnostics };
}

/**
 * The body of `decl` merged along its recipe chain as a compile merges it (without `--set`
 * or a sweep point): what the language server shows a derived pipeline inherits. Null when
 * it does not merge (an unknown recipe, a cycle, no body).
 */
export function mergedBody(decl: Decl, file: LoadedFile, program: Program): BlockEntry | null {
  const root = emptyBlock(decl.name);
  return mergeChain(decl, file, program, new ResolveContext(), root, []) ? root : null;
}

/** Merge the recipe chain (deepest first), then the declaration's own body. */
function mergeChain(decl: Decl, file: LoadedFile, program: Program, ctx: ResolveContext, root: BlockEntry, stack: string[]): boolean {
  if (decl.base) {
    const ref = program.lookup(file, "recipe", decl.base.text);
    if (!ref) {
      ctx.report(
        diag.E010.unknownName({ what: "recipe", name: decl.base.text }),
        decl.base.span,
        didYouMean(decl.base.text, program.visibleNames(file, "recipe")),
      );
      return false;
    }
    const key = `${ref.file.abs}#${ref.decl.name.text}`;
    if (stack.includes(key)) {
      ctx.report(diag.E014.recipeCycle({ chain: [...stack, key].map((k) => k.split("#")[1]).join(" -> ") }), decl.base.span);
      return false;
    }
    if (!mergeChain(ref.decl, ref.file, program, ctx, root, [...stack, key])) return false;
    ctx.recipe(ref.decl.span);
  }
  if (!decl.body) {
    ctx.report(diag.E020.declNeedsBody({ kind: decl.declKind, name: decl.name.text }), decl.span);
    return false;
  }
  mergeStatements(root, decl.body.statements, file, ctx);
  return true;
}

// ---------------------------------------------------------------- the pipeline

function interpretPipeline(decl: Decl, file: LoadedFile, root: BlockEntry, program: Program, ctx: ResolveContext): IR.PipelineIR | null {
  const where = decl.name.span;
  checkKeys(root, B.PIPELINE_FIELDS, ctx, `pipeline '${decl.name.text}'`);
  const pending: PendingDuration[] = [];
  const seed = seedOf(root, ctx);
  const data = resolveData(decl, root, program, ctx);
  const augment = augmentSection(decl, root, data, program, ctx);
  const model = blockEntry(root, "model", ctx);
  if (model) checkKeys(model, Object.keys(B.MODEL_CALLS), ctx, "model");
  const bb = stmtEntry(model, "backbone");
  const me = stmtEntry(model, "method");
  if (!bb) ctx.report(diag.E022.noBackbone(), model?.key.span ?? where);
  const backbone = bb ? resolveFamilyCall(bb, B.BACKBONES, { what: "backbone", base: "/model/backbone" }, ctx, pending) : null;
  if (!me) ctx.report(diag.E022.noMethod(), model?.key.span ?? where);
  const method = me ? resolveFamilyCall(me, B.METHODS, { what: "method", base: "/model/method" }, ctx, pending) : null;
  const train = trainSection(root, where, data.epochSize, ctx, pending);
  const evaluate = evaluateSection(data.evaluate, ctx, pending);
  if ((evaluate.onlineLinear || evaluate.knn || evaluate.linearProbe) && !data.evalName && !data.failed) {
    ctx.report(diag.E030.noEvalSource(), data.dataSpan ?? data.evaluate?.key.span ?? where);
  }
  // `lr_scaling = linear`: the written rates are per 256 images (solo-learn's rule)
  const factor = train?.lrScaling.factor ?? 1;
  if (train && factor !== 1) train.optimizer.lr = scaledRate(train.optimizer.lr, factor);
  if (evaluate.onlineLinear && factor !== 1) evaluate.onlineLinear.lr = scaledRate(evaluate.onlineLinear.lr, factor);
  const output = outputSection(decl, root, ctx, pending);
  const lint: IR.LintConfigIR = { rules: {} };
  const lintEntry = root.entries.get("lint");
  if (lintEntry && lintEntry.kind !== "list") ctx.report(diag.E020.lintForm(), lintEntry.key.span);
  if (lintEntry?.kind === "list")
    resolveLint(
      lintEntry.items.map((i) => i.stmt),
      lint,
      ctx,
    );
  toSteps(pending, data, train?.batchSize ?? defaultValues(B.TRAIN.fields).batchSize, ctx);

  if (ctx.failed || !augment || !backbone || !method || !train) return null;
  return {
    version: IR_VERSION,
    name: decl.name.text,
    file: file.display,
    seed,
    data: { sources: data.sources, train: data.train, eval: data.evalName },
    augment,
    model: { backbone, method },
    train,
    evaluate,
    output,
    lint,
  };
}

function seedOf(root: BlockEntry, ctx: ResolveContext): number {
  const field = B.SEED.fields.seed;
  const entry = root.entries.get("seed");
  if (entry && entry.kind !== "stmt") ctx.report(diag.E011.noFields({ name: "seed" }), entry.key.span);
  const e = stmtEntry(root, "seed");
  if (e && !e.stmt.value) ctx.report(diag.E020.writeValue({ key: "seed" }), e.stmt.span);
  if (e?.overrides.length) ctx.report(diag.E011.noFields({ name: "seed" }), e.overrides[0]!.span);
  if (!e?.stmt.value) return defaultValues(B.SEED.fields).seed;
  const v = interpretValue(e.stmt.value, field.type, ctx, "seed");
  ctx.at("/seed", e.stmt.value.span);
  return typeof v === "number" ? v : defaultValues(B.SEED.fields).seed;
}

/** `augment = ...` with the training data's crop size and statistics; a crop larger than the images is a W001. */
function augmentSection(decl: Decl, root: BlockEntry, data: ResolvedData, program: Program, ctx: ResolveContext): IR.AugmentIR | null {
  const entry = root.entries.get("augment");
  const reference = data.reference;
  if (!entry) ctx.report(diag.E022.noAugmentation({ name: decl.name.text }), decl.name.span);
  else if (entry.kind !== "stmt") ctx.report(diag.E020.augmentForm(), entry.key.span);
  if (entry?.kind !== "stmt" || !reference) return null;
  const augment = resolveAugment(entry, program, ctx, { cropSize: reference.shape[0], mean: reference.mean, std: reference.std });
  // One warning per place: the views of `view x 2 { ... }` share their ops' spans.
  const large = new Map<string, { span: Span; views: string[]; size: number }>();
  for (const [vi, v] of (augment?.views ?? []).entries()) {
    for (const [oi, op] of v.ops.entries()) {
      if (op.op === "random_resized_crop" && (op.size > reference.shape[0] || op.size > reference.shape[1])) {
        const span = ctx.spans[ptr("/augment/views", vi, "ops", oi, "size")] ?? ctx.spans["/augment/preset"] ?? entry.key.span;
        const key = `${span.file}:${span.start}:${span.end}:${op.size}`;
        const at = large.get(key) ?? large.set(key, { span, views: [], size: op.size }).get(key)!;
        at.views.push(v.name);
      }
    }
  }
  for (const { span, views, size } of large.values()) {
    const shape = { size, source: reference.name, height: reference.shape[0], width: reference.shape[1] };
    const m =
      views.length === 1
        ? diag.W001.cropLarger({ view: views[0]!, ...shape })
        : diag.W001.cropLargerViews({ views: views.map((v) => `'${v}'`).join(", "), ...shape });
    ctx.report(m, span);
  }
  return augment;
}

/** `train { batch_size; devices; lr_scaling; steps; optimizer; schedule }`; null without an optimizer. */
function trainSection(root: BlockEntry, where: Span, epochSize: number | null, ctx: ResolveContext, pending: PendingDuration[]): IR.TrainIR | null {
  const block = blockEntry(root, "train", ctx);
  const fields = block ? fieldsOf(block, B.TRAIN, ctx, "/train", Object.keys(B.TRAIN_CALLS)) : null;
  const { batchSize, devices, lrScaling: rule, steps } = fields?.values ?? defaultValues(B.TRAIN.fields);
  if (batchSize % devices !== 0) {
    ctx.report(
      diag.E021.batchOverDevices({ batch: batchSize, devices, example: devices * Math.max(1, Math.round(batchSize / devices)) }),
      // At the one of the two the user wrote (a pipeline's devices = 3 against a
      // recipe's batch_size), else at batch_size.
      [ctx.spans["/train/batchSize"], ctx.spans["/train/devices"]].find((s) => s && !ctx.inherited(s)) ??
        ctx.spans["/train/batchSize"] ??
        ctx.spans["/train/devices"] ??
        block?.key.span ??
        where,
    );
  }
  const lrScaling: IR.LrScalingIR = { rule, factor: rule === "linear" ? batchSize / B.LR_SCALING_BASE_BATCH : 1 };
  let train: IR.TrainIR | null = null;
  pending.push({ d: steps, span: ctx.spans["/train/steps"] ?? null, assign: (n) => train && (train.steps = n), what: "train.steps" });
  const opt = stmtEntry(block, "optimizer");
  if (!opt) ctx.report(diag.E022.noOptimizer(), block?.key.span ?? where);
  const optimizer = opt ? resolveFamilyCall(opt, B.OPTIMIZERS, { what: "optimizer", base: "/train/optimizer" }, ctx, pending) : null;
  const sch = stmtEntry(block, "schedule");
  const schedule = sch
    ? resolveFamilyCall(sch, B.SCHEDULES, { what: "schedule", base: "/train/schedule", siblings: false }, ctx, pending)
    : defaultNode(B.DEFAULT_SCHEDULE);
  if (!optimizer || !schedule) return null;
  train = { batchSize, devices, batchPerDevice: Math.floor(batchSize / devices), lrScaling, steps: 0, optimizer, schedule, epochSize };
  return train;
}

/** `evaluate { online_linear(...); knn(...); linear_probe(...) }`: each evaluator by its definition, `x = off` removes one. */
function evaluateSection(evaluate: BlockEntry | undefined, ctx: ResolveContext, pending: PendingDuration[]): IR.EvaluateIR {
  const out: IR.EvaluateIR = { onlineLinear: null, knn: null, linearProbe: null };
  if (!evaluate) return out;
  checkKeys(evaluate, [...Object.keys(B.EVALUATORS), "source"], ctx, "evaluate");
  for (const [key, e] of evaluate.entries) {
    if (e.kind !== "stmt") {
      // `evaluate.knn.k = 5` with no knn to set it on, `evaluate.source.x = 1`: never dropped unread.
      if (key in B.EVALUATORS) ctx.report(diag.E020.toggleForm({ key }), e.key.span);
      else if (key === "source") ctx.report(diag.E011.noFields({ name: key }), e.key.span);
      continue;
    }
    if (key === "online_linear") out.onlineLinear = evaluator(B.EVALUATORS.online_linear, "/evaluate/onlineLinear", e, ctx, pending);
    else if (key === "knn") out.knn = evaluator(B.EVALUATORS.knn, "/evaluate/knn", e, ctx, pending);
    else if (key === "linear_probe") out.linearProbe = evaluator(B.EVALUATORS.linear_probe, "/evaluate/linearProbe", e, ctx, pending);
  }
  return out;
}

function evaluator<K extends Block>(spec: K, base: string, e: StmtEntry, ctx: ResolveContext, pending: PendingDuration[]): NodeOf<K> | null {
  const key = spec.name;
  if (e.stmt.value && (bareName(e.stmt.value) === "off" || bareName(e.stmt.value) === "none")) return null;
  if (e.stmt.value || e.stmt.block || e.stmt.count) {
    ctx.report(diag.E020.toggleForm({ key }), e.stmt.span);
    return null;
  }
  const r = interpretCall(spec, e.stmt.args, e.overrides, ctx, e.stmt.span);
  if (!r) return null;
  ctx.at(base, e.stmt.span);
  recordSpans(ctx, base, r.spans);
  return nodeOf(spec, r.values, pendingSteps(pending, r.spans));
}

/** `output { dir; checkpoint_every; keep }`; the directory defaults to runs/<pipeline>. */
function outputSection(decl: Decl, root: BlockEntry, ctx: ResolveContext, pending: PendingDuration[]): IR.OutputIR {
  const block = blockEntry(root, "output", ctx);
  const fields = block ? fieldsOf(block, B.OUTPUT, ctx, "/output") : null;
  const values = fields?.values ?? defaultValues(B.OUTPUT.fields);
  const output = nodeOf(B.OUTPUT, values, pendingSteps(pending, fields?.spans ?? {}));
  output.dir = values.dir ?? B.defaultOutputDir(decl.name.text);
  return output;
}

/** Lengths in epochs -> steps, now that the epoch size is known. */
function toSteps(pending: PendingDuration[], data: ResolvedData, batchSize: number, ctx: ResolveContext): void {
  const { epochSize } = data;
  const stepsPerEpoch = epochSize !== null ? Math.floor(epochSize / batchSize) : null;
  // After an earlier error the epoch size may be wrong: report nothing more about it.
  const quiet = ctx.failed;
  for (const p of pending) {
    if (quiet && p.d.unit === "epochs") continue;
    if (p.d.unit === "steps") p.assign(p.d.value);
    else if (stepsPerEpoch === null) {
      const unknown = data.trainSources.filter((s) => s.size === null).map((s) => s.name);
      ctx.report(diag.E031.sizeUnknown({ what: p.what, sources: unknown.join(", ") }), p.span);
    } else if (stepsPerEpoch === 0) {
      ctx.report(diag.E031.epochShorterThanBatch({ what: p.what, images: String(epochSize), batch: batchSize }), p.span);
    } else p.assign(p.d.value * stepsPerEpoch);
  }
}

/** A written rate times the lr-scaling factor, without float noise (0.2 x 2 = 0.4, not 0.4000000000000001). */
export function scaledRate(lr: number, factor: number): number {
  return Number((lr * factor).toPrecision(15));
}

/** The IR section each top-level block of a pipeline body fills. */
const SECTIONS: Record<string, string> = {
  data: "/data",
  inflate: "/data/train",
  augment: "/augment",
  model: "/model",
  train: "/train",
  evaluate: "/evaluate",
  output: "/output",
  lint: "/lint",
};

/**
 * The place of each section in the pipeline's own file: its block there, else the
 * `from <recipe>` that brings it in. A value without a span in the pipeline's file (one
 * inherited from a recipe in the stdlib, say) is then shown at the line that causes it
 * rather than at the pipeline's name, by lint and the solo-learn target, which fall back
 * to the nearest ancestor pointer in the pipeline's file. Sections nobody wrote (all
 * defaults) keep no span: the pipeline's name is the place for those.
 */
function recordSectionSpans(decl: Decl, root: BlockEntry, ctx: ResolveContext): void {
  for (const [key, pointer] of Object.entries(SECTIONS)) {
    const own = decl.body?.statements.find((s) => s.key.parts[0]!.text === key);
    if (own) ctx.at(pointer, own.key.parts[0]!.span);
    else if (decl.base && root.entries.has(key)) ctx.at(pointer, decl.base.span);
  }
}
