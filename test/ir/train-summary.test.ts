// The effective batch and learning rates as every command shows them (src/ir/train-summary.ts),
// and `check --explain`, which prints them per pipeline.
import { describe, expect, it } from "vitest";
import { trainingLine } from "../../src/ir/train-summary.js";
import { cli, compileText, plainPipeline, project } from "../helpers.js";
import { REFERENCE_RUNS } from "../reference-presets.js";

const pipeline = plainPipeline;

function line(train: string): string {
  const out = compileText(pipeline(train));
  expect(out.diagnostics).toEqual([]);
  return trainingLine(out.pipelines[0]!.ir);
}

describe("trainingLine", () => {
  it("one device: the batch and the rates as written", () => {
    expect(line("    batch_size = 128")).toBe("batch 128, lr 0.2, classifier lr 0.05");
  });

  it("several devices: the total and its split", () => {
    expect(line("    devices = 2\n    batch_size = 512")).toBe("batch 512 (2 devices x 256), lr 0.2, classifier lr 0.05");
  });

  it("lr_scaling = linear: the rates trained with and how they follow from the written ones", () => {
    expect(line("    devices = 2\n    batch_size = 512\n    lr_scaling = linear")).toBe(
      "batch 512 (2 devices x 256), lr 0.4 (= 0.2 x 512/256), classifier lr 0.1 (= 0.05 x 512/256)",
    );
  });
});

describe("check --explain", () => {
  it("prints each pipeline's effective batch, rates and length; nothing without the flag", async () => {
    const dir = project({ "p.adainf": pipeline("    devices = 4\n    batch_size = 1024\n    lr_scaling = linear\n    steps = 500") });
    const r = await cli(["check", "p.adainf", "--explain"], dir);
    expect(r.code).toBe(0);
    expect(r.out).toBe("p: batch 1024 (4 devices x 256), lr 0.8 (= 0.2 x 1024/256), classifier lr 0.2 (= 0.05 x 1024/256), 500 steps\n");
    const plain = await cli(["check", "p.adainf"], dir);
    expect(plain.out).toBe("");
    // --format json carries the same numbers, per pipeline
    const json = JSON.parse((await cli(["check", "p.adainf", "--format", "json"], dir)).out) as { files: Array<{ training: Record<string, object> }> };
    expect(json.files[0]!.training["p"]).toMatchObject({ batch: 1024, devices: 4, batchPerDevice: 256, lr: 0.8, classifierLr: 0.2, steps: 500 });
  });

  it("shows the paper pipelines' reference runs: 2 devices x 256 at the effective rate", async () => {
    const r = await cli(["check", "pipelines/mocov2plus_none.adainf", "--explain"]);
    expect(r.code).toBe(0);
    const m = REFERENCE_RUNS.mocov2plus; // docs/paper.md §3.1
    expect(r.out).toBe(
      `mocov2plus_none: batch ${m.batch} (${m.devices} devices x ${m.batchPerDevice}), lr ${m.lr}, classifier lr ${m.classifierLr}, 100,000 steps\n`,
    );
  });
});
