// openSource and MixtureLoader on small npz files written here (and the mnist package's
// test split): BGR npz swapped to RGB, generated sources labelled -1, missing paths as
// DataError, and mixture batches that follow the InflationSampler.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openSource, type ImageSource } from "../../src/runtime/data/source.js";
import { InflationSampler } from "../../src/runtime/data/sampler.js";
import { MixtureLoader, mixtureEntries } from "../../src/runtime/data/loader.js";
import { DataError } from "../../src/formats/data-error.js";
import { bytes, tempDir } from "./helpers.js";
import { sourceIR, writeNpz } from "./fixtures.js";

describe("openSource", () => {
  const dir = tempDir();
  const shape: [number, number, number] = [2, 2, 3];
  const px = bytes(5 * 12, 9);
  writeNpz(path.join(dir, "set.npz"), px, 5, shape, [0, 1, 2, 3, 4]);

  it("swaps BGR npz pixels to RGB on read and forces label -1 for generated sources", async () => {
    const s = await openSource(sourceIR({ name: "gen", format: "npz", path: "set.npz", origin: "generated", channelOrder: "bgr", shape }), { cwd: dir });
    expect([s.count, s.classes]).toEqual([5, null]);
    const { images, labels } = s.readBatch([3]);
    const raw = px.subarray(36, 48);
    expect([...images]).toEqual([0, 1, 2, 3].flatMap((p) => [raw[p * 3 + 2], raw[p * 3 + 1], raw[p * 3]]));
    expect([...labels]).toEqual([-1]);
    s.close();
    const realSrc = await openSource(sourceIR({ name: "real", format: "npz", path: "set.npz", classes: 5, shape }), { cwd: dir });
    expect([...realSrc.readBatch([3]).images]).toEqual([...raw]);
    expect([...realSrc.readBatch([4, 1]).labels]).toEqual([4, 1]);
    realSrc.close();
  });

  it("opens mnist splits and reports missing paths as DataErrors", async () => {
    const m = await openSource(sourceIR({ name: "real", format: "mnist", split: "test", shape: [28, 28, 1] }), { cwd: dir });
    expect([m.count, m.classes, ...m.shape]).toEqual([2004, 10, 28, 28, 1]);
    await expect(openSource(sourceIR({ name: "c", format: "cifar10", path: null }), { cwd: dir })).rejects.toThrow(DataError);
    await expect(openSource(sourceIR({ name: "g", format: "npz", path: "missing.npz" }), { cwd: dir })).rejects.toThrow(/missing\.npz: no such file/);
  });
});

describe("MixtureLoader", () => {
  it("reads batches in the sampler's order with generated labels -1", async () => {
    const dir = tempDir();
    const shape: [number, number, number] = [1, 1, 3];
    // Real image i has pixel (i, 0, 0) and label i % 3; generated image j has (0, j, 255).
    writeNpz(path.join(dir, "real.npz"), Uint8Array.from(Array.from({ length: 6 }, (_, i) => [i, 0, 0]).flat()), 6, shape, [0, 1, 2, 0, 1, 2]);
    writeNpz(path.join(dir, "gen.npz"), Uint8Array.from(Array.from({ length: 9 }, (_, j) => [0, j, 255]).flat()), 9, shape);
    const sources = new Map<string, ImageSource>();
    sources.set("real", await openSource(sourceIR({ name: "real", format: "npz", path: "real.npz", shape }), { cwd: dir }));
    sources.set("gen", await openSource(sourceIR({ name: "gen", format: "npz", path: "gen.npz", origin: "generated", shape }), { cwd: dir }));
    const entries = mixtureEntries(
      {
        sources: [],
        train: [
          { source: "real", replicate: 3 },
          { source: "gen", replicate: 1 },
        ],
        eval: null,
      },
      sources,
    );
    expect(entries.map((e) => [e.size, e.replicate, e.generated])).toEqual([
      [6, 3, false],
      [9, 1, true],
    ]);
    const loader = new MixtureLoader(new InflationSampler(entries, 5), sources);
    const batch = loader.next(27);
    let realCount = 0;
    for (let b = 0; b < 27; b++) {
      const [r, g, bl] = [batch.images[b * 3]!, batch.images[b * 3 + 1]!, batch.images[b * 3 + 2]!];
      if (batch.generated[b]) {
        expect([r, bl, batch.labels[b]]).toEqual([0, 255, -1]);
        expect(g).toBeLessThan(9);
      } else {
        realCount++;
        expect([g, bl, batch.labels[b]]).toEqual([0, 0, r % 3]);
      }
    }
    expect(realCount).toBe(18);
    for (const s of sources.values()) s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
