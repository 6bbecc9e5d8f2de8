// `adainfc preview`'s picture: one row per source image, the original then each view,
// every cell labelled, pixels upscaled (nearest) so 32x32 images are visible. Pure
// pixels in, PNG bytes out; the command decides which images and views to show.

import { PNG } from "pngjs";
import { stampPng } from "../../formats/own-output.js";
import { checkBatch, type ImageBatch } from "./batch.js";
import { drawText, GLYPH_HEIGHT, textWidth } from "./font.js";
import { executePlanUint8, planViews } from "./pipeline.js";
import type { AugmentIR, ViewIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";

export interface PreviewImage {
  /** Label under the cell (the view's name). */
  name: string;
  /** HWC uint8 pixels. */
  pixels: Uint8Array;
  /** Defaults to the grid's height/width/channels. */
  height?: number;
  width?: number;
  channels?: number;
}

export interface PreviewRow {
  /** Label of the original (e.g. "real 3", "generated 17"). */
  label: string;
  /** HWC uint8 pixels of the source image. */
  original: Uint8Array;
  views: PreviewImage[];
}

export interface PreviewOptions {
  /** Shape of the originals (and of views that do not say otherwise). */
  height: number;
  width: number;
  channels: number;
  /** Pixel upscaling factor (default: enough to make the image ~96 px wide). */
  scale?: number;
  /** Label text scale (default 1). */
  labelScale?: number;
}

const BACKGROUND = [24, 24, 28] as const;
const TEXT = [230, 230, 230] as const;
const PAD = 6;

interface Cell {
  label: string;
  pixels: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

export function renderPreviewGrid(rows: PreviewRow[], opts: PreviewOptions): Buffer {
  if (rows.length === 0) throw new RangeError("preview: no rows to draw");
  const scale = opts.scale ?? Math.max(1, Math.round(96 / opts.width));
  const labelScale = opts.labelScale ?? 1;
  const grid: Cell[][] = rows.map((row) => [
    { label: row.label, pixels: row.original, height: opts.height, width: opts.width, channels: opts.channels },
    ...row.views.map((v) => ({
      label: v.name,
      pixels: v.pixels,
      height: v.height ?? opts.height,
      width: v.width ?? opts.width,
      channels: v.channels ?? opts.channels,
    })),
  ]);
  for (const cell of grid.flat()) {
    if (cell.channels !== 1 && cell.channels !== 3) throw new RangeError(`preview: ${cell.label}: channels must be 1 or 3`);
    if (cell.pixels.length !== cell.height * cell.width * cell.channels) {
      throw new RangeError(`preview: ${cell.label}: ${cell.pixels.length} bytes for ${cell.height}x${cell.width}x${cell.channels}`);
    }
  }
  const columns = Math.max(...grid.map((r) => r.length));
  const labelHeight = GLYPH_HEIGHT * labelScale + 4;
  const colWidth = Array.from({ length: columns }, (_, c) =>
    Math.max(...grid.map((r) => (r[c] ? Math.max(r[c]!.width * scale, textWidth(r[c]!.label, labelScale)) : 0))),
  );
  const rowHeight = grid.map((r) => Math.max(...r.map((cell) => cell.height * scale)) + labelHeight);
  const width = PAD + colWidth.reduce((a, b) => a + b + PAD, 0);
  const height = PAD + rowHeight.reduce((a, b) => a + b + PAD, 0);
  const png = new PNG({ width, height });
  const rgba = png.data;
  for (let i = 0; i < width * height; i++) {
    rgba[4 * i] = BACKGROUND[0];
    rgba[4 * i + 1] = BACKGROUND[1];
    rgba[4 * i + 2] = BACKGROUND[2];
    rgba[4 * i + 3] = 255;
  }
  let y0 = PAD;
  grid.forEach((row, r) => {
    let x0 = PAD;
    row.forEach((cell, c) => {
      for (let y = 0; y < cell.height * scale; y++) {
        for (let x = 0; x < cell.width * scale; x++) {
          const p = (Math.floor(y / scale) * cell.width + Math.floor(x / scale)) * cell.channels;
          const o = ((y0 + y) * width + x0 + x) * 4;
          rgba[o] = cell.pixels[p]!;
          rgba[o + 1] = cell.pixels[cell.channels === 3 ? p + 1 : p]!;
          rgba[o + 2] = cell.pixels[cell.channels === 3 ? p + 2 : p]!;
          rgba[o + 3] = 255;
        }
      }
      drawText(rgba, width, height, x0, y0 + cell.height * scale + 3, cell.label, labelScale, TEXT);
      x0 += colWidth[c]! + PAD;
    });
    y0 += rowHeight[r]! + PAD;
  });
  return stampPng(PNG.sync.write(png));
}

/**
 * Rows for a preview: each image of `batch` with every view of `augment` drawn from
 * `rng` (the same code path as training, without normalisation).
 */
export function previewRows(batch: ImageBatch, labels: readonly string[], augment: AugmentIR | readonly ViewIR[], rng: Rng): PreviewRow[] {
  checkBatch(batch);
  if (labels.length !== batch.n) throw new RangeError(`preview: ${labels.length} labels for ${batch.n} images`);
  const views = "views" in augment ? augment.views : augment;
  const shape = { n: batch.n, height: batch.height, width: batch.width, channels: batch.channels };
  const plans = planViews(views, shape, rng);
  const outs = plans.map((plan) => executePlanUint8(batch, plan));
  const per = batch.height * batch.width * batch.channels;
  return labels.map((label, s) => ({
    label,
    original: batch.data.slice(s * per, (s + 1) * per),
    views: plans.map((plan, k) => {
      const n = plan.outHeight * plan.outWidth * batch.channels;
      return { name: plan.name, pixels: outs[k]!.slice(s * n, (s + 1) * n), height: plan.outHeight, width: plan.outWidth, channels: batch.channels };
    }),
  }));
}
