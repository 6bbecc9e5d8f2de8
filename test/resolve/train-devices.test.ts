// train { devices; batch_size; lr_scaling }: the total batch, its split over devices and
// whether the written learning rates are scaled, as the IR carries them.
import { describe, expect, it } from "vitest";
import { BASE, codes, compileText, plainPipeline } from "../helpers.js";

const withBody = (body: string) => BASE.replace("\n}\n", `\n${body}\n}\n`);
const PLAIN = plainPipeline;

describe("train: devices, batch and lr scaling", () => {
  it("a plain batch_size = N is the total batch on one device, rates as written", () => {
    const out = compileText(PLAIN("    batch_size = 128"));
    expect(out.diagnostics).toEqual([]);
    const t = out.pipelines[0]!.ir.train;
    expect(t).toMatchObject({ batchSize: 128, devices: 1, batchPerDevice: 128, lrScaling: { rule: "none", factor: 1 } });
    expect(t.optimizer.lr).toBe(0.2);
    expect(out.pipelines[0]!.ir.evaluate.onlineLinear!.lr).toBe(0.05);
  });

  it("devices splits the total batch; the rates stay as written under lr_scaling = none", () => {
    const out = compileText(PLAIN("    devices = 4\n    batch_size = 1024"));
    expect(out.diagnostics).toEqual([]);
    const t = out.pipelines[0]!.ir.train;
    expect(t).toMatchObject({ batchSize: 1024, devices: 4, batchPerDevice: 256 });
    expect(t.optimizer.lr).toBe(0.2);
  });

  it("lr_scaling = linear multiplies the optimizer's and the online classifier's rates by batch / 256", () => {
    const out = compileText(PLAIN("    devices = 2\n    batch_size = 768\n    lr_scaling = linear"));
    expect(out.diagnostics).toEqual([]);
    const ir = out.pipelines[0]!.ir;
    expect(ir.train.lrScaling).toEqual({ rule: "linear", factor: 3 });
    expect(ir.train.optimizer.lr).toBe(0.6);
    expect(ir.evaluate.onlineLinear!.lr).toBe(0.15);
  });

  it("a batch that the devices do not divide is an E021 at batch_size with a hint", () => {
    const out = compileText(PLAIN("    devices = 3\n    batch_size = 512"));
    const d = out.diagnostics.find((x) => x.code === "E021")!;
    expect(d.message).toContain("512 cannot be split over 3 devices");
    expect(d.span).toMatchObject({ line: 14 });
    expect(d.hint).toBe("use a multiple of 3, e.g. batch_size = 513");
  });

  it("the E021 points at what the user wrote, not at the recipe's inherited half", () => {
    // The pipeline's devices = 3 against simclr's batch_size = 512 (stdlib).
    const own = compileText(withBody("  train { devices = 3 }")).diagnostics.find((x) => x.code === "E021")!;
    expect(own.span).toMatchObject({ file: "p.adainf", line: 6 });
    // The same from --set, and both halves in the body: batch_size, as before.
    const set = compileText(BASE, ["train.devices=3"]).diagnostics.find((x) => x.code === "E021")!;
    expect(set.span).toMatchObject({ file: "--set #1", column: 15 });
    const both = compileText(withBody("  train {\n    devices = 3\n    batch_size = 512\n  }")).diagnostics.find((x) => x.code === "E021")!;
    expect(both.span).toMatchObject({ file: "p.adainf", line: 8 });
  });

  it("rejects an unknown scaling rule and a device count of 0", () => {
    expect(codes(compileText(PLAIN("    lr_scaling = sqrt")))).toEqual(["E021"]);
    expect(codes(compileText(PLAIN("    devices = 0")))).toEqual(["E021"]);
  });

  it("a pipeline from a recipe that sets its own batch keeps the recipe's devices and its own total", () => {
    const out = compileText(withBody("  train { batch_size = 64 }"));
    expect(out.diagnostics).toEqual([]);
    const t = out.pipelines[0]!.ir.train;
    expect(t.batchSize).toBe(64);
    expect(t.batchPerDevice).toBe(64 / t.devices);
  });

  it("--set train.devices=1 keeps the total batch and the rates", () => {
    const base = compileText(BASE).pipelines[0]!.ir.train;
    const one = compileText(BASE, ["train.devices=1"]).pipelines[0]!.ir.train;
    expect(one).toMatchObject({ devices: 1, batchSize: base.batchSize, batchPerDevice: base.batchSize });
    expect(one.optimizer.lr).toBe(base.optimizer.lr);
  });
});
