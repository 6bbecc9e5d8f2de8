// Command-line values and words found by a CLI audit: `adainfc help [command]`; an empty
// path ("") refused as a usage error naming the flag or argument, never the current folder;
// integer flags in decimal digits only and within their range (seeds 0 to 4294967295),
// the bad value quoted; an empty --pipeline refused; explain naming a code-shaped argument a
// diagnostic code; a subcommand's mistake pointing to its own --help; counts of one singular.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";
import { cli, project, ROOT } from "../helpers.js";

describe("adainfc help", () => {
  it("help alone is the program's help, help <command> the command's, exit 0", async () => {
    const top = await cli(["help"]);
    expect(top.code).toBe(0);
    expect(top.out).toContain("Usage: adainfc [options] [command]");
    expect(top.out).toContain("bench augment");
    for (const [args, usage] of [
      [["help", "preview"], "Usage: adainfc preview [options] <pipeline>"],
      [["help", "bench", "step"], "Usage: adainfc bench step [options]"],
      [["help", "help"], "Usage: adainfc [options] [command]"],
    ] as const) {
      const r = await cli([...args]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(usage);
    }
    const unknown = await cli(["help", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("error: unknown command 'nope'");
  });

  it("a mistake under a command points to that command's --help", async () => {
    const r = await cli(["bench", "step", "--bogus"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("(run adainfc bench step --help for usage)");
    const p = await cli(["preview", "--bogus"]);
    expect(p.err).toContain("(run adainfc preview --help for usage)");
  });
});

describe("an empty path is a usage error", () => {
  it.each([
    [["check", ""], "<paths> '' is empty: give a file or folder path"],
    [["lint", "x.adainf", ""], "<paths> '' is empty: give a file or folder path"],
    [["fmt", ""], "<paths> '' is empty: give a file or folder path"],
    [["compile", ""], "<file> '' is empty: give a file path"],
    [["preview", "", "-o", "v.png"], "<pipeline> '' is empty: give a file path"],
    [["run", ""], "<pipeline> '' is empty: give a file path"],
    [["data", "check", ""], "<pipeline> '' is empty: give a file path"],
    [["eval", ""], "<run-dir> '' is empty: give a folder path"],
    [["report", ""], "<dir> '' is empty: give a folder path"],
    [["import", "solo-learn", "", "-o", "x.adainf"], "<config> '' is empty: give a file path"],
    [["import", "solo-learn", "c.yaml", "--augmentations", "", "-o", "x.adainf"], "--augmentations '' is empty: give a file path"],
    [["snapshot", "--package", ""], "--package '' is empty: give a folder path"],
  ])("%j", async (args, message) => {
    const dir = project({ "x.adainf": "" });
    const r = await cli(args, dir);
    expect(r.err).toBe(`error: ${message}\n`);
    expect(r.code).toBe(2);
  });
});

describe("integer flags: decimal digits within the range, the value quoted", () => {
  it.each([
    [["preview", "x.adainf", "-o", "v.png", "--n"], "--n", ["0x4", "1e1", " 2", "0", "65", "-1", "2.0"], "from 1 to 64"],
    [["preview", "x.adainf", "-o", "v.png", "--seed"], "--seed", ["0x10", "4294967296", "1e300", "-1", ""], "from 0 to 4294967295"],
    [["report", "runs", "--seed"], "--seed", ["1e3", "4294967296"], "from 0 to 4294967295"],
    [["lsp", "--debounce"], "--debounce", ["", "1e3", "60001", "-5"], "from 0 to 60000"],
    [["compile", "x.adainf", "--target", "solo-learn", "-o", "out", "--devices"], "--devices", ["0", "0x2", "2e0"], ">= 1"],
  ])("%j", async (args, flag, values, range) => {
    for (const v of values) {
      const r = await cli([...args, v], project({ "x.adainf": "" }));
      expect(r.err).toBe(`error: ${flag} must be an integer ${range}, not '${v}'\n`);
      expect(r.code).toBe(2);
    }
  });
});

it("--pipeline '' is refused, not taken as the first pipeline", async () => {
  for (const args of [
    ["compile", "pipelines/story.adainf", "--pipeline", ""],
    ["preview", "pipelines/story.adainf", "-o", "/tmp/never-written.png", "--pipeline", ""],
  ]) {
    const r = await cli(args, ROOT);
    expect(r.err).toBe("error: --pipeline '' is empty: give a pipeline's name (adainfc check lists them)\n");
    expect(r.code).toBe(2);
  }
});

it("explain: an argument shaped like a code is an unknown diagnostic code, not an unknown rule", async () => {
  const r = await cli(["explain", "E0100"]);
  expect(r.code).toBe(2);
  expect(r.err).toBe("error: unknown diagnostic code 'E0100' (codes are a letter and three digits, such as E020; docs/diagnostics.md lists them)\n");
});

it("one image, one view, one step: singular", async () => {
  const dir = project({
    "p.adainf": `pipeline p from simclr {
  data {
    real = npz("real.npz", channels = rgb)
    eval = mnist(split = test)
  }
  inflate { real x 1 }
  augment = asymmetric_adainf
  model { backbone = convnet }
}
`,
  });
  const w = NpzImageWriter.create(path.join(dir, "real.npz"), { count: 3, shape: [28, 28, 1] });
  for (let i = 0; i < 3; i++) w.append(new Uint8Array(28 * 28).fill(60 * i));
  w.finish();
  const r = await cli(["preview", "p.adainf", "-o", "v.png", "--n", "1"], dir);
  expect(r.code).toBe(0);
  expect(r.out).toBe("wrote v.png: 1 image x (original + 2 views) of p\n");
  const c = await cli(["check", "--explain", "p.adainf", "--set", "train.steps=1"], dir);
  expect(c.out).toMatch(/, 1 step\n/);
});
