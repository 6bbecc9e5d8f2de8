// The worker runs compiled JavaScript: the test transpiles the augmentation modules
// and the two modules they import (TypeScript's transpileModule, no type check) into a temp dir and starts the worker
// from there, then checks that it returns exactly what the training thread computes.

import { afterAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { Rng } from "../../src/runtime/rng.js";
import { executePlan, planViews } from "../../src/runtime/augment/pipeline.js";
import { AugmentPool, AugmentWorker } from "../../src/runtime/augment/worker.js";
import { slicePlan } from "../../src/runtime/augment/plan.js";
import { makeBatch, presetView, SYMMETRIC, SYMMETRIC_ADAINF } from "./fixtures.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const out = mkdtempSync(join(tmpdir(), "adainf-augment-worker-"));

function transpileTree(): URL {
  writeFileSync(join(out, "package.json"), '{"type":"module"}');
  const files = [
    ...readdirSync(join(root, "src/runtime/augment"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `src/runtime/augment/${f}`),
    "src/runtime/rng.ts",
    "src/util/own-package.ts",
  ];
  for (const rel of files) {
    const js = ts.transpileModule(readFileSync(join(root, rel), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    mkdirSync(dirname(join(out, rel)), { recursive: true });
    writeFileSync(join(out, rel.replace(/\.ts$/, ".js")), js);
  }
  return pathToFileURL(join(out, "src/runtime/augment/worker-entry.js"));
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("slicePlan", () => {
  it("a slice of the plan on a slice of the batch gives that slice of the views", () => {
    const batch = makeBatch(4, 9, 32, 32, 3);
    const plans = planViews([presetView("view1", SYMMETRIC)], { n: 9, height: 32, width: 32, channels: 3 }, new Rng(5));
    const whole = executePlan(batch, plans[0]!);
    const per = 32 * 32 * 3;
    const part = executePlan({ ...batch, n: 4, data: batch.data.slice(3 * per, 7 * per) }, slicePlan(plans[0]!, 3, 7));
    expect(part).toEqual(whole.subarray(3 * per, 7 * per));
    expect(() => slicePlan(plans[0]!, 5, 5)).toThrow(/bad range/);
    expect(() => slicePlan(plans[0]!, 0, 10)).toThrow(/bad range/);
  });
});

describe("AugmentPool", () => {
  it("splits a batch across threads and gives the same floats as one thread", async () => {
    const entry = transpileTree();
    const pool = await AugmentPool.start(3, entry);
    try {
      expect(pool.threads).toBe(3);
      for (const n of [10, 2]) {
        const batch = makeBatch(2, n, 32, 32, 3);
        const plans = planViews([presetView("view1", SYMMETRIC), presetView("view2", SYMMETRIC_ADAINF)], { n, height: 32, width: 32, channels: 3 }, new Rng(9));
        const local = plans.map((p) => executePlan(batch, p));
        expect(await pool.run(batch, plans)).toEqual(local);
      }
      // the timed call: the same views, and the busy time of the slowest thread, which
      // does not count the time this thread took to pick the replies up
      const batch = makeBatch(3, 12, 32, 32, 3);
      const plans = planViews([presetView("view1", SYMMETRIC)], { n: 12, height: 32, width: 32, channels: 3 }, new Rng(2));
      const pending = pool.runTimed(batch, plans);
      const t0 = performance.now();
      while (performance.now() - t0 < 300) {
        // this thread is busy (as when it trains): the replies wait for it
      }
      const timed = await pending;
      expect(timed.views).toEqual(plans.map((p) => executePlan(batch, p)));
      expect(timed.ms).toBeGreaterThan(0);
      expect(timed.ms).toBeLessThan(300);
    } finally {
      await pool.close();
    }
    await expect(AugmentPool.start(0, entry)).rejects.toThrow(/positive integer/);
  });
});

describe("AugmentWorker", () => {
  it("returns the same floats as executing the plans on this thread", async () => {
    const worker = await AugmentWorker.start(transpileTree());
    try {
      const batch = makeBatch(1, 16, 32, 32, 3);
      const plans = planViews(
        [presetView("view1", SYMMETRIC), presetView("view2", SYMMETRIC_ADAINF)],
        { n: 16, height: 32, width: 32, channels: 3 },
        new Rng(8),
      );
      const local = plans.map((p) => executePlan(batch, p));
      // Two requests in flight at once, answered in order.
      const [a, b] = await Promise.all([worker.run(batch, plans), worker.run(batch, plans.slice(1))]);
      expect(a).toEqual(local);
      expect(b).toEqual([local[1]]);
      // With transfer the caller's buffer moves to the worker.
      const moved = { ...batch, data: batch.data.slice() };
      const c = await worker.run(moved, plans, { transfer: true });
      expect(moved.data.length).toBe(0);
      expect(c).toEqual(local);
      // Errors come back as rejections, not crashes.
      await expect(worker.run({ ...batch, n: 2, data: batch.data.slice(0, 2 * 3072) }, plans)).rejects.toThrow(/planned for \[16, 32, 32, 3\]/);
    } finally {
      await worker.close();
    }
  });
  it("says how to build when the compiled entry is missing", async () => {
    await expect(AugmentWorker.start(pathToFileURL(join(out, "missing.js")))).rejects.toThrow(/entry not found.*npm run build/);
  });
});
