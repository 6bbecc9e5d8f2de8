// compile --target ts on the 12 paper pipelines and the quickstart: each becomes a
// program that type-checks under the strict tsconfig it ships with, reads as named
// steps, and hands runPipeline exactly the IR that `adainfc compile` resolves.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import type { PipelineIR } from "../../src/ir/types.js";
import { cli, project, ROOT } from "../helpers.js";
import { constNames, emitTs, parseProgram, pipelineValue, tsTempDir, typeErrors } from "./typescript-helpers.js";

const PAPER = ["simclr", "mocov2plus", "byol", "barlow"].flatMap((m) => ["none", "vanilla", "adainf"].map((i) => `${m}_${i}`));
const ALL = [...PAPER, "quickstart"];

function irOf(file: string, cwd = ROOT): PipelineIR[] {
  const out = compileFileSync(file, { cwd });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out.pipelines.map((p) => p.ir);
}

describe("compile --target ts: the 12 paper pipelines and the quickstart", () => {
  const dir = tsTempDir();
  beforeAll(async () => {
    for (const name of ALL) await emitTs(`pipelines/${name}.adainf`, dir);
  });

  it("type-check under the emitted strict tsconfig", () => {
    const config = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown> };
    expect(config.compilerOptions).toMatchObject({ strict: true, noUncheckedIndexedAccess: true, module: "NodeNext" });
    expect(typeErrors(dir)).toEqual([]);
  });

  for (const name of ALL) {
    it(`${name}: named steps, no IR blob, the same IR as compile --emit ir`, async () => {
      const text = readFileSync(join(dir, `${name}.ts`), "utf8");
      const ir = irOf(`pipelines/${name}.adainf`)[0]!;
      // What the program runs is exactly the compiled IR, value for value.
      expect(await pipelineValue(text)).toEqual(ir);
      // It reads as steps, each a typed const, in pipeline order.
      const names = constNames(parseProgram(text));
      const order = [
        "mixture",
        "data",
        "augment",
        "backbone",
        "method",
        "model",
        "optimizer",
        "schedule",
        "train",
        "evaluate",
        "output",
        "lint",
        "pipeline",
        "projectDir",
      ];
      expect(names.filter((n) => order.includes(n))).toEqual(order);
      expect(names.slice(0, ir.data.sources.length)).toEqual(ir.data.sources.map((s) => `${s.name === "eval" ? "eval" : s.name}Source`));
      expect(text).toContain(`const backbone: ${ir.model.backbone.name === "resnet18" ? "ResNet18IR" : "ConvNetIR"} = {`);
      expect(text).toMatch(/^import \{[^}]*\brunPipeline,[^}]*\} from "adainf";$/m);
      expect(text).toMatch(/^import type \{[^}]*\bPipelineIR,[^}]*\} from "adainf";$/m);
      expect(text).toContain("await runPipeline(pipeline, {");
      // No JSON blob: the IR is never parsed from text, and no line is a wall of data.
      expect(text).not.toMatch(/JSON\.parse/);
      expect(Math.max(...text.split("\n").map((l) => l.length))).toBeLessThanOrEqual(110);
    });
  }

  it("package.json: an ES module depending on adainf, `npm start` compiles and runs every program", () => {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      type: string;
      private: boolean;
      scripts: Record<string, string>;
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(pkg.type).toBe("module");
    expect(pkg.private).toBe(true);
    // The last compile into the folder wrote it: the quickstart alone.
    expect(pkg.scripts["start"]).toBe("tsc && node quickstart.js");
    expect(pkg.dependencies["adainf"]).toMatch(/^file:/);
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(["@types/node", "typescript"]);
  });

  it("the adainf dependency points at this compiler's package", () => {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    const target = join(dir, pkg.dependencies["adainf"]!.slice("file:".length), "package.json");
    expect((JSON.parse(readFileSync(target, "utf8")) as { name: string }).name).toBe("adainf");
  });
});

describe("compile --target ts: the steps carry the source's values", () => {
  it("simclr_adainf: AdaInf's mixture (real x 10 + generated) and the weak preset, written as literals", async () => {
    const dir = tsTempDir();
    await emitTs("pipelines/simclr_adainf.adainf", dir);
    const text = readFileSync(join(dir, "simclr_adainf.ts"), "utf8");
    expect(text).toMatch(/\{ source: "real", replicate: 10 \}/);
    expect(text).toMatch(/\{ source: "generated", replicate: 1 \}/);
    expect(text).toContain("66.7% generated");
    expect(text).toContain('preset: "symmetric_adainf"');
    expect(text).toContain("scale: [0.2, 1]");
    expect(text).toContain("steps: 100_000");
    expect(text).toContain("temperature: 0.2");
    // the second view of a symmetric preset shares the first view's ops
    expect(text).toMatch(/const view2: ViewIR = \{ name: "view2", ops: view1\.ops \};/);
  });

  it("byol_adainf: the two asymmetric views are written out separately", async () => {
    const dir = tsTempDir();
    await emitTs("pipelines/byol_adainf.adainf", dir);
    const text = readFileSync(join(dir, "byol_adainf.ts"), "utf8");
    expect(text).not.toContain("ops: view1.ops");
    expect(text.match(/op: "solarize", p: (0\.2|0),/g)).toEqual(['op: "solarize", p: 0,', 'op: "solarize", p: 0.2,']);
    expect(text).toContain("const method: BYOLIR = {");
    expect(text).toContain("const optimizer: LarsIR = {");
  });

  it("--set overrides land in the program, and the header names the command", async () => {
    const dir = tsTempDir();
    await emitTs("pipelines/quickstart.adainf", dir, ROOT, ["--set", "train.steps=12", "--set", "seed=7"]);
    const text = readFileSync(join(dir, "quickstart.ts"), "utf8");
    const value = await pipelineValue(text);
    expect(value.train.steps).toBe(12);
    expect(value.seed).toBe(7);
    expect(text).toContain("--set train.steps=12 --set seed=7");
  });
});

describe("compile --target ts: several pipelines, sweeps, names", () => {
  const SWEEP = `pipeline story from simclr {
  data {
    real = mnist(split = train, size = 1_000)
    generated = npz("gen.npz", size = 10_000, fid = 30, channels = rgb)
    eval = mnist(split = test)
  }
  model { backbone = convnet(channels = (8, 16)) }
  train { steps = 30; batch_size = 16 }
  sweep {
    axis inflation {
      none { inflate { real x 1 } }
      adainf { inflate { real x 10; generated x 1 } }
    }
    seed = [0, 1]
  }
}

pipeline other from byol {
  data {
    train = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = test)
  }
  inflate { train x 1 }
}
`;

  it("one program per sweep point and per pipeline; npm start runs them all in order", async () => {
    const proj = project({ "s.adainf": SWEEP });
    const out = join(proj, "out");
    const r = await emitTs("s.adainf", out, proj);
    const programs = ["story.inflation-none.seed-0", "story.inflation-none.seed-1", "story.inflation-adainf.seed-0", "story.inflation-adainf.seed-1", "other"];
    for (const p of programs) expect(r.out).toContain(`wrote out/${p}.ts`);
    const pkg = JSON.parse(readFileSync(join(out, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts["start"]).toBe(["tsc", ...programs.map((p) => `node ${p}.js`)].join(" && "));
    expect(pkg.scripts["start:other"]).toBe("tsc && node other.js");
    // each point program carries its point (the runtime keys its run directory on it)
    const irs = irOf("s.adainf", proj);
    for (const [i, p] of programs.entries()) {
      expect(await pipelineValue(readFileSync(join(out, `${p}.ts`), "utf8"))).toEqual(irs[i]);
    }
    // relative data paths are resolved against the folder compile ran in
    expect(readFileSync(join(out, "other.ts"), "utf8")).toContain('const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");');
    // a source named like a step (`train`) or a reserved word (`eval`) gets a fresh name
    expect(constNames(parseProgram(readFileSync(join(out, "other.ts"), "utf8"))).slice(0, 2)).toEqual(["trainSource", "evalSource"]);
    expect(typeErrors(out)).toEqual([]);
  });

  it("odd view and source names become fresh identifiers; the values keep the names", async () => {
    const text = `pipeline odd from byol {
  data {
    ViewIR = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = test)
  }
  inflate { ViewIR x 1 }
  augment {
    view "my view" {
      random_resized_crop(scale = 0.2..1.0)
      horizontal_flip(p = 0.5)
    }
    view ViewIR {
      random_resized_crop(scale = 0.3..1.0)
    }
  }
}
`;
    const proj = project({ "odd.adainf": text });
    const out = join(proj, "out");
    await emitTs("odd.adainf", out, proj);
    const program = readFileSync(join(out, "odd.ts"), "utf8");
    const names = constNames(parseProgram(program));
    expect(names.slice(0, 2)).toEqual(["ViewIRSource", "evalSource"]);
    expect(names).toContain("myView");
    expect(names).toContain("ViewIRView");
    expect(await pipelineValue(program)).toEqual(irOf("odd.adainf", proj)[0]);
    expect(typeErrors(out)).toEqual([]);
  });

  it("--pipeline picks one", async () => {
    const proj = project({ "s.adainf": SWEEP });
    const r = await emitTs("s.adainf", "out", proj, ["--pipeline", "other"]);
    expect(r.out.trim().split("\n")).toEqual(["wrote out/other.ts", "wrote out/package.json", "wrote out/tsconfig.json"]);
  });

  it("recompiling replaces its own unedited files; an edited file or one it did not write is refused, --force overwrites", async () => {
    const proj = project({ "s.adainf": SWEEP });
    const compile = (...extra: string[]) => cli(["compile", "s.adainf", "--target", "ts", "--pipeline", "other", "-o", "out", ...extra], proj);
    expect((await compile()).code).toBe(0);
    const read = (f: string): string => readFileSync(join(proj, "out", f), "utf8");
    // the marker, in each file's own syntax; the JSON files stay JSON
    expect(read("other.ts")).toMatch(/^\/\/ adainfc output sha256 [0-9a-f]{16}: once edited, compiling again refuses to replace it without --force\n/);
    expect(read("other.ts").split("\n")[1]).toMatch(/^\/\/ other: a pipeline compiled to a standalone program by/);
    for (const f of ["package.json", "tsconfig.json"]) expect((JSON.parse(read(f)) as Record<string, string>)["//"]).toMatch(/^adainfc output sha256 /);
    // unedited: replaced without a word, by the new text
    const again = await compile("--set", "train.steps=7");
    expect(again.code).toBe(0);
    expect(again.err).toBe("");
    expect(read("other.ts")).toContain("steps: 7,");
    // edited: refused, nothing written (other.ts keeps the edit, package.json is as it was)
    writeFileSync(join(proj, "out/other.ts"), read("other.ts").replace("steps: 7,", "steps: 9,"));
    const pkg = read("package.json");
    const edited = await compile("--set", "train.steps=8");
    expect(edited.code).toBe(1);
    expect(edited.err).toBe(
      "error: out/other.ts was edited since adainfc compile wrote it: nothing was written; pass --force to overwrite, or choose another -o\n",
    );
    expect(edited.out).toBe("");
    expect(read("other.ts")).toContain("steps: 9,");
    expect(read("package.json")).toBe(pkg);
    // --force overwrites
    expect((await compile("--set", "train.steps=8", "--force")).code).toBe(0);
    expect(read("other.ts")).toContain("steps: 8,");
    // a file adainfc did not write (or whose marker is gone) is refused the same way
    writeFileSync(join(proj, "out/tsconfig.json"), '{ "compilerOptions": { "strict": true } }\n');
    const foreign = await compile();
    expect(foreign.code).toBe(1);
    expect(foreign.err).toBe(
      "error: out/tsconfig.json was not written by adainfc compile (it has no marker line): nothing was written; pass --force to overwrite, or choose another -o\n",
    );
    expect((await compile("--force")).code).toBe(0);
    expect(typeErrors(join(proj, "out"))).toEqual([]);
  });

  it("usage errors: no -o, --devices; compile errors write nothing", async () => {
    const noOut = await cli(["compile", "pipelines/quickstart.adainf", "--target", "ts"]);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toContain("--target ts needs -o <dir>");
    const devices = await cli(["compile", "pipelines/quickstart.adainf", "--target", "ts", "-o", tsTempDir(), "--devices", "2"]);
    expect(devices.code).toBe(2);
    const proj = project({ "bad.adainf": "pipeline p from simclr { train { steps = -1 } }\n" });
    const bad = await cli(["compile", "bad.adainf", "--target", "ts", "-o", "out"], proj);
    expect(bad.code).toBe(1);
    expect(existsSync(join(proj, "out"))).toBe(false);
  });

  it("unknown targets list ts", async () => {
    const r = await cli(["compile", "pipelines/quickstart.adainf", "--target", "rust", "-o", tsTempDir()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("available: ir, solo-learn, ts");
  });
});
