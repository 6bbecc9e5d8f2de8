// adainfc import solo-learn: values and keys a fuzz campaign found mishandled. Every number
// read must be finite (±inf and nan refused at their key, never an internal error); nan is
// not "missing"; keys named like Object.prototype members (constructor, toString,
// __proto__) are keys like any other; a mapping or list as a key is refused at its line.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { cli } from "../helpers.js";
import { CROP_03, edit, lineOf, placeOf, REFERENCE_STYLE, referenceProject } from "./import-fixtures.js";

async function importCfg(dir: string, ...overrides: string[]) {
  return cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf", ...overrides], dir);
}

/** The reference project with its augmentation file edited by `from` -> `to`. */
async function withCrop(from: string, to: string, ...overrides: string[]) {
  const dir = referenceProject();
  const aug = CROP_03.replace(from, to);
  expect(aug).not.toBe(CROP_03);
  writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), aug);
  return importCfg(dir, ...overrides);
}

const AUG = "cfg/augmentations/symmetric_crop_0.3.yaml";

describe("import solo-learn: numbers that are not finite", () => {
  it("±inf in an augmentation value is refused at its key (no internal error)", async () => {
    for (const v of [".inf", "-.inf", "1e400"]) {
      const r = await withCrop("crop_min_scale: 0.3", `crop_min_scale: ${v}`);
      expect(r.code).toBe(1);
      expect(r.err).toBe(`error: ${AUG}:3:5: pipeline 1: rrc.crop_min_scale must be a finite number, found ${v === "-.inf" ? "-inf" : "inf"}\n`);
    }
    const b = await withCrop("brightness: 0.8", "brightness: .inf");
    expect(b.code).toBe(1);
    expect(b.err).toMatch(
      /^error: cfg\/augmentations\/symmetric_crop_0\.3\.yaml:5:\d+: pipeline 1: color_jitter\.brightness must be a finite number, found inf\n$/,
    );
    const p = await withCrop("grayscale: {prob: 0.2}", "grayscale: {prob: .inf}");
    expect(p.err).toMatch(/^error: \S+:6:\d+: pipeline 1: grayscale\.prob must be a finite number, found inf\n$/);
    const size = await withCrop("crop_size: 32", "crop_size: .inf");
    expect(size.err).toBe(`error: ${AUG}:11:3: pipeline 1: crop_size must be a finite number, found inf\n`);
  });

  it("the override augmentations.0.rrc.crop_min_scale=inf is refused at the override", async () => {
    const r = await importCfg(referenceProject(), "augmentations.0.rrc.crop_min_scale=inf");
    expect(r.code).toBe(1);
    expect(r.err).toContain("pipeline 1: rrc.crop_min_scale must be a finite number, found inf\n");
    expect(r.err).not.toContain("internal error");
    expect(r.err.trim().split("\n")).toHaveLength(1);
  });

  it("nan is a value, not a missing key", async () => {
    const hue = await withCrop("hue: 0.2", "hue: .nan");
    expect(hue.code).toBe(1);
    expect(hue.err).toMatch(/^error: \S+:5:\d+: pipeline 1: color_jitter\.hue must be a finite number, found nan\n$/);
    const prob = await importCfg(referenceProject(), "augmentations.0.color_jitter.prob=nan");
    expect(prob.err).toContain("pipeline 1: color_jitter.prob must be a finite number, found nan\n");
  });

  it("the main config's nan and inf are 'not a finite number', at their key", async () => {
    const t = await importCfg(referenceProject(), "method_kwargs.temperature=nan");
    expect(t.code).toBe(1);
    expect(t.err).toContain("method_kwargs.temperature must be a finite number, found nan\n");
    const lr = await importCfg(referenceProject(), "optimizer.lr=inf");
    expect(lr.err).toContain("optimizer.lr must be a finite number, found inf\n");
    const vci = edit(REFERENCE_STYLE, ["val_check_interval: 200", "val_check_interval: .inf"]);
    const v = await importCfg(referenceProject(vci));
    expect(v.err).toBe(`error: cfg/simclr.yaml:${placeOf(vci, "val_check_interval:")}: val_check_interval must be a finite number, found inf\n`);
    const betas = await importCfg(referenceProject(), "optimizer.name=adamw", "~optimizer.kwargs", "+optimizer.kwargs.betas=[0.9,inf]");
    expect(betas.err).toContain("optimizer.kwargs.betas.1 must be a finite number, found inf\n");
  });

  it("a value computed from finite ones that overflows (lr 1e308 scaled by the batch) is refused at its key", async () => {
    const r = await importCfg(referenceProject(), "optimizer.lr=1e308");
    expect(r.code).toBe(1);
    expect(r.err).toContain("optimizer.lr: the value the pipeline would get from it is inf, which is no finite number\n");
    expect(r.err).not.toContain("internal error");
  });

  it("max_steps: 1e308 is a run too long at max_steps, not an overflow blamed on the warm-up", async () => {
    const r = await importCfg(referenceProject(), "max_steps=1e308");
    expect(r.code).toBe(1);
    expect(r.err).toContain("override 'max_steps=1e308': E021: train.steps = 1e308 is out of range");
    expect(r.err).not.toContain("no finite number");
  });
});

describe("import solo-learn: keys named like Object.prototype members", () => {
  it("constructor, toString, valueOf, hasOwnProperty and __proto__ at the top are noted as any unknown key", async () => {
    for (const k of ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"]) {
      const config = `${k}: 1\n${REFERENCE_STYLE}`;
      const r = await importCfg(referenceProject(config));
      expect(r.code, k).toBe(0);
      expect(r.err).toContain(`note: cfg/simclr.yaml:1:1: ${k}: adainf does not read this key; dropped\n`);
      expect(r.err).not.toContain("undefined");
    }
  });

  it("overrides: +constructor=1, ++__proto__=1 and +data.toString=2 are noted; +optimizer.kwargs.toString=1 is refused as an unknown argument", async () => {
    for (const [o, k] of [
      ["+constructor=1", "constructor"],
      ["++__proto__=1", "__proto__"],
      ["+data.toString=2", "data.toString"],
    ] as const) {
      const r = await importCfg(referenceProject(), o);
      expect(r.code, o).toBe(0);
      expect(r.err).toContain(`${k}: adainf does not read this key; dropped\n`);
      expect(r.err).not.toContain("undefined");
    }
    const kw = await importCfg(referenceProject(), "+optimizer.kwargs.toString=1");
    expect(kw.code).toBe(1);
    expect(kw.err).toContain("optimizer.kwargs.toString = 1: solo-learn passes optimizer.kwargs to the optimizer as they are");
    expect(kw.err).not.toContain("undefined");
  });
});

describe("import solo-learn: keys that are no plain name", () => {
  afterEach(() => vi.restoreAllMocks());

  it("a mapping or a list as a key (or !!binary data) is refused at its line, with no Node warning", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const complex = edit(REFERENCE_STYLE, ["    eta: 0.02\n", "    ? eta: 0.02\n"]);
    const r = await importCfg(referenceProject(complex));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(
        `^error: cfg/simclr\\.yaml:${placeOf(complex, "? eta").split(":")[0]}:\\d+: a key must be a plain name, found a mapping \\(OmegaConf refuses it\\)\\n$`,
      ),
    );
    const list = `${REFERENCE_STYLE}[1, 2]: 3\n`;
    const l = await importCfg(referenceProject(list));
    expect(l.code).toBe(1);
    expect(l.err).toBe(`error: cfg/simclr.yaml:${placeOf(list, "[1, 2]")}: a key must be a plain name, found a list (OmegaConf refuses it)\n`);
    const binary = `${REFERENCE_STYLE}!!binary aGk=: 3\n`;
    const bin = await importCfg(referenceProject(binary));
    expect(bin.code).toBe(1);
    expect(bin.err).toBe(`error: cfg/simclr.yaml:${lineOf(binary, "!!binary")}:10: a key must be a plain name, found !!binary data (OmegaConf refuses it)\n`);
    expect(warn).not.toHaveBeenCalled();
  });
});
