// `adainfc data check <pipeline>`: look at the data a pipeline names before training.
// Its codes (D001-D012; E021 for a declared size the data cannot fill, as run and the
// compiler say it), their messages and docs are in the registry (src/check/registry.ts).
// Each source is looked at as run uses it: its first `size` images when declared smaller.

import fs from "node:fs";
import type { DataSourceIR, PipelineIR, Span, SpanMap } from "../../ir/types.js";
import type { Diagnostic } from "../../check/diagnostic.js";
import { diag, diagnostic, type Message } from "../../check/registry.js";
import { DataError } from "../../formats/data-error.js";
import { openSource, type ImageSource } from "./source.js";
import { asDeclared, sizeOverData } from "./declared.js";
import { channelStats, evenSample, type ChannelStats } from "./stats.js";
import { mixtureQuantities } from "./sampler.js";
import { verifyZipCrcs } from "./verify.js";
import { dataPath } from "../../formats/data-path.js";
import { filePhase } from "./phases.js";

export interface DataCheckOptions {
  cwd: string;
  cacheDir?: string;
  /** Images per source for the channel statistics (default 2,000). */
  sampleSize?: number;
  /** Spans of the IR (from the compiler) so diagnostics point into the source file. */
  spans?: SpanMap;
  onProgress?: (task: string, done: number, total: number) => void;
}

/** Distances on the 0..1 scale. */
const SWAP_MIN_DISTANCE = 0.02;
const SWAP_RATIO = 0.5;
const GAP_MEAN = 0.1;
const GAP_STD_RATIO = 1.4;

export async function checkPipelineData(ir: PipelineIR, options: DataCheckOptions): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const spanOf = (pointer: string): Span | null => nearestSpan(options.spans, pointer);
  const add = (m: Message, pointer: string): void => {
    out.push(diagnostic(m, spanOf(pointer)));
  };
  /**
   * D011 for each member of the npz at `shown` (the path as the pipeline writes it) whose
   * CRC-32 does not match; throws DataError when it cannot be read through. A file that
   * several sources name (a train and an eval source on one npz) is read through once.
   */
  const verified = new Map<string, Promise<Message[]>>();
  const crcMismatches = (shown: string): Promise<Message[]> => {
    const file = dataPath(options.cwd, shown);
    let result = verified.get(file);
    if (result === undefined) {
      result = verifyZipCrcs(file, (d, t) => options.onProgress?.(filePhase("crc", shown), d, t)).then((bad) =>
        bad.map((m) =>
          diag.D011.crcMismatch({
            path: shown,
            member: m.member,
            stored: hex(m.stored),
            computed: m.computed === null ? "does not inflate" : `computed ${hex(m.computed)}`,
          }),
        ),
      );
      verified.set(file, result);
    }
    return result;
  };
  const sources = new Map<string, ImageSource>();
  const declared = new Map<string, { src: DataSourceIR; index: number }>();
  ir.data.sources.forEach((src, index) => declared.set(src.name, { src, index }));

  try {
    for (const [index, src] of ir.data.sources.entries()) {
      const pointer = `/data/sources/${index}`;
      let opened: ImageSource;
      try {
        opened = await openSource(src, {
          cwd: options.cwd,
          ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
          // Labels no class can be: reported, and the source's other checks go on.
          onLabelProblem: (p) => add(diag.D012.labelsOutOfRange({ name: src.name, path: p.path, problem: p.what }), `${pointer}/classes`),
        });
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        // A member damaged where opening reads it (a deflated one's header, say): the
        // checksums name the cause, so D011 replaces the opener's symptom.
        const damaged =
          src.format === "npz" && src.path !== null && fs.existsSync(dataPath(options.cwd, src.path)) ? await crcMismatches(src.path).catch(() => []) : [];
        if (damaged.length > 0) damaged.forEach((d) => add(d, `${pointer}/path`));
        else add(diag.D001.doesNotOpen({ name: src.name, problem: e.message }), `${pointer}/path`);
        continue;
      }
      // What run uses: the first `size` images of a source declared smaller than its data.
      sources.set(src.name, asDeclared(src, opened));
      // Opening reads headers only: every byte of an npz is checked against its CRC-32 here.
      if (src.format === "npz" && src.path !== null) {
        const shown = src.path;
        try {
          for (const d of await crcMismatches(shown)) add(d, `${pointer}/path`);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          add(diag.D011.unreadable({ path: shown, problem: e.what }), `${pointer}/path`);
        }
      }
      if (opened.shape.join("x") !== src.shape.join("x")) {
        const shapes = { name: src.name, found: fmtShape(opened.shape), declared: fmtShape(src.shape) };
        const maybeNchw = src.format === "npz" && src.layout === "nhwc" && opened.shape[2] !== 3;
        add(maybeNchw ? diag.D002.shapeDiffersLayout(shapes) : diag.D002.shapeDiffers(shapes), `${pointer}/shape`);
      }
      const over = sizeOverData(src, opened.count);
      if (over) add(over, `${pointer}/size`);
    }

    // The training mixture: every entry declared and open, one shape for all.
    const train: Array<{ source: ImageSource; replicate: number }> = [];
    ir.data.train.forEach((t, i) => {
      const d = declared.get(t.source);
      if (!d) {
        add(diag.D009.undeclaredSource({ name: t.source }), `/data/train/${i}/source`);
        return;
      }
      const s = sources.get(t.source);
      if (s) train.push({ source: s, replicate: t.replicate });
    });
    const shapes = new Set(train.map((t) => fmtShape(t.source.shape)));
    if (shapes.size > 1) {
      add(diag.D005.shapesDiffer({ shapes: train.map((t) => `${t.source.name} ${fmtShape(t.source.shape)}`).join(", ") }), "/data/train");
    }

    // Crop size vs image size.
    ir.augment.views.forEach((view, v) => {
      view.ops.forEach((op, o) => {
        if (op.op !== "random_resized_crop") return;
        for (const t of train) {
          const [h, w] = t.source.shape;
          const pointer = `/augment/views/${v}/ops/${o}/size`;
          const crop = { view: view.name, size: op.size, source: t.source.name, h: h!, w: w! };
          if (op.size > Math.min(h!, w!)) add(diag.D004.cropUpsampled(crop), pointer);
          else if (op.size < Math.min(h!, w!)) add(diag.D004.cropSmaller(crop), pointer);
        }
      });
    });

    // Channel statistics: each generated training source against the real ones.
    const sample = options.sampleSize ?? 2000;
    const stats = new Map<string, ChannelStats>();
    const statsOf = (s: ImageSource): ChannelStats => {
      let st = stats.get(s.name);
      if (!st) {
        st = channelStats(s, sample);
        stats.set(s.name, st);
      }
      return st;
    };
    const reals = train.filter((t) => t.source.origin === "real" && t.source.shape[2] === 3);
    const realStats = reals.length ? averageStats(reals.map((t) => statsOf(t.source))) : null;
    for (const t of train) {
      const s = t.source;
      if (s.origin !== "generated" || !realStats || s.shape[2] !== 3) continue;
      const g = statsOf(s);
      const pointer = `/data/sources/${declared.get(s.name)!.index}`;
      const d = distance(g.mean, realStats.mean);
      const swapped = [g.mean[2]!, g.mean[1]!, g.mean[0]!];
      const ds = distance(swapped, realStats.mean);
      const src = declared.get(s.name)!.src;
      if (d >= SWAP_MIN_DISTANCE && ds <= SWAP_RATIO * d) {
        const swap = { name: s.name, means: fmtMeans(g.mean), distance: fmtNum(d), realMeans: fmtMeans(realStats.mean), swappedDistance: fmtNum(ds) };
        add(src.channelOrder === "bgr" ? diag.D007.channelsSwappedDeclaredBgr(swap) : diag.D007.channelsSwapped(swap), `${pointer}/channelOrder`);
        continue;
      }
      const meanGap = Math.max(...g.mean.map((m, c) => Math.abs(m - realStats.mean[c]!)));
      const stdRatio = Math.max(...g.std.map((sd, c) => ratio(sd, realStats.std[c]!)));
      if (meanGap > GAP_MEAN || stdRatio > GAP_STD_RATIO) {
        add(
          diag.D006.distributionGap({
            name: s.name,
            means: fmtMeans(g.mean),
            realMeans: fmtMeans(realStats.mean),
            stds: fmtMeans(g.std),
            realStds: fmtMeans(realStats.std),
          }),
          pointer,
        );
      }
    }

    // Evaluation source must carry labels.
    if (ir.data.eval !== null) {
      const e = sources.get(ir.data.eval);
      if (e) {
        const { labels } = e.readBatch(evenSample(e.count, 256));
        if (labels.every((l) => l < 0)) add(diag.D010.evalNoLabels({ name: e.name }), `/data/sources/${declared.get(e.name)!.index}`);
      }
    }

    // Summary.
    if (train.length === ir.data.train.length && train.length > 0) {
      const q = mixtureQuantities(
        train.map((t) => ({ source: t.source.name, size: t.source.count, replicate: t.replicate, generated: t.source.origin === "generated" })),
      );
      const parts = train.map((t) => `${t.source.name} ${fmtInt(t.source.count)} x${t.replicate}`);
      add(diag.D008.mixture({ parts: parts.join(" + "), epochSize: fmtInt(q.epochSize), share: (q.generatedShare * 100).toFixed(1) }), "/data/train");
      if (ir.train.epochSize !== null && ir.train.epochSize !== q.epochSize) {
        add(diag.D003.epochSizeDiffers({ assumed: fmtInt(ir.train.epochSize), found: fmtInt(q.epochSize) }), "/train/epochSize");
      }
    }
  } finally {
    for (const s of sources.values()) s.close();
  }
  return out;
}

function nearestSpan(spans: SpanMap | undefined, pointer: string): Span | null {
  if (!spans) return null;
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
    const span = spans[p];
    if (span) return span;
    if (p === "") return null;
  }
}

function averageStats(list: ChannelStats[]): ChannelStats {
  const n = list.length;
  const mean = list[0]!.mean.map((_, c) => list.reduce((a, s) => a + s.mean[c]!, 0) / n);
  const std = list[0]!.std.map((_, c) => list.reduce((a, s) => a + s.std[c]!, 0) / n);
  return { mean, std, sampled: list.reduce((a, s) => a + s.sampled, 0) };
}

function distance(a: readonly number[], b: readonly number[]): number {
  return Math.sqrt(a.reduce((acc, v, i) => acc + (v - b[i]!) ** 2, 0));
}

function ratio(a: number, b: number): number {
  if (a === 0 || b === 0) return a === b ? 1 : Infinity;
  return a > b ? a / b : b / a;
}

const hex = (n: number): string => n.toString(16).padStart(8, "0");
const fmtShape = (s: readonly number[]): string => s.join("x");
const fmtInt = (n: number): string => n.toLocaleString("en-US");
const fmtNum = (n: number): string => n.toFixed(3);
const fmtMeans = (m: readonly number[]): string => `(${m.map(fmtNum).join(", ")})`;
