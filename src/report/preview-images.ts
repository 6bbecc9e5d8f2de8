// The augmentation preview: for each distinct augmentation among the runs, a PNG grid
// (src/runtime/augment/preview.ts) of a few training images and their views, embedded
// as a data: URI. Every variant shows the same images with the same random stream, so
// the pictures differ only by the augmentation. When the data cannot be read (moved,
// not fetched, another machine) the page says so instead of failing.
import type { DataSourceIR, PipelineIR } from "../ir/types.js";
import { escapeHtml } from "./escape.js";
import type { ReportPoint } from "./load-runs.js";

export interface PreviewOptions {
  /** Images per training source (default 3). */
  perSource?: number;
  /** Seed of the image choice and the augmentation draws (default 0). */
  seed?: number;
}

export interface PreviewHtml {
  html: string;
  /** PNGs embedded. */
  images: number;
  /** Why a source or the whole preview is missing (also on the page). */
  notes: string[];
}

interface Variant {
  key: string;
  augment: PipelineIR["augment"];
  labels: string[];
}

interface Rows {
  batch: Uint8Array;
  labels: string[];
  shape: [number, number, number];
}

function variants(points: readonly ReportPoint[]): Variant[] {
  const byKey = new Map<string, Variant>();
  for (const p of points) {
    const key = JSON.stringify(p.ir.augment.views);
    const v = byKey.get(key) ?? { key, augment: p.ir.augment, labels: [] };
    v.labels.push(p.label);
    byKey.set(key, v);
  }
  return [...byKey.values()];
}

function variantName(v: Variant, i: number): string {
  return v.augment.preset ?? `inline augmentation ${i + 1}`;
}

/** Every training source of every point, once (by name, format and path). */
function trainingSources(points: readonly ReportPoint[]): Array<{ src: DataSourceIR; cwd: string }> {
  const out = new Map<string, { src: DataSourceIR; cwd: string }>();
  for (const p of points) {
    for (const entry of p.ir.data.train) {
      const src = p.ir.data.sources.find((s) => s.name === entry.source);
      if (!src) continue;
      const key = JSON.stringify([src.name, src.format, src.path, src.split]);
      if (!out.has(key)) out.set(key, { src, cwd: p.projectDir });
    }
  }
  return [...out.values()];
}

async function readImages(points: readonly ReportPoint[], perSource: number, seed: number, notes: string[]): Promise<Rows | null> {
  const { openSource } = await import("../runtime/data/index.js");
  const { Rng } = await import("../runtime/rng.js");
  const pick = new Rng(seed, 1);
  const chunks: Uint8Array[] = [];
  const labels: string[] = [];
  let shape: [number, number, number] | null = null;
  for (const { src, cwd } of trainingSources(points)) {
    if (src.format === "folder") {
      notes.push(`source '${src.name}' is an image folder; folders are converted before use, so the report does not read them (adainfc preview does)`);
      continue;
    }
    let source: Awaited<ReturnType<typeof openSource>> | null = null;
    try {
      source = await openSource(src, { cwd });
      const [h, w, c] = source.shape;
      if (shape && (shape[0] !== h || shape[1] !== w || shape[2] !== c)) {
        notes.push(`source '${src.name}' has ${h}x${w}x${c} images, unlike the first source (${shape.join("x")}); left out`);
        continue;
      }
      shape = [h, w, c];
      const usable = Math.min(source.count, src.size ?? source.count);
      const indices = Array.from({ length: Math.min(perSource, usable) }, () => pick.int(usable));
      chunks.push(source.readBatch(indices).images);
      labels.push(...indices.map((i) => `${src.name} ${i}`));
    } catch (e) {
      notes.push(`source '${src.name}' cannot be read from ${cwd}: ${(e as Error).message}`);
    } finally {
      source?.close();
    }
  }
  if (!shape || labels.length === 0) return null;
  const batch = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    batch.set(c, o);
    o += c.length;
  }
  return { batch, labels, shape };
}

export async function previewHtml(points: readonly ReportPoint[], opts: PreviewOptions = {}): Promise<PreviewHtml> {
  const notes: string[] = [];
  const seed = opts.seed ?? 0;
  const rows = await readImages(points, opts.perSource ?? 3, seed, notes);
  const noteList = (): string => (notes.length ? `<ul class="notes">${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>` : "");
  if (!rows) {
    return { html: `<p class="note">No augmentation preview: the training data could not be read.</p>${noteList()}`, images: 0, notes };
  }
  const { previewRows, renderPreviewGrid } = await import("../runtime/augment/index.js");
  const { Rng } = await import("../runtime/rng.js");
  const [height, width, channels] = rows.shape;
  const figures: string[] = [];
  for (const [i, v] of variants(points).entries()) {
    try {
      const grid = previewRows({ data: rows.batch, n: rows.labels.length, height, width, channels }, rows.labels, v.augment, new Rng(seed, 2));
      const png = renderPreviewGrid(grid, { height, width, channels });
      const name = variantName(v, i);
      figures.push(
        `<figure class="preview"><img alt="${escapeHtml(`augmentation preview: ${name}`)}" src="data:image/png;base64,${png.toString("base64")}"><figcaption><b>${escapeHtml(name)}</b> — used by ${escapeHtml(
          v.labels.length > 6 ? `${v.labels.slice(0, 6).join("; ")}; and ${v.labels.length - 6} more` : v.labels.join("; "),
        )}</figcaption></figure>`,
      );
    } catch (e) {
      notes.push(`augmentation '${variantName(v, i)}' could not be previewed: ${(e as Error).message}`);
    }
  }
  return { html: `<div class="previews">${figures.join("")}</div>${noteList()}`, images: figures.length, notes };
}
