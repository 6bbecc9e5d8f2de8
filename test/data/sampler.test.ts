// The inflation sampler: the reference's epoch sizes and generated shares, an epoch as
// [real] * dup + [generated], determinism per seed and epoch, drop_last and resuming
// mid-epoch, proportions per batch, and index mapping.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { InflationSampler, mixtureQuantities, type MixtureEntry } from "../../src/runtime/data/sampler.js";

const real = (size: number, replicate: number): MixtureEntry => ({ source: "real", size, replicate, generated: false });
const gen = (size: number, replicate = 1, source = "gen"): MixtureEntry => ({ source, size, replicate, generated: true });

/** Draw a whole epoch, one batch at a time. */
function drawEpoch(s: InflationSampler, batch: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let k = 0; k < s.stepsPerEpoch(batch); k++) {
    const b = s.nextBatch(batch);
    for (let i = 0; i < batch; i++) out.push([b.entry[i]!, b.index[i]!]);
  }
  return out;
}

describe("inflation sampler", () => {
  it("reports the reference's epoch sizes and generated shares (docs/paper.md §1)", () => {
    const vanilla = mixtureQuantities([real(50_000, 1), gen(1_000_000)]);
    const adainf = mixtureQuantities([real(50_000, 10), gen(1_000_000)]);
    expect(vanilla.epochSize).toBe(1_050_000);
    expect(vanilla.generatedShare).toBeCloseTo(0.952, 3);
    expect(adainf.epochSize).toBe(1_500_000);
    expect(adainf.generatedShare).toBeCloseTo(2 / 3, 6);
    const scarce = new InflationSampler([real(5_000, 10), gen(500_000)], 1);
    expect(scarce.epochSize).toBe(550_000);
    expect(scarce.generatedShare).toBeCloseTo(500 / 550, 9);
  });

  it("one epoch is exactly [real] * dup + [generated]: each real image dup times, each generated once", () => {
    const s = new InflationSampler([real(30, 4), gen(50), gen(7, 2, "gen2")], 123);
    expect(s.epochSize).toBe(120 + 50 + 14);
    const epoch = drawEpoch(s, 184); // one batch = the whole epoch
    const counts = new Map<string, number>();
    for (const [e, i] of epoch) counts.set(`${e}:${i}`, (counts.get(`${e}:${i}`) ?? 0) + 1);
    for (let i = 0; i < 30; i++) expect(counts.get(`0:${i}`)).toBe(4);
    for (let i = 0; i < 50; i++) expect(counts.get(`1:${i}`)).toBe(1);
    for (let i = 0; i < 7; i++) expect(counts.get(`2:${i}`)).toBe(2);
    expect(counts.size).toBe(30 + 50 + 7);
    // Shuffled: not in concatenation order.
    expect(epoch.slice(0, 10).every(([e]) => e === 0)).toBe(false);
  });

  it("is deterministic per seed and epoch, and epochs differ", () => {
    const a = new InflationSampler([real(100, 2), gen(300)], 7);
    const b = new InflationSampler([real(100, 2), gen(300)], 7);
    const c = new InflationSampler([real(100, 2), gen(300)], 8);
    const ea0 = drawEpoch(a, 50);
    expect(drawEpoch(b, 50)).toEqual(ea0);
    expect(drawEpoch(c, 50)).not.toEqual(ea0);
    const ea1 = drawEpoch(a, 50);
    expect(ea1).not.toEqual(ea0);
    expect(a.epoch).toBe(1);
    // Epoch 1 can be rebuilt from the epoch number alone (resume).
    const d = new InflationSampler([real(100, 2), gen(300)], 7);
    d.restore({ epoch: 1, position: 0 });
    expect(drawEpoch(d, 50)).toEqual(ea1);
  });

  it("drops the last partial batch of an epoch (drop_last) and resumes mid-epoch", () => {
    const s = new InflationSampler([real(10, 1), gen(15)], 3);
    expect(s.stepsPerEpoch(8)).toBe(3);
    const first = [s.nextBatch(8), s.nextBatch(8), s.nextBatch(8)];
    expect(first.map((b) => b.epoch)).toEqual([0, 0, 0]);
    const state = s.state();
    const fourth = s.nextBatch(8);
    expect(fourth.epoch).toBe(1);
    const r = new InflationSampler([real(10, 1), gen(15)], 3);
    r.restore(state);
    expect([...r.nextBatch(8).global]).toEqual([...fourth.global]);
    // The 24 samples of epoch 0 are distinct positions of the 25.
    expect(new Set(first.flatMap((b) => [...b.global])).size).toBe(24);
  });

  it("keeps proportions in every batch on average (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 60 }), fc.integer(), (n, dup, g, seed) => {
        const s = new InflationSampler([real(n, dup), gen(g)], seed);
        const epoch = drawEpoch(s, 1);
        const generated = epoch.filter(([e]) => e === 1).length;
        expect(epoch.length).toBe(n * dup + g);
        expect(generated / epoch.length).toBeCloseTo(s.generatedShare, 12);
        expect(epoch.every(([e, i]) => i < (e === 0 ? n : g))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("maps global indices arithmetically, skipping empty entries", () => {
    const s = new InflationSampler([real(3, 2), gen(0), gen(4, 1, "g2")], 1);
    expect([0, 2, 3, 5, 6, 9].map((g) => s.locate(g))).toEqual([
      { entry: 0, index: 0 },
      { entry: 0, index: 2 },
      { entry: 0, index: 0 },
      { entry: 0, index: 2 },
      { entry: 2, index: 0 },
      { entry: 2, index: 3 },
    ]);
    expect(() => new InflationSampler([real(3, 1.5)], 1)).toThrow(/whole number/);
    expect(() => new InflationSampler([real(0, 1)], 1)).toThrow(/empty/);
  });
});
