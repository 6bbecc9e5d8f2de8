import { readFileSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import { compileFileSync } from "../../src/driver.js";
import { formatText } from "../../src/syntax/format.js";
import { cli, project, ROOT } from "../helpers.js";
import { emitSolo, pipeline, tempDir } from "./helpers.js";

// adainfc import solo-learn: the round trip compile -> solo-learn -> import -> compile
// gives the same IR for all 12 paper pipelines (only `file` differs), and a config
// written in the reference's own style imports with solo-learn's semantics.

function irOf(file: string, cwd: string): PipelineIR {
  const out = compileFileSync(file, { cwd });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out.pipelines[0]!.ir;
}

const PIPELINES = ["simclr", "mocov2plus", "byol", "barlow"].flatMap((m) => ["none", "vanilla", "adainf"].map((i) => `${m}_${i}`));

describe("import solo-learn: round trip of the 12 paper pipelines", () => {
  for (const name of PIPELINES) {
    it(name, async () => {
      const method = name.split("_")[0]!;
      const emitted = await emitSolo(`pipelines/${name}.adainf`);
      expect(emitted.code).toBe(0);
      const out = join(tempDir(), `${name}.adainf`);
      const r = await cli(["import", "solo-learn", join(emitted.dir, `${method}.yaml`), "-o", out]);
      expect(r.err).toBe("");
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

const REFERENCE_STYLE = `defaults:
  - _self_
  - augmentations: symmetric_crop_0.3.yaml
  - wandb: private.yaml
name: "simclr-cifar10-only-stf" # change here for cifar100
method: "simclr"
backbone:
  name: "resnet18"
method_kwargs:
  proj_hidden_dim: 2048
  proj_output_dim: 256
  temperature: 0.2
data:
  dataset: cifar10
  train_path: ../datasets/CIFAR10
  val_path: ../datasets/CIFAR10
  format: "image_folder"
  dup: 10
  extra_data: ../datasets/generated/gen.npz
optimizer:
  name: "lars"
  batch_size: 256
  lr: 0.2
  classifier_lr: 0.05
  weight_decay: 1e-4
  kwargs:
    clip_lr: True
    eta: 0.02
    exclude_bias_n_norm: True
scheduler:
  name: "warmup_cosine"
compute_warm_step_epoch: 1000
max_steps: 100000
devices: [6,7]
val_check_interval: 200
check_val_every_n_epoch:
`;

const CROP_03 = `- rrc:
    enabled: True
    crop_min_scale: 0.3
    crop_max_scale: 1.0
  color_jitter: {prob: 0.8, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2}
  grayscale: {prob: 0.2}
  gaussian_blur: {prob: 0.5}
  solarization: {prob: 0.0}
  equalization: {prob: 0.0}
  horizontal_flip: {prob: 0.5}
  crop_size: 32
  num_crops: 2
`;

/** The 1-based line of the first line of `text` that starts (after indentation) with `start`. */
function lineOf(text: string, start: string): number {
  const i = text.split("\n").findIndex((l) => l.trimStart().startsWith(start));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

function referenceProject(config = REFERENCE_STYLE): string {
  const dir = tempDir();
  mkdirSync(join(dir, "cfg", "augmentations"), { recursive: true });
  writeFileSync(join(dir, "cfg", "simclr.yaml"), config);
  writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), CROP_03);
  return dir;
}

describe("import solo-learn: what it changes is said, inline augmentations are read", () => {
  it("a random seed, auto-resume, W&B and unknown keys each get a note at their key's line", async () => {
    const config = `${REFERENCE_STYLE.trimEnd()}\nseed: null\nauto_resume:\n  enabled: true\nwandb:\n  enabled: true\n  project: adainf\n  entity: lab\nmy_custom_key: 3\nother_key: 4\n`;
    const dir = referenceProject(config);
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(0);
    const at = (key: string) => `note: cfg/simclr.yaml:${lineOf(config, key)}: `;
    expect(r.err).toContain(`${at("seed:")}seed: null (a new random seed each run) becomes seed = 5`);
    expect(r.err).toContain(`note: cfg/simclr.yaml:${lineOf(config, "auto_resume:") + 1}: auto_resume.enabled: true has no setting in a pipeline`);
    expect(r.err).toContain(`note: cfg/simclr.yaml:${lineOf(config, "wandb:") + 1}: wandb.enabled: true (lab/adainf) is not kept`);
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
    expect(r.err).toContain(`note: cfg/simclr.yaml:${REFERENCE_STYLE.trimEnd().split("\n").length + 1}: num_nodes = 2: written as devices = 4 (2 per node)`);
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
    expect(r.err).toContain(`note: cfg/simclr.yaml:${lineOf(REFERENCE_STYLE, "extra_data:")}: the size of ../datasets/generated/gen.npz is unknown`);
    // a key the config does not give: the config file
    expect(r.err).toContain("note: cfg/simclr.yaml: checkpoint.frequency (every 1 epoch(s)) dropped");
    const text = readFileSync(join(dir, "p.adainf"), "utf8");
    expect(text).toContain("augment symmetric_crop_0_3 {");
    expect(text).toContain(`// note: cfg/simclr.yaml:${lineOf(REFERENCE_STYLE, "extra_data:")}: the size of`);
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
    expect(twice.err).toContain(`cfg/simclr.yaml:${line}: the key 'method' is given twice in one mapping`);
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

  it("errors are one line, exit 1; the output is not overwritten without --force", async () => {
    const dir = referenceProject(REFERENCE_STYLE.replace('method: "simclr"', 'method: "dino"'));
    const r = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: cfg/simclr.yaml:${lineOf(REFERENCE_STYLE, "method:")}: method: 'dino' has no adainf equivalent (supported: simclr, mocov2plus, byol, barlow_twins)\n`,
    );
    expect(existsSync(join(dir, "p.adainf"))).toBe(false);

    const missing = await cli(["import", "solo-learn", "cfg/nope.yaml", "-o", "p.adainf"], dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^error: .*nope\.yaml: no such file/);

    const ok = referenceProject();
    writeFileSync(join(ok, "p.adainf"), "// mine\n");
    const again = await cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], ok);
    expect(again.code).toBe(1);
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
      `error: cfg/simclr.yaml:${lineOf(REFERENCE_STYLE, "max_steps:")}: max_steps must be a positive whole number (or -1 with max_epochs), found -5\n`,
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
    expect(r.err).toBe(`error: cfg/simclr.yaml:${lineOf(config, "lr:")}: optimizer.lr must be a number, found "abc"\n`);
  });

  it("a bad value in the augmentations the defaults list names: that file's line (a compile error too)", async () => {
    const dir = referenceProject();
    const bad = CROP_03.replace("color_jitter: {prob: 0.8", "color_jitter: {prob: 7");
    writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), bad);
    const r = await run(dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "error: the imported settings do not make a valid pipeline:\n" +
        `  cfg/augmentations/symmetric_crop_0.3.yaml:${lineOf(bad, "color_jitter:")}: E021: color_jitter.p = 7 is out of range: it must be in [0, 1]\n`,
    );
  });

  it("a bad augmentation value given with --augmentations: that file's line, over the config's inline list", async () => {
    const inline = `${REFERENCE_STYLE.replace("  - augmentations: symmetric_crop_0.3.yaml\n", "").trimEnd()}\naugmentations:\n${CROP_03.replace(/^/gm, "  ").trimEnd()}\n`;
    const dir = referenceProject(inline);
    const bad = `# two crops\n${CROP_03.replace("grayscale: {prob: 0.2}", 'grayscale: {prob: "often"}')}`;
    writeFileSync(join(dir, "aug.yaml"), bad);
    const r = await run(dir, "--augmentations", "aug.yaml");
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: aug.yaml:${lineOf(bad, "grayscale:")}: pipeline 1: grayscale.prob must be a number\n`);
    // the config's own list, where no file overrides it: the config's line
    const own = inline.replace("grayscale: {prob: 0.2}", 'grayscale: {prob: "often"}');
    const r2 = await run(referenceProject(own));
    expect(r2.err).toBe(`error: cfg/simclr.yaml:${lineOf(own, "grayscale:")}: pipeline 1: grayscale.prob must be a number\n`);
  });

  it("a missing key: the mapping that lacks it (its line), else the config file", async () => {
    const config = REFERENCE_STYLE.replace("  temperature: 0.2\n", "");
    const r = await run(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: cfg/simclr.yaml:${lineOf(config, "method_kwargs:")}: method_kwargs.temperature is missing\n`);
    const none = REFERENCE_STYLE.replace(/^method_kwargs:\n( {2}.*\n)*/m, "");
    const r2 = await run(referenceProject(none));
    expect(r2.code).toBe(1);
    expect(r2.err).toBe("error: cfg/simclr.yaml: method_kwargs.proj_hidden_dim is missing\n");
    const noCrop = CROP_03.replace("  crop_size: 32\n", "");
    const dir = referenceProject();
    writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), noCrop);
    const r3 = await run(dir);
    expect(r3.err).toBe("error: cfg/augmentations/symmetric_crop_0.3.yaml:1: pipeline 1: crop_size is missing\n");
  });

  it("a compile error about a value that is no call argument: its key's line (seed, data.dup, max_epochs, adainf.keep)", async () => {
    const invalid = "error: the imported settings do not make a valid pipeline:\n  ";
    const seed = `${REFERENCE_STYLE.trimEnd()}\nseed: 1.5\n`;
    const r1 = await run(referenceProject(seed));
    expect(r1.code).toBe(1);
    expect(r1.err).toBe(`${invalid}cfg/simclr.yaml:${lineOf(seed, "seed:")}: E020: seed expects a whole number, found 1.5\n`);
    const dup = REFERENCE_STYLE.replace("  dup: 10", "  dup: 0");
    const r2 = await run(referenceProject(dup));
    expect(r2.err).toBe(`${invalid}cfg/simclr.yaml:${lineOf(dup, "dup:")}: E021: replication of real = 0 is out of range: it must be in [1, 1000000]\n`);
    const epochs = REFERENCE_STYLE.replace("max_steps: 100000", "max_steps: -1\nmax_epochs: 2.5");
    const r3 = await run(referenceProject(epochs));
    expect(r3.err).toBe(
      `${invalid}cfg/simclr.yaml:${lineOf(epochs, "max_epochs:")}: E021: train.steps = 2.5 is out of range: it must be a positive whole number\n`,
    );
    // a value of the provenance mapping compile --target solo-learn writes
    const keep = `${REFERENCE_STYLE.trimEnd()}\nadainf:\n  keep: 0\n`;
    const r4 = await run(referenceProject(keep));
    expect(r4.err).toBe(`${invalid}cfg/simclr.yaml:${lineOf(keep, "keep:")}: E021: output.keep = 0 is out of range: it must be >= 1\n`);
  });

  it("values the importer checks itself: devices, num_nodes, a source name, YAML syntax, the augmentations entry", async () => {
    const devices = REFERENCE_STYLE.replace("devices: [6,7]", 'devices: "abc"');
    const r1 = await run(referenceProject(devices));
    expect(r1.code).toBe(1);
    expect(r1.err).toBe(`error: cfg/simclr.yaml:${lineOf(devices, "devices:")}: devices must be a number of devices or a list of device ids, found "abc"\n`);
    const nodes = `${REFERENCE_STYLE.trimEnd()}\nnum_nodes: 0\n`;
    const r2 = await run(referenceProject(nodes));
    expect(r2.err).toBe(`error: cfg/simclr.yaml:${lineOf(nodes, "num_nodes:")}: num_nodes must be a whole number >= 1, found 0\n`);
    const name = `${REFERENCE_STYLE.trimEnd()}\nadainf:\n  sources:\n    train: 1st\n`;
    const r3 = await run(referenceProject(name));
    expect(r3.err).toBe(
      `error: cfg/simclr.yaml:${lineOf(name, "train: 1st")}: adainf.sources.train: '1st' is not a name (letters, digits, _ and inner dashes, not starting with a digit)\n`,
    );
    const syntax = `${REFERENCE_STYLE.trimEnd()}\nbad: [1, 2\n`;
    const r4 = await run(referenceProject(syntax));
    expect(r4.err).toMatch(new RegExp(`^error: cfg/simclr\\.yaml:${lineOf(syntax, "bad:") + 1}: not valid YAML: [^\\n]*\\n$`));
    const missing = REFERENCE_STYLE.replace("symmetric_crop_0.3.yaml", "nope.yaml");
    const r5 = await run(referenceProject(missing));
    expect(r5.err).toBe(
      `error: cfg/simclr.yaml:${lineOf(missing, "- augmentations:")}: cfg/augmentations/nope.yaml: no such file (the augmentations named by the config's defaults)\n`,
    );
  });
});
