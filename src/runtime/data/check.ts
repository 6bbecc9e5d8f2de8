// `adainfc data check <pipeline>`: look at the data a pipeline names before training.
// Codes (docs/data.md lists them):
//   D001 error    a source does not open (missing, truncated, wrong format)
//   D002 error    a source's image shape differs from the declared shape
//   D003 warning  a source's declared size differs from its real size
//   D004 warning  the crop size is larger than the images (crops get upsampled);
//        info     smaller than the images
//   D005 error    training sources differ in shape (one batch needs one shape)
//   D006 warning  generated channel statistics far from the real data's
//   D007 warning  probable BGR/RGB swap of a generated source
//   D008 info     sizes, epoch size and generated share of the training mixture
//   D009 error    the mixture names a source that is not declared
//   D010 warning  the evaluation source has no labels
//   D011 error    an npz member fails its CRC-32 check (the file is damaged)

import fs from "node:fs";
import type { DataSourceIR, PipelineIR, Span, SpanMap } from "../../ir/types.js";
import type { Diagnostic, Severity } from "../../check/diagnostic.js";
import { DataError } from "../../formats/data-error.js";
import { openSource, type ImageSource } from "./source.js";
import { channelStats, evenSample, type ChannelStats } from "./stats.js";
import { mixtureQuantities } from "./sampler.js";
import { verifyZipCrcs } from "./verify.js";
import { dataPath } from "../../formats/data-path.js";

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
  const add = (code: string, severity: Severity, message: string, pointer: string, hint?: string): void => {
    out.push({ code, severity, message, span: spanOf(pointer), ...(hint ? { hint } : {}) });
  };
  /** The members of the npz at `shown` (the path as the pipeline writes it) whose CRC-32 does not match; throws DataError when it cannot be read through. */
  const crcMismatches = (shown: string): Promise<string[]> =>
    verifyZipCrcs(dataPath(options.cwd, shown), (d, t) => options.onProgress?.(`checking the CRC-32 of ${shown}`, d, t)).then((bad) =>
      bad.map((m) => {
        const computed = m.computed === null ? "does not inflate" : `computed ${hex(m.computed)}`;
        return `${shown}: ${m.member} fails its CRC-32 check (stored ${hex(m.stored)}, ${computed}): the file is damaged; make or download it again`;
      }),
    );
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
        });
      } catch (e) {
        if (!(e instanceof DataError)) throw e;
        // A member damaged where opening reads it (a deflated one's header, say): the
        // checksums name the cause, so D011 replaces the opener's symptom.
        const damaged =
          src.format === "npz" && src.path !== null && fs.existsSync(dataPath(options.cwd, src.path)) ? await crcMismatches(src.path).catch(() => []) : [];
        if (damaged.length > 0) damaged.forEach((d) => add("D011", "error", d, `${pointer}/path`));
        else add("D001", "error", `source '${src.name}' does not open: ${e.message}`, `${pointer}/path`);
        continue;
      }
      sources.set(src.name, opened);
      // Opening reads headers only: every byte of an npz is checked against its CRC-32 here.
      if (src.format === "npz" && src.path !== null) {
        const shown = src.path;
        try {
          for (const d of await crcMismatches(shown)) add("D011", "error", d, `${pointer}/path`);
        } catch (e) {
          if (!(e instanceof DataError)) throw e;
          add("D011", "error", `${shown}: cannot be read through (${e.what}): the file is damaged; make or download it again`, `${pointer}/path`);
        }
      }
      if (opened.shape.join("x") !== src.shape.join("x")) {
        add(
          "D002",
          "error",
          `source '${src.name}' holds ${fmtShape(opened.shape)} images, declared ${fmtShape(src.shape)}`,
          `${pointer}/shape`,
          src.format === "npz" && src.layout === "nhwc" && opened.shape[2] !== 3 ? "if the array is (N, C, H, W), declare layout nchw" : undefined,
        );
      }
      if (src.size !== null && src.size !== opened.count) {
        add("D003", "warning", `source '${src.name}' is declared with ${fmtInt(src.size)} images but holds ${fmtInt(opened.count)}`, `${pointer}/size`);
      }
    }

    // The training mixture: every entry declared and open, one shape for all.
    const train: Array<{ source: ImageSource; replicate: number }> = [];
    ir.data.train.forEach((t, i) => {
      const d = declared.get(t.source);
      if (!d) {
        add("D009", "error", `the training mixture names '${t.source}', which is not a declared source`, `/data/train/${i}/source`);
        return;
      }
      const s = sources.get(t.source);
      if (s) train.push({ source: s, replicate: t.replicate });
    });
    const shapes = new Set(train.map((t) => fmtShape(t.source.shape)));
    if (shapes.size > 1) {
      add(
        "D005",
        "error",
        `training sources differ in shape (${train.map((t) => `${t.source.name} ${fmtShape(t.source.shape)}`).join(", ")})`,
        "/data/train",
        "convert the generated set to the real images' size (`adainfc data convert --resize HxW`)",
      );
    }

    // Crop size vs image size.
    ir.augment.views.forEach((view, v) => {
      view.ops.forEach((op, o) => {
        if (op.op !== "random_resized_crop") return;
        for (const t of train) {
          const [h, w] = t.source.shape;
          const pointer = `/augment/views/${v}/ops/${o}/size`;
          if (op.size > Math.min(h, w)) {
            add(
              "D004",
              "warning",
              `view '${view.name}' crops to ${op.size}x${op.size} but '${t.source.name}' images are ${h}x${w}: crops are upsampled`,
              pointer,
            );
          } else if (op.size < Math.min(h, w)) {
            add("D004", "info", `view '${view.name}' crops to ${op.size}x${op.size} from ${h}x${w} '${t.source.name}' images`, pointer);
          }
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
        add(
          "D007",
          "warning",
          `generated source '${s.name}' looks like it has red and blue swapped: its channel means ${fmtMeans(g.mean)} are ${fmtNum(d)} from the real data's ${fmtMeans(realStats.mean)}, ${fmtNum(ds)} after swapping`,
          `${pointer}/channelOrder`,
          src.channelOrder === "bgr"
            ? "it is declared channel_order bgr, but the pixels look RGB already: declare channel_order rgb"
            : "declare channel_order bgr for it (the reference converter stores OpenCV's BGR order), or reconvert with `adainfc data convert`",
        );
        continue;
      }
      const meanGap = Math.max(...g.mean.map((m, c) => Math.abs(m - realStats.mean[c]!)));
      const stdRatio = Math.max(...g.std.map((sd, c) => ratio(sd, realStats.std[c]!)));
      if (meanGap > GAP_MEAN || stdRatio > GAP_STD_RATIO) {
        add(
          "D006",
          "warning",
          `generated source '${s.name}' differs from the real data: channel means ${fmtMeans(g.mean)} vs ${fmtMeans(realStats.mean)}, stds ${fmtMeans(g.std)} vs ${fmtMeans(realStats.std)}`,
          pointer,
          "check its value range and preprocessing; re-weighting real data (replicate > 1) counters a distribution gap",
        );
      }
    }

    // Evaluation source must carry labels.
    if (ir.data.eval !== null) {
      const e = sources.get(ir.data.eval);
      if (e) {
        const { labels } = e.readBatch(evenSample(e.count, 256));
        if (labels.every((l) => l < 0)) add("D010", "warning", `evaluation source '${e.name}' has no labels`, `/data/sources/${declared.get(e.name)!.index}`);
      }
    }

    // Summary.
    if (train.length === ir.data.train.length && train.length > 0) {
      const q = mixtureQuantities(
        train.map((t) => ({ source: t.source.name, size: t.source.count, replicate: t.replicate, generated: t.source.origin === "generated" })),
      );
      const parts = train.map((t) => `${t.source.name} ${fmtInt(t.source.count)} x${t.replicate}`);
      add(
        "D008",
        "info",
        `training mixture: ${parts.join(" + ")} = ${fmtInt(q.epochSize)} samples per epoch, generated share ${(q.generatedShare * 100).toFixed(1)}%`,
        "/data/train",
      );
      if (ir.train.epochSize !== null && ir.train.epochSize !== q.epochSize) {
        add(
          "D003",
          "warning",
          `the pipeline assumes ${fmtInt(ir.train.epochSize)} samples per epoch, the data gives ${fmtInt(q.epochSize)}`,
          "/train/epochSize",
        );
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
