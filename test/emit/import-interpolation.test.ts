// adainfc import solo-learn resolves OmegaConf's interpolations (`${...}`) on the composed
// config, as OmegaConf does: absolute, relative, list indices, typed whole values, text,
// nested interpolations, `\${` escapes and the oc.env / oc.select / oc.decode resolvers; a
// value that cannot be resolved is a one-line error at the key holding the interpolation
// (in the file it came from), and only when the import reads it.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { resolveInterpolations } from "../../src/emit/import/interpolate.js";
import { Unresolved, type YamlMap } from "../../src/emit/import/read-config.js";
import { escapeInterpolation } from "../../src/emit/solo-learn/render.js";
import { cli } from "../helpers.js";
import { edit, irOf, lineOf, placeOf, REFERENCE_STYLE, referenceProject } from "./import-fixtures.js";

const run = (dir: string) => cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);

const ENV = ["ADAINF_TEST_DATA", "ADAINF_TEST_UNSET", "ADAINF_TEST_LR"];
afterEach(() => {
  for (const k of ENV) delete process.env[k];
});

describe("import solo-learn: interpolations resolve as OmegaConf resolves them", () => {
  it("a config written with interpolations imports as its values: absolute, relative, a list index, typed whole values, text", async () => {
    const config = edit(
      REFERENCE_STYLE,
      ['name: "simclr-cifar10-only-stf" # change here for cifar100', 'name: "simclr-${data.dataset}-b${optimizer.batch_size}"'],
      ["  train_path: ../datasets/CIFAR10", "  root: ../datasets\n  train_path: ${.root}/CIFAR10"],
      ["  val_path: ../datasets/CIFAR10", "  val_path: ${data.train_path}"],
      ["  classifier_lr: 0.05", "  classifier_lr: ${.lr}"],
      ["  batch_size: 256", "  batch_size: ${batch}"],
      ["devices: [6,7]", "gpus: [6, 7]\ndevices: ${gpus}\nbatch: 256\nseed: ${gpus[1]}"],
    );
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    // text: a string (the dots of the name become _ as in every imported name)
    expect(ir.name).toBe("simclr-cifar10-b256");
    // relative to data; val_path through train_path, itself an interpolation
    expect(ir.data.sources.map((s) => s.path)).toEqual(["../datasets/CIFAR10", "../datasets/generated/gen.npz", "../datasets/CIFAR10"]);
    // whole values keep their type: a number (x 512 / 256), a list (2 devices), a list index
    expect(ir.evaluate.onlineLinear?.lr).toBe(0.4);
    expect(ir.train).toMatchObject({ devices: 2, batchSize: 512 });
    expect(ir.seed).toBe(7);
    // gpus and batch are keys adainf does not read: said as such
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(config, "gpus:")}: gpus: adainf does not read this key; dropped`);
  });

  it("a mapping interpolated whole keeps its keys; a bad value in it is placed where the target's key is", async () => {
    const presets = "presets:\n  lars:\n    name: lars\n    batch_size: 256\n    lr: 0.3\n    classifier_lr: 0.1\n    weight_decay: 1e-5\n";
    const config = `${REFERENCE_STYLE.replace(/^optimizer:\n( {2}.*\n)*/m, "optimizer: ${presets.lars}\n").trimEnd()}\n${presets}`;
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(irOf("p.adainf", dir).train.optimizer).toMatchObject({ name: "lars", lr: 0.6, weightDecay: 1e-5 });
    const bad = config.replace("    lr: 0.3", '    lr: "fast"');
    const r2 = await run(referenceProject(bad));
    expect(r2.err).toBe(`error: cfg/simclr.yaml:${placeOf(bad, 'lr: "fast"')}: optimizer.lr must be a number, found "fast"\n`);
  });

  it("a value in a group file resolves against the composed config, and its errors are in that file", async () => {
    const config = edit(REFERENCE_STYLE, [
      "  - augmentations: symmetric_crop_0.3.yaml",
      "  - augmentations: symmetric_crop_0.3.yaml\n  - optimizer: lars",
    ]).replace(/^optimizer:\n( {2}.*\n)*/m, "");
    const dir = referenceProject(config);
    mkdirSync(join(dir, "cfg", "optimizer"));
    const lars = "name: lars\nbatch_size: 256\nlr: ${oc.decode:${oc.env:ADAINF_TEST_LR,0.3}}\nclassifier_lr: ${.lr}\nweight_decay: 1e-4\n";
    writeFileSync(join(dir, "cfg", "optimizer", "lars.yaml"), lars);
    expect((await run(dir)).code).toBe(0);
    expect(irOf("p.adainf", dir).train.optimizer.lr).toBe(0.6);
    process.env["ADAINF_TEST_LR"] = "0.1";
    expect((await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf", "--force"], dir)).code).toBe(0);
    expect(irOf("p.adainf", dir).train.optimizer.lr).toBe(0.2);
    // oc.env gives text: without oc.decode the rate is the string "0.1", as in OmegaConf
    writeFileSync(join(dir, "cfg", "optimizer", "lars.yaml"), lars.replace("${oc.decode:${oc.env:ADAINF_TEST_LR,0.3}}", "${oc.env:ADAINF_TEST_LR,0.3}"));
    const text = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "q.adainf"], dir);
    expect(text.err).toBe('error: cfg/optimizer/lars.yaml:3:1: optimizer.lr must be a number, found "0.1"\n');
    // relative to the file's place in the composed config (optimizer), which lacks base_lr
    writeFileSync(join(dir, "cfg", "optimizer", "lars.yaml"), lars.replace("${.lr}", "${.base_lr}"));
    const missing = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "q.adainf"], dir);
    expect(missing.err).toBe(
      'error: cfg/optimizer/lars.yaml:4:1: optimizer.classifier_lr: "${.base_lr}" looks up optimizer.base_lr, which is not in the composed config\n',
    );
  });

  it("oc.env reads the environment, with a default after a comma; oc.select and oc.decode, and keys given by interpolations", async () => {
    const config = edit(
      REFERENCE_STYLE,
      ["  train_path: ../datasets/CIFAR10", "  train_path: ${oc.env:ADAINF_TEST_DATA}/CIFAR10"],
      ["  val_path: ../datasets/CIFAR10", "  val_path: ${oc.env:ADAINF_TEST_UNSET,../datasets/test}"],
      ['method: "simclr"', "method: ${methods.${choice}}\nchoice: contrastive\nmethods:\n  contrastive: simclr"],
      ["devices: [6,7]", "devices: [6,7]\nseed: ${oc.select:no.such.key,${oc.decode:'11'}}"],
    );
    process.env["ADAINF_TEST_DATA"] = "/data";
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    expect(ir.data.sources.map((s) => s.path)).toEqual(["/data/CIFAR10", "../datasets/generated/gen.npz", "../datasets/test"]);
    expect(ir.seed).toBe(11);
    expect(ir.model.method.name).toBe("simclr");
    // a variable that is not set, without a default: an error, as in OmegaConf
    delete process.env["ADAINF_TEST_DATA"];
    const unset = await run(referenceProject(config));
    expect(unset.code).toBe(1);
    expect(unset.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(config, "train_path:")}: data.train_path: "\${oc.env:ADAINF_TEST_DATA}/CIFAR10": \${oc.env:ADAINF_TEST_DATA}: the environment variable ADAINF_TEST_DATA is not set, and no default is given (\${oc.env:ADAINF_TEST_DATA,<default>})\n`,
    );
  });

  it("\\${ is a literal ${ and \\\\${ a backslash before an interpolation; Python writes numbers, true and null into text", async () => {
    const config = edit(
      REFERENCE_STYLE,
      ["  train_path: ../datasets/CIFAR10", "  train_path: 'C:\\\\${data.dataset}\\x'"],
      ["  val_path: ../datasets/CIFAR10", "  val_path: '\\${data.dataset}/${data.dataset}'"],
      ["  lr: 0.2", "  lr: 1.0"],
      ["  dup: 10", "  dup: 10\n  fraction: null"],
      [
        "devices: [6,7]",
        "devices: [6,7]\ncheckpoint:\n  dir: runs/lr${optimizer.lr}-wd${optimizer.weight_decay}-${optimizer.kwargs.clip_lr}-${data.fraction}\n",
      ],
    );
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    expect(ir.data.sources.map((s) => s.path)).toEqual(["C:\\cifar10\\x", "../datasets/generated/gen.npz", "${data.dataset}/cifar10"]);
    // str(1.0), str(1e-4), str(True), str(None): as OmegaConf writes them into text
    expect(ir.output.dir).toBe("runs/lr1.0-wd0.0001-True-None");
  });
});

describe("import solo-learn: whole numbers beyond 2^53", () => {
  it("stay exact where they are written into text, and are refused where the import reads one as a number", async () => {
    const config = edit(REFERENCE_STYLE, [
      "devices: [6,7]",
      "devices: [6,7]\nbig: 0x20000000000001\ncheckpoint:\n  dir: runs/${big}-${huge}\nhuge: 123_456_789_012_345_678_901",
    ]);
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(irOf("p.adainf", dir).output.dir).toBe("runs/9007199254740993-123456789012345678901");
    const seeded = edit(REFERENCE_STYLE, ["devices: [6,7]", "devices: [6,7]\nseed: 9007199254740993"]);
    const refused = await run(referenceProject(seeded));
    expect(refused.code).toBe(1);
    expect(refused.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(seeded, "seed:")}: seed: 9007199254740993 is a whole number outside ±(2^53 - 1), which a pipeline's numbers cannot hold exactly\n`,
    );
    // a scalar where a mapping is read, and a defaults entry that is no name: said as written
    const scalar = edit(REFERENCE_STYLE, ["  - wandb: private.yaml", "  - 12345678901234567891"]).replace(
      /^optimizer:\n( {2}.*\n)*/m,
      "optimizer: 98765432109876543210\n",
    );
    const r2 = await run(referenceProject(scalar));
    expect(r2.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(scalar, "- 1234")}: defaults: 12345678901234567891 is not an entry the importer follows (_self_, group: name, group/name, ~group); skipped\n`,
    );
    expect(r2.err).toContain(
      `error: cfg/simclr.yaml:${placeOf(scalar, "optimizer:")}: optimizer must be a mapping (it holds batch_size), found 98765432109876543210\n`,
    );
  });
});

describe("import solo-learn: an interpolation that cannot be resolved is one line at its key", () => {
  const failing = async (config: string) => {
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    return r.err;
  };

  it("a missing key, a cycle, an unknown resolver, an unclosed ${", async () => {
    const missing = edit(REFERENCE_STYLE, ['name: "simclr-cifar10-only-stf" # change here for cifar100', 'name: "simclr-${data.datset}"']);
    expect(await failing(missing)).toBe(
      `error: cfg/simclr.yaml:${placeOf(missing, "name:")}: name: "simclr-\${data.datset}": \${data.datset} looks up data.datset, which is not in the composed config\n`,
    );
    const cycle = edit(REFERENCE_STYLE, ["  lr: 0.2", "  lr: ${optimizer.classifier_lr}"], ["  classifier_lr: 0.05", "  classifier_lr: ${.lr}"]);
    expect(await failing(cycle)).toBe(
      `error: cfg/simclr.yaml:${placeOf(cycle, "lr:")}: optimizer.lr: "\${optimizer.classifier_lr}" is part of a cycle of interpolations: optimizer.lr -> optimizer.classifier_lr -> optimizer.lr\n`,
    );
    const resolver = edit(REFERENCE_STYLE, ['name: "simclr-cifar10-only-stf" # change here for cifar100', "name: ${now:%Y-%m-%d}"]);
    expect(await failing(resolver)).toBe(
      `error: cfg/simclr.yaml:${placeOf(resolver, "name:")}: name: "\${now:%Y-%m-%d}" uses the resolver now, which import does not evaluate (it evaluates oc.env, oc.select, oc.decode); write the value itself\n`,
    );
    const unclosed = edit(REFERENCE_STYLE, ["  train_path: ../datasets/CIFAR10", "  train_path: ${data.root/cifar"]);
    expect(await failing(unclosed)).toBe(
      `error: cfg/simclr.yaml:${placeOf(unclosed, "train_path:")}: data.train_path: "\${data.root/cifar" is not a valid interpolation: '\${' is not closed at character 1\n`,
    );
  });

  it("read through another key: at the key holding the failing interpolation, naming the key read", async () => {
    const config = `${edit(REFERENCE_STYLE, ["  lr: 0.2", "  lr: ${base.lr}"]).trimEnd()}\nbase:\n  lr: \${oc.env:ADAINF_TEST_UNSET}\n`;
    expect(await failing(config)).toBe(
      `error: cfg/simclr.yaml:${lineOf(config, "lr: ${oc.env")}:3: base.lr: "\${oc.env:ADAINF_TEST_UNSET}": the environment variable ADAINF_TEST_UNSET is not set, and no default is given (\${oc.env:ADAINF_TEST_UNSET,<default>}) (read for optimizer.lr)\n`,
    );
  });

  it("an interpolation in a key the import does not read is no error (OmegaConf resolves on access)", async () => {
    const config = `${REFERENCE_STYLE.trimEnd()}\nhydra:\n  run:\n    dir: outputs/\${now:%Y-%m-%d}\nwandb:\n  enabled: false\n  project: \${oc.env:ADAINF_TEST_UNSET}\nmy_key: \${no.such.key}\n`;
    const dir = referenceProject(config);
    const r = await run(dir);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain("error");
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(config, "my_key:")}: my_key: adainf does not read this key; dropped`);
    expect(readFileSync(join(dir, "p.adainf"), "utf8")).toContain("pipeline simclr-cifar10-only-stf from simclr {");
  });
});

describe("resolveInterpolations: OmegaConf's grammar and Python's str()", () => {
  const resolve = (config: YamlMap, env: Record<string, string> = {}) => resolveInterpolations(config, { env, isFloat: (k) => k === "f", alias: () => {} });
  const error = (v: unknown) => (v instanceof Unresolved ? v.message : `not an error: ${JSON.stringify(v)}`);

  it("escapes, brackets, spaces, quoted arguments, floats in text", () => {
    const c = resolve({
      a: { b: [10, { c: "x" }] },
      f: 2,
      esc: "\\${a} \\\\${f} a\\b",
      idx: "${a.b[1].c}${a.b.0}",
      spaced: "${ a.b.0 }",
      quoted: "${oc.env:NOPE,'a, b'}",
      typed: "${oc.decode:'[1, 2.5, true, null]'}",
      text: "${f}|${oc.env:NOPE,1e-7}|${oc.env:NOPE,1e16}|${oc.env:NOPE,-0.5}|${a}",
      up: { deeper: { v: "${..sibling}" }, sibling: 3 },
    });
    expect(c).toMatchObject({
      esc: "${a} \\2.0 a\\b",
      idx: "x10",
      spaced: 10,
      quoted: "a, b",
      typed: [1, 2.5, true, null],
      text: "2.0|1e-07|1e+16|-0.5|{'b': [10, {'c': 'x'}]}",
      up: { deeper: { v: 3 } },
    });
  });

  it("a string compile --target solo-learn escapes reads back as itself", () => {
    const texts = ["${x}", "\\${x}", "a\\\\${b}c", "${a}${b}", "\\", "end\\", "$", "{${", "no interpolation \\ here"];
    const c = resolve(Object.fromEntries(texts.map((t, i) => [`k${i}`, escapeInterpolation(t)])));
    expect(texts.map((_, i) => c[`k${i}`])).toEqual(texts);
  });

  it("oc.select as OmegaConf 2.2 selects: its default for any key that is not there, null for null, an error for what OmegaConf raises", () => {
    // Each value as OmegaConf 2.2.2 gives it for the same config (OmegaConf.create(...).sub[k]).
    const c = resolve({
      s: 1,
      m: "???",
      n: null,
      l: [1, 2],
      bad: "${nothere}",
      tomiss: "${m}",
      kname: "s",
      alias: "${sub}",
      sub: {
        sib: 7,
        missing: "${oc.select:nokey,d}",
        parent: "${oc.select:nop.x.y,d}",
        scalar: "${oc.select:s.x,d}",
        qqq: "${oc.select:m,d}",
        nul: "${oc.select:n,d}",
        oob: "${oc.select:l.5,d}",
        neg: "${oc.select:l.-1,d}",
        spaced: "${oc.select:'a b',d}",
        dots: "${oc.select:a..b,d}",
        brace: "${oc.select:'a}b',d}",
        trailing: "${oc.select:s.,d}",
        bracket: "${oc.select:'l[1]',d}",
        unclosed: "${oc.select:'l[0',d}",
        resolverText: "${oc.select:'oc.env:X',d}",
        rel: "${oc.select:.sib,d}",
        up: "${oc.select:..s,d}",
        none: "${oc.select:nokey}",
        byKey: "${oc.select:${kname},d}",
        spaceIdx: "${oc.select:'l. 1',d}",
        undIdx: "${oc.select:'l.0_1',d}",
        viaInterp: "${oc.select:alias.sib,d}",
        missingUnder: "${oc.select:m.x,d}",
        listIdx: "${oc.select:l.x,d}",
        tooHigh: "${oc.select:...x,d}",
        failing: "${oc.select:bad,d}",
        toMissing: "${oc.select:tomiss,d}",
        numberKey: "${oc.select:3,d}",
      },
    });
    const sub = c["sub"] as YamlMap;
    const d = "d";
    expect(sub).toMatchObject({
      missing: d,
      parent: d,
      scalar: d,
      qqq: d,
      nul: null,
      oob: d,
      neg: d,
      spaced: d,
      dots: d,
      brace: d,
      trailing: d,
      bracket: 2,
      unclosed: [1, 2],
      resolverText: d,
      rel: 7,
      up: 1,
      none: null,
      byKey: 1,
      spaceIdx: 2,
      undIdx: 2,
      viaInterp: 7,
      missingUnder: d,
    });
    expect(error(sub["listIdx"])).toBe(`sub.listIdx: "\${oc.select:l.x,d}": oc.select's 'l.x': l is a list, and 'x' is no index of it`);
    expect(error(sub["tooHigh"])).toBe(
      `sub.tooHigh: "\${oc.select:...x,d}": oc.select's '...x' goes 3 levels up from sub.tooHigh, above the top of the config`,
    );
    expect(error(sub["failing"])).toBe('bad: "${nothere}" looks up nothere, which is not in the composed config');
    expect(error(sub["toMissing"])).toBe('tomiss: "${m}" looks up m, which is ??? (a value still to be given)');
    expect(error(sub["numberKey"])).toBe(`sub.numberKey: "\${oc.select:3,d}": oc.select takes a key and, after a comma, a default`);
  });

  it("whole numbers beyond 2^53 stay exact: in text, through oc.decode and as a resolver's argument", () => {
    const c = resolve({
      big: 12345678901234567891n,
      text: "v${big}",
      decoded: "${oc.decode:'9007199254740993'}",
      decodedText: "x${oc.decode:'-9007199254740993'}",
      fallback: "${oc.env:NOPE,9007199254740993}",
      listed: "${oc.decode:'[9007199254740993]'}",
    });
    expect(c).toEqual({
      big: 12345678901234567891n,
      text: "v12345678901234567891",
      decoded: 9007199254740993n,
      decodedText: "x-9007199254740993",
      fallback: "9007199254740993",
      listed: [9007199254740993n],
    });
  });

  it("errors: above the top, ???, a mapping inside itself, a resolver's arguments", () => {
    const c = resolve({ a: { b: "${...x}" }, m: "???", r: "${m}", s: { t: "${s}" }, e: "${oc.env:A,B,C}", q: "${oc.env:'x}" });
    expect(error((c["a"] as YamlMap)["b"])).toBe('a.b: "${...x}" goes 3 levels up from a.b, above the top of the config');
    expect(error(c["r"])).toBe('r: "${m}" looks up m, which is ??? (a value still to be given)');
    expect(error((c["s"] as YamlMap)["t"])).toBe('s.t: "${s}" refers to s, which holds it (a mapping or list inside itself)');
    expect(error(c["e"])).toBe('e: "${oc.env:A,B,C}": oc.env takes the name of an environment variable and, after a comma, a default');
    expect(error(c["q"])).toBe(`q: "\${oc.env:'x}" is not a valid interpolation: the quote ' is not closed at character 10`);
  });
});
