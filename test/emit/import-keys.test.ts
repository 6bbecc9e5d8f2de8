// adainfc import solo-learn: every key of a mapping the import reads is mapped, refused at
// its line or named in a note (never dropped silently); Lightning's limit_train_batches and
// check_val_every_n_epoch are honoured; classifier_lr is scaled only with a val_path, as
// solo-learn's parse_cfg does; the errors about epochs and crops carry their place.

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers.js";
import { writeNpz } from "../data/fixtures.js";
import { CROP_03, edit, irOf, placeOf, REFERENCE_STYLE, referenceProject } from "./import-fixtures.js";

const GEN = 2000;
/**
 * referenceProject with its npz there, inside the project (2,000 images): 50,000 x 10 +
 * 2,000 = 502,000 images, 980 steps of 512 an epoch. The other tests' ../datasets/... is
 * not there.
 */
function withNpz(config: string): string {
  const dir = referenceProject(edit(config, ["extra_data: ../datasets/generated/gen.npz", "extra_data: gen.npz"]));
  writeNpz(join(dir, "gen.npz"), new Uint8Array(GEN * 32 * 32 * 3), GEN, [32, 32, 3]);
  return dir;
}
const EPOCH = Math.floor((50_000 * 10 + GEN) / 512);

async function importCfg(dir: string) {
  return cli(["import", "solo-learn", "cfg/simclr.yaml", "-o", "p.adainf"], dir);
}

describe("import solo-learn: keys under the mappings it reads", () => {
  it("optimizer.kwargs.nesterov: True is refused at its line; False (torch's default) is silent", async () => {
    const config = edit(REFERENCE_STYLE, ["    exclude_bias_n_norm: True\n", "    exclude_bias_n_norm: True\n    nesterov: True\n"]);
    const r = await importCfg(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n").at(-1)).toBe(
      `error: cfg/simclr.yaml:${placeOf(config, "nesterov:")}: optimizer.kwargs.nesterov = true: Nesterov momentum, which adainf's lars(...) does not have; remove it, or set it to false`,
    );
    const off = await importCfg(
      referenceProject(edit(REFERENCE_STYLE, ["    exclude_bias_n_norm: True\n", "    exclude_bias_n_norm: True\n    nesterov: False\n"])),
    );
    expect(off.code).toBe(0);
    expect(off.err).not.toContain("nesterov");
  });

  it("LARS's eps at solo-learn's default (1e-8) is silent, another is refused at its line", async () => {
    const at = (v: string) => edit(REFERENCE_STYLE, ["    exclude_bias_n_norm: True\n", `    exclude_bias_n_norm: True\n    eps: ${v}\n`]);
    const same = await importCfg(referenceProject(at("1e-8")));
    expect(same.code).toBe(0);
    expect(same.err).not.toContain("kwargs.eps");
    const other = at("1.0e-6");
    const r = await importCfg(referenceProject(other));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: cfg/simclr.yaml:${placeOf(other, "eps:")}: optimizer.kwargs.eps = 0.000001: LARS's epsilon in the trust ratio`);
  });

  it("an optimizer argument import does not know is refused: solo-learn passes optimizer.kwargs on as they are", async () => {
    const config = edit(REFERENCE_STYLE, ["    eta: 0.02\n", "    eta: 0.02\n    trust_coefficient: 0.5\n"]);
    const r = await importCfg(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `error: cfg/simclr.yaml:${placeOf(config, "trust_coefficient:")}: optimizer.kwargs.trust_coefficient = 0.5: solo-learn passes optimizer.kwargs`,
    );
  });

  it("keys that change nothing the pipeline trains get a note each at their line: method_kwargs, data.no_labels, scheduler, momentum.classifier", async () => {
    const config = edit(
      REFERENCE_STYLE,
      ["  temperature: 0.2\n", "  temperature: 0.2\n  proj_use_bn: True\n"],
      ['  format: "image_folder"\n', '  format: "image_folder"\n  no_labels: True\n'],
      ['  name: "warmup_cosine"\n', '  name: "warmup_cosine"\n  lr_decay_steps: [60, 80]\n'],
      ["devices: [6,7]\n", "devices: [6,7]\nmomentum:\n  classifier: True\n"],
    );
    const r = await importCfg(referenceProject(config));
    expect(r.code).toBe(0);
    const at = (start: string) => `note: cfg/simclr.yaml:${placeOf(config, start)}: `;
    expect(r.err).toContain(`${at("proj_use_bn:")}method_kwargs.proj_use_bn: adainf does not read this key; dropped`);
    expect(r.err).toContain(`${at("no_labels:")}data.no_labels = true is dropped: solo-learn reads it for a custom dataset only`);
    expect(r.err).toContain(`${at("lr_decay_steps:")}scheduler.lr_decay_steps: adainf does not read this key; dropped`);
    // SimCLR has no momentum encoder: solo-learn does not read momentum.* for it
    expect(r.err).toContain(`${at("classifier:")}momentum.classifier: adainf does not read this key; dropped`);
  });

  it("momentum.classifier: True on MoCo v2+ is named (a second classifier, an evaluation only)", async () => {
    const config = edit(
      REFERENCE_STYLE,
      ['method: "simclr"', 'method: "mocov2plus"'],
      ["  temperature: 0.2\n", "  temperature: 0.2\n  queue_size: 32768\n"],
      ["devices: [6,7]\n", "devices: [6,7]\nmomentum:\n  base_tau: 0.99\n  final_tau: 0.999\n  classifier: True\n"],
    );
    const r = await importCfg(referenceProject(config));
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(config, "classifier:")}: momentum.classifier = true is dropped: a second online classifier on the momentum backbone`,
    );
  });

  it("sync_batchnorm not set on 2 GPUs (Lightning's false: statistics per GPU) is named; true is silent", async () => {
    const r = await importCfg(referenceProject());
    expect(r.code).toBe(0);
    expect(r.err).toContain("note: cfg/simclr.yaml: sync_batchnorm is not set (Lightning's default: false): on 2 GPUs each normalises its own 256 images");
    const on = await importCfg(referenceProject(`${REFERENCE_STYLE.trimEnd()}\nsync_batchnorm: True\n`));
    expect(on.code).toBe(0);
    expect(on.err).not.toContain("sync_batchnorm");
  });

  it("a Lightning Trainer key that changes the training (gradient_clip_val) is refused at its line", async () => {
    const config = `${REFERENCE_STYLE.trimEnd()}\ngradient_clip_val: 1.0\n`;
    const r = await importCfg(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: cfg/simclr.yaml:${placeOf(config, "gradient_clip_val:")}: gradient_clip_val = 1: gradient clipping`);
  });
});

describe("import solo-learn: Lightning's limit_train_batches and validation interval", () => {
  const EPOCHS = edit(REFERENCE_STYLE, ["compute_warm_step_epoch: 1000\nmax_steps: 100000\n", "max_epochs: 40\nlimit_train_batches: 0.25\n"]);

  it("limit_train_batches: 0.25 makes each epoch a quarter: 40 epochs are 40 x 245 steps, the warm-up 10 x 245", async () => {
    const dir = withNpz(EPOCHS);
    const r = await importCfg(dir);
    expect(r.err).not.toContain("error");
    expect(r.code).toBe(0);
    const L = Math.floor(EPOCH * 0.25);
    expect(r.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(EPOCHS, "limit_train_batches:")}: limit_train_batches = 0.25: each epoch is ${L} of its ${EPOCH} steps`,
    );
    const ir = irOf("p.adainf", dir);
    expect(ir.train.steps).toBe(40 * L);
    expect(ir.train.schedule).toMatchObject({ name: "warmup_cosine", warmupSteps: 10 * L });
  });

  it("limit_train_batches with the epoch length unknown (no npz) is refused at its line", async () => {
    const r = await importCfg(referenceProject(EPOCHS));
    expect(r.code).toBe(1);
    expect(r.err.trim().split("\n").at(-1)).toContain(
      `error: cfg/simclr.yaml:${placeOf(EPOCHS, "limit_train_batches:")}: limit_train_batches = 0.25 shortens every epoch, and the size of ../datasets/generated/gen.npz is unknown`,
    );
  });

  it("check_val_every_n_epoch: 10 without val_check_interval validates every 10 epochs", async () => {
    const config = edit(REFERENCE_STYLE, ["val_check_interval: 200\ncheck_val_every_n_epoch:\n", "check_val_every_n_epoch: 10\n"]);
    const dir = withNpz(config);
    const r = await importCfg(dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, "p.adainf"), "utf8")).toContain("every = 10 epochs");
    const ir = irOf("p.adainf", dir);
    expect(ir.evaluate.onlineLinear).toMatchObject({ every: 10 * EPOCH });
  });

  it("val_check_interval: 200 with check_val_every_n_epoch not given (Lightning's 1: counted within each epoch) is every 200 steps, with a note as 200 does not divide 980", async () => {
    const config = edit(REFERENCE_STYLE, ["check_val_every_n_epoch:\n", "limit_val_batches: 0.5\nlimit_train_batches: 490\n"]);
    const dir = withNpz(config);
    const r = await importCfg(dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `note: cfg/simclr.yaml:${placeOf(config, "val_check_interval:")}: val_check_interval = 200 with check_val_every_n_epoch = 1 (Lightning's default): Lightning validates after every 200 batches of each epoch, counting again from each epoch's start (an epoch is 490 steps)`,
    );
    expect(r.err).toContain(`note: cfg/simclr.yaml:${placeOf(config, "limit_val_batches:")}: limit_val_batches = 0.5 is dropped`);
    // a whole number of batches: an epoch of 490 steps (max_steps is not affected)
    expect(r.err).toContain("limit_train_batches = 490: each epoch is 490 of its 980 steps");
    const ir = irOf("p.adainf", dir);
    expect(ir.train.steps).toBe(100_000);
    expect(ir.evaluate.onlineLinear).toMatchObject({ every: 200 });
  });

  it("check_val_every_n_epoch: 2 with val_check_interval: 200 (every 200 batches of every other epoch) is refused at its line", async () => {
    const config = edit(REFERENCE_STYLE, ["check_val_every_n_epoch:\n", "check_val_every_n_epoch: 2\n"]);
    const r = await importCfg(referenceProject(config));
    expect(r.code).toBe(1);
    expect(r.err).toContain(`error: cfg/simclr.yaml:${placeOf(config, "check_val_every_n_epoch:")}: check_val_every_n_epoch = 2 with val_check_interval = 200`);
  });

  it("every epoch with the npz's size unknown: one line naming val_check_interval's absence, the npz and the fix", async () => {
    const config = edit(REFERENCE_STYLE, ["val_check_interval: 200\ncheck_val_every_n_epoch:\n", ""]);
    const r = await importCfg(referenceProject(config));
    expect(r.code).toBe(1);
    const last = r.err.trim().split("\n").at(-1)!;
    expect(last).toBe(
      "error: cfg/simclr.yaml: val_check_interval is not set (Lightning's default: 1.0, once an epoch), so Lightning validates every epoch, but the size of ../datasets/generated/gen.npz is unknown (file not found), so an epoch has no known length in steps: put the npz there, or write val_check_interval: <steps> with check_val_every_n_epoch: null",
    );
    expect(r.err).not.toContain("E031");
    // given: at its line
    const cve = edit(REFERENCE_STYLE, ["val_check_interval: 200\ncheck_val_every_n_epoch:\n", "check_val_every_n_epoch: 10\n"]);
    const r2 = await importCfg(referenceProject(cve));
    expect(r2.err).toContain(
      `error: cfg/simclr.yaml:${placeOf(cve, "check_val_every_n_epoch:")}: check_val_every_n_epoch = 10: Lightning validates every 10 epochs, but the size of`,
    );
  });
});

describe("import solo-learn: classifier_lr without a val_path", () => {
  it("is not scaled by the batch (solo-learn scales it only with a val_path), and the made-up evaluation source is named", async () => {
    const config = edit(REFERENCE_STYLE, ["  val_path: ../datasets/CIFAR10\n", ""]);
    const dir = referenceProject(config);
    const r = await importCfg(dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      "data.val_path is not set: solo-learn validates on the cifar10 test split it reads (or downloads) into its own solo/datasets folder",
    );
    const ir = irOf("p.adainf", dir);
    expect(ir.evaluate.onlineLinear!.lr).toBe(0.05);
    expect(ir.train.optimizer.lr).toBe(0.4);
    // with a val_path, both are scaled (512 / 256)
    const withVal = referenceProject();
    expect((await importCfg(withVal)).code).toBe(0);
    expect(irOf("p.adainf", withVal).evaluate.onlineLinear!.lr).toBe(0.1);
  });
});

describe("import solo-learn: augmentation entries", () => {
  it("3 crops in all is refused at the num_crops that passes two", async () => {
    const dir = referenceProject();
    const aug = `${CROP_03.replace("num_crops: 2", "num_crops: 1")}${CROP_03}`;
    writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), aug);
    const r = await importCfg(dir);
    expect(r.code).toBe(1);
    const line = aug.split("\n").findIndex((l, i) => l.includes("num_crops: 2") && i > 0) + 1;
    expect(r.err.trim()).toBe(`error: cfg/augmentations/symmetric_crop_0.3.yaml:${line}:3: 3 crops in all; adainf's methods take exactly two views`);
  });

  it("an entry without horizontal_flip is refused at the entry (solo-learn reads horizontal_flip.prob), not read as p = 0", async () => {
    const dir = referenceProject();
    writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), CROP_03.replace("  horizontal_flip: {prob: 0.5}\n", ""));
    const r = await importCfg(dir);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe(
      "error: cfg/augmentations/symmetric_crop_0.3.yaml:1:3: pipeline 1: horizontal_flip is missing: solo-learn reads horizontal_flip.prob and fails without it (write prob: 0.0 for none)",
    );
  });

  it("a key solo-learn reads inside a section (grayscale.prob, rrc.crop_min_scale) is required at its section's line; jitter strengths only when jitter is applied", async () => {
    const run = async (aug: string) => {
      const dir = referenceProject();
      writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), aug);
      return importCfg(dir);
    };
    const gray = await run(CROP_03.replace("grayscale: {prob: 0.2}", "grayscale: {}"));
    expect(gray.code).toBe(1);
    expect(gray.err.trim()).toBe(
      "error: cfg/augmentations/symmetric_crop_0.3.yaml:6:3: pipeline 1: grayscale.prob is missing: solo-learn reads it and fails without it",
    );
    const scale = await run(CROP_03.replace("    crop_min_scale: 0.3\n", ""));
    expect(scale.code).toBe(1);
    expect(scale.err.trim()).toBe(
      "error: cfg/augmentations/symmetric_crop_0.3.yaml:1:3: pipeline 1: rrc.crop_min_scale is missing: solo-learn reads it and fails without it",
    );
    const noJitter = await run(
      CROP_03.replace("color_jitter: {prob: 0.8, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2}", "color_jitter: {prob: 0.0}"),
    );
    expect(noJitter.code).toBe(0);
  });
});
