// The preview grid PNG (previewRows, renderPreviewGrid) on synthetic batches: its size,
// upscaled original pixels and lit label text at known places, grey for 1 channel,
// bad-size errors, and the bitmap font's fallback to '?'.
import { describe, expect, it } from "vitest";
import { PNG } from "pngjs";
import { Rng } from "../../src/runtime/rng.js";
import { glyph, textWidth } from "../../src/runtime/augment/font.js";
import { previewRows, renderPreviewGrid } from "../../src/runtime/augment/preview.js";
import { makeBatch, presetView, sample, SYMMETRIC } from "./fixtures.js";

describe("preview grid", () => {
  it("draws one row per image: the original then each view, upscaled, with labels", () => {
    const batch = makeBatch(1, 3, 32, 32, 3);
    const rows = previewRows(batch, ["real 0", "real 1", "generated 2"], [presetView("view1", SYMMETRIC), presetView("view2", SYMMETRIC)], new Rng(5));
    expect(rows.map((r) => r.views.map((v) => v.name))).toEqual([
      ["view1", "view2"],
      ["view1", "view2"],
      ["view1", "view2"],
    ]);
    const buf = renderPreviewGrid(rows, { height: 32, width: 32, channels: 3, scale: 3 });
    expect([...buf.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const png = PNG.sync.read(buf);
    // 3 columns of max(96, label width) px + padding 6; 3 rows of 96 + label (7 + 4) + padding.
    const col = Math.max(96, textWidth("generated 2", 1));
    expect(png.width).toBe(6 + 3 * (col + 6));
    expect(png.height).toBe(6 + 3 * (96 + 11 + 6));
    // The original's top-left pixel, upscaled 3x, sits at (6, 6) .. (8, 8).
    const img = sample(batch, 0);
    for (const [x, y] of [
      [6, 6],
      [8, 8],
    ] as const) {
      const o = (y * png.width + x) * 4;
      expect([png.data[o], png.data[o + 1], png.data[o + 2]]).toEqual([img[0], img[1], img[2]]);
    }
    // The label under the first cell has text-coloured pixels.
    let lit = 0;
    for (let y = 6 + 96 + 3; y < 6 + 96 + 10; y++) for (let x = 6; x < 6 + textWidth("real 0", 1); x++) if (png.data[(y * png.width + x) * 4] === 230) lit++;
    expect(lit).toBeGreaterThan(20);
  });
  it("renders single-channel images as grey and rejects bad sizes", () => {
    const batch = makeBatch(2, 1, 28, 28, 1);
    const rows = previewRows(batch, ["mnist"], [presetView("view1", SYMMETRIC, 28, [0.13], [0.31])], new Rng(1));
    const png = PNG.sync.read(renderPreviewGrid(rows, { height: 28, width: 28, channels: 1, scale: 2 }));
    const o = (6 * png.width + 6) * 4;
    expect(png.data[o]).toBe(batch.data[0]);
    expect(png.data[o + 1]).toBe(batch.data[0]);
    expect(() => renderPreviewGrid([{ label: "x", original: new Uint8Array(5), views: [] }], { height: 28, width: 28, channels: 1 })).toThrow(
      /5 bytes for 28x28x1/,
    );
    expect(() => renderPreviewGrid([], { height: 28, width: 28, channels: 1 })).toThrow(/no rows/);
  });
  it("the font has glyphs for view names and falls back to '?'", () => {
    expect(glyph("v")).toEqual(glyph("V"));
    expect(glyph("é")).toEqual(glyph("?"));
    expect(glyph("1").length).toBe(7);
  });
});
