// The acceptance check of issue 3 on the real pipeline files, compiled by the front end:
// every *_vanilla warns (vanilla-inflation and balance), every *_none and *_adainf is clean.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileFile } from "../../src/driver.js";
import { lintPipeline } from "../../src/lint/engine.js";
import { findReferencePreset } from "../../src/lint/reference-presets.js";
import { pipelineStrength } from "../../src/lint/strength.js";
import { METHODS, MODES } from "./fixtures.js";

const root = path.resolve(__dirname, "../..");

async function lintFile(file: string) {
  const out = await compileFile(file, { cwd: root });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(out.pipelines.length).toBeGreaterThan(0);
  const results = [];
  for (const p of out.pipelines) results.push(await lintPipeline(p, { source: (f) => out.sources.get(f) ?? null }));
  return results;
}

describe("the paper's 12 pipelines", () => {
  for (const method of METHODS) {
    for (const mode of MODES) {
      const file = `pipelines/${method}_${mode}.adainf`;
      it.runIf(fs.existsSync(path.join(root, file)))(`${method}_${mode}`, async () => {
        const [r] = await lintFile(file);
        const problems = r!.diagnostics.filter((d) => d.severity !== "info");
        if (mode === "vanilla") {
          const codes = problems.map((d) => d.code);
          expect(codes).toContain("vanilla-inflation");
          expect(codes).toContain("balance");
          expect(r!.quantities.generatedShare).toBeCloseTo(0.952, 3);
          expect(r!.quantities.inflationFactor).toBe(21);
          // Findings are shown in the pipeline's own file, never in the stdlib.
          for (const d of r!.diagnostics) expect(d.span?.file).toBe(file);
        } else {
          expect(r!.diagnostics).toEqual([]);
          expect(r!.quantities.generatedShare).toBeCloseTo(mode === "none" ? 0 : 0.667, 3);
          expect(r!.quantities.inflationFactor).toBe(mode === "none" ? 1 : 30);
        }
      });
    }
  }
});

describe("the stdlib presets", () => {
  it("have the strengths of the lint's reference table (docs/paper.md §2)", async () => {
    for (const [method, preset] of [
      ["simclr", "symmetric"],
      ["byol", "asymmetric"],
    ] as const) {
      const file = `pipelines/${method}_none.adainf`;
      if (!fs.existsSync(path.join(root, file))) continue;
      const [r] = await lintFile(file);
      expect(r!.quantities.strength).toBeCloseTo(findReferencePreset(preset)!.strength, 9);
    }
    for (const [method, preset] of [
      ["simclr", "symmetric_adainf"],
      ["barlow", "asymmetric_adainf"],
    ] as const) {
      const file = `pipelines/${method}_adainf.adainf`;
      if (!fs.existsSync(path.join(root, file))) continue;
      const out = await compileFile(file, { cwd: root });
      expect(pipelineStrength(out.pipelines[0]!.ir.augment.views)).toBeCloseTo(findReferencePreset(preset)!.strength, 9);
    }
  });
});
