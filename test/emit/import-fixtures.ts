// What the import tests share: a solo-learn config in the reference's (the AdaInf fork's)
// own style with its augmentations file, written into a temporary project, and reading
// back the IR of the pipeline an import wrote; `edit`, a config with lines replaced;
// where a line's key is (lineOf; placeOf: `line:col`, as import's messages place a key).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import type { PipelineIR } from "../../src/ir/types.js";
import { compileFileSync } from "../../src/driver.js";
import { tempDir } from "./helpers.js";

export function irOf(file: string, cwd: string): PipelineIR {
  const out = compileFileSync(file, { cwd });
  expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return out.pipelines[0]!.ir;
}

export const REFERENCE_STYLE = `defaults:
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

export const CROP_03 = `- rrc:
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
export function lineOf(text: string, start: string): number {
  const i = text.split("\n").findIndex((l) => l.trimStart().startsWith(start));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

export function referenceProject(config = REFERENCE_STYLE): string {
  const dir = tempDir();
  mkdirSync(join(dir, "cfg", "augmentations"), { recursive: true });
  writeFileSync(join(dir, "cfg", "simclr.yaml"), config);
  writeFileSync(join(dir, "cfg", "augmentations", "symmetric_crop_0.3.yaml"), CROP_03);
  return dir;
}

/**
 * `line:col` of the first line of `text` that starts (after indentation) with `start`,
 * or of the line `below` lines under it: the column of its first key or list item
 * (after `- `), where import places a key.
 */
export function placeOf(text: string, start: string, below = 0): string {
  const line = lineOf(text, start) + below;
  const col = /^\s*(?:- )*/.exec(text.split("\n")[line - 1]!)![0].length + 1;
  return `${line}:${col}`;
}

/** A config (REFERENCE_STYLE or another) with each `from` replaced by its `to` (each must be there). */
export function edit(config: string, ...pairs: [string, string][]): string {
  let out = config;
  for (const [from, to] of pairs) {
    expect(out).toContain(from);
    out = out.replace(from, to);
  }
  return out;
}
