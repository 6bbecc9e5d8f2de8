// Resolver diagnostics from compiling small pipelines in temp projects: unknown names with
// did-you-mean hints, duplicates (E012), ranges and types (E020/E021), --set overrides,
// `use` imports (cycles, paths and symlinks escaping the project), npz sizes from headers.
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import { BASE, codes, compileText, project } from "../helpers.js";

const withBody = (body: string) => BASE.replace("\n}\n", `\n${body}\n}\n`);

describe("resolve: names", () => {
  it("suggests the closest preset for an unknown one", () => {
    const out = compileText(withBody("  augment = symetric_adainf"));
    const d = out.diagnostics.find((x) => x.code === "E010")!;
    expect(d.message).toBe("unknown augmentation preset 'symetric_adainf'");
    expect(d.hint).toBe("did you mean 'symmetric_adainf'?");
    expect(d.span).toMatchObject({ file: "p.adainf", line: 6, column: 13 });
  });

  it("suggests settings, sources, recipes and enum values", () => {
    expect(compileText(withBody("  train { stepz = 5 }")).diagnostics[0]!.hint).toBe("did you mean 'steps'?");
    expect(compileText(withBody("  inflate { rael x 2 }")).diagnostics[0]!.hint).toBe("did you mean 'real'?");
    expect(compileText(BASE.replace("from simclr", "from simcrl")).diagnostics[0]!.hint).toBe("did you mean 'simclr'?");
    expect(compileText(BASE.replace("split = test", "split = tset")).diagnostics[0]!.hint).toBe("did you mean 'test'?");
  });

  it("says which method takes a field the chosen method does not", () => {
    const out = compileText(withBody("  model.method.queue_size = 100"));
    expect(out.diagnostics[0]).toMatchObject({ code: "E023", message: "simclr does not take 'queue_size'" });
    expect(out.diagnostics[0]!.hint).toContain("mocov2plus");
  });

  it("reports duplicate declarations", () => {
    const out = compileText(`${BASE}\n${BASE}`);
    expect(codes(out)).toContain("E012");
  });

  it("a setting, a source or a block given twice in one block is E012 at the second; dotted keys beside a block are not", () => {
    const out = compileText(
      withBody("  seed = 1\n  seed = 2\n  train {\n    steps = 10\n  }\n  train {\n    batch_size = 8\n  }\n  train.steps = 20\n  model.backbone = convnet()"),
    );
    const e012 = out.diagnostics.filter((d) => d.code === "E012");
    expect(e012.map((d) => d.message)).toEqual(["'seed' is given twice in this block", "'train' is given twice in this block"]);
    expect(e012[1]!.hint).toBe("write one 'train' block with both blocks' settings");
    expect(e012[0]!.hint).toMatch(/^remove one of them \(the first is on line \d+\)$/);
    // `train.steps = 20` beside `train { ... }` and `model.backbone = ...` merge as before
    expect(out.diagnostics.filter((d) => d.code !== "E012" && d.severity === "error")).toEqual([]);
  });

  it("a source whose shape is not known yet (npz not made) is not compared: no '0 channels' error", () => {
    const out = compileText(
      'pipeline p from simclr {\n  data {\n    real = npz("not-yet.npz", origin = real, classes = 10)\n    generated = npz("gen-not-yet.npz", fid = 5)\n    eval = mnist(split = test, size = 100)\n  }\n  inflate {\n    real x 1\n    generated x 1\n  }\n}\n',
    );
    expect(out.diagnostics.filter((d) => /channels/.test(d.message))).toEqual([]);
    const mixed = compileText(
      'pipeline p from simclr {\n  data {\n    real = mnist(split = train, size = 100)\n    eval = cifar10("c", split = test)\n  }\n  inflate {\n    real x 1\n  }\n}\n',
    );
    expect(mixed.diagnostics.map((d) => d.message)).toContain("source 'eval' has 3 channels but 'real' has 1");
  });

  it("an unknown key in output, train, evaluate or seed is an E011 at the key, from the file or --set: nothing written is dropped unread", () => {
    const unknown = (body: string, overrides: string[] = []) =>
      compileText(withBody(body), overrides).diagnostics.map((d) => [d.code, d.message, d.hint, d.span?.file]);
    expect(unknown('  output { dirr = "x" }')).toEqual([["E011", "output has no setting 'dirr'", "did you mean 'dir'?", "p.adainf"]]);
    expect(unknown('  output.directory = "x"')).toEqual([
      ["E011", "output has no setting 'directory'", "expected one of: dir, checkpoint_every, keep", "p.adainf"],
    ]);
    expect(unknown("", ["output.dirr=x"])).toEqual([["E011", "output has no setting 'dirr'", "did you mean 'dir'?", "--set #1"]]);
    expect(unknown("  output.keep.x = 1")).toEqual([["E011", "'keep' has no fields to set", "write keep = <value>", "p.adainf"]]);
    expect(unknown("  train { batch_sise = 4 }")).toEqual([["E011", "train has no setting 'batch_sise'", "did you mean 'batch_size'?", "p.adainf"]]);
    expect(unknown("  seed.x = 1")).toEqual([["E011", "'seed' has no fields to set", "write seed = <value>", "p.adainf"]]);
    expect(unknown("  evaluate.linear_probe.epochs = 3").map((d) => d[0])).toEqual(["E020"]);
    expect(unknown("  lint = 3").map((d) => d[0])).toEqual(["E020"]);
    expect(compileText(withBody('  output { dir = "elsewhere" }')).pipelines[0]!.ir.output.dir).toBe("elsewhere");
    // A dataset declaration's settings are plain values too: at the field after the dot.
    const dataset = `dataset d {\n  format = cifar10\n  shape = (32, 32, 3)\n  classes = 10\n  train_size.x = 50_000\n  test_size = 10_000\n  mean = (0.5, 0.5, 0.5)\n  std = (0.25, 0.25, 0.25)\n}\n${BASE}`;
    expect(compileText(dataset).diagnostics.map((d) => [d.code, d.message, d.hint, d.span?.line, d.span?.column])).toEqual([
      ["E011", "'train_size' has no fields to set", "write train_size = <value>", 5, 14],
    ]);
  });

  it("a view name given twice in one preset is E012 at the second name (dotted keys address views by name)", () => {
    const out = compileText(`augment a4 { view v1 { grayscale(p = 0.3) } view v1 { equalize(p = 0.4) } }\n${BASE.replace("\n}\n", "\n  augment = a4\n}\n")}`);
    expect(out.diagnostics.map((d) => [d.code, d.message, d.span?.line, d.span?.column])).toEqual([
      ["E012", "view 'v1' is already defined at p.adainf:1:14", 1, 50],
    ]);
  });

  it("a source that fails to resolve brings no follow-on E022 (nothing to train on) or E030 (no evaluation source)", () => {
    const only = (text: string) => compileText(text).diagnostics.map((d) => d.code);
    expect(only(BASE.replace('cifar10("datasets/cifar10", split = train)', 'cifar100x("d", split = train)'))).toEqual(["E010"]);
    expect(only(BASE.replace("split = train", "split = val"))).toEqual(["E021"]);
    expect(only(withBody("  evaluate { source = nope }"))).toEqual(["E030"]);
    expect(compileText(withBody("  evaluate { source = nope }")).diagnostics[0]!.message).toBe("evaluate.source must name a data source");
  });

  it("a builtin without parameters says so rather than listing none", () => {
    const d = compileText(withBody("  train { schedule = constant(warmup = 5 steps) }")).diagnostics;
    expect(d.map((x) => [x.code, x.message, x.hint])).toEqual([
      ["E011", "constant has no parameter 'warmup'", "constant takes no parameters: write constant()"],
    ]);
  });

  it("reports a parameter given twice", () => {
    const out = compileText(withBody("  model { method = simclr(temperature = 0.1, temperature = 0.2) }"));
    expect(codes(out)).toEqual(["E012"]);
  });
});

describe("resolve: ranges and types", () => {
  it.each([
    ["  augment = symmetric with { color_jitter.p = 1.5 }", "E021", "color_jitter.p = 1.5 is out of range: it must be in [0, 1]"],
    ["  augment = symmetric with { color_jitter.hue = 0.6 }", "E021", "color_jitter.hue = 0.6 is out of range: it must be in [0, 0.5]"],
    [
      "  augment = symmetric with { random_resized_crop.scale = 0.5..0.2 }",
      "E021",
      "random_resized_crop.scale: the range 0.5..0.2 is empty (lower bound above upper bound)",
    ],
    [
      "  augment = symmetric with { random_resized_crop.scale = 0..1 }",
      "E021",
      "random_resized_crop.scale = 0..1 is out of range: both ends must be > 0 and <= 1",
    ],
    [
      "  augment = symmetric with { random_resized_crop.scale = 0.2..1.5 }",
      "E021",
      "random_resized_crop.scale = 0.2..1.5 is out of range: both ends must be > 0 and <= 1",
    ],
    ["  train { batch_size = 0 }", "E021", "train.batch_size = 0 is out of range: it must be >= 1"],
    ["  train { batch_size = 2.5 }", "E020", "train.batch_size expects a whole number, found 2.5"],
    ["  train { steps = -5 }", "E021", "train.steps = -5 is out of range: it must be a positive whole number"],
    // Whole numbers beyond 2^53 - 1 would be read as a neighbour: refused, not rounded.
    [
      "  seed = 9007199254740993",
      "E021",
      "seed = 9007199254740993 is out of range: whole numbers are kept exactly only up to 9_007_199_254_740_991 (2^53 - 1)",
    ],
    ["  train { steps = 1e20 }", "E021", "train.steps = 1e20 is out of range: whole numbers are kept exactly only up to 9_007_199_254_740_991 (2^53 - 1)"],
    ["  output { checkpoint_every = 0 steps }", "E021", "output.checkpoint_every = 0 is out of range: it must be a positive whole number"],
    ["  evaluate { knn(k = 5, every = 0 epochs) }", "E021", "knn.every = 0 is out of range: it must be a positive whole number"],
    ["  inflate { real x 0 }", "E021", "replication of real = 0 is out of range: it must be in [1, 1000000]"],
    ['  train { optimizer = lars(lr = "fast") }', "E020", 'lars.lr expects a number, found the string "fast"'],
    ["  seed = 1.5", "E020", "seed expects a whole number, found 1.5"],
    // A fraction where a whole number belongs is the wrong type, lengths included.
    ["  train { steps = 1.5 epochs }", "E020", "train.steps expects a whole number, found 1.5"],
    ['  data.real = npz("x.npz", size = 1.5, shape = (32, 32, 3))', "E020", "npz.size expects a whole number, found 1.5"],
    ["  evaluate { knn(k = 0) }", "E021", "knn.k = 0 is out of range: it must be >= 1"],
  ])("%s", (body, code, message) => {
    const out = compileText(withBody(body));
    expect(out.diagnostics.map((d) => [d.code, d.message])).toContainEqual([code, message]);
    expect(out.pipelines).toEqual([]);
    // Every range error comes with a hint (the bound, or what the value means).
    if (code === "E021") expect(out.diagnostics.find((d) => d.message === message)!.hint).toBeTruthy();
  });

  it("warns when the crop is larger than the images", () => {
    const out = compileText(withBody("  augment = symmetric with { random_resized_crop.size = 64 }"));
    // One warning at the one place that sets the size, naming both views it crops.
    expect(out.diagnostics.map((d) => [d.code, d.severity, d.message])).toEqual([
      ["W001", "warning", "views 'view1', 'view2' crop to 64x64 but 'real' images are 32x32: every view is upsampled"],
    ]);
    expect(out.pipelines).toHaveLength(1);
  });

  it("needs sizes to turn epochs into steps", () => {
    const out = compileText(`pipeline p from simclr {
  data {
    real = cifar10("d", split = train)
    gen = npz("g.npz")
    eval = cifar10("d", split = test)
  }
  train { schedule = warmup_cosine(warmup = 10 epochs) }
}`);
    expect(out.diagnostics[0]).toMatchObject({ code: "E031", message: "warmup is given in epochs, but the size of gen is unknown" });
  });

  it("turns epochs into steps with the inflated epoch size", () => {
    const out = compileText(withBody("  train { schedule = warmup_cosine(warmup = 2 epochs) }"));
    const ir = out.pipelines[0]!.ir;
    expect(ir.train.schedule).toMatchObject({ warmupSteps: 2 * Math.floor(50_000 / ir.train.batchSize) });
  });
});

describe("resolve: overrides", () => {
  it("applies --set after the file, with spans from the override", () => {
    const out = compileText(BASE, ["train.steps=500", "augment=symmetric_adainf", "train.optimizer.lr=0.3"]);
    expect(out.diagnostics).toEqual([]);
    const ir = out.pipelines[0]!.ir;
    expect(ir.train.steps).toBe(500);
    expect(ir.augment.preset).toBe("symmetric_adainf");
    expect(ir.train.optimizer.lr).toBe(0.3);
  });

  it("a bare --set value that is no expression is a string (output.dir=runs/x); whether it fits is checked as usual", () => {
    const out = compileText(BASE, ["output.dir=runs/x-1"]);
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(out.pipelines[0]!.ir.output.dir).toBe("runs/x-1");
    const bad = compileText(BASE, ["train.steps=5 6"]);
    expect(bad.diagnostics[0]).toMatchObject({ code: "E020" });
    expect(bad.diagnostics[0]!.message).toContain('found the string "5 6"');
  });

  it("a bare (dotted) name given to --set is a string where a string is expected, and stays a name where a name is", () => {
    for (const word of ["out", "README.md", "runs.x"]) {
      const out = compileText(BASE, [`output.dir=${word}`]);
      expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(out.pipelines[0]!.ir.output.dir).toBe(word);
    }
    // A preset and a choice are names: an unknown one is still refused with a suggestion.
    const preset = compileText(BASE, ["augment=out"]);
    expect(preset.diagnostics.map((d) => [d.code, d.message])).toEqual([["E010", "unknown augmentation preset 'out'"]]);
    expect(compileText(BASE, ["train.lr_scaling=sqrt"]).diagnostics.map((d) => d.code)).toEqual(["E021"]);
    expect(compileText(BASE, ["train.lr_scaling=linear"]).pipelines[0]!.ir.train.lrScaling.rule).toBe("linear");
    // A number where a string is expected is a number (an expression), so a mismatch.
    expect(compileText(BASE, ["output.dir=5"]).diagnostics[0]!.message).toBe("output.dir expects a string, found the number 5");
  });

  it("places a --set diagnostic in the argument as typed (--set #n), with the argument as its source", () => {
    const out = compileText(BASE, ["seed=1", "train.step=5"]);
    expect(out.diagnostics).toHaveLength(1);
    expect(out.diagnostics[0]).toMatchObject({
      code: "E011",
      message: "train has no setting 'step'",
      hint: "did you mean 'steps'?",
      span: { file: "--set #2", line: 1, column: 7, endLine: 1, endColumn: 11, start: 6, end: 10 },
    });
    expect(out.sources.get("--set #2")).toBe("train.step=5");
    // In a value read as a string (quoted inside), and in a call's argument.
    const str = compileText(BASE, ["train.steps=runs/x"]).diagnostics[0]!;
    expect(str.span).toMatchObject({ file: "--set #1", column: 13, endColumn: 19 });
    const arg = compileText(BASE, ["train.optimizer=sgd(lr = 0.1, wd = 2)"]).diagnostics[0]!;
    expect(arg).toMatchObject({ code: "E011", hint: "did you mean 'lr'?", span: { file: "--set #1", column: 31, endColumn: 33 } });
    // Arguments' diagnostics come after the file's, in the arguments' order.
    const two = compileText(withBody("  seed = x"), ["output.keep=abc", "output.checkpoint_every=yes"]);
    expect(two.diagnostics.map((d) => d.span?.file)).toEqual(["p.adainf", "--set #1", "--set #2"]);
  });

  it("reports a bad --set without a stack trace, at the argument as typed", () => {
    const out = compileText(BASE, ["train.steps"]);
    expect(out.diagnostics[0]).toMatchObject({ code: "E002", message: "--set train.steps: expected key=value" });
    expect(out.diagnostics[0]!.span).toMatchObject({ file: "--set #1", line: 1, column: 1, start: 0, end: 11 });
    // A value that is not one setting: at the parser's place in the argument.
    const two = compileText(BASE, ["seed=1", 'train.steps=5 "x']);
    expect(two.diagnostics[0]).toMatchObject({ code: "E002" });
    expect(two.diagnostics[0]!.span?.file).toBe("--set #2");
    // Nothing after '=': said so, at the '=' (no brace the user never typed).
    const empty = compileText(BASE, ["train.steps="]);
    expect(empty.diagnostics.map((d) => [d.code, d.message])).toEqual([["E002", "--set train.steps=: no value after '='"]]);
    expect(empty.diagnostics[0]!.span).toMatchObject({ file: "--set #1", start: 11, end: 12 });
  });

  it("overrides one view of an asymmetric preset", () => {
    const out = compileText(withBody("  augment = asymmetric with { view2.solarize.p = 0.3 }"));
    const views = out.pipelines[0]!.ir.augment.views;
    expect(views.map((v) => v.ops.find((o) => o.op === "solarize"))).toEqual([
      { op: "solarize", p: 0, threshold: 128 },
      { op: "solarize", p: 0.3, threshold: 128 },
    ]);
  });

  it("makes a symmetric preset asymmetric when one view changes", () => {
    const out = compileText(withBody("  augment = symmetric with { view1.grayscale.p = 0 }"));
    expect(out.pipelines[0]!.ir.augment.symmetric).toBe(false);
  });

  it("accepts inline augmentations and 1-channel data", () => {
    const out = compileText(`pipeline m from simclr {
  data {
    real = mnist(split = train)
    eval = mnist(split = test)
  }
  augment {
    view x 2 {
      random_resized_crop(scale = 0.5..1.0)
      horizontal_flip(p = 0.5)
    }
  }
  model { backbone = convnet(channels = (16, 32)) }
}`);
    expect(out.diagnostics).toEqual([]);
    const ir = out.pipelines[0]!.ir;
    expect(ir.augment.views[0]!.ops).toEqual([
      { op: "random_resized_crop", size: 28, scale: [0.5, 1], ratio: [0.75, 4 / 3], interpolation: "bicubic" },
      { op: "horizontal_flip", p: 0.5 },
      { op: "normalize", mean: [0.1307], std: [0.3081] },
    ]);
    expect(ir.model.backbone).toEqual({ name: "convnet", channels: [16, 32], featureDim: 128, batchNorm: true });
    expect(ir.data.sources[0]).toMatchObject({ format: "mnist", path: null, size: 7996 });
  });
});

describe("resolve: imports", () => {
  it("imports presets from a relative file", () => {
    const dir = project({
      "common/aug.adainf": "augment mine = symmetric with { grayscale.p = 0.1 }\n",
      "p.adainf": `use "./common/aug.adainf"\n${BASE.replace("\n}\n", "\n  augment = mine\n}\n")}`,
    });
    const out = compileFileSync("p.adainf", { cwd: dir });
    expect(out.diagnostics).toEqual([]);
    expect(out.pipelines[0]!.ir.augment.preset).toBe("mine");
  });

  it("inherits a recipe of a file imported `as c` (`from c.base`), as it takes its presets (`c.mine`)", () => {
    const dir = project({
      "common/base.adainf": `augment mine = symmetric with { grayscale.p = 0.1 }\n${BASE.replace("pipeline p from simclr {", "recipe base from simclr {\n  seed = 7")}`,
      "p.adainf": 'use "./common/base.adainf" as c\npipeline p from c.base {\n  augment = c.mine\n}\n',
    });
    const out = compileFileSync("p.adainf", { cwd: dir });
    expect(out.diagnostics).toEqual([]);
    const ir = out.pipelines[0]!.ir;
    expect(ir.seed).toBe(7);
    expect(ir.data.sources.map((s) => s.name)).toEqual(["real", "eval"]);
    expect(ir.augment.preset).toBe("c.mine");
    // an unknown one is E010 on the whole dotted name, with the aliased recipe as the suggestion
    const bad = project({
      "common/base.adainf": BASE.replace("pipeline p", "recipe base"),
      "p.adainf": 'use "./common/base.adainf" as c\npipeline p from c.bsae {}\n',
    });
    const e = compileFileSync("p.adainf", { cwd: bad }).diagnostics;
    expect(e.map((d) => [d.code, d.message, d.span!.column, d.span!.endColumn])).toEqual([["E010", "unknown recipe 'c.bsae'", 17, 23]]);
    expect(e[0]!.hint).toContain("c.base");
  });

  it("reports import cycles with the chain", () => {
    const dir = project({ "a.adainf": 'use "./b.adainf"\n', "b.adainf": 'use "./a.adainf"\n' });
    const out = compileFileSync("a.adainf", { cwd: dir });
    expect(out.diagnostics[0]).toMatchObject({ code: "E014", message: "import cycle: a.adainf -> b.adainf -> a.adainf" });
  });

  it("refuses paths that escape the project", () => {
    const dir = project({ "p.adainf": 'use "../../etc/passwd"\n' });
    const out = compileFileSync("p.adainf", { cwd: dir });
    expect(codes(out)).toEqual(["E015"]);
  });

  it("refuses a symlink inside the project that points outside it (the real path counts)", () => {
    const outside = project({ "secret.adainf": "preset augment leak {}\n" });
    const dir = project({ "p.adainf": 'use "./link.adainf"\n' });
    symlinkSync(join(outside, "secret.adainf"), join(dir, "link.adainf"));
    const out = compileFileSync("p.adainf", { cwd: dir });
    expect(codes(out)).toEqual(["E015"]);
    // a link that stays inside is fine
    const ok = project({ "p.adainf": 'use "./link.adainf"\n', "real.adainf": "" });
    symlinkSync(join(ok, "real.adainf"), join(ok, "link.adainf"));
    expect(codes(compileFileSync("p.adainf", { cwd: ok }))).toEqual([]);
  });

  it("reports a missing import and an unknown std module", () => {
    const dir = project({ "p.adainf": 'use "./nope.adainf"\nuse std.augmnt\nuse std.augment.symmetrik\n' });
    const out = compileFileSync("p.adainf", { cwd: dir });
    expect(out.diagnostics.map((d) => [d.code, d.hint ?? ""])).toEqual([
      ["E013", "paths in `use` are relative to the importing file"],
      ["E013", "did you mean 'augment'?"],
      ["E010", "did you mean 'symmetric'?"],
    ]);
  });

  it("reports a missing entry file cleanly", () => {
    const dir = project({});
    const out = compileFileSync("missing.adainf", { cwd: dir });
    // E005 (the file given, not a `use`), at line 1 so that SARIF and editors have a place.
    expect(out.diagnostics[0]).toMatchObject({ code: "E005", message: "cannot read missing.adainf: no such file or folder", span: { line: 1, column: 1 } });
  });

  it("names the cause of an entry or import it cannot reach (a symlink loop), not 'no such file'", () => {
    const dir = project({ "p.adainf": 'use "./loop.adainf"\n' });
    symlinkSync("loop.adainf", join(dir, "loop.adainf"));
    const entry = compileFileSync("loop.adainf", { cwd: dir });
    expect(entry.diagnostics[0]).toMatchObject({ code: "E005", message: "cannot read loop.adainf: too many symbolic links (a loop?)" });
    const imported = compileFileSync("p.adainf", { cwd: dir });
    expect(imported.diagnostics.map((d) => [d.code, d.message])).toEqual([["E013", "cannot read loop.adainf: too many symbolic links (a loop?)"]]);
  });

  it("detects recipe inheritance cycles", () => {
    const out = compileText(`recipe a from b { seed = 1 }\nrecipe b from a { seed = 2 }\n${BASE.replace("from simclr", "from a")}`);
    expect(codes(out)).toContain("E014");
  });

  it("a cycle of augmentation presets is one E014, whichever of them a pipeline names", () => {
    const presets = "augment a1 = a2 with { strength = 0.5 }\naugment a2 = a1\n";
    for (const used of ["a1", "a2"]) {
      const out = compileText(`${presets}${BASE.replace("\n}\n", `\n  augment = ${used}\n}\n`)}`);
      expect(out.diagnostics.map((d) => [d.code, d.message, d.span?.line])).toEqual([
        ["E014", "augmentation presets refer to each other in a cycle: a1 -> a2 -> a1", 2],
      ]);
    }
  });
});

describe("resolve: npz headers", () => {
  it("takes an npz's size and shape from its headers when they are not declared", async () => {
    const { NpzImageWriter } = await import("../../src/runtime/data/npz-writer.js");
    const dir = project({
      "p.adainf": `pipeline p from simclr {
  data {
    real = mnist(split = train)
    gen = npz("gen.npz")
    eval = mnist(split = test)
  }
  inflate { real x 10; gen x 1 }
  model { backbone = convnet }
}`,
    });
    const w = NpzImageWriter.create(join(dir, "gen.npz"), { count: 100, shape: [28, 28, 1] });
    for (let i = 0; i < 100; i++) w.append(new Uint8Array(28 * 28).fill(i));
    w.finish();
    const out = compileFileSync("p.adainf", { cwd: dir });
    expect(out.diagnostics).toEqual([]);
    const ir = out.pipelines[0]!.ir;
    expect(ir.data.sources[1]).toMatchObject({ size: 100, shape: [28, 28, 1] });
    expect(ir.train.epochSize).toBe(79_960 + 100);
  });
});
