// pipelines/story.adainf: its grid is the (inflation {none, vanilla, AdaInf} x
// at least 3 augmentation strengths x 5 seeds, the same design in every cell), and a
// shrunken copy of it runs end to end: the stand-in generated set is made by `run`,
// every point trains a few steps on tiny subsets, the untrained baseline is evaluated on
// the same kNN bank as the trained encoder, and the report draws accuracy against strength.
// (wasm backend: the cpu backend's JS convolutions take minutes on 28x28 digits.)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import { buildReport } from "../../src/report/index.js";
import { cli, ROOT } from "../helpers.js";

const STORY = path.join(ROOT, "pipelines/story.adainf");

describe("pipelines/story.adainf", () => {
  const out = compileFileSync(STORY, { cwd: ROOT });
  const irs = out.pipelines.map((p) => p.ir);

  test("is inflation {none, vanilla, adainf} x >= 3 strengths x 5 seeds, one design everywhere", () => {
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const values = (axis: string) => [...new Set(irs.map((ir) => ir.sweep!.point[axis]))];
    expect(values("inflation")).toEqual(["none", "vanilla", "adainf"]);
    const strengths = values("augment.strength").map(Number);
    expect(strengths.length).toBeGreaterThanOrEqual(3);
    expect(values("seed")).toHaveLength(5);
    expect(irs).toHaveLength(3 * strengths.length * 5);
    // AdaInf: real data x 10 next to the generated set; vanilla: x 1; none: no generated data.
    const inflate = (name: string) => irs.find((ir) => ir.sweep!.point["inflation"] === name)!.data.train;
    expect(inflate("none")).toEqual([{ source: "real", replicate: 1 }]);
    expect(inflate("vanilla")).toEqual([
      { source: "real", replicate: 1 },
      { source: "generated", replicate: 1 },
    ]);
    expect(inflate("adainf")).toEqual([
      { source: "real", replicate: 10 },
      { source: "generated", replicate: 1 },
    ]);
    // Everything but the axes is the same in every cell.
    const design = (ir: (typeof irs)[number]) =>
      JSON.stringify({ model: ir.model, train: { ...ir.train, epochSize: 0 }, evaluate: ir.evaluate, preset: ir.augment.preset });
    expect(new Set(irs.map(design)).size).toBe(1);
    expect(irs[0]!.model.backbone).toMatchObject({ name: "convnet", batchNorm: true });
    expect(irs[0]!.augment.preset).toBe("digits");
    expect(irs[0]!.data.sources.find((s) => s.name === "generated")!.standIn).toBe(true);
  });

  test("a shrunken copy runs: stand-in made, every point trained, baseline on the same bank, report drawn", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-story-"));
    fs.copyFileSync(STORY, path.join(dir, "story.adainf"));
    const strengths = [...new Set(irs.map((ir) => ir.sweep!.point["augment.strength"]!))].slice(0, 2);
    const shrink = [
      ...["data.real.size=64", "data.generated.size=48", "data.eval.size=64", "train.steps=3", "train.batch_size=16", "evaluate.linear_probe.epochs=1"].flatMap(
        (s) => ["--set", s],
      ),
      ...["seed=0", ...strengths.map((s) => `augment.strength=${s}`)].flatMap((o) => ["--only", o]),
    ];
    const r = await cli(["run", "story.adainf", "--backend", "wasm", "--no-worker", ...shrink], dir);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    expect(r.err).toContain("is missing: making the stand-in generated set now");
    expect(fs.existsSync(path.join(dir, irs[0]!.data.sources.find((s) => s.name === "generated")!.path!))).toBe(true);
    expect(r.out).toContain(`story: 6 of ${irs.length} points finished`);
    const base = path.join(dir, irs[0]!.output.dir, "..");
    const points = fs.readdirSync(base).filter((d) => fs.existsSync(path.join(base, d, "done.json")));
    expect(points).toHaveLength(6);
    for (const p of points) {
      const done = JSON.parse(fs.readFileSync(path.join(base, p, "done.json"), "utf8"));
      // The untrained encoder is evaluated with the trained one's kNN bank and probe set.
      expect(typeof done.untrained.knn_acc1).toBe("number");
      expect(typeof done.final.knn_acc1).toBe("number");
    }
    const report = await buildReport(base, { cwd: dir, preview: false });
    expect(report.axisChart).toBe("augment.strength");
    expect(report.html).toContain("inflation=adainf");
  }, 60_000);
});
