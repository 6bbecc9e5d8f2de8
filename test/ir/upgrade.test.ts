// An ir.json written before train.devices / batchPerDevice / lrScaling existed still
// reads (eval, report) and resumes; resuming ignores how the batch was split over devices.
import { describe, expect, it } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import { upgradeIR } from "../../src/ir/upgrade.js";
import { validateIR } from "../../src/ir/validate.js";
import { trainingDifferences } from "../../src/ir/training-differences.js";
import { BASE, compileText } from "../helpers.js";

function current(overrides: string[] = []): PipelineIR {
  const out = compileText(BASE, ["train.devices=1", ...overrides]);
  expect(out.diagnostics).toEqual([]);
  return out.pipelines[0]!.ir;
}

/** The same IR as an older adainfc wrote it. */
function old(ir: PipelineIR): unknown {
  const { devices: _d, batchPerDevice: _b, lrScaling: _l, ...train } = ir.train;
  return { ...ir, train };
}

describe("upgradeIR", () => {
  it("fills in one device and rates as written; the result is valid and equals today's one-device IR", () => {
    const ir = current();
    expect(validateIR(old(ir))).not.toEqual([]);
    const up = upgradeIR(old(ir));
    expect(validateIR(up)).toEqual([]);
    expect(up).toEqual(ir);
  });

  it("leaves today's IR and non-IR values alone", () => {
    const ir = current();
    expect(upgradeIR(ir)).toBe(ir);
    expect(upgradeIR(null)).toBeNull();
    expect(upgradeIR("x")).toBe("x");
  });
});

describe("resume: trainingDifferences", () => {
  it("an old run's ir.json resumes under today's one-device IR", () => {
    const ir = current();
    expect(trainingDifferences(old(ir) as PipelineIR, ir)).toEqual([]);
  });

  it("ignores the split over devices (run trains the whole batch on one device) but not the batch or the rates", () => {
    const one = current();
    const two = current(["train.devices=2"]);
    expect(trainingDifferences(one, two)).toEqual([]);
    expect(trainingDifferences(one, current(["train.batch_size=128"]))).toContain("/train/batchSize");
    expect(trainingDifferences(one, current(["train.lr_scaling=linear", "train.batch_size=512"]))).toEqual(
      expect.arrayContaining(["/train/lrScaling", "/train/optimizer"]),
    );
  });
});
