// The solo-learn target's two flavours, checked the way each solo-learn loads a config.
// - upstream (vturrisi/solo-learn): what its args/pretrain.py `parse_cfg` and
//   methods/base.py `BaseMethod` read without a default (written from reading that
//   code): data.dataset/train_path, augmentations[*].crop_size/num_crops,
//   optimizer.name/batch_size/lr/weight_decay (classifier_lr with a val_path), devices as
//   a list, max_epochs, scheduler.name; and its warm-up, warmup_epochs *
//   (estimated_stepping_batches / max_epochs), must equal the pipeline's with max_epochs
//   epochs holding max_steps (else Lightning stops early).
// - adainf (the PKU-ML/adainf fork, the default): every key the fork's own
//   scripts/pretrain/cifar/simclr.yaml sets, and its warm-up warmup_epochs * max_steps /
//   compute_warm_step_epoch.
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { compileFileSync } from "../../src/driver.js";
import { emitSoloLearn } from "../../src/emit/solo-learn/emit.js";
import type { SoloConfig } from "../../src/emit/solo-learn/config.js";
import { cli, ROOT } from "../helpers.js";
import { tempDir } from "./helpers.js";

const METHODS = ["simclr", "mocov2plus", "byol", "barlow"] as const;

function compiled(name: string) {
  const out = compileFileSync(`pipelines/${name}.adainf`, { cwd: ROOT });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out.pipelines[0]!;
}

/** The emitted augmentation list, parsed as solo-learn's Hydra would (YAML). */
function augmentationsOf(files: { path: string; text: string }[]): Array<Record<string, unknown>> {
  const f = files.find((x) => x.path.startsWith("augmentations/"))!;
  return parseYaml(f.text) as Array<Record<string, unknown>>;
}

/** What upstream's parse_cfg and BaseMethod need, as problems (empty when it would load). */
function upstreamProblems(c: SoloConfig, augmentations: Array<Record<string, unknown>>): string[] {
  const p: string[] = [];
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v);
  if (!["cifar10", "cifar100", "stl10", "imagenet", "imagenet100", "custom"].includes(c.data.dataset)) p.push("data.dataset");
  if (typeof c.data.train_path !== "string") p.push("data.train_path");
  if (augmentations.length === 0 || augmentations.some((a) => !num(a["crop_size"]) || !num(a["num_crops"]))) p.push("augmentations[*].crop_size/num_crops");
  if (!["sgd", "lars", "adam", "adamw"].includes(c.optimizer.name)) p.push("optimizer.name");
  for (const k of ["batch_size", "lr", "weight_decay"] as const) if (!num(c.optimizer[k])) p.push(`optimizer.${k}`);
  if (c.data.val_path && !num(c.optimizer.classifier_lr)) p.push("optimizer.classifier_lr");
  if (!Array.isArray(c.devices)) p.push("devices (a list: len(cfg.devices))");
  if (!num(c.max_epochs)) p.push("max_epochs");
  if (!["reduce", "warmup_cosine", "step", "exponential", "none"].includes(c.scheduler.name)) p.push("scheduler.name");
  if (c.scheduler.interval !== undefined && !["step", "epoch"].includes(c.scheduler.interval)) p.push("scheduler.interval");
  if (c.backbone.name !== "resnet18") p.push("backbone.name");
  return p;
}

/** Every key the fork's own scripts/pretrain/cifar/simclr.yaml sets. */
const FORK_KEYS = [
  "defaults",
  "hydra",
  "name",
  "method",
  "backbone.name",
  "method_kwargs",
  "data.dataset",
  "data.train_path",
  "data.val_path",
  "data.format",
  "data.num_workers",
  "data.dup",
  "data.extra_data",
  "optimizer.name",
  "optimizer.batch_size",
  "optimizer.lr",
  "optimizer.classifier_lr",
  "optimizer.weight_decay",
  "optimizer.kwargs",
  "scheduler.name",
  "checkpoint.enabled",
  "checkpoint.dir",
  "checkpoint.frequency",
  "auto_resume.enabled",
  "compute_warm_step_epoch",
  "max_steps",
  "devices",
  "sync_batchnorm",
  "accelerator",
  "strategy",
  "precision",
  "val_check_interval",
  "check_val_every_n_epoch",
];

function has(c: unknown, path: string): boolean {
  let cur = c as Record<string, unknown> | undefined;
  for (const k of path.split(".")) {
    if (cur === undefined || cur === null || typeof cur !== "object" || !(k in cur)) return false;
    cur = cur[k] as Record<string, unknown> | undefined;
  }
  return true;
}

describe("--flavour upstream: what vturrisi/solo-learn loads", () => {
  for (const m of METHODS) {
    it(`${m}_none: loads (parse_cfg, BaseMethod) and warms up and stops as the pipeline says`, () => {
      const p = compiled(`${m}_none`);
      const r = emitSoloLearn(p.ir, p.spans, { flavour: "upstream" });
      expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      const c = r.config!;
      expect(upstreamProblems(c, augmentationsOf(r.files))).toEqual([]);
      expect(has(c, "compute_warm_step_epoch") || has(c, "data.dup") || has(c, "data.extra_data")).toBe(false);
      const schedule = p.ir.train.schedule;
      const warmup = schedule.name === "warmup_cosine" ? schedule.warmupSteps : 0;
      // upstream: warmup_epochs * (estimated_stepping_batches / max_epochs), estimated = max_steps
      expect((c.scheduler.warmup_epochs! * c.max_steps) / c.max_epochs!).toBeCloseTo(warmup, 6);
      // Lightning stops at max_epochs too: those epochs must hold max_steps
      const perEpoch = Math.floor(p.ir.train.epochSize! / p.ir.train.batchSize);
      expect(c.max_epochs! * perEpoch).toBeGreaterThanOrEqual(c.max_steps);
    });
  }

  it("refuses inflation (upstream has no data.extra_data / data.dup), at the inflate line, writing nothing", async () => {
    const out = tempDir();
    const r = await cli(["compile", "pipelines/simclr_adainf.adainf", "--target", "solo-learn", "--flavour", "upstream", "-o", out]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/simclr_adainf\.adainf:\d+:5: error\[E070\]: solo-learn cannot express inflation on upstream solo-learn/);
    expect(r.err).toContain("hint: compile with --flavour adainf (the default)");
    const bad = await cli(["compile", "pipelines/simclr_none.adainf", "--target", "solo-learn", "--flavour", "mine", "-o", out]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--flavour must be adainf or upstream, not 'mine'");
  });
});

describe("--flavour adainf (the default): the fork's keys and warm-up", () => {
  for (const m of METHODS) {
    for (const kind of ["none", "vanilla", "adainf"]) {
      it(`${m}_${kind}: every key of the fork's own config, its warm-up formula, no max_epochs`, () => {
        const p = compiled(`${m}_${kind}`);
        const r = emitSoloLearn(p.ir, p.spans);
        const c = r.config!;
        expect(FORK_KEYS.filter((k) => !has(c, k))).toEqual([]);
        expect(has(c, "max_epochs")).toBe(false);
        const schedule = p.ir.train.schedule;
        const warmup = schedule.name === "warmup_cosine" ? schedule.warmupSteps : 0;
        expect((c.scheduler.warmup_epochs! * c.max_steps) / c.compute_warm_step_epoch!).toBeCloseTo(warmup, 6);
        // the fork's literal convention: warm-up 10 "epochs" of compute_warm_step_epoch 1000
        expect([c.scheduler.warmup_epochs, c.compute_warm_step_epoch]).toEqual([10, 1000]);
      });
    }
  }
});
