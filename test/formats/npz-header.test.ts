// The npz header format module and the one data-path rule (src/formats/): a pipeline's
// relative data path resolves against the project directory (the working directory),
// never the pipeline file's folder, for the compiler, the linter and the runtime alike.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dataPath } from "../../src/formats/data-path.js";
import { DataError } from "../../src/formats/data-error.js";
import { npzHeaderAt } from "../../src/formats/npz-header.js";
import { npzSizeOf } from "../../src/lint/npz-size.js";
import { missingData } from "../../src/runtime/train/preflight.js";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";
import { compileFileSync } from "../../src/driver.js";
import { project } from "../helpers.js";

function writeSet(file: string, count: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // CIFAR's image size: a generated set beside CIFAR-10 must hold images of its size (E021 otherwise)
  const w = NpzImageWriter.create(file, { count, shape: [32, 32, 3] });
  w.append(new Uint8Array(count * 32 * 32 * 3));
  w.finish();
}

const PIPELINE = `pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = test)
    gen = npz("gen.npz")
  }
}
`;

/** A project whose pipeline sits in a sub-folder, with a gen.npz in both places (different sizes). */
function twoPlaces(): string {
  const dir = project({ "pipelines/p.adainf": PIPELINE });
  writeSet(path.join(dir, "gen.npz"), 40);
  writeSet(path.join(dir, "pipelines", "gen.npz"), 70);
  return dir;
}

describe("the data-path rule", () => {
  it("relative paths resolve against the project directory, absolute ones stay", () => {
    expect(dataPath("/proj", "datasets/gen.npz")).toBe(path.resolve("/proj/datasets/gen.npz"));
    expect(dataPath("/proj", "/data/gen.npz")).toBe(path.resolve("/data/gen.npz"));
  });

  it("check, lint and run read the project root's file, not the one beside the pipeline", async () => {
    const dir = twoPlaces();
    const out = compileFileSync("pipelines/p.adainf", { cwd: dir });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const ir = out.pipelines[0]!.ir;
    const gen = ir.data.sources.find((s) => s.name === "gen")!;
    expect(gen.size).toBe(40);
    expect(gen.shape).toEqual([32, 32, 3]);
    expect(await npzSizeOf(dir)({ ...gen, size: null }, ir)).toBe(40);
    // the runtime's preflight looks in the same place: gen.npz is there, only CIFAR is missing
    expect(missingData(ir, dir).map((m) => m.source)).not.toContain("gen");
    fs.rmSync(path.join(dir, "gen.npz"));
    expect(missingData(ir, dir).map((m) => m.source)).toContain("gen");
    expect(await npzSizeOf(dir)({ ...gen, size: null }, ir)).toBeNull();
  });
});

describe("npzHeaderAt", () => {
  it("reads count and shape from the headers; null when there is no file", () => {
    const dir = project({});
    writeSet(path.join(dir, "sets", "a.npz"), 12);
    expect(npzHeaderAt(dir, "sets/a.npz")).toMatchObject({ count: 12, shape: [32, 32, 3], layout: "nhwc" });
    expect(npzHeaderAt(dir, "sets/none.npz")).toBeNull();
  });

  it("a file that is not an npz is a DataError naming it", () => {
    const dir = project({ "bad.npz": "not a zip" });
    expect(() => npzHeaderAt(dir, "bad.npz")).toThrow(DataError);
    expect(() => npzHeaderAt(dir, "bad.npz")).toThrow(/bad\.npz: /);
  });
});
