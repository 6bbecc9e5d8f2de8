// `data check` (checkPipelineData) on small real-format files: a clean pipeline, a BGR/RGB
// swap of generated data, a distribution gap, sources that do not open or do not fit (a
// size the data cannot fill is E021; a smaller one is used as run uses it, its first
// images), labels no declared class can be (D012), and diagnostics placed at the nearest
// span the compiler recorded.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPipelineData } from "../../src/runtime/data/check.js";
import type { Diagnostic } from "../../src/check/diagnostic.js";
import { pipelineIR, sourceIR, writeNpz } from "./fixtures.js";
import { tempDir } from "./helpers.js";

/** CIFAR-like 32x32 images with per-channel means near (0.49, 0.48, 0.45) * 255 but a clear R/B difference. */
function images(count: number, seed: number, bgr = false, shift = 0): Uint8Array {
  const out = new Uint8Array(count * 32 * 32 * 3);
  let s = seed >>> 0;
  const base = [150 + shift, 120 + shift, 70 + shift];
  for (let p = 0; p < count * 1024; p++) {
    for (let c = 0; c < 3; c++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = base[c]! + ((s >>> 24) % 41) - 20;
      out[p * 3 + (bgr ? 2 - c : c)] = Math.max(0, Math.min(255, v));
    }
  }
  return out;
}

const codes = (ds: Diagnostic[]): string[] => ds.map((d) => `${d.code}:${d.severity}`).sort();

describe("checkPipelineData", () => {
  const dir = tempDir();
  const shape: [number, number, number] = [32, 32, 3];
  writeNpz(
    path.join(dir, "real.npz"),
    images(40, 1),
    40,
    shape,
    Array.from({ length: 40 }, (_, i) => i % 10),
  );
  writeNpz(path.join(dir, "gen-rgb.npz"), images(60, 2), 60, shape);
  writeNpz(path.join(dir, "gen-bgr.npz"), images(60, 3, true), 60, shape);
  writeNpz(path.join(dir, "gen-dark.npz"), images(60, 4, false, -60), 60, shape);
  const real = sourceIR({ name: "real", format: "npz", path: "real.npz", classes: 10, size: 40 });
  const gen = (file: string, over: Parameters<typeof sourceIR>[0] | object = {}) =>
    sourceIR({ name: "gen", format: "npz", path: file, origin: "generated", size: 60, ...over });
  const train = [
    { source: "real", replicate: 10 },
    { source: "gen", replicate: 1 },
  ];

  it("passes a clean pipeline and reports sizes and the generated share as info", async () => {
    const ds = await checkPipelineData(pipelineIR([real, gen("gen-rgb.npz")], train, { eval: "real" }), { cwd: dir });
    expect(codes(ds)).toEqual(["D008:info"]);
    expect(ds[0]!.message).toBe("training mixture: real 40 x10 + gen 60 x1 = 460 samples per epoch, generated share 13.0%");
  });

  it("flags a probable BGR/RGB swap of generated data, and a wrong bgr declaration", async () => {
    const ds = await checkPipelineData(pipelineIR([real, gen("gen-bgr.npz")], train), { cwd: dir });
    const swap = ds.find((d) => d.code === "D007");
    expect(swap?.severity).toBe("warning");
    expect(swap?.hint).toMatch(/^declare `channels = bgr` on it .*`adainfc data convert` \(which writes RGB\)$/); // the npz field, not a made-up one
    // Declaring it BGR fixes it: no more D007.
    const fixed = await checkPipelineData(pipelineIR([real, gen("gen-bgr.npz", { channelOrder: "bgr" })], train), { cwd: dir });
    expect(fixed.some((d) => d.code === "D007")).toBe(false);
    // Declaring RGB data as BGR is flagged with the opposite hint.
    const wrong = await checkPipelineData(pipelineIR([real, gen("gen-rgb.npz", { channelOrder: "bgr" })], train), { cwd: dir });
    expect(wrong.find((d) => d.code === "D007")?.hint).toMatch(/declare `channels = rgb`$/);
  });

  it("warns about a distribution gap that a swap does not explain", async () => {
    const ds = await checkPipelineData(pipelineIR([real, gen("gen-dark.npz")], train), { cwd: dir });
    expect(codes(ds)).toContain("D006:warning");
    expect(codes(ds)).not.toContain("D007:warning");
  });

  it("reports sources that do not open, wrong shapes and sizes, crop mismatch, unknown mixture names", async () => {
    fs.writeFileSync(path.join(dir, "broken.npz"), "garbage");
    const ir = pipelineIR(
      [
        sourceIR({ name: "real", format: "npz", path: "real.npz", size: 41 }),
        gen("broken.npz"),
        sourceIR({ name: "g2", format: "npz", path: "gen-rgb.npz", origin: "generated", shape: [28, 28, 3] }),
      ],
      [
        { source: "real", replicate: 1 },
        { source: "gen", replicate: 1 },
        { source: "nope", replicate: 1 },
      ],
      { crop: 48 },
    );
    ir.train.epochSize = 1000;
    const ds = await checkPipelineData(ir, { cwd: dir });
    expect(codes(ds)).toEqual(["D001:error", "D002:error", "D004:warning", "D004:warning", "D009:error", "E021:error"]);
    expect(ds.find((d) => d.code === "D001")!.message).toContain("broken.npz: not a zip/npz archive");
    expect(ds.find((d) => d.code === "D002")!.message).toBe("source 'g2' holds 32x32x3 images, declared 28x28x3");
    // a size the data cannot fill: the error run and eval stop with (E021, as the compiler words it)
    const over = ds.find((d) => d.code === "E021")!;
    expect(over.message).toBe("source 'real' (real.npz) has 40 images; size = 41 asks for more");
    expect(over.hint).toBe("declare size = 40 or less (the first N images are used), or point the source at data with more images");
  });

  it("uses a source declared smaller than its data as run does (its first size images), without a word about it", async () => {
    const first = sourceIR({ name: "real", format: "npz", path: "real.npz", classes: 10, size: 10 });
    const ir = pipelineIR([first, gen("gen-rgb.npz")], train, { eval: "real" });
    ir.train.epochSize = 10 * 10 + 60;
    const ds = await checkPipelineData(ir, { cwd: dir });
    expect(codes(ds)).toEqual(["D008:info"]);
    expect(ds[0]!.message).toBe("training mixture: real 10 x10 + gen 60 x1 = 160 samples per epoch, generated share 37.5%");
    // the epoch size the pipeline assumed is compared with those 160, not with all 40 x10 + 60
    ir.train.epochSize = 460;
    const assumed = await checkPipelineData(ir, { cwd: dir });
    expect(assumed.find((d) => d.code === "D003")!.message).toBe("the pipeline assumes 460 samples per epoch, the data gives 160");
  });

  it("reports labels outside 0..classes-1 (or below -1) as D012 at the source's classes, and goes on with its other checks", async () => {
    const labels = Array.from({ length: 40 }, (_, i) => (i === 3 ? 12 : i === 7 ? -4 : i % 10));
    writeNpz(path.join(dir, "real-badlabels.npz"), images(40, 1), 40, shape, labels);
    const bad = sourceIR({ name: "real", format: "npz", path: "real-badlabels.npz", classes: 10, size: 40 });
    const span = { file: "p.adainf", line: 4, column: 9, endLine: 4, endColumn: 11, start: 60, end: 62 };
    const ds = await checkPipelineData(pipelineIR([bad, gen("gen-rgb.npz")], train, { eval: "real" }), {
      cwd: dir,
      spans: { "/data/sources/0/classes": span },
    });
    expect(codes(ds)).toEqual(["D008:info", "D012:error"]);
    const d = ds.find((x) => x.code === "D012")!;
    expect(d.message).toBe(
      "source 'real' (real-badlabels.npz): image 3 has label 12, expected 0..9 (classes = 10) or -1 for unlabelled; 2 of the 40 images used have such labels (-4..12): fix the labels (-1 marks an unlabelled image)",
    );
    expect(d.span).toEqual(span);
    // only the images the source uses count: its first 3 are fine
    const first = sourceIR({ name: "real", format: "npz", path: "real-badlabels.npz", classes: 10, size: 3 });
    const ok = await checkPipelineData(pipelineIR([first, gen("gen-rgb.npz")], train, { eval: "real" }), { cwd: dir });
    expect(codes(ok)).not.toContain("D012:error");
  });

  it("points diagnostics at the nearest span the compiler recorded", async () => {
    const span = { file: "p.adainf", line: 3, column: 5, endLine: 3, endColumn: 20, start: 30, end: 45 };
    const ds = await checkPipelineData(pipelineIR([real, gen("gen-bgr.npz")], train), { cwd: dir, spans: { "/data/sources/1": span } });
    expect(ds.find((d) => d.code === "D007")!.span).toEqual(span);
    expect(ds.find((d) => d.code === "D008")!.span).toBeNull();
  });
});
