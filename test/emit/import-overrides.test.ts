// adainfc import solo-learn with Hydra's command-line overrides, as the AdaInf fork is run
// (`main_pretrain.py --config-path DIR --config-name simclr.yaml augmentations=x.yaml
// data.dup=10 data.extra_data=...`): the base config plus overrides imports as the full
// config does (also for the paper pipelines compiled to solo-learn), Hydra's grammar and
// struct-mode rules, each refusal one line naming the override, and the note when a
// config has no generated data.

import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseOverride } from "../../src/emit/import/overrides.js";
import { cli, ROOT } from "../helpers.js";
import { emitSolo, tempDir } from "./helpers.js";
import { CROP_03, edit, irOf, REFERENCE_STYLE } from "./import-fixtures.js";

/** The fork's way: a base config without inflation, its augmentation presets beside it. */
const BASE = edit(
  REFERENCE_STYLE,
  ["augmentations: symmetric_crop_0.3.yaml", "augmentations: symmetric.yaml"],
  ["  dup: 10\n", "  dup: 1\n"],
  ["  extra_data: ../datasets/generated/gen.npz\n", "  extra_data:\n"],
);
/** What the overrides of the fork's README make of it, written out. */
const FULL = edit(
  REFERENCE_STYLE,
  ["augmentations: symmetric_crop_0.3.yaml", "augmentations: symmetric_adainf.yaml"],
  ["  extra_data: ../datasets/generated/gen.npz\n", "  extra_data: ./datasets/cifar10-stf-1m.npz\n"],
);
const ADAINF_AUG = CROP_03.replace("crop_min_scale: 0.3", "crop_min_scale: 0.2").replace("brightness: 0.8", "brightness: 0.4");
const README = ["augmentations=symmetric_adainf.yaml", "data.dup=10", "data.extra_data=./datasets/cifar10-stf-1m.npz"];

function forkProject(): string {
  const dir = tempDir();
  mkdirSync(join(dir, "cfg", "augmentations"), { recursive: true });
  writeFileSync(join(dir, "cfg", "simclr.yaml"), BASE);
  writeFileSync(join(dir, "cfg", "full.yaml"), FULL);
  writeFileSync(join(dir, "cfg", "augmentations", "symmetric.yaml"), CROP_03);
  writeFileSync(join(dir, "cfg", "augmentations", "symmetric_adainf.yaml"), ADAINF_AUG);
  return dir;
}

/** The IR without its file and name (the two imports name their pipelines after their configs). */
const same = (ir: ReturnType<typeof irOf>) => ({ ...ir, file: "", name: "" });
/** The pipeline's text without its header comment (which names the config and overrides). */
const body = (text: string) => text.replace(/^(\/\/.*\n)+/, "");

async function importOk(dir: string, args: string[], out = "p.adainf") {
  const r = await cli(["import", "solo-learn", ...args, "-o", out], dir);
  expect(r.err).not.toMatch(/^error/m);
  expect(r.code).toBe(0);
  return { ...r, text: readFileSync(join(dir, out), "utf8"), ir: irOf(out, dir) };
}

/** A refused import: exit 1, and one error line, no stack trace. */
async function refused(dir: string, args: string[]): Promise<string> {
  const r = await cli(["import", "solo-learn", ...args, "-o", "refused.adainf"], dir);
  expect(r.code).not.toBe(0);
  const errors = r.err.split("\n").filter((l) => l.startsWith("error:"));
  expect(errors).toHaveLength(1);
  expect(r.err).not.toMatch(/internal error|\n\s+at /);
  return errors[0]!;
}

describe("import solo-learn: the fork's command line", () => {
  it("the base config plus the README's overrides imports as the config with them written in", async () => {
    const dir = forkProject();
    const full = await importOk(dir, ["cfg/full.yaml"], "full.adainf");
    const viaOverrides = await importOk(dir, ["cfg/simclr.yaml", ...README]);
    expect(same(viaOverrides.ir)).toEqual(same(full.ir));
    expect(viaOverrides.ir.data.train.map((s) => s.replicate)).toEqual([10, 1]);
    expect(viaOverrides.ir.augment.views[0]!.ops[0]).toMatchObject({ op: "random_resized_crop", scale: [0.2, 1] });
    expect(viaOverrides.err).not.toContain("no generated data");
    // the header names the command line it came from
    expect(viaOverrides.text).toContain(`: cfg/simclr.yaml ${README.join(" ")}`);
    // quoted as a shell needs, so it can be pasted back
    const quoted = await importOk(dir, ["cfg/simclr.yaml", ...README, "optimizer.kwargs={eta: 0.02, clip_lr: true}"], "q.adainf");
    expect(quoted.text).toContain(`: cfg/simclr.yaml ${README.join(" ")} 'optimizer.kwargs={eta: 0.02, clip_lr: true}'\n`);
  });

  it("--config-path and --config-name take the python command's arguments as they are", async () => {
    const dir = forkProject();
    const positional = await importOk(dir, ["cfg/simclr.yaml", ...README], "a.adainf");
    const hydra = await importOk(dir, ["--config-path", "cfg/", "--config-name", "simclr.yaml", ...README], "b.adainf");
    const bare = await importOk(dir, ["--config-path=cfg", "--config-name=simclr", ...README], "c.adainf");
    expect(hydra.ir).toEqual({ ...positional.ir, file: hydra.ir.file });
    expect(bare.ir).toEqual({ ...positional.ir, file: bare.ir.file });
    // Hydra's short -cp / -cn, spaced or with '='
    const short = await importOk(dir, ["-cp", "cfg/", "-cn", "simclr.yaml", ...README], "d.adainf");
    const shortEq = await importOk(dir, ["-cp=cfg", "-cn=simclr", ...README], "e.adainf");
    expect(short.ir).toEqual({ ...positional.ir, file: short.ir.file });
    expect(shortEq.ir).toEqual({ ...positional.ir, file: shortEq.ir.file });
    expect(await refused(dir, ["--config-name", "simclr.yaml"])).toContain("--config-name needs --config-path");
    expect(await refused(dir, ["--config-path", "cfg", "cfg/simclr.yaml"])).toContain("--config-path needs --config-name");
  });

  it("the base config alone: one note that it has no generated data, and how to add it", async () => {
    const dir = forkProject();
    const r = await importOk(dir, ["cfg/simclr.yaml"]);
    expect(r.ir.data.train).toHaveLength(1);
    const notes = r.err.split("\n").filter((l) => l.includes("no generated data"));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^note: cfg\/simclr\.yaml:\d+:\d+: no generated data: .*data\.extra_data=<file\.npz> data\.dup=<N>; or write an inflate \{ \} block/,
    );
    // a config without the keys: the overrides that add them
    const noKeys = edit(BASE, ["  dup: 1\n", ""], ["  extra_data:\n", ""]);
    writeFileSync(join(dir, "cfg", "simclr.yaml"), noKeys);
    const r2 = await importOk(dir, ["cfg/simclr.yaml"], "p2.adainf");
    expect(r2.err).toContain("+data.extra_data=<file.npz> +data.dup=<N>");
    // a data.dup without data.extra_data (ignored by the reference) is said in the same note, at the override that set it
    const r3 = await importOk(dir, ["cfg/simclr.yaml", "+data.dup=10"], "p3.adainf");
    const dupNotes = r3.err.split("\n").filter((l) => l.includes("data.dup"));
    expect(dupNotes).toEqual([
      "note: override '+data.dup=10': no generated data: data.extra_data is not set, so the pipeline trains on the real data alone, once (data.dup = 10 without data.extra_data: the reference ignores it). To inflate as the AdaInf fork's commands do, give the overrides after the config: +data.extra_data=<file.npz> data.dup=<N>; or write an inflate { } block in the pipeline",
    ]);
  });

  it("a multirun is refused", async () => {
    const dir = forkProject();
    expect(await refused(dir, ["-m", "cfg/simclr.yaml", "data.dup=5,10"])).toContain("import reads one config, not a multirun");
  });
});

describe("import solo-learn: Hydra's override rules, each refusal naming the override", () => {
  const cases: [string[], string][] = [
    // struct mode: a key that is not there needs +
    [["data.dupp=3"], "error: override 'data.dupp=3': Could not override 'data.dupp': it is not in the config (data has dataset, train_path"],
    [
      ["optimizer.kwargs={eta: 0.1, beta: 2}"],
      "optimizer.kwargs.beta is not in the config, and Hydra adds no key without + (struct mode); to add it, write +optimizer.kwargs={eta: 0.1, beta: 2}",
    ],
    [
      ["+data.dup=3"],
      "error: override '+data.dup=3': Could not append to config: 'data.dup' is there already (1); to override it, write data.dup=3, or ++data.dup=3 to add or override",
    ],
    [["~data.nothing"], "error: override '~data.nothing': Could not delete from config: 'data.nothing' is not in the config"],
    [["~data.extra_data"], "'data.extra_data' is null, which Hydra counts as not there"],
    [["~data.dup=4"], "the value of 'data.dup' is 1, not 4; write ~data.dup to delete it whatever its value"],
    // the grammar
    [["data.dup"], "error: override 'data.dup': no '=': an override is key=value"],
    [["data.dup=5,10"], "error: override 'data.dup=5,10': a comma-separated value is a sweep"],
    [["data.dup=choice(5,10)"], "choice(...) is a sweep"],
    [["data.dup=range(1,4)"], "range(...) is a sweep"],
    [["data.dup=int(3.0)"], "import does not evaluate Hydra's function int(...)"],
    [["data.dup=[1,2"], "a list '[' is not closed with ']'"],
    [["data.train_path=[a]b"], "unexpected 'b' at character 4 of the value (a text value with it is quoted whole: key='...')"],
    [["data.train_path=a'b"], "''' is not allowed in an unquoted value (quote the whole value)"],
    [["data..dup=3"], "'data..dup' is not a key Hydra reads"],
    // Hydra's grammar: a one-segment key is a name, a dict's key has no '#' or '&', a newline is no whitespace
    [["0=1"], "'0' is not a key Hydra reads"],
    [["optimizer.kwargs={x#y: 1}"], "'x' in a dict needs ':' and a value"],
    [["optimizer.kwargs={&y: 1}"], "a dict's key is expected at '&'"],
    // a key an override deleted is missing at that override
    [["~data.train_path"], "error: override '~data.train_path': data.train_path is missing"],
    // with null, Hydra deletes it whatever its value
    [["~data.train_path=null"], "error: override '~data.train_path=null': data.train_path is missing"],
    [["data.train_path=${data.val_path"], "an interpolation '${' is not closed with '}'"],
    // config groups
    [
      ["augmentations=nope.yaml"],
      "error: override 'augmentations=nope.yaml': cfg/augmentations/nope.yaml: no such option of augmentations (its options: symmetric.yaml, symmetric_adainf.yaml)",
    ],
    [
      ["+augmentations=symmetric_adainf.yaml"],
      "Could not append augmentations: the defaults list chooses it already (Hydra refuses a second one); to change its option, write augmentations=symmetric_adainf.yaml",
    ],
    [["++augmentations=symmetric_adainf.yaml"], "Hydra does not take ++ for a config group"],
    [
      ["~augmentations=symmetric_adainf.yaml"],
      "Could not delete 'augmentations=symmetric_adainf.yaml': no entry of the defaults lists chooses augmentations as symmetric_adainf",
    ],
    [["augmentations=1"], "a config group's option is a file name of augmentations (augmentations=name.yaml)"],
    [["knn/x=a"], "'knn/x' looks like a config group, but cfg/knn/x is no folder of options"],
  ];
  for (const [args, message] of cases) {
    it(args.join(" "), async () => {
      const dir = forkProject();
      expect(await refused(dir, ["cfg/simclr.yaml", ...args])).toContain(message);
    });
  }

  it("a group override that matches no entry: Hydra's 'Could not override', and the + that adds it", async () => {
    const dir = forkProject();
    writeFileSync(join(dir, "cfg", "simclr.yaml"), BASE.replace("  - augmentations: symmetric.yaml\n", ""));
    const e = await refused(dir, ["cfg/simclr.yaml", "augmentations=symmetric_adainf.yaml"]);
    expect(e).toBe(
      "error: override 'augmentations=symmetric_adainf.yaml': Could not override 'augmentations': no entry of the defaults lists chooses augmentations; to add it, write +augmentations=symmetric_adainf.yaml",
    );
    // and with the +, it is appended to the defaults list
    const r = await importOk(dir, ["cfg/simclr.yaml", "+augmentations=symmetric_adainf.yaml", "data.dup=10", "data.extra_data=./datasets/cifar10-stf-1m.npz"]);
    const full = await importOk(dir, ["cfg/full.yaml"], "full.adainf");
    expect(same(r.ir)).toEqual(same(full.ir));
  });

  it("a command-line group override wins over an override in the config's defaults list, which is then said to have no effect", async () => {
    const dir = forkProject();
    writeFileSync(join(dir, "cfg", "simclr.yaml"), BASE.replace("  - wandb: private.yaml\n", "  - override augmentations: symmetric.yaml\n"));
    const r = await importOk(dir, ["cfg/simclr.yaml", ...README]);
    expect(r.err).toContain("'override augmentations: symmetric.yaml' has no effect: 'augmentations=symmetric_adainf.yaml' decides augmentations");
    expect(r.ir.augment.views[0]!.ops[0]).toMatchObject({ scale: [0.2, 1] });
  });

  it("~group deletes the entry; a deleted augmentations entry leaves none", async () => {
    const dir = forkProject();
    const e = await refused(dir, ["cfg/simclr.yaml", "~augmentations"]);
    expect(e).toContain("names no augmentations");
  });

  it("+key adds, ++key adds or overrides, ~key deletes; a note about a key an override set names the override", async () => {
    const dir = forkProject();
    const r = await importOk(dir, ["cfg/simclr.yaml", "+my_key=3", "++data.dup=10", "++data.extra_data=./datasets/cifar10-stf-1m.npz", "~data.format"]);
    expect(r.err).toContain("note: override '+my_key=3': my_key: adainf does not read this key; dropped");
    expect(r.ir.data.train.map((s) => s.replicate)).toEqual([10, 1]);
    // the notes in the file's header name it too
    expect(r.text).toContain("// note: override '+my_key=3': my_key: adainf does not read this key; dropped");
  });

  it("a key that is ??? (to be given) counts as not there, as OmegaConf.select reads it: + adds it, ~ finds nothing", async () => {
    const dir = forkProject();
    writeFileSync(join(dir, "cfg", "simclr.yaml"), BASE.replace("  extra_data:\n", "  extra_data: ???\n"));
    const r = await importOk(dir, ["cfg/simclr.yaml", "+data.extra_data=./datasets/cifar10-stf-1m.npz", "data.dup=10"]);
    expect(r.ir.data.train.map((s) => s.replicate)).toEqual([10, 1]);
    expect(await refused(dir, ["cfg/simclr.yaml", "~data.extra_data"])).toContain("'data.extra_data' is ??? (missing), which Hydra counts as not there");
  });

  it("an error about a value an override set is put at the override", async () => {
    const dir = forkProject();
    expect(await refused(dir, ["cfg/simclr.yaml", "data.dataset=imagenet"])).toBe(
      "error: override 'data.dataset=imagenet': data.dataset: 'imagenet' is not available (adainf reads cifar10 and cifar100)",
    );
  });

  it("interpolations are kept for OmegaConf, resolved on the config after every override", async () => {
    const dir = forkProject();
    const a = await importOk(dir, ["cfg/simclr.yaml", "optimizer.classifier_lr=${optimizer.lr}", "optimizer.lr=0.3"], "a.adainf");
    const b = await importOk(dir, ["cfg/simclr.yaml", "optimizer.classifier_lr=0.3", "optimizer.lr=0.3"], "b.adainf");
    expect(same(a.ir)).toEqual(same(b.ir));
  });

  it("a list item's keys by its index; an error about one is put at the override", async () => {
    const dir = forkProject();
    const r = await importOk(dir, ["cfg/simclr.yaml", "augmentations.0.rrc.crop_min_scale=0.2"]);
    expect(r.ir.augment.views[0]!.ops[0]).toMatchObject({ op: "random_resized_crop", scale: [0.2, 1] });
    const e = await refused(dir, ["cfg/simclr.yaml", "augmentations.0.crop_size=zero"]);
    expect(e).toMatch(/^error: override 'augmentations\.0\.crop_size=zero': /);
    expect(await refused(dir, ["cfg/simclr.yaml", "augmentations.3.crop_size=28"])).toContain(
      "Could not override 'augmentations.3.crop_size': it is not in the config",
    );
  });

  it("Hydra's own settings are left out with a note", async () => {
    const dir = forkProject();
    const r = await importOk(dir, ["cfg/simclr.yaml", "hydra.run.dir=.", ...README]);
    expect(r.err).toContain("note: override 'hydra.run.dir=.': configures Hydra itself, not the run: not read");
  });
});

describe("import solo-learn: override values are parsed as Hydra parses them", () => {
  const value = (text: string) => parseOverride(`k=${text}`, "at").value;
  it("numbers, booleans, null, strings", () => {
    expect(value("10")).toBe(10);
    expect(value("1_000")).toBe(1000);
    expect(value("-3")).toBe(-3);
    expect(value("0.5")).toBe(0.5);
    expect(value("1e-4")).toBe(1e-4);
    expect(value("inf")).toBe(Infinity);
    expect(Number.isNaN(value("nan"))).toBe(true);
    expect(value("True")).toBe(true);
    expect(value("false")).toBe(false);
    expect(value("NULL")).toBe(null);
    expect(value("")).toBe("");
    expect(value("./datasets/cifar10-stf-1m.npz")).toBe("./datasets/cifar10-stf-1m.npz");
    expect(value("'10'")).toBe("10");
    expect(value("'a,b'")).toBe("a,b");
    expect(value('"it\\"s"')).toBe('it"s');
    expect(value("a\\,b")).toBe("a,b");
    expect(value("hello world ")).toBe("hello world");
    expect(value("${data.dup}")).toBe("${data.dup}");
    expect(value("x_${oc.env:HOME,a}")).toBe("x_${oc.env:HOME,a}");
    // spaces and tabs before a ',', ']', '}' or the end are separators, as Hydra's lexer reads them
    expect(value("1 ")).toBe(1);
    expect(value("[1 ,2]")).toEqual([1, 2]);
    expect(value("[1, 2 ]")).toEqual([1, 2]);
    expect(value("{x: 1 , y: 2.5\t}")).toEqual({ x: 1, y: 2.5 });
    expect(value("{x: true }")).toEqual({ x: true });
    expect(value("[null ]")).toEqual([null]);
    // a newline is not whitespace in Hydra's grammar
    expect(() => value("a\nb")).toThrow("'\n' is not allowed in an unquoted value");
    // an escaped space is part of the text
    expect(value("1\\ ")).toBe("1 ");
  });
  it("whole floats are kept floats", () => {
    const o = parseOverride("k=1.0", "at");
    expect(o.value).toBe(1);
    expect(o.floats.has("")).toBe(true);
    expect(parseOverride("k=[1, 2.0]", "at").floats).toEqual(new Set(["1"]));
  });
  it("lists and dicts", () => {
    expect(value("[6,7]")).toEqual([6, 7]);
    expect(value("[]")).toEqual([]);
    expect(value("[a, 'b c', [1]]")).toEqual(["a", "b c", [1]]);
    expect(value("{eta: 0.02, clip_lr: true}")).toEqual({ eta: 0.02, clip_lr: true });
  });
  it("the operation, key and package", () => {
    expect(parseOverride("+a.b=1", "at")).toMatchObject({ op: "add", key: "a.b", hasValue: true });
    expect(parseOverride("++a=1", "at")).toMatchObject({ op: "force", key: "a" });
    expect(parseOverride("~a", "at")).toMatchObject({ op: "delete", key: "a", hasValue: false });
    expect(parseOverride("~a=2", "at")).toMatchObject({ op: "delete", key: "a", value: 2 });
    expect(parseOverride("server/db@backup=mysql", "at")).toMatchObject({ op: "set", key: "server/db", pkg: "backup", value: "mysql" });
    expect(parseOverride("augmentations.0.crop_size=28", "at")).toMatchObject({ key: "augmentations.0.crop_size", value: 28 });
  });
});

const METHODS = ["simclr", "mocov2plus", "byol", "barlow"];

describe("import solo-learn: round trip of the paper's AdaInf pipelines from their base config plus overrides", () => {
  for (const method of METHODS) {
    it(method, async () => {
      const adainf = await emitSolo(`pipelines/${method}_adainf.adainf`);
      const none = await emitSolo(`pipelines/${method}_none.adainf`);
      expect(adainf.code).toBe(0);
      expect(none.code).toBe(0);
      const full = readFileSync(join(adainf.dir, `${method}.yaml`), "utf8");
      const extra = /^ {2}extra_data: "(.*)"$/m.exec(full)![1]!;
      const dup = /^ {2}dup: (\d+)$/m.exec(full)![1]!;
      const preset = /augmentations: "(.*)"/.exec(full)![1]!;
      const nonePreset = /augmentations: "(.*)"/.exec(readFileSync(join(none.dir, `${method}.yaml`), "utf8"))![1]!;
      expect(nonePreset).not.toBe(preset);
      // the base: the same config without inflation and with the no-inflation pipeline's augmentations beside it
      copyFileSync(join(none.dir, "augmentations", nonePreset), join(adainf.dir, "augmentations", nonePreset));
      const base = edit(
        full,
        [`augmentations: "${preset}"`, `augmentations: "${nonePreset}"`],
        [`  dup: ${dup}\n`, "  dup: null\n"],
        [`  extra_data: "${extra}"\n`, "  extra_data: null\n"],
      );
      writeFileSync(join(adainf.dir, "base.yaml"), base);
      const out = tempDir();
      const whole = await cli(["import", "solo-learn", join(adainf.dir, `${method}.yaml`), "-o", join(out, "full.adainf")]);
      expect(whole.code).toBe(0);
      const overrides = [`augmentations=${preset}`, `data.dup=${dup}`, `data.extra_data=${extra}`];
      const r = await cli(["import", "solo-learn", "--config-path", adainf.dir, "--config-name", "base", ...overrides, "-o", join(out, "base.adainf")]);
      expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const a = readFileSync(join(out, "full.adainf"), "utf8");
      const b = readFileSync(join(out, "base.adainf"), "utf8");
      expect(body(b)).toBe(body(a));
      expect(irOf(join(out, "base.adainf"), ROOT)).toEqual({ ...irOf(join(out, "full.adainf"), ROOT), file: expect.any(String) });
    });
  }
});

describe("import solo-learn: odd overrides are refused in one line, never a crash", () => {
  const odd = ["=", "+", "~", "=1", "a=[" + "[".repeat(5000), "a={__proto__: 1, b: [}", "a=b\\", "@=x", "a.=1", "a=${", "a='x", 'a="x\\"'];
  for (const text of odd) {
    it(JSON.stringify(text), async () => {
      const dir = forkProject();
      const e = await refused(dir, ["cfg/simclr.yaml", text]);
      expect(e.startsWith(`error: override '${text}': `)).toBe(true);
    });
  }
  it("a dict key __proto__ is a key like any other", () => {
    const v = parseOverride("k={__proto__: 1}", "at").value as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(["__proto__"]);
  });
});
