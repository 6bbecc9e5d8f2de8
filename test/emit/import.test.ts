// adainfc import solo-learn: the round trip compile -> solo-learn -> import -> compile
// gives the same IR for all 12 paper pipelines (only `file` differs), and a config
// written in the reference's own style imports with solo-learn's semantics; a failed
// import still prints the notes due before its error.

import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatText } from "../../src/syntax/format.js";
import { cli, project, ROOT } from "../helpers.js";
import { emitSolo, pipeline, tempDir } from "./helpers.js";
import { CROP_03, irOf, lineOf, placeOf, REFERENCE_STYLE, referenceProject } from "./import-fixtures.js";

const PIPELINES = ["simclr", "mocov2plus", "byol", "barlow"].flatMap((m) => ["none", "vanilla", "adainf"].map((i) => `${m}_${i}`));

describe("import solo-learn: round trip of the 12 paper pipelines", () => {
  for (const name of PIPELINES) {
    it(name, async () => {
      const method = name.split("_")[0]!;
      const emitted = await emitSolo(`pipelines/${name}.adainf`);
      expect(emitted.code).toBe(0);
      const out = join(tempDir(), `${name}.adainf`);
      const r = await cli(["import", "solo-learn", join(emitted.dir, `${method}.yaml`), "-o", out]);
      // the pipelines without inflation: only the note that the config has no generated data
      if (name.endsWith("_none")) expect(r.err).toMatch(/^note: \S+:\d+:\d+: no generated data: [^\n]*\n$/);
      else expect(r.err).toBe("");
      expect(r.code).toBe(0);
      const text = readFileSync(out, "utf8");
      // formatted, and inheriting the method's recipe
      expect(formatText(text, out).text).toBe(text);
      expect(text).toContain(`pipeline ${name} from ${method} {`);
      const original = irOf(`pipelines/${name}.adainf`, ROOT);
      const back = irOf(out, ROOT);
      expect({ ...back, file: "" }).toEqual({ ...original, file: "" });
    });
  }
});

describe("import solo-learn: what it changes is said, inline augmentations are read", () => {
  it("a random seed, auto-resume, W&B and unknown keys each get a note at their key's line", async () => {
    const config = `${REFERENCE_STYLE.trimEnd()}\nseed: null\nauto_resume:\n  enabled: true\nwandb:\n  enabled: true\n  project: adainf\n  entity: lab\nmy_custom_key: 3\nother_key: 4\n`;
    const dir = referenceProject(config);
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(0);
    const at = (key: string) => `note: cfg/simclr.yaml:${placeOf(config, key)}: `;
    expect(r.err).toContain(`${at("seed:")}seed: null (a new random seed each run) becomes seed = 5`);
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(config, "auto_resume:", 1)}: auto_resume.enabled: true has no setting in a pipeline`);
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(config, "wandb:", 1)}: wandb.enabled: true (lab/adainf) is not kept`);
    expect(r.err).toContain(`${at("my_custom_key:")}my_custom_key: adainf does not read this key; dropped`);
    expect(r.err).toContain(`${at("other_key:")}other_key: adainf does not read this key; dropped`);
    // the notes are in the file's header too, with their places
    expect(readFileSync(join(dir, "p.adainf"), "utf8")).toContain(`// ${at("my_custom_key:")}my_custom_key: adainf does not read this key`);
  });

  it("augmentations written inline in the config are imported like a file's", async () => {
    const inline = `${REFERENCE_STYLE.replace("  - augmentations: symmetric_crop_0.3.yaml\n", "").trimEnd()}\naugmentations:\n${CROP_03.replace(/^/gm, "  ").trimEnd()}\n`;
    const dir = referenceProject(inline);
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.err).not.toContain("names no augmentations");
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    expect(ir.augment.views[0]!.ops[0]).toMatchObject({ op: "random_resized_crop", scale: [0.3, 1] });
  });
});

describe("import solo-learn: devices and lr scaling", () => {
  it("keeps the devices of a config (4 x 128 stays 4 devices, total 512) and states what differs from the recipe", async () => {
    const dir = referenceProject(REFERENCE_STYLE.replace("  batch_size: 256", "  batch_size: 128").replace("devices: [6,7]", "devices: [0,1,2,3]"));
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, "p.adainf"), "utf8");
    expect(text).toContain("devices = 4");
    const ir = irOf("p.adainf", dir);
    expect(ir.train).toMatchObject({ devices: 4, batchPerDevice: 128, batchSize: 512 });
    expect(ir.train.optimizer.lr).toBe(0.4);
  });

  it("num_nodes multiplies the devices, and the import says so", async () => {
    const dir = referenceProject(`${REFERENCE_STYLE.trimEnd()}\nnum_nodes: 2\n`);
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`note: cfg/simclr.yaml:${REFERENCE_STYLE.trimEnd().split("\n").length + 1}:1: num_nodes = 2: written as devices = 4 (2 per node)`);
    expect(irOf("p.adainf", dir).train).toMatchObject({ devices: 4, batchPerDevice: 256, batchSize: 1024 });
  });

  it("a pipeline written with lr_scaling = linear comes back with the same rule and rates", async () => {
    const dir = project({
      "p.adainf": pipeline(
        "",
        "real x 1",
        "train {\n    lr_scaling = linear\n    optimizer = lars(lr = 0.3, weight_decay = 1e-4, eta = 0.02, clip_lr = true, exclude_bias_n_norm = true)\n  }",
      ),
    });
    const emitted = await emitSolo("p.adainf", dir);
    expect(emitted.code).toBe(0);
    const r = await cli(["import", "solo-learn", join(emitted.dir, "simclr.yaml"), "-o", "back.adainf"], dir);
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, "back.adainf"), "utf8");
    expect(text).toContain("lr_scaling = linear");
    const original = irOf("p.adainf", dir);
    expect(original.train.optimizer.lr).toBe(0.6);
    expect({ ...irOf("back.adainf", dir), file: "" }).toEqual({ ...original, file: "" });
  });
});

describe("import solo-learn: configs in the reference's own style", () => {
  it("applies solo-learn's semantics: per-GPU batch, lr scaling, the fork's warm-up, seed 5", async () => {
    const dir = referenceProject();
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(0);
    // gen.npz is not there: its size (and so the epoch length) is unknown, which the user is told
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(REFERENCE_STYLE, "extra_data:")}: the size of ../datasets/generated/gen.npz is unknown`);
    // a key the config does not give: the config file (solo-learn's checkpointer is off by default)
    expect(r.err).toContain("note: cfg/simclr.yaml: checkpoint.enabled is not set (solo-learn's default: false): solo-learn saves no checkpoints");
    const text = readFileSync(join(dir, "p.adainf"), "utf8");
    expect(text).toContain("augment symmetric_crop_0_3 {");
    expect(text).toContain(`// note: cfg/simclr.yaml:${placeOf(REFERENCE_STYLE, "extra_data:")}: the size of`);
    const ir = irOf("p.adainf", dir);
    expect(ir.name).toBe("simclr-cifar10-only-stf");
    expect(ir.train.batchSize).toBe(512); // 256 per GPU x 2 GPUs
    expect(ir.train).toMatchObject({ devices: 2, batchPerDevice: 256, lrScaling: { rule: "none", factor: 1 } });
    // the same devices, batch and rates as the recipe: nothing about them is written
    expect(text).not.toMatch(/devices|batch_size|lr_scaling/);
    expect(ir.train.optimizer).toMatchObject({ name: "lars", lr: 0.4, eta: 0.02, clipLr: true, excludeBiasAndNorm: true });
    expect(ir.evaluate.onlineLinear).toEqual({ lr: 0.1, every: 200 });
    expect(ir.train.schedule).toMatchObject({ name: "warmup_cosine", warmupSteps: 1000 });
    expect(ir.seed).toBe(5);
    expect(ir.data.train).toEqual([
      { source: "real", replicate: 10 },
      { source: "generated", replicate: 1 },
    ]);
    expect(ir.data.sources[1]).toMatchObject({ format: "npz", path: "../datasets/generated/gen.npz", origin: "generated" });
    expect(ir.augment.preset).toBe("symmetric_crop_0_3");
    expect(ir.augment.views[0]!.ops[0]).toMatchObject({ op: "random_resized_crop", scale: [0.3, 1] });
    expect(ir.augment.symmetric).toBe(true);
  });

  it("a key given twice is named with its line; a config over 1 MiB is refused before parsing", async () => {
    const dir = referenceProject(`${REFERENCE_STYLE.trimEnd()}\nmethod: "byol"\n`);
    const twice = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(twice.code).toBe(1);
    const line = REFERENCE_STYLE.trimEnd().split("\n").length + 1;
    expect(twice.err).toContain(`cfg/simclr.yaml:${line}:1: the key 'method' is given twice in one mapping`);
    writeFileSync(join(dir, "cfg", "simclr.yaml"), REFERENCE_STYLE + Array.from({ length: 80_000 }, (_, i) => `extra_${i}: ${i}`).join("\n"));
    const big = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(big.code).toBe(1);
    expect(big.err).toMatch(/MiB, over the 1 MiB a solo-learn config may have/);
    expect(existsSync(join(dir, "p.adainf"))).toBe(false);
    writeFileSync(join(dir, "cfg", "simclr.yaml"), `${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    const deep = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(deep.code).toBe(1);
    expect(deep.err).toContain("nested too deeply to be a solo-learn config");
    expect(deep.err).not.toMatch(/stack size|internal error/);
  });

  it("a matching stdlib preset is named, not copied", async () => {
    const dir = referenceProject(REFERENCE_STYLE.replace("symmetric_crop_0.3.yaml", "crop_min_0_3.yaml"));
    writeFileSync(join(dir, "cfg", "augmentations", "crop_min_0_3.yaml"), CROP_03);
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(0);
    const text = readFileSync(join(dir, "p.adainf"), "utf8");
    expect(text).toContain("augment = crop_min_0_3\n");
    expect(text).not.toContain("view x 2");
  });

  it("paths with quotes, backslashes, newlines and ${...} stay one literal", async () => {
    const nasty = 'dir "q" \\ $(x) ${y}\nz';
    const dir = referenceProject(REFERENCE_STYLE.replace("train_path: ../datasets/CIFAR10", `train_path: ${JSON.stringify(nasty.replace("${", "\\${"))}`));
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(0);
    expect(irOf("p.adainf", dir).data.sources[0]!.path).toBe(nasty);
  });

  it("errors are one line, exit 1; the output is not overwritten without --force (exit 2, as any -o)", async () => {
    const dir = referenceProject(REFERENCE_STYLE.replace('method: "simclr"', 'method: "dino"'));
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(REFERENCE_STYLE, "method:")}: method: 'dino' has no adainf equivalent (supported: simclr, mocov2plus, byol, barlow_twins)\n`,
    );
    expect(existsSync(join(dir, "p.adainf"))).toBe(false);

    const missing = await cli(["import", "solo-learn", "cfg/nope.yaml", "-o", "p.adainf"], dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: .*nope\.yaml: no such file/);

    const ok = referenceProject();
    writeFileSync(join(ok, "p.adainf"), "// mine\n");
    const again = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], ok);
    // Refused as every -o is: one sentence, a usage error.
    expect([again.code, again.err]).toEqual([
      2,
      "error: -o p.adainf already holds a .adainf pipeline file: choose another output, or pass --force to replace it\n",
    ]);
    expect(readFileSync(join(ok, "p.adainf"), "utf8")).toBe("// mine\n");
    expect((await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf", "--force"], ok)).code).toBe(0);

    expect((await cli(["import", "torch", "cfg/simclr.yaml", "-o", "x.adainf"], ok)).code).toBe(2);
    expect((await cli(["import", "solo-learn", "cfg/simclr.yaml"], ok)).code).toBe(2);
  });

  it("a negative max_steps and a missing --augmentations file are named as they are", async () => {
    const neg = referenceProject(REFERENCE_STYLE.replace("max_steps: 100000", "max_steps: -5"));
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], neg);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(REFERENCE_STYLE, "max_steps:")}: max_steps must be a positive whole number (or -1 with max_epochs), found -5\n`,
    );
    const dir = referenceProject();
    const aug = await cli(["import", "solo-learn", "cfg/simclr.yaml", "--augmentations", "nope.yaml", "-o", "p.adainf"], dir);
    expect(aug.code).toBe(1);
    expect(aug.err).toMatch(/^error: .*nope\.yaml: no such file \(given with --augmentations\)$/m);
  });

  it("--augmentations overrides the defaults list", async () => {
    const dir = referenceProject();
    writeFileSync(join(dir, "weak.yaml"), CROP_03.replace("crop_min_scale: 0.3", "crop_min_scale: 0.5"));
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "--augmentations", "weak.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    expect(ir.augment.preset).toBe("weak");
    expect(ir.augment.views[0]!.ops[0]).toMatchObject({ scale: [0.5, 1] });
  });
});

describe("import solo-learn: a value error names the file and line of its key", () => {
  const run = (dir: string, ...more: string[]) => cli(["import", "solo-learn", "cfg/simclr.yaml", ...more, "-o", "p.adainf"], dir);

  it("a bad value in the config itself: its line there", async () => {
    const config = REFERENCE_STYLE.replace("  lr: 0.2", '  lr: "abc"');
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: cfg/simclr.yaml:${placeOf(config, "lr:")}: optimizer.lr must be a number, found "abc"\n`);
  });

  it("a bad value in the augmentations the defaults list names: that file's line (a compile error too)", async () => {
    const dir = referenceProject();
    const bad = CROP_03.replace("color_jitter: {prob: 0.8", "color_jitter: {prob: 7");
    writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), bad);
    const r = await run(dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "error: the imported settings do not make a valid pipeline:\n" +
        `  cfg/augmentations/symmetric_crop_0.3.yaml:${lineOf(bad, "color_jitter:")}:18: E021: color_jitter.p = 7 is out of range: it must be in [0, 1]\n`,
    );
  });

  it("a bad augmentation value given with --augmentations: that file's line, over the config's inline list", async () => {
    const inline = `${REFERENCE_STYLE.replace("  - augmentations: symmetric_crop_0.3.yaml\n", "").trimEnd()}\naugmentations:\n${CROP_03.replace(/^/gm, "  ").trimEnd()}\n`;
    const dir = referenceProject(inline);
    const bad = `# two crops\n${CROP_03.replace("grayscale: {prob: 0.2}", 'grayscale: {prob: "often"}')}`;
    writeFileSync(join(dir, "aug.yaml"), bad);
    const r = await run(dir, "--augmentations", "aug.yaml");
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: aug.yaml:${lineOf(bad, "grayscale:")}:15: pipeline 1: grayscale.prob must be a number\n`);
    // the config's own list, where no file overrides it: the config's line
    const own = inline.replace("grayscale: {prob: 0.2}", 'grayscale: {prob: "often"}');
    const r2 = await run(referenceProject(own));
    expect(r2.err).toBe(`error: cfg/simclr.yaml:${lineOf(own, "grayscale:")}:17: pipeline 1: grayscale.prob must be a number\n`);
  });

  it("a missing key: the mapping that lacks it (its line), else the config file", async () => {
    const config = REFERENCE_STYLE.replace("  temperature: 0.2\n", "");
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: cfg/simclr.yaml:${placeOf(config, "method_kwargs:")}: method_kwargs.temperature is missing\n`);
    const none = REFERENCE_STYLE.replace(/^method_kwargs:\n( {2}.*\n)*/m, "");
    const r2 = await run(referenceProject(none));
    expect(r2.code).toBe(1);
    expect(r2.err).toBe("error: cfg/simclr.yaml: method_kwargs.proj_hidden_dim is missing\n");
    const noCrop = CROP_03.replace("  crop_size: 32\n", "");
    const dir = referenceProject();
    writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), noCrop);
    const r3 = await run(dir);
    expect(r3.err).toBe("error: cfg/augmentations/symmetric_crop_0.3.yaml:1:3: pipeline 1: crop_size is missing\n");
  });

  it("a compile error about a value that is no call argument: its key's line (seed, data.dup, max_epochs, adainf.keep)", async () => {
    const invalid = "error: the imported settings do not make a valid pipeline:\n  ";
    const seed = `${REFERENCE_STYLE.trimEnd()}\nseed: 1.5\n`;
    const r1 = await run(referenceProject(seed));
    expect(r1.code).toBe(1);
    expect(r1.err).toBe(`${invalid}cfg/simclr.yaml:${placeOf(seed, "seed:")}: E020: seed expects a whole number, found 1.5\n`);
    const dup = REFERENCE_STYLE.replace("  dup: 10", "  dup: 0");
    const r2 = await run(referenceProject(dup));
    expect(r2.err).toBe(`${invalid}cfg/simclr.yaml:${placeOf(dup, "dup:")}: E021: replication of real = 0 is out of range: it must be in [1, 1000000]\n`);
    // (without compute_warm_step_epoch: with it and max_epochs alone, the fork's warm-up needs the epoch length, unknown here)
    const epochs = REFERENCE_STYLE.replace("max_steps: 100000", "max_steps: -1\nmax_epochs: 2.5").replace("compute_warm_step_epoch: 1000\n", "");
    const r3 = await run(referenceProject(epochs));
    expect(r3.err).toBe(`${invalid}cfg/simclr.yaml:${placeOf(epochs, "max_epochs:")}: E020: train.steps expects a whole number, found 2.5\n`);
    // a value of the provenance mapping compile --target solo-learn writes
    const keep = `${REFERENCE_STYLE.trimEnd()}\nadainf:\n  keep: 0\n`;
    const r4 = await run(referenceProject(keep));
    expect(r4.err).toBe(`${invalid}cfg/simclr.yaml:${placeOf(keep, "keep:")}: E021: output.keep = 0 is out of range: it must be >= 1\n`);
  });

  it("values the importer checks itself: devices, num_nodes, a source name, YAML syntax, the augmentations entry", async () => {
    const devices = REFERENCE_STYLE.replace("devices: [6,7]", 'devices: "abc"');
    const r1 = await run(referenceProject(devices));
    expect(r1.code).toBe(1);
    expect(r1.err).toBe(`error: cfg/simclr.yaml:${placeOf(devices, "devices:")}: devices must be a number of devices or a list of device ids, found "abc"\n`);
    const nodes = `${REFERENCE_STYLE.trimEnd()}\nnum_nodes: 0\n`;
    const r2 = await run(referenceProject(nodes));
    expect(r2.err).toBe(`error: cfg/simclr.yaml:${placeOf(nodes, "num_nodes:")}: num_nodes must be a whole number >= 1, found 0\n`);
    const name = `${REFERENCE_STYLE.trimEnd()}\nadainf:\n  sources:\n    train: 1st\n`;
    const r3 = await run(referenceProject(name));
    expect(r3.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(name, "train: 1st")}: adainf.sources.train: '1st' is not a name (letters, digits, _ and inner dashes, not starting with a digit)\n`,
    );
    const syntax = `${REFERENCE_STYLE.trimEnd()}\nbad: [1, 2\n`;
    const r4 = await run(referenceProject(syntax));
    expect(r4.err).toMatch(new RegExp(`^error: cfg/simclr\\.yaml:${lineOf(syntax, "bad:") + 1}:1: not valid YAML: [^\\n]*\\n$`));
    const missing = REFERENCE_STYLE.replace("symmetric_crop_0.3.yaml", "nope.yaml");
    const r5 = await run(referenceProject(missing));
    expect(r5.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(missing, "- augmentations:")}: cfg/augmentations/nope.yaml: no such file (the augmentations named by the config's defaults)\n`,
    );
  });
});

describe("import solo-learn: Hydra's defaults list", () => {
  /** REFERENCE_STYLE with another defaults list (its own body unchanged). */
  const withDefaults = (entries: string[], body = REFERENCE_STYLE.replace(/^defaults:\n( {2}- .*\n)*/m, "")) =>
    `defaults:\n${entries.map((e) => `  - ${e}\n`).join("")}${body}`;
  /** Two keys the config gives too, and one it does not (momentum). */
  const FAST = "lr: 0.5\nkwargs:\n  eta: 0.05\n  momentum: 0.8\n";
  const run = (dir: string) => cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
  const lars = (dir: string) => irOf("p.adainf", dir).train.optimizer;

  it("a group file merges at its key: _self_ first, it overrides the config; _self_ last or absent, the config overrides it", async () => {
    const files = (config: string) => {
      const dir = referenceProject(config);
      mkdirSync(join(dir, "cfg", "optimizer"));
      writeFileSync(join(dir, "cfg", "optimizer", "fast.yaml"), FAST);
      return dir;
    };
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    // the config's lr 0.2 and eta 0.02; the file's 0.5 and 0.05; rates scale by 512 / 256
    const first = files(withDefaults(["_self_", aug, "optimizer: fast.yaml"]));
    expect((await run(first)).code).toBe(0);
    // mappings merge key by key: weight_decay, clip_lr and exclude_bias_n_norm stay the config's
    expect(lars(first)).toMatchObject({ name: "lars", lr: 1, eta: 0.05, momentum: 0.8, weightDecay: 1e-4, clipLr: true, excludeBiasAndNorm: true });
    // override: the option of the earlier entry is replaced where it stands (slow.yaml is never looked for)
    const replaced = files(withDefaults(["optimizer: slow", "_self_", aug, "override optimizer: fast"]));
    const r = await run(replaced);
    expect(r.err).not.toContain("slow");
    expect(lars(replaced)).toMatchObject({ lr: 0.4, eta: 0.02, momentum: 0.8 });
    for (const entries of [
      [aug, "optimizer: fast", "_self_"],
      [aug, "optimizer: fast"],
    ]) {
      const dir = files(withDefaults(entries));
      expect((await run(dir)).code).toBe(0);
      expect(lars(dir)).toMatchObject({ lr: 0.4, eta: 0.02, momentum: 0.8, clipLr: true });
    }
  });

  it("a list is replaced, not merged: the augmentations entry and the config's own list, in both orders", async () => {
    const inline = `augmentations:\n${CROP_03.replace("crop_min_scale: 0.3", "crop_min_scale: 0.5").replace(/^/gm, "  ").trimEnd()}\n`;
    const body = `${REFERENCE_STYLE.replace(/^defaults:\n( {2}- .*\n)*/m, "").trimEnd()}\n${inline}`;
    const scale = async (entries: string[]) => {
      const dir = referenceProject(withDefaults(entries, body));
      const r = await run(dir);
      expect(r.code).toBe(0);
      const ir = irOf("p.adainf", dir);
      return { crop: ir.augment.views[0]!.ops[0], header: readFileSync(join(dir, "p.adainf"), "utf8").split("\n")[1] };
    };
    const fromFile = await scale(["_self_", "augmentations: symmetric_crop_0.3.yaml"]);
    expect(fromFile.crop).toMatchObject({ op: "random_resized_crop", scale: [0.3, 1] });
    expect(fromFile.header).toContain("(augmentations: cfg/augmentations/symmetric_crop_0.3.yaml)");
    const own = await scale(["augmentations: symmetric_crop_0.3.yaml", "_self_"]);
    expect(own.crop).toMatchObject({ op: "random_resized_crop", scale: [0.5, 1] });
    expect(own.header).toContain("(augmentations: cfg/simclr.yaml)");
  });

  it("a missing file and a file the pipeline takes nothing from: one note each at its entry; Hydra's own entries and null are silent", async () => {
    const config = withDefaults([
      "_self_",
      "augmentations: symmetric_crop_0.3.yaml",
      "wandb: private.yaml",
      "optional knn: fast.yaml",
      "logger: null",
      "override hydra/hydra_logging: disabled",
      "hydra/job_logging: disabled",
    ]);
    const dir = referenceProject(config);
    const missing = await run(dir);
    expect(missing.code).toBe(0);
    const notes = missing.err.split("\n").filter((l) => l.includes("defaults"));
    expect(notes).toEqual([
      `note: cfg/simclr.yaml:${placeOf(config, "- wandb:")}: defaults: 'wandb: private.yaml' names cfg/wandb/private.yaml, which does not exist: nothing is merged from it`,
      `note: cfg/simclr.yaml:${placeOf(config, "- optional knn:")}: defaults: 'optional knn: fast.yaml' names cfg/knn/fast.yaml, which does not exist (optional): nothing is merged from it`,
    ]);
    expect(missing.err).not.toMatch(/hydra|logger/);
    // solo-learn's own wandb/private.yaml: merged, and said once, at its entry (not again as wandb.enabled)
    mkdirSync(join(dir, "cfg", "wandb"));
    writeFileSync(join(dir, "cfg", "wandb", "private.yaml"), 'enabled: True\nentity: None\nproject: "solo-learn"');
    const present = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf", "--force"], dir);
    expect(present.code).toBe(0);
    expect(present.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(config, "- wandb:")}: defaults: 'wandb: private.yaml' (cfg/wandb/private.yaml) sets wandb, which the imported pipeline does not take settings from\n`,
    );
    expect(present.err).not.toContain("wandb.enabled");
    // a file the defaults list names is an input: never the output
    const over = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "cfg/wandb/private.yaml", "--force"], dir);
    expect(over.code).toBe(2);
    expect(over.err).toContain("(the defaults file cfg/wandb/private.yaml)");
  });

  it("an import that fails still gives the notes due before its error: the missing group file is why its keys are missing", async () => {
    const body = REFERENCE_STYLE.replace(/^defaults:\n( {2}- .*\n)*/m, "").replace(/^optimizer:\n( {2}.*\n)*/m, "");
    const config = withDefaults(["_self_", "augmentations: symmetric_crop_0.3.yaml", "optimizer: lars"], body);
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `note: cfg/simclr.yaml:${placeOf(config, "- optimizer:")}: defaults: 'optimizer: lars' names cfg/optimizer/lars.yaml, which does not exist: nothing is merged from it\n` +
        "error: cfg/simclr.yaml: optimizer.batch_size is missing\n",
    );
  });

  it("what Hydra refuses in a defaults list is imported with a note at its entry: _self_ twice, a group twice, an override of nothing", async () => {
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    const config = withDefaults(["_self_", aug, "optimizer: fast", "optimizer: fast", "override knn: x", "_self_"]);
    const dir = referenceProject(config);
    mkdirSync(join(dir, "cfg", "optimizer"));
    writeFileSync(join(dir, "cfg", "optimizer", "fast.yaml"), FAST);
    const r = await run(dir);
    expect(r.code).toBe(0);
    const line = (nth: number, start: string) => config.split("\n").findIndex((l, i) => l.trimStart().startsWith(start) && i >= nth) + 1;
    expect(r.err.split("\n").filter((l) => l.includes("Hydra"))).toEqual([
      `note: cfg/simclr.yaml:${line(lineOf(config, "- optimizer:"), "- optimizer:")}:5: defaults: 'optimizer: fast' gives optimizer a second time (Hydra refuses that; 'override optimizer: ...' replaces the first): both are merged, in order`,
      `note: cfg/simclr.yaml:${placeOf(config, "- override knn:")}: defaults: 'override knn: x' overrides no earlier entry of knn (Hydra refuses that); merged where it stands`,
      `note: cfg/simclr.yaml:${line(lineOf(config, "- _self_"), "- _self_")}:5: defaults: _self_ again: ignored (Hydra refuses a second one); the config's keys are merged at the first`,
    ]);
  });

  it("a group file that cannot be read is named at its entry's line, before _self_ too; one that is no mapping, as such", async () => {
    const body = REFERENCE_STYLE.replace(/^defaults:\n( {2}- .*\n)*/m, "").replace(/^optimizer:\n( {2}.*\n)*/m, "");
    const config = withDefaults(["augmentations: symmetric_crop_0.3.yaml", "optimizer: odd", "_self_"], body);
    const dir = referenceProject(config);
    mkdirSync(join(dir, "cfg", "optimizer", "odd.yaml"), { recursive: true });
    const folder = await run(dir);
    expect(folder.code).toBe(1);
    expect(folder.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(config, "- optimizer:")}: cfg/optimizer/odd.yaml: not a regular file (named by the defaults entry 'optimizer: odd')\n`,
    );
    const list = referenceProject(config);
    mkdirSync(join(list, "cfg", "optimizer"));
    writeFileSync(join(list, "cfg", "optimizer", "odd.yaml"), "- lars\n- 0.2\n");
    const r = await run(list);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: cfg/optimizer/odd.yaml: optimizer must be a mapping (it holds batch_size), found a list\n");
  });

  it("a group file over 1 MiB, one that cannot be read and one nested too deeply: at the entry's line", async () => {
    const body = REFERENCE_STYLE.replace(/^defaults:\n( {2}- .*\n)*/m, "").replace(/^optimizer:\n( {2}.*\n)*/m, "");
    const config = withDefaults(["_self_", "augmentations: symmetric_crop_0.3.yaml", "optimizer: odd"], body);
    const dir = referenceProject(config);
    mkdirSync(join(dir, "cfg", "optimizer"));
    const file = join(dir, "cfg", "optimizer", "odd.yaml");
    const at = `error: cfg/simclr.yaml:${placeOf(config, "- optimizer:")}: cfg/optimizer/odd.yaml`;
    writeFileSync(file, Array.from({ length: 80_000 }, (_, i) => `extra_${i}: ${i}`).join("\n"));
    expect((await run(dir)).err).toBe(`${at}: 1.4 MiB, over the 1 MiB a solo-learn config may have (named by the defaults entry 'optimizer: odd')\n`);
    writeFileSync(file, `${"[".repeat(100_000)}${"]".repeat(100_000)}\n`);
    expect((await run(dir)).err).toBe(`${at}: nested too deeply to be a solo-learn config (named by the defaults entry 'optimizer: odd')\n`);
    if (process.platform === "linux") {
      // a regular file whose read fails (EIO)
      rmSync(file);
      symlinkSync("/proc/self/mem", file);
      expect((await run(dir)).err).toBe(`${at}: cannot read it (EIO: i/o error, read)\n`);
    }
  });

  it("a value a group file gives is placed in that file, errors and compile errors alike", async () => {
    const dir = referenceProject(withDefaults(["_self_", "augmentations: symmetric_crop_0.3.yaml", "optimizer: fast.yaml"]));
    mkdirSync(join(dir, "cfg", "optimizer"));
    writeFileSync(join(dir, "cfg", "optimizer", "fast.yaml"), "# faster\nlr: fast\n");
    const bad = await run(dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe('error: cfg/optimizer/fast.yaml:2:1: optimizer.lr must be a number, found "fast"\n');
    writeFileSync(join(dir, "cfg", "optimizer", "fast.yaml"), "# faster\nlr: 0.5\nkwargs:\n  eta: -1\n");
    const compile = await run(dir);
    expect(compile.err).toBe(
      "error: the imported settings do not make a valid pipeline:\n  cfg/optimizer/fast.yaml:4:3: E021: lars.eta = -1 is out of range: it must be > 0\n",
    );
  });

  it("group/name entries, a list of options and @package place files at other keys; a file's own defaults list is followed from its group", async () => {
    const config = withDefaults(["_self_", "augmentations/symmetric_crop_0.3", "knn@knn_eval: [on.yaml, far]", "extra: more", "optional late: x"]);
    const dir = referenceProject(config);
    mkdirSync(join(dir, "cfg", "knn"));
    writeFileSync(join(dir, "cfg", "knn", "on.yaml"), "enabled: true\nk: 10\n");
    writeFileSync(join(dir, "cfg", "knn", "far.yaml"), "distance_func: cosine\n");
    mkdirSync(join(dir, "cfg", "extra"));
    writeFileSync(join(dir, "cfg", "extra", "more.yaml"), "# @package _global_\ndefaults:\n  - other: x\nseed: 7\n");
    const r = await run(dir);
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    // both files of the list, in order, merged into knn_eval
    expect(ir.evaluate.knn).toMatchObject({ k: 10, distance: "cosine" });
    expect(ir.seed).toBe(7);
    expect(ir.augment.views[0]!.ops[0]).toMatchObject({ scale: [0.3, 1] });
    // the written file says which files it was composed from, and where each went
    expect(readFileSync(join(dir, "p.adainf"), "utf8")).toContain(
      "// Merged from its defaults list: cfg/knn/on.yaml at knn_eval, cfg/knn/far.yaml at knn_eval, cfg/extra/more.yaml at the top level.\n",
    );
    // its entries name files of its own group (other: x is cfg/extra/other/x.yaml), said at their lines in the file
    expect(r.err).toContain(
      "note: cfg/extra/more.yaml:3:5: defaults: 'other: x' names cfg/extra/other/x.yaml, which does not exist: nothing is merged from it\n",
    );
    // the entries of the config's own list keep their places (the file's list, merged at the top, does not replace them)
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(config, "- optional late:")}: defaults: 'optional late: x' names cfg/late/x.yaml`);
  });

  it("a group file's defaults list: groups from its group, packages under its package, its keys where its _self_ stands; an override above wins", async () => {
    const body = REFERENCE_STYLE.replace(/^defaults:\n( {2}- .*\n)*/m, "").replace(/^optimizer:\n( {2}.*\n)*/m, "");
    const project = (entries: string[], larsList: string[]) => {
      const dir = referenceProject(withDefaults(entries, body));
      const file = (path: string, text: string) => {
        mkdirSync(join(dir, "cfg", ...path.split("/").slice(0, -1)), { recursive: true });
        writeFileSync(join(dir, "cfg", ...path.split("/")), text);
      };
      file(
        "optimizer/lars.yaml",
        `defaults:\n${larsList.map((e) => `  - ${e}\n`).join("")}name: lars\nbatch_size: 256\nlr: 0.3\nclassifier_lr: 0.1\nweight_decay: 1e-4\nkwargs:\n  eta: 0.01\n`,
      );
      file("optimizer/kwargs/strict.yaml", "eta: 0.05\nclip_lr: true\n");
      file("optimizer/kwargs/loose.yaml", "clip_lr: false\n");
      file("scheduler/cosine.yaml", "name: warmup_cosine\nwarmup_epochs: 5\n");
      return dir;
    };
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    const nested = ["kwargs: strict", "/scheduler@_global_.scheduler: cosine"];
    const dir = project(["_self_", aug, "optimizer: lars"], nested);
    const r = await run(dir);
    expect(r.err).not.toContain("defaults:");
    expect(r.code).toBe(0);
    // kwargs/strict.yaml is optimizer/kwargs/strict.yaml, at optimizer.kwargs; lars.yaml's own eta comes after it (no _self_: last)
    expect(lars(dir)).toMatchObject({ name: "lars", lr: 0.6, eta: 0.01, clipLr: true });
    // /scheduler: from the config's folder; @_global_.scheduler: at the top-level scheduler (5 of the fork's warm-up epochs)
    expect(irOf("p.adainf", dir).train.schedule).toMatchObject({ name: "warmup_cosine", warmupSteps: 500 });
    expect(readFileSync(join(dir, "p.adainf"), "utf8")).toContain(
      "// Merged from its defaults list: cfg/optimizer/lars.yaml at optimizer, cfg/optimizer/kwargs/strict.yaml at optimizer.kwargs, cfg/scheduler/cosine.yaml at scheduler.\n",
    );
    // _self_ first in the file: the nested file's eta wins
    const selfFirst = project(["_self_", aug, "optimizer: lars"], ["_self_", ...nested]);
    expect((await run(selfFirst)).code).toBe(0);
    expect(lars(selfFirst)).toMatchObject({ eta: 0.05, clipLr: true });
    // the config overrides the group the file chose, where the file chose it (strict.yaml is not read)
    const over = project(["_self_", aug, "optimizer: lars", "override optimizer/kwargs: loose"], nested);
    const r2 = await run(over);
    expect(r2.err).not.toContain("defaults:");
    expect(lars(over)).toMatchObject({ eta: 0.01, clipLr: false });
    expect(readFileSync(join(over, "p.adainf"), "utf8")).toContain("cfg/optimizer/kwargs/loose.yaml at optimizer.kwargs");
    // without a package of its own, a nested entry goes under the file's: /scheduler at optimizer.scheduler
    const under = project(["_self_", aug, "optimizer: lars"], ["/scheduler: cosine"]);
    const r3 = await run(under);
    expect(r3.code).toBe(0);
    expect(readFileSync(join(under, "p.adainf"), "utf8")).toContain("cfg/scheduler/cosine.yaml at optimizer.scheduler");
  });

  it("an experiment file's override decides a group the config chose before it (Hydra's experiment pattern)", async () => {
    const body = REFERENCE_STYLE.replace(/^defaults:\n( {2}- .*\n)*/m, "");
    const config = withDefaults(["_self_", "augmentations: symmetric_crop_0.3.yaml", "knn@knn_eval: slow", "experiment: fast"], body);
    const dir = referenceProject(config);
    mkdirSync(join(dir, "cfg", "knn"));
    writeFileSync(join(dir, "cfg", "knn", "slow.yaml"), "enabled: true\nk: 200\n");
    writeFileSync(join(dir, "cfg", "knn", "quick.yaml"), "enabled: true\nk: 5\n");
    mkdirSync(join(dir, "cfg", "experiment"));
    // its override names the entry's package: Hydra matches group and package (the test above)
    writeFileSync(join(dir, "cfg", "experiment", "fast.yaml"), "# @package _global_\ndefaults:\n  - override /knn@knn_eval: quick\nmax_steps: 2000\n");
    const r = await run(dir);
    expect(r.err).not.toContain("defaults:");
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    expect(ir.evaluate.knn).toMatchObject({ k: 5 });
    expect(ir.train.steps).toBe(2000);
    expect(readFileSync(join(dir, "p.adainf"), "utf8")).toContain(
      "// Merged from its defaults list: cfg/knn/quick.yaml at knn_eval, cfg/experiment/fast.yaml at the top level.\n",
    );
  });

  it("an override overrides the entry of its group at its package, as Hydra 1.2 matches it; one that matches only another package's entry is an error at its line", async () => {
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    const make = (entries: string[], files: Record<string, string> = {}) => {
      const config = withDefaults(entries);
      const dir = referenceProject(config);
      const all: Record<string, string> = {
        "knn/near.yaml": "enabled: true\nk: 10\n",
        "knn/slow.yaml": "enabled: true\nk: 200\n",
        "knn/quick.yaml": "enabled: true\nk: 5\n",
        ...files,
      };
      for (const [path, text] of Object.entries(all)) {
        mkdirSync(join(dir, "cfg", ...path.split("/").slice(0, -1)), { recursive: true });
        writeFileSync(join(dir, "cfg", ...path.split("/")), text);
      }
      return { config, dir };
    };
    // two entries of knn, at two packages: the override changes the one at its package only
    const two = make(["_self_", aug, "knn: near", "knn@knn_eval: slow", "override knn@knn_eval: quick"]);
    const r = await run(two.dir);
    expect(r.code).toBe(0);
    expect(irOf("p.adainf", two.dir).evaluate.knn).toMatchObject({ k: 5 });
    expect(readFileSync(join(two.dir, "p.adainf"), "utf8")).toContain("cfg/knn/near.yaml at knn, cfg/knn/quick.yaml at knn_eval");
    // an override without a package is knn at knn: it does not override knn@knn_eval (Hydra refuses it)
    const plain = make(["_self_", aug, "knn@knn_eval: slow", "override knn: quick"]);
    const e = await run(plain.dir);
    expect(e.code).toBe(1);
    expect(e.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(plain.config, "- override knn:")}: defaults: 'override knn: quick' overrides knn at knn, where no entry chooses it: knn is chosen at knn_eval ('knn@knn_eval: slow'), and Hydra matches an override to the entry of the same group and package (it refuses this one: "Could not override 'knn'. Did you mean to override knn@knn_eval?")\n`,
    );
    // and the other way round, in an experiment file (its `# @package _global_` puts its own entries at the top level)
    const exp = make(["_self_", aug, "knn: slow", "experiment: fast"], {
      "experiment/fast.yaml": "# @package _global_\ndefaults:\n  - override /knn@knn_eval: quick\n",
    });
    const x = await run(exp.dir);
    expect(x.code).toBe(1);
    expect(x.err).toBe(
      `error: cfg/experiment/fast.yaml:3:5: defaults: 'override /knn@knn_eval: quick' overrides knn at knn_eval, where no entry chooses it: knn is chosen at knn ('knn: slow'), and Hydra matches an override to the entry of the same group and package (it refuses this one: "Could not override 'knn@knn_eval'. Did you mean to override knn?")\n`,
    );
  });

  it("~group deletes the group's entry, ~group: name only the entry selecting name; a deletion of nothing is a note", async () => {
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    const make = (entries: string[]) => {
      const config = withDefaults(entries);
      const dir = referenceProject(config);
      mkdirSync(join(dir, "cfg", "wandb"));
      writeFileSync(join(dir, "cfg", "wandb", "private.yaml"), "enabled: true\nproject: solo-learn\n");
      mkdirSync(join(dir, "cfg", "knn"));
      writeFileSync(join(dir, "cfg", "knn", "near.yaml"), "enabled: true\nk: 10\n");
      return { config, dir };
    };
    const kept = make(["_self_", aug, "wandb: private.yaml", "knn@knn_eval: near", "~wandb", "~knn: far"]);
    const r = await run(kept.dir);
    expect(r.code).toBe(0);
    // wandb/private.yaml is not merged (nothing is said about wandb); knn is, as ~knn: far selects another option
    expect(r.err).not.toContain("wandb");
    expect(r.err.split("\n").filter((l) => l.includes("defaults"))).toEqual([
      `note: cfg/simclr.yaml:${placeOf(kept.config, "- ~knn:")}: defaults: '~knn: far' deletes nothing: the defaults lists have no entry of knn selecting far`,
    ]);
    expect(irOf("p.adainf", kept.dir).evaluate.knn).toMatchObject({ k: 10 });
    const gone = make(["_self_", aug, "knn@knn_eval: near", "~knn: near.yaml"]);
    expect((await run(gone.dir)).code).toBe(0);
    expect(irOf("p.adainf", gone.dir).evaluate.knn).toBeNull();
    expect(readFileSync(join(gone.dir, "p.adainf"), "utf8")).not.toContain("knn");
  });

  it("what the importer does not follow as Hydra would is a note at its entry: a file that includes itself, overrides out of place", async () => {
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    const config = withDefaults(["_self_", aug, "extra: loop", "override knn@knn_eval: a", "knn@knn_eval: b", "override knn@knn_eval: c"]);
    const dir = referenceProject(config);
    mkdirSync(join(dir, "cfg", "extra"));
    writeFileSync(join(dir, "cfg", "extra", "loop.yaml"), "# @package _global_\ndefaults:\n  - /extra: loop\nseed: 3\n");
    mkdirSync(join(dir, "cfg", "knn"));
    writeFileSync(join(dir, "cfg", "knn", "c.yaml"), "enabled: true\nk: 30\n");
    const r = await run(dir);
    expect(r.code).toBe(0);
    const ir = irOf("p.adainf", dir);
    expect(ir.seed).toBe(3);
    // the last override in a list decides (a and b are never looked for)
    expect(ir.evaluate.knn).toMatchObject({ k: 30 });
    expect(r.err).not.toMatch(/knn\/[ab]\.yaml/);
    expect(r.err.split("\n").filter((l) => l.includes("defaults:"))).toEqual([
      "note: cfg/extra/loop.yaml:3:5: defaults: '/extra: loop' names cfg/extra/loop.yaml, which is being composed already (it would include itself): not followed",
      `note: cfg/simclr.yaml:${placeOf(config, "- override knn@knn_eval: a")}: defaults: 'override knn@knn_eval: a' comes before other entries of its list (Hydra wants overrides at the end); it applies to them too`,
      `note: cfg/simclr.yaml:${placeOf(config, "- override knn@knn_eval: a")}: defaults: 'override knn@knn_eval: a' has no effect: 'override knn@knn_eval: c' decides knn@knn_eval`,
    ]);
  });

  it("a group or option with a parent step (..) is refused at its entry: Hydra resolves groups from the config's folder only", async () => {
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    for (const entry of ["../../x: y", "optimizer: ../lars", "../x/y", "/../x: y", "override optimizer: a/../../b", "~../x"]) {
      const config = withDefaults(["_self_", aug, entry]);
      const dir = referenceProject(config);
      writeFileSync(join(dir, "y.yaml"), "seed: 1\n");
      const r = await run(dir);
      expect(r.code).toBe(1);
      const shown = entry.replace(/^(\S+)\s*:\s*/, "$1: ");
      expect(r.err).toBe(
        `error: cfg/simclr.yaml:${lineOf(config, `- ${entry}`)}:5: defaults: '${shown}' steps out of its folder with '..', which Hydra does not support (name the group from the config's folder: /group)\n`,
      );
    }
  });

  it("packages as Hydra places them: _group_ anywhere in an entry's package, the last _global_; _name_ and a header's _group_ are refused at their line", async () => {
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    const make = (entry: string, near = "enabled: true\nk: 10\n") => {
      const config = withDefaults(["_self_", aug, entry]);
      const dir = referenceProject(config);
      mkdirSync(join(dir, "cfg", "knn"));
      writeFileSync(join(dir, "cfg", "knn", "near.yaml"), near);
      return { config, dir };
    };
    // `_group__eval` is knn_eval (Hydra replaces _group_ wherever it is); `x._global_.knn_eval` is knn_eval
    for (const entry of ["knn@_group__eval: near", "knn@x._global_.knn_eval: near"]) {
      const { dir } = make(entry);
      const r = await run(dir);
      expect(r.err).not.toContain("defaults");
      expect(irOf("p.adainf", dir).evaluate.knn).toMatchObject({ k: 10 });
    }
    // a header is absolute, after blank lines and other `# @key value` lines; its entry's own package wins over it
    const header = make("knn: near", "\n# @owner lab\n# @package knn_eval\nenabled: true\nk: 12\n");
    expect((await run(header.dir)).code).toBe(0);
    expect(irOf("p.adainf", header.dir).evaluate.knn).toMatchObject({ k: 12 });
    // a plain comment ends the header (Hydra reads no further)
    const late = make("knn: near", "# settings\n# @package knn_eval\nenabled: true\nk: 12\n");
    expect((await run(late.dir)).err).toContain("knn, which the imported pipeline does not take settings from");
    // _name_: the option's name in Hydra 1.1, a key named _name_ from 1.2 on (solo-learn's version_base)
    const named = make("knn@_name_: near");
    const r1 = await run(named.dir);
    expect(r1.code).toBe(1);
    expect(r1.err).toBe(
      `error: cfg/simclr.yaml:${placeOf(named.config, "- knn@")}: defaults: 'knn@_name_: near': _name_ in a package is the option's name to Hydra 1.1 but a key named _name_ from Hydra 1.2 on (solo-learn runs version_base 1.2); write the package itself\n`,
    );
    const headed = make("knn: near", "# @package _group_\nk: 10\n");
    const r2 = await run(headed.dir);
    expect(r2.code).toBe(1);
    expect(r2.err).toBe(
      "error: cfg/knn/near.yaml:1: '# @package _group_': _group_ in a package line is the group's package to Hydra 1.1 but a key named _group_ from Hydra 1.2 on (solo-learn runs version_base 1.2); remove the line for the group's package, or write the package itself\n",
    );
    // unused (the entry gives the package), the header is no error
    const unused = make("knn@knn_eval: near", "# @package _group_\nenabled: true\nk: 10\n");
    expect((await run(unused.dir)).code).toBe(0);
    // a header line that is not '# @key value' is refused, as Hydra refuses it
    const bad = make("knn: near", "# @package a b\nk: 10\n");
    expect((await run(bad.dir)).err).toBe("error: cfg/knn/near.yaml:1: '# @package a b': a header line is '# @key value' (Hydra refuses it)\n");
  });

  it("the config's own # @package line places its keys, and its entries' packages under it", async () => {
    const config = `# @package run\n${REFERENCE_STYLE}`;
    const args = ["import", "solo-learn", "cfg/simclr.yaml", "--augmentations", "cfg/augmentations/symmetric_crop_0.3.yaml", "-o", "p.adainf"];
    // its keys are under run (method too), only --augmentations is at the top level
    const r = await cli(args, referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toContain("error: cfg/simclr.yaml: method: '' has no adainf equivalent");
    const global = `# @package _global_\n${REFERENCE_STYLE}`;
    expect((await run(referenceProject(global))).code).toBe(0);
  });

  it("a defaults-list interpolation is the option chosen for a config group, as Hydra resolves it: after the list's other entries", async () => {
    const aug = "augmentations: symmetric_crop_0.3.yaml";
    const make = (entries: string[], more: Record<string, string> = {}) => {
      const config = withDefaults(entries);
      const dir = referenceProject(config);
      const files: Record<string, string> = { "arch/res.yaml": "", "size/small.yaml": "", "knn/res_small.yaml": "enabled: true\nk: 7\n", ...more };
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(join(dir, "cfg", ...path.split("/").slice(0, -1)), { recursive: true });
        writeFileSync(join(dir, "cfg", ...path.split("/")), text);
      }
      return { config, dir };
    };
    // ${arch}_${size}: text around the choices kept; size is chosen after the entry, and still read (Hydra resolves last)
    const ok = make(["_self_", aug, "arch: res", "knn@knn_eval: ${arch}_${size}", "size: small"]);
    const r = await run(ok.dir);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain("interpolation");
    expect(irOf("p.adainf", ok.dir).evaluate.knn).toMatchObject({ k: 7 });
    expect(readFileSync(join(ok.dir, "p.adainf"), "utf8")).toContain("cfg/knn/res_small.yaml at knn_eval");
    // an interpolated group/name entry of the config, and an override's option
    for (const entries of [
      ["_self_", aug, "arch: res", "size: small", "knn/${arch}_${size}@knn_eval"],
      ["_self_", aug, "arch: res", "size: small", "knn@knn_eval: none", "override knn@knn_eval: ${arch}_${size}"],
      // both keywords, in either order, as Hydra reads them
      ["_self_", aug, "arch: res", "size: small", "knn@knn_eval: none", "optional override knn@knn_eval: ${arch}_${size}"],
      ["_self_", aug, "arch: res", "size: small", "knn@knn_eval: none", "override optional knn@knn_eval: ${arch}_${size}"],
    ]) {
      const { dir } = make(entries);
      expect((await run(dir)).code).toBe(0);
      expect(irOf("p.adainf", dir).evaluate.knn).toMatchObject({ k: 7 });
    }
    const missing = make(["_self_", aug, "arch: gone", "knn@knn_eval: none", "optional override knn@knn_eval: ${arch}"]);
    const gone = await run(missing.dir);
    expect(gone.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(missing.config, "- optional override")}: defaults: 'optional override knn@knn_eval: gone' names cfg/knn/gone.yaml, which does not exist (optional): nothing is merged from it\n`,
    );
    // in a group file: the groups chosen by then, here the config's (its later entries come first, as in Hydra)
    const nested = make(["_self_", aug, "experiment: x", "arch: res", "size: small"], {
      "experiment/x.yaml": "# @package _global_\ndefaults:\n  - /knn@knn_eval: ${arch}_${size}\n",
    });
    expect((await run(nested.dir)).code).toBe(0);
    expect(irOf("p.adainf", nested.dir).evaluate.knn).toMatchObject({ k: 7 });

    const refused = async (entries: string[], at: string, text: string, more: Record<string, string> = {}) => {
      const { config, dir } = make(entries, more);
      const e = await run(dir);
      expect(e.code).toBe(1);
      expect(e.err).toBe(`error: ${at.startsWith("cfg/") ? at : `cfg/simclr.yaml:${lineOf(config, at)}:5`}: ${text}\n`);
    };
    // a key of the config is no group choice: Hydra reads only those
    await refused(
      ["_self_", aug, "arch: res", "knn@knn_eval: ${backbone_name}"],
      "- knn@",
      "defaults: 'knn@knn_eval: ${backbone_name}': ${backbone_name} names no config group chosen before this entry (a defaults-list interpolation reads only those, not the config's keys: arch, augmentations)",
    );
    // the experiment comes last, so Hydra expands it before arch is chosen
    await refused(
      ["_self_", aug, "arch: res", "experiment: x"],
      "cfg/experiment/x.yaml:3:5",
      "defaults: '/knn@knn_eval: ${arch}': ${arch} names no config group chosen before this entry (a defaults-list interpolation reads only those, not the config's keys: experiment)",
      {
        "experiment/x.yaml": "# @package _global_\ndefaults:\n  - /knn@knn_eval: ${arch}\n",
      },
    );
    await refused(
      ["_self_", aug, "knn: ${oc.env:KNN}"],
      "- knn:",
      "defaults: 'knn: ${oc.env:KNN}': ${oc.env:KNN}: import resolves only ${group} in a defaults list (the option chosen for a config group before this entry); write the option itself",
    );
    await refused(
      ["_self_", aug, "arch: res", "knn: [a, '${arch}']"],
      "- knn:",
      "defaults: 'knn: a, ${arch}': Hydra does not support an interpolation in a list of options",
    );
    await refused(
      ["_self_", aug, "experiment: x"],
      "cfg/experiment/x.yaml:2:5",
      "defaults: 'knn/${experiment}': Hydra reads an interpolated group/name entry of a group file from the wrong folder (its group twice); write it as 'group: ${...}'",
      { "experiment/x.yaml": "defaults:\n  - knn/${experiment}\n" },
    );
    await refused(
      ["_self_", aug, "arch: res", "knn@knn_eval: ${arch}"],
      "cfg/knn/res.yaml:2:5",
      "defaults: 'override /size: big': Hydra refuses an override in a file chosen by a defaults-list interpolation (or below one)",
      { "knn/res.yaml": "defaults:\n  - override /size: big\n" },
    );
  });

  it("@_group_.x places a file under its group's key; a package that is no dotted name is skipped with a note, on an entry or a file's @package line", async () => {
    const config = withDefaults(["_self_", "augmentations: symmetric_crop_0.3.yaml", "knn@_group_.x: near", "knn@a..b: near", "extra: bad"]);
    const dir = referenceProject(config);
    mkdirSync(join(dir, "cfg", "knn"));
    writeFileSync(join(dir, "cfg", "knn", "near.yaml"), "k: 10\n");
    mkdirSync(join(dir, "cfg", "extra"));
    writeFileSync(join(dir, "cfg", "extra", "bad.yaml"), "# @package x.\nzzz: 1\n");
    const r = await run(dir);
    expect(r.code).toBe(0);
    // placed at knn.x (the group's key, then x), not at a key named _group_.x
    expect(r.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(config, "- knn@_group_.x:")}: defaults: 'knn@_group_.x: near' (cfg/knn/near.yaml) sets knn.x, which the imported pipeline does not take settings from\n`,
    );
    expect(r.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(config, "- knn@a..b:")}: defaults: {"knn@a..b":"near"} is not an entry the importer follows (_self_, group: name, group/name, ~group); skipped\n`,
    );
    expect(r.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(config, "- extra:")}: defaults: 'extra: bad': '# @package x.' in cfg/extra/bad.yaml names no package; merged at extra\n`,
    );
  });
});
