// Defects found by an audit of `adainfc import solo-learn` against what Hydra and
// OmegaConf (2.2, its YAML loader and grammar) make of the same files: YAML scalars read
// as YAML 1.1 with OmegaConf's float rule (`100_000`, `yes`, `010` is 8), YAML merge keys
// and aliases (one inside its own anchor, a merge key of no mapping: errors at their line), `???` at a key the import reads, a chain of over 100 interpolations
// (its error at the key read, whatever the order of the keys), and an invalid
// interpolation in any value (OmegaConf refuses the file when it loads it).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveInterpolations } from "../../src/emit/import/interpolate.js";
import { Unresolved, type YamlMap } from "../../src/emit/import/read-config.js";
import { cli } from "../helpers.js";
import { edit, irOf, lineOf, placeOf, REFERENCE_STYLE, referenceProject } from "./import-fixtures.js";

const run = (dir: string, out = "p.adainf") => cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", out], dir);

describe("import solo-learn: YAML read as OmegaConf's loader reads it (YAML 1.1)", () => {
  it("100_000, yes/off/on, 010 (octal) and 1e-4 are the numbers and booleans OmegaConf reads", async () => {
    const config = edit(
      REFERENCE_STYLE,
      [
        "max_steps: 100000",
        "max_steps: 100_000\nseed: 010\nauto_resume:\n  enabled: on\ncheckpoint:\n  dir: runs/s${max_steps}-wd${optimizer.weight_decay}-${optimizer.kwargs.clip_lr}",
      ],
      ["    clip_lr: True", "    clip_lr: yes"],
      ["    exclude_bias_n_norm: True", "    exclude_bias_n_norm: off"],
    );
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    expect(ir.train.steps).toBe(100_000);
    expect(ir.seed).toBe(8);
    expect(ir.train.optimizer).toMatchObject({ clipLr: true, excludeBiasAndNorm: false, weightDecay: 1e-4 });
    // str() of what OmegaConf read: 100000, 0.0001, True
    expect(ir.output.dir).toBe("runs/s100000-wd0.0001-True");
    // `on` is true: auto-resume is said
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(config, "enabled: on")}: auto_resume.enabled: true has no setting`);
  });

  it("y, 0o10, -.5 and a date stay text, 1_0.5e-1 and !!float 2 are floats, as PyYAML makes them", async () => {
    const config = edit(REFERENCE_STYLE, [
      'name: "simclr-cifar10-only-stf" # change here for cifar100',
      "name: ${a}-${b}-${c}-${d}-${e}\na: y\nb: 0o10\nc: -.5\nd: 2024-01-02\ne: 1_0.5e-1\ncheckpoint:\n  dir: runs/${f}\nf: !!float 2",
    ]);
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.code).toBe(0);
    // y, 0o10, -.5 and the date are strings; 1_0.5e-1 is the float 1.05
    // (the name's `--` is one dash: a name of the language has single dashes inside)
    expect(irOf("p.adainf", dir).name).toBe("y-0o10-_5-2024-01-02-1_05");
    // !!float 2 is the float 2.0
    expect(irOf("p.adainf", dir).output.dir).toBe("runs/2.0");
  });

  it("a merge key (<<: *anchor) merges the anchored mapping; its keys' errors are at the anchor's lines", async () => {
    const config =
      `${edit(REFERENCE_STYLE, ["  kwargs:\n    clip_lr: True\n    eta: 0.02\n    exclude_bias_n_norm: True", "  kwargs:\n    <<: *lars_kwargs\n    eta: 0.02"]).trimEnd()}\n`.replace(
        "defaults:",
        "lars_defaults:\n  kwargs: &lars_kwargs\n    clip_lr: True\n    eta: 0.5\n    exclude_bias_n_norm: True\ndefaults:",
      );
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
    expect(irOf("p.adainf", dir).train.optimizer).toMatchObject({ clipLr: true, excludeBiasAndNorm: true, eta: 0.02 });
    const bad = config.replace("    clip_lr: True\n    eta: 0.5", '    clip_lr: "sure"\n    eta: 0.5');
    const r2 = await run(referenceProject(bad));
    expect(r2.err).toBe(`error: cfg/simclr.yaml:${placeOf(bad, 'clip_lr: "sure"')}: optimizer.kwargs.clip_lr must be true or false, found "sure"\n`);
  });

  it("an alias before its anchor, and aliases that expand without end, are one-line errors at their line", async () => {
    const early = `x: *later\n${REFERENCE_STYLE}later: &later 1\n`;
    const r = await run(referenceProject(early));
    expect(r.code).toBe(1);
    // the YAML library's errors are placed at line and column
    expect(r.err).toMatch(/^error: cfg\/simclr\.yaml:1:4: not valid YAML: .*later.*\n$/);
    const laughs = `${REFERENCE_STYLE}${["l0: &l0 [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 9 }, (_, i) => `l${i + 1}: &l${i + 1} [*l${i}, *l${i}, *l${i}, *l${i}, *l${i}, *l${i}, *l${i}, *l${i}, *l${i}, *l${i}]`)].join("\n")}\n`;
    const start = Date.now();
    const r2 = await run(referenceProject(laughs));
    expect(Date.now() - start).toBeLessThan(20_000);
    expect(r2.code).toBe(1);
    expect(r2.err).not.toContain("internal error");
    expect(r2.err).toMatch(/^error: cfg\/simclr\.yaml:\d+:\d+: not valid YAML: .*alias.*\n$/);
    expect(r2.err.split("\n")).toHaveLength(2);
  });

  it("an alias inside its own anchor is an error at its line, not a walk without end", async () => {
    for (const [what, tail] of [
      ["list", "loop: &loop [1, *loop]\n"],
      ["mapping", "loop: &loop\n  inner:\n    again: *loop\n"],
      ["merge key", "loop: &loop\n  x: 1\n  <<: *loop\n"],
    ]) {
      const config = `${REFERENCE_STYLE}${tail}`;
      const start = Date.now();
      const r = await run(referenceProject(config));
      expect(Date.now() - start, what).toBeLessThan(20_000);
      expect(r.code, what).toBe(1);
      const lines = config.split("\n");
      const line = lines.findIndex((l) => l.includes("*loop")) + 1;
      const col = lines[line - 1]!.indexOf("*loop") + 1;
      expect(r.err, what).toBe(
        `error: cfg/simclr.yaml:${line}:${col}: not valid YAML: the alias *loop is inside the node its anchor &loop names (it would hold itself)\n`,
      );
    }
  });

  it("a merge key of no mapping is an error at its own line (not at an earlier, valid merge key's, nor without a line)", async () => {
    const config = `${REFERENCE_STYLE}base: &base\n  x: 1\ngood:\n  <<: *base\nbad:\n  <<: 3\n`;
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: cfg/simclr.yaml:${lineOf(config, "<<: 3")}:3: not valid YAML: a merge key (<<) takes a mapping, or an alias (*name) of a mapping anchored above it\n`,
    );
  });
});

describe("import solo-learn: OmegaConf's ??? and the limits of interpolation", () => {
  it("??? at a key the import reads is an error there (OmegaConf raises MissingMandatoryValue); elsewhere none", async () => {
    const config = edit(REFERENCE_STYLE, ["  train_path: ../datasets/CIFAR10", "  train_path: ???"]);
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(config, "train_path:")}: data.train_path is ??? (OmegaConf's missing value, to be given on the command line): write the value\n`,
    );
    const name = edit(REFERENCE_STYLE, ['name: "simclr-cifar10-only-stf" # change here for cifar100', "name: '???'"]);
    expect((await run(referenceProject(name))).err).toContain(`cfg/simclr.yaml:${placeOf(name, "name:")}: name is ???`);
    const unread = `${REFERENCE_STYLE}wandb:\n  entity: ???\n`;
    expect((await run(referenceProject(unread))).code).toBe(0);
  });

  it("a chain of over 100 interpolations is an error at the key read, whatever the order of the keys; shorter chains inside it resolve", () => {
    const chain = (n: number) => Object.fromEntries(Array.from({ length: n + 1 }, (_, i) => [`c${i}`, i === 0 ? 7 : `\${c${i - 1}}`]));
    const forward = chain(150);
    const backward = Object.fromEntries(Object.entries(forward).reverse());
    for (const config of [forward, backward]) {
      const c = resolveInterpolations(config, { env: {}, isFloat: () => false, alias: () => {} });
      expect(c["c100"]).toBe(7);
      expect(c["c50"]).toBe(7);
      const top = c["c150"];
      expect(top).toBeInstanceOf(Unresolved);
      expect((top as Unresolved).key).toBe("c150");
      expect((top as Unresolved).message).toMatch(/^c150: "\$\{c149\}": more than 100 interpolations lead to one another \(c150 -> c149 -> c148 -> \.\.\.\)$/);
    }
  });

  it("a reversed chain of 30,000 keys finishes quickly", () => {
    const n = 30_000;
    const config = Object.fromEntries(Array.from({ length: n + 1 }, (_, i) => [`c${n - i}`, n - i === 0 ? 1 : `\${c${n - i - 1}}`]));
    const start = Date.now();
    const c = resolveInterpolations(config, { env: {}, isFloat: () => false, alias: () => {} });
    expect(Date.now() - start).toBeLessThan(10_000);
    expect(c["c99"]).toBe(1);
    expect(c[`c${n}`]).toBeInstanceOf(Unresolved);
  });
});

describe("import solo-learn: an interpolation OmegaConf cannot parse fails wherever it is", () => {
  it("in a key the import does not read (OmegaConf refuses the file when it loads it): at its line", async () => {
    const config = `${REFERENCE_STYLE}hydra:\n  run:\n    dir: outputs/\${now:%Y-%m-%d\n`;
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(config, "dir: outputs")}: hydra.run.dir: "outputs/\${now:%Y-%m-%d" is not a valid interpolation: '\${' is not closed at character 9\n`,
    );
  });

  it("what OmegaConf's grammar accepts still loads: a resolver with no name, text after }, escapes", async () => {
    const config = `${REFERENCE_STYLE}extra_keys:\n  a: \${:x}\n  b: \${data.dataset}}\n  c: \\\${not closed\n  d: $\${x}\n`;
    const r = await run(referenceProject(config));
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
  });

  it("${:} and ${:a b} (a resolver without a name, arguments OmegaConf's parser refuses) fail the file", async () => {
    const config = `${REFERENCE_STYLE}extra_keys:\n  a: \${:a b}\n`;
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: cfg/simclr.yaml:${lineOf(config, "a: ${:a b}")}:3: extra_keys.a: "\${:a b}" is not a valid interpolation: a resolver without a name at character 1\n`,
    );
  });

  it("lists nested without end in an argument are an error at their line, not a stack overflow", async () => {
    const config = `${REFERENCE_STYLE}junk: \${oc.select:nope,${"[".repeat(20_000)}${"]".repeat(20_000)}}\n`;
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: cfg\/simclr\.yaml:\d+:1: junk: ".*" is not a valid interpolation: more than 100 interpolations, lists or mappings nested in one another at character 117\n$/,
    );
  });

  it("an unquoted argument keeps the spaces before an interpolation and may hold ? and |", () => {
    const c = resolveInterpolations({ d: "cifar10", a: "${oc.env:NOPE,simclr ${d} run}", b: "${oc.env:NOPE,a|b?c}" } as YamlMap, {
      env: {},
      isFloat: () => false,
      alias: () => {},
    });
    expect(c["a"]).toBe("simclr cifar10 run");
    expect(c["b"]).toBe("a|b?c");
  });

  it("oc.decode of a value with spaces around it is that text (OmegaConf 2.2), and of a list with spaces an error", () => {
    const decode = (v: string) =>
      resolveInterpolations({ k: "${oc.decode:${oc.env:V}}" } as YamlMap, { env: { V: v }, isFloat: () => false, alias: () => {} })["k"];
    expect(decode("0.3")).toBe(0.3);
    expect(decode(" 0.3")).toBe(" 0.3");
    expect(decode("0.3 ")).toBe("0.3 ");
    expect(decode(" [1, 2]")).toBeInstanceOf(Unresolved);
    expect(decode("")).toBeInstanceOf(Unresolved);
  });

  it("oc.decode reads a mapping's keys as OmegaConf's grammar does: no quotes in a key", () => {
    const c = resolveInterpolations({ ok: "${oc.decode:'{a: 1, b-c: 2}'}", bad: "${oc.decode:\"{'a': 1}\"}" } as YamlMap, {
      env: {},
      isFloat: () => false,
      alias: () => {},
    });
    expect(c["ok"]).toEqual({ a: 1, "b-c": 2 });
    expect(c["bad"]).toBeInstanceOf(Unresolved);
    expect((c["bad"] as Unresolved).message).toContain("oc.decode cannot read");
  });
});

describe("import solo-learn: a defaults entry whose option YAML 1.1 reads as a boolean", () => {
  it("knn@knn_eval: on is true, as Hydra reads it, not on.yaml: a note says to quote it", async () => {
    const config = edit(REFERENCE_STYLE, ["  - wandb: private.yaml", "  - wandb: private.yaml\n  - knn@knn_eval: on"]);
    const r = await run(referenceProject(config));
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(config, "- knn@knn_eval:")}: defaults: 'knn@knn_eval' selects true, not a config name (YAML 1.1, as Hydra reads it, makes on/off/yes/no booleans: quote the name); skipped\n`,
    );
  });
});

describe("import solo-learn: a name with dashes in a row", () => {
  it("name: simclr--cifar10 imports as simclr-cifar10 (it was an internal error: the text did not parse)", async () => {
    const config = edit(REFERENCE_STYLE, ['name: "simclr-cifar10-only-stf" # change here for cifar100', 'name: "simclr--cifar10---x-"']);
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.err).not.toContain("internal error");
    expect(r.code).toBe(0);
    expect(irOf("p.adainf", dir).name).toBe("simclr-cifar10-x");
  });
});

describe("import solo-learn: the audit's real configs", () => {
  it("the imported pipeline of the fork's simclr.yaml keeps its values through interpolations", async () => {
    const config = edit(
      REFERENCE_STYLE,
      ["  batch_size: 256", "  batch_size: ${oc.decode:'256'}"],
      ["  classifier_lr: 0.05", "  classifier_lr: ${oc.select:optimizer.head_lr,0.05}"],
    );
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    // 256 per GPU x 2 GPUs; lr 0.2 and classifier_lr 0.05 scaled by 512 / 256
    expect(ir.train).toMatchObject({ batchSize: 512, devices: 2, optimizer: { lr: 0.4 } });
    expect(ir.evaluate.onlineLinear?.lr).toBe(0.1);
    // the fork's warm-up: 10 epochs x max_steps / compute_warm_step_epoch
    expect(ir.train.schedule).toMatchObject({ name: "warmup_cosine", warmupSteps: 1000 });
    expect(readFileSync(join(dir, "p.adainf"), "utf8")).toContain("pipeline simclr-cifar10-only-stf from simclr {");
  });
});

describe("import solo-learn: the string None where solo-learn's omegaconf_select reads None", () => {
  it("val_path: None evaluates where no val_path would, seed: None is a random seed; None elsewhere is text", async () => {
    const config = edit(
      REFERENCE_STYLE,
      ["  val_path: ../datasets/CIFAR10", "  val_path: None"],
      ['name: "simclr-cifar10-only-stf" # change here for cifar100', "name: None\nseed: None"],
    );
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    const evalSource = ir.data.sources.find((s) => s.name === ir.data.eval);
    expect(evalSource?.path).toBe("../datasets/CIFAR10"); // the training path's test split, not a folder named "None"
    expect(ir.seed).toBe(5);
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(config, "seed: None")}: seed: None (a new random seed each run) becomes seed = 5`);
    expect(ir.name).toBe("None"); // solo-learn reads `name` as it is
  });
});
