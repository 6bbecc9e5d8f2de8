import type { Decl, Statement } from "../syntax/ast.js";
import type * as IR from "../ir/types.js";
import { IR_VERSION } from "../ir/types.js";
import { didYouMean } from "../check/suggest.js";
import { resolveAugment } from "./augment.js";
import { interpretCall } from "./calls.js";
import { ptr, ResolveContext } from "./context.js";
import { emptyBlock, mergeStatements, type BlockEntry } from "./merge.js";
import type { LoadedFile, Program } from "./program.js";
import * as S from "./specs.js";
import { INVALID, bareName, interpretValue, type Duration } from "./values.js";
import { resolveSource } from "./sources.js";
import { blockEntry, camel, checkKeys, fieldsOf, recordSpans, stmtEntry, type PendingDuration } from "./entries.js";
import { resolveBackbone, resolveMethod, resolveOptimizer, resolveSchedule } from "./builtins.js";
import { resolveLint } from "./lint-config.js";
import { diag } from "../check/registry.js";

// One pipeline declaration -> IR. The body is merged from its recipe chain, its own
// statements and `--set` overrides (merge.ts), then each block is interpreted by its
// spec (specs.ts). Lengths written in epochs become steps once the epoch size is
// known; everything that can be checked without reading data is checked here.

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

/** Merge the recipe chain (deepest first), then the declaration's own body. */
function mergeChain(decl: Decl, file: LoadedFile, program: Program, ctx: ResolveContext, root: BlockEntry, stack: string[]): boolean {
  if (decl.base) {
    const ref = program.lookup(file, "recipe", decl.base.text);
    if (!ref) {
      ctx.report(diag.E010.unknownName({ what: "recipe", name: decl.base.text }), decl.base.span, didYouMean(decl.base.text, program.visibleNames(file, "recipe")));
      return false;
    }
    const key = `${ref.file.abs}#${ref.decl.name.text}`;
    if (stack.includes(key)) {
      ctx.report(diag.E014.recipeCycle({ chain: [...stack, key].map((k) => k.split("#")[1]).join(" -> ") }), decl.base.span);
      return false;
    }
    if (!mergeChain(ref.decl, ref.file, program, ctx, root, [...stack, key])) return false;
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
  checkKeys(root, S.PIPELINE_FIELDS, ctx, `pipeline '${decl.name.text}'`);
  const pending: PendingDuration[] = [];

  // seed
  let seed = 0;
  const seedEntry = stmtEntry(root, "seed");
  if (seedEntry?.stmt.value) {
    const v = interpretValue(seedEntry.stmt.value, S.seedSpec.type, ctx, "seed");
    if (v !== INVALID) seed = v as number;
    ctx.at("/seed", seedEntry.stmt.value.span);
  }

  // data
  const dataBlock = blockEntry(root, "data", ctx);
  const sources: IR.DataSourceIR[] = [];
  if (!dataBlock || dataBlock.entries.size === 0) {
    ctx.report(diag.E022.noData({ name: decl.name.text }), dataBlock?.key.span ?? decl.name.span);
  } else {
    for (const e of dataBlock.entries.values()) {
      if (e.kind !== "stmt" || !e.stmt.value) {
        ctx.report(diag.E020.dataSourceForm({ key: e.key.text }), e.key.span);
        continue;
      }
      const src = resolveSource(e, sources.length, program, ctx);
      if (src) sources.push(src);
    }
  }
  const names = sources.map((s) => s.name);

  // evaluation source: `evaluate { source = x }`, else a source called eval or test
  const evaluate = blockEntry(root, "evaluate", ctx);
  let evalName: string | null = null;
  const evalSrcEntry = stmtEntry(evaluate, "source");
  if (evalSrcEntry?.stmt.value) {
    const n = bareName(evalSrcEntry.stmt.value);
    if (n === null || !names.includes(n)) {
      ctx.report(diag.E030.evalSourceNotASource(), evalSrcEntry.stmt.value.span, n ? didYouMean(n, names) : `sources: ${names.join(", ")}`);
    } else evalName = n;
    ctx.at("/data/eval", evalSrcEntry.stmt.value.span);
  } else evalName = names.find((n) => n === "eval" || n === "test") ?? null;
  if (evalName && !evalSrcEntry?.stmt.value) ctx.at("/data/eval", ctx.spans[ptr("/data/sources", names.indexOf(evalName))]);

  // inflation
  const train: IR.InflationEntryIR[] = [];
  const inflate = blockEntry(root, "inflate", ctx);
  const errorsBeforeInflate = ctx.diagnostics.length;
  if (inflate) {
    for (const e of inflate.entries.values()) {
      const s = e.kind === "stmt" ? e.stmt : null;
      if (!s || !s.count || s.value || s.args || s.block) {
        ctx.report(diag.E020.inflateForm({ key: e.key.text }), e.key.span);
        continue;
      }
      if (!names.includes(e.key.text)) {
        // A source that failed to resolve was already reported.
        if (dataBlock?.entries.has(e.key.text)) continue;
        ctx.report(diag.E030.unknownSource({ name: e.key.text }), e.key.span, didYouMean(e.key.text, names) || `sources: ${names.join(", ")}`);
        continue;
      }
      const v = interpretValue(s.count, { kind: "int", min: 1, max: 1_000_000 }, ctx, `replication of ${e.key.text}`);
      if (v === INVALID) continue;
      ctx.at(ptr("/data/train", train.length), s.span);
      ctx.at(ptr("/data/train", train.length, "source"), e.key.span);
      ctx.at(ptr("/data/train", train.length, "replicate"), s.count.span);
      train.push({ source: e.key.text, replicate: v as number });
    }
  } else {
    // No inflate block: each source but the evaluation one, once; each entry is where its source is declared.
    for (const [i, s] of sources.entries()) {
      if (s.name === evalName) continue;
      ctx.at(ptr("/data/train", train.length), ctx.spans[ptr("/data/sources", i)]);
      train.push({ source: s.name, replicate: 1 });
    }
  }
  if (sources.length > 0 && train.length === 0 && ctx.diagnostics.length === errorsBeforeInflate) ctx.report(diag.E022.nothingToTrain(), inflate?.key.span ?? dataBlock?.key.span ?? decl.name.span);

  const trainSources = train.map((t) => sources.find((s) => s.name === t.source)!).filter(Boolean);
  // A shape of [0, 0, 0] is unknown (an npz not made yet): never the reference, never compared.
  const known = (s: IR.DataSourceIR): boolean => s.shape[2] > 0;
  const reference =
    trainSources.find((s) => s.origin === "real" && known(s)) ??
    trainSources.find(known) ??
    sources.find(known) ??
    trainSources.find((s) => s.origin === "real") ??
    trainSources[0] ??
    sources[0];
  // Sources that did not declare their statistics or shape share the real data's
  // (the reference normalises everything with the dataset's mean/std).
  for (const s of sources) {
    if (reference && s.mean.length === 0) s.mean = [...reference.mean];
    if (reference && s.std.length === 0) s.std = [...reference.std];
    if (reference && s.shape[0] === 0) s.shape = [...reference.shape];
  }
  for (const s of sources) {
    if (reference && known(s) && known(reference) && s.shape[2] !== reference.shape[2]) {
      const m = diag.E021.channelsDiffer({ name: s.name, channels: s.shape[2]!, reference: reference.name, referenceChannels: reference.shape[2]! });
      ctx.report(m, ctx.spans[`/data/sources/${sources.indexOf(s)}`] ?? null);
    }
  }
  const epochSize = trainSources.every((s) => s.size !== null)
    ? train.reduce((sum, t) => sum + t.replicate * (sources.find((s) => s.name === t.source)!.size ?? 0), 0)
    : null;

  // augmentation
  let augment: IR.AugmentIR | null = null;
  const augEntry = root.entries.get("augment");
  if (!augEntry) ctx.report(diag.E022.noAugmentation({ name: decl.name.text }), decl.name.span);
  else if (augEntry.kind !== "stmt") ctx.report(diag.E020.augmentForm(), augEntry.key.span);
  else if (reference) {
    augment = resolveAugment(augEntry, program, ctx, { cropSize: reference.shape[0], mean: reference.mean, std: reference.std });
    augment?.views.forEach((v, vi) =>
      v.ops.forEach((op, oi) => {
        if (op.op === "random_resized_crop" && (op.size > reference.shape[0] || op.size > reference.shape[1])) {
          ctx.report(
            diag.W001.cropLarger({ view: v.name, size: op.size, source: reference.name, height: reference.shape[0]!, width: reference.shape[1]! }),
            ctx.spans[ptr("/augment/views", vi, "ops", oi, "size")] ?? ctx.spans["/augment/preset"] ?? augEntry.key.span,
          );
        }
      }),
    );
  }

  // model
  const model = blockEntry(root, "model", ctx);
  let backbone: IR.BackboneIR | null = null;
  let method: IR.MethodIR | null = null;
  if (model) checkKeys(model, S.MODEL_FIELDS, ctx, "model");
  const bb = stmtEntry(model, "backbone");
  const me = stmtEntry(model, "method");
  if (!bb) ctx.report(diag.E022.noBackbone(), model?.key.span ?? decl.name.span);
  else backbone = resolveBackbone(bb, ctx);
  if (!me) ctx.report(diag.E022.noMethod(), model?.key.span ?? decl.name.span);
  else method = resolveMethod(me, ctx);

  // train
  const trainBlock = blockEntry(root, "train", ctx);
  if (trainBlock) checkKeys(trainBlock, S.TRAIN_KEYS, ctx, "train");
  const trainValues = trainBlock ? fieldsOf(trainBlock, S.TRAIN_FIELDS, ctx, "/train") : { batch_size: 256, steps: { value: 100_000, unit: "steps" } };
  const batchSize = (trainValues?.["batch_size"] as number | undefined) ?? 256;
  const devices = (trainValues?.["devices"] as number | undefined) ?? 1;
  if (batchSize % devices !== 0) {
    ctx.report(
      diag.E021.batchOverDevices({ batch: batchSize, devices, example: devices * Math.max(1, Math.round(batchSize / devices)) }),
      ctx.spans["/train/batchSize"] ?? ctx.spans["/train/devices"] ?? trainBlock?.key.span ?? decl.name.span,
    );
  }
  const lrRule = ((trainValues?.["lr_scaling"] as string | undefined) ?? "none") as IR.LrScalingIR["rule"];
  const lrScaling: IR.LrScalingIR = { rule: lrRule, factor: lrRule === "linear" ? batchSize / S.LR_SCALING_BASE_BATCH : 1 };
  const trainIR: IR.TrainIR = {
    batchSize,
    devices,
    batchPerDevice: Math.floor(batchSize / devices),
    lrScaling,
    steps: 0,
    optimizer: { name: "sgd", lr: 0.1, weightDecay: 0, momentum: 0.9 },
    schedule: { name: "constant" },
    epochSize,
  };
  const stepsD = (trainValues?.["steps"] as Duration | undefined) ?? { value: 100_000, unit: "steps" };
  pending.push({ d: stepsD, span: ctx.spans["/train/steps"] ?? null, assign: (n) => (trainIR.steps = n), what: "train.steps" });
  const opt = stmtEntry(trainBlock, "optimizer");
  if (!opt) ctx.report(diag.E022.noOptimizer(), trainBlock?.key.span ?? decl.name.span);
  else {
    const o = resolveOptimizer(opt, ctx);
    if (o) trainIR.optimizer = o;
  }
  const sch = stmtEntry(trainBlock, "schedule");
  const schedule = resolveSchedule(sch, ctx, pending);
  if (schedule) trainIR.schedule = schedule;

  // evaluation
  const evaluateIR: IR.EvaluateIR = { onlineLinear: null, knn: null, linearProbe: null };
  if (evaluate) {
    checkKeys(evaluate, [...Object.keys(S.EVALUATORS), "source"], ctx, "evaluate");
    for (const [key, e] of evaluate.entries) {
      if (key === "source" || e.kind !== "stmt") continue;
      const spec = S.EVALUATORS[key];
      if (!spec) continue;
      if (e.stmt.value && (bareName(e.stmt.value) === "off" || bareName(e.stmt.value) === "none")) continue;
      if (e.stmt.value || e.stmt.block || e.stmt.count) {
        ctx.report(diag.E020.toggleForm({ key }), e.stmt.span);
        continue;
      }
      const r = interpretCall(spec, e.stmt.args, e.overrides, ctx, e.stmt.span);
      if (!r) continue;
      const base = `/evaluate/${camel(key)}`;
      ctx.at(base, e.stmt.span);
      recordSpans(ctx, base, r.spans);
      const v = r.values;
      if (key === "online_linear") {
        const ol: IR.OnlineLinearIR = { lr: v["lr"] as number, every: 0 };
        pending.push({ d: v["every"] as Duration, span: r.spans["every"] ?? null, assign: (n) => (ol.every = n), what: "online_linear.every" });
        evaluateIR.onlineLinear = ol;
      } else if (key === "knn") {
        const k: IR.KnnIR = { k: v["k"] as number, temperature: v["temperature"] as number, distance: v["distance"] as "cosine", every: null };
        if (v["every"]) pending.push({ d: v["every"] as Duration, span: r.spans["every"] ?? null, assign: (n) => (k.every = n), what: "knn.every" });
        evaluateIR.knn = k;
      } else {
        evaluateIR.linearProbe = { epochs: v["epochs"] as number, lr: v["lr"] as number, batchSize: v["batch_size"] as number };
      }
    }
  }
  const dataFailed = sources.length === 0 || (dataBlock !== undefined && sources.length < dataBlock.entries.size);
  if ((evaluateIR.onlineLinear || evaluateIR.knn || evaluateIR.linearProbe) && !evalName && !dataFailed) {
    ctx.report(diag.E030.noEvalSource(), dataBlock?.key.span ?? evaluate?.key.span ?? decl.name.span);
  }

  // `lr_scaling = linear`: the written rates are per 256 images (solo-learn's rule)
  if (lrScaling.factor !== 1) {
    trainIR.optimizer.lr = scaledRate(trainIR.optimizer.lr, lrScaling.factor);
    if (evaluateIR.onlineLinear) evaluateIR.onlineLinear.lr = scaledRate(evaluateIR.onlineLinear.lr, lrScaling.factor);
  }

  // output
  const outBlock = blockEntry(root, "output", ctx);
  const outValues = outBlock ? fieldsOf(outBlock, S.OUTPUT_FIELDS, ctx, "/output") : null;
  const output: IR.OutputIR = {
    dir: (outValues?.["dir"] as string | null | undefined) ?? `runs/${decl.name.text}`,
    checkpointEvery: null,
    keep: (outValues?.["keep"] as number | undefined) ?? 3,
  };
  const ce = outValues?.["checkpoint_every"] as Duration | null | undefined;
  if (ce) pending.push({ d: ce, span: ctx.spans["/output/checkpointEvery"] ?? null, assign: (n) => (output.checkpointEvery = n), what: "output.checkpoint_every" });

  // lint settings
  const lint: IR.LintConfigIR = { rules: {} };
  const lintEntry = root.entries.get("lint");
  if (lintEntry?.kind === "list") resolveLint(lintEntry.items.map((i) => i.stmt), lint, ctx);

  // epochs -> steps
  const stepsPerEpoch = epochSize !== null ? Math.floor(epochSize / batchSize) : null;
  // After an earlier error the epoch size may be wrong: report nothing more about it.
  const quiet = ctx.failed;
  for (const p of pending) {
    if (quiet && p.d.unit === "epochs") continue;
    if (p.d.unit === "steps") p.assign(p.d.value);
    else if (stepsPerEpoch === null) {
      const unknown = trainSources.filter((s) => s.size === null).map((s) => s.name);
      ctx.report(diag.E031.sizeUnknown({ what: p.what, sources: unknown.join(", ") }), p.span);
    } else if (stepsPerEpoch === 0) {
      ctx.report(diag.E031.epochShorterThanBatch({ what: p.what, images: String(epochSize), batch: batchSize }), p.span);
    } else p.assign(p.d.value * stepsPerEpoch);
  }

  if (ctx.failed || !augment || !backbone || !method) return null;
  return {
    version: IR_VERSION,
    name: decl.name.text,
    file: file.display,
    seed,
    data: { sources, train, eval: evalName },
    augment,
    model: { backbone, method },
    train: trainIR,
    evaluate: evaluateIR,
    output,
    lint,
  };
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
