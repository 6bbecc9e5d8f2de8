// The `data`, `inflate` and `evaluate { source }` parts of a pipeline: its sources, the
// training mixture, the evaluation source, and what follows from them (the reference
// source whose shape and statistics undeclared sources share, the epoch size).
import fs from "node:fs";
import type { Decl } from "../syntax/ast.js";
import { dataPath } from "../formats/data-path.js";
import type * as IR from "../ir/types.js";
import type { Span } from "../ir/types.js";
import { didYouMean } from "../check/suggest.js";
import { ptr, type ResolveContext } from "./context.js";
import { blockEntry, stmtEntry } from "./entries.js";
import type { BlockEntry } from "./merge.js";
import type { Program } from "./program.js";
import { resolveSource } from "./sources.js";
import { bareName, INVALID, interpretValue } from "./values.js";
import { diag } from "../check/registry.js";

export interface ResolvedData {
  sources: IR.DataSourceIR[];
  train: IR.InflationEntryIR[];
  evalName: string | null;
  /** The sources trained on, in mixture order. */
  trainSources: IR.DataSourceIR[];
  /** Real training data of known shape, else the best stand-in: crops and Normalize follow it. */
  reference: IR.DataSourceIR | undefined;
  /** Samples per epoch of the mixture; null when a size is unknown. */
  epochSize: number | null;
  /**
   * A source failed to resolve, or `evaluate { source }` names none (already reported): say
   * nothing more that depends on them.
   */
  failed: boolean;
  /** The `evaluate` block (read here for its `source`). */
  evaluate: BlockEntry | undefined;
  /** Where the `data` block is written, when it is. */
  dataSpan: Span | undefined;
}

export function resolveData(decl: Decl, root: BlockEntry, program: Program, ctx: ResolveContext): ResolvedData {
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
  if (evalSrcEntry && !evalSrcEntry.stmt.value) ctx.report(diag.E020.writeValue({ key: "source" }), evalSrcEntry.stmt.span);
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
      if (!s?.count || s.value || s.args || s.block) {
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
      if (v === INVALID || typeof v !== "number") continue;
      ctx.at(ptr("/data/train", train.length), s.span);
      ctx.at(ptr("/data/train", train.length, "source"), e.key.span);
      ctx.at(ptr("/data/train", train.length, "replicate"), s.count.span);
      train.push({ source: e.key.text, replicate: v });
    }
  } else {
    // No inflate block: each source but the evaluation one, once; each entry is where its source is declared.
    for (const [i, s] of sources.entries()) {
      if (s.name === evalName) continue;
      ctx.at(ptr("/data/train", train.length), ctx.spans[ptr("/data/sources", i)]);
      train.push({ source: s.name, replicate: 1 });
    }
  }
  // A source that failed to resolve (already reported) may be the one trained on: no follow-on error.
  const failed = sources.length === 0 || (dataBlock !== undefined && sources.length < dataBlock.entries.size);
  if (sources.length > 0 && train.length === 0 && ctx.diagnostics.length === errorsBeforeInflate && !failed) {
    ctx.report(diag.E022.nothingToTrain(), inflate?.key.span ?? dataBlock?.key.span ?? decl.name.span);
  }

  const byName = (n: string): IR.DataSourceIR | undefined => sources.find((s) => s.name === n);
  const trainSources = train.flatMap((t) => byName(t.source) ?? []);
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
  if (reference && reference.shape[0] === 0 && !failed) {
    // No shape declared and none read from a file: nothing could be sized. One finding,
    // at the source whose declaration the others would share (not after a source that
    // failed to resolve: it may be the one that declared it).
    const names = sources.map((s) => s.name).join(", ");
    const missing = reference.format === "npz" && reference.path !== null && !fs.existsSync(dataPath(program.cwd, reference.path));
    const m = diag.E022.unknownShape({
      names,
      name: reference.name,
      format: reference.format,
      orMake: missing ? `, or make ${reference.path} first` : "",
    });
    ctx.report(m, ctx.spans[`/data/sources/${sources.indexOf(reference)}`] ?? null);
  }
  for (const s of sources) {
    if (reference && known(s) && known(reference) && s.shape[2] !== reference.shape[2]) {
      const m = diag.E021.channelsDiffer({ name: s.name, channels: s.shape[2], reference: reference.name, referenceChannels: reference.shape[2] });
      ctx.report(m, ctx.spans[`/data/sources/${sources.indexOf(s)}`] ?? null);
    }
  }
  // One batch holds one image size: the training sources' (known) heights and widths
  // must agree; an image folder's is only known when `run` opens it (RunSetupError there).
  const trainRef = reference && trainSources.includes(reference) && known(reference) ? reference : undefined;
  for (const s of new Set(trainSources)) {
    if (!trainRef || s === trainRef || !known(s) || s.shape[2] !== trainRef.shape[2]) continue;
    if (s.shape[0] !== trainRef.shape[0] || s.shape[1] !== trainRef.shape[1]) {
      const m = diag.E021.sizesDiffer({
        name: s.name,
        shape: s.shape.join("x"),
        reference: trainRef.name,
        referenceShape: trainRef.shape.join("x"),
        hw: `${trainRef.shape[0]}x${trainRef.shape[1]}`,
      });
      ctx.report(m, ctx.spans[`/data/sources/${sources.indexOf(s)}`] ?? null);
    }
  }
  const epochSize = trainSources.every((s) => s.size !== null) ? train.reduce((sum, t) => sum + t.replicate * (byName(t.source)?.size ?? 0), 0) : null;
  const evalFailed = evalSrcEntry !== undefined && evalName === null;
  return { sources, train, evalName, trainSources, reference, epochSize, failed: failed || evalFailed, evaluate, dataSpan: dataBlock?.key.span };
}
