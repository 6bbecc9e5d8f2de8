// A tiny, learnable data set written to a temp project: 4 classes of 12x12 RGB images
// (a bright square in one quadrant per class, plus noise), a "generated" set of noisy
// blobs with label -1, and a held-out labelled set. Small enough that a whole run on
// the cpu backend takes a second or two.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { NpzImageWriter } from "../../src/runtime/data/index.js";
import { Rng } from "../../src/runtime/rng.js";

export const SIDE = 12;

function image(rng: Rng, label: number): Uint8Array {
  const px = new Uint8Array(SIDE * SIDE * 3);
  const half = SIDE / 2;
  const oy = label >= 0 ? Math.floor(label / 2) * half : rng.int(half);
  const ox = label >= 0 ? (label % 2) * half : rng.int(half);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const inside = y >= oy && y < oy + half && x >= ox && x < ox + half;
      for (let c = 0; c < 3; c++) px[(y * SIDE + x) * 3 + c] = Math.min(255, (inside ? 180 : 30) + rng.int(60) + (c === label % 3 ? 20 : 0));
    }
  }
  return px;
}

export function writeSet(file: string, count: number, labelled: boolean, seed: number): void {
  const rng = new Rng(seed);
  const labels = Int32Array.from({ length: count }, (_, i) => (labelled ? i % 4 : -1));
  const w = NpzImageWriter.create(file, { count, shape: [SIDE, SIDE, 3], labels });
  for (let i = 0; i < count; i++) w.append(image(rng, labels[i]!));
  w.finish();
}

export interface TinyOptions {
  method?: string;
  steps?: number;
  checkpointEvery?: number | null;
  keep?: number;
  extraBody?: string;
  evaluate?: string;
}

export function tinyPipeline(o: TinyOptions = {}): string {
  const method = o.method ?? "simclr(proj_hidden_dim = 16, proj_output_dim = 8)";
  const recipe = method.startsWith("mocov2plus") ? "mocov2plus" : method.startsWith("byol") ? "byol" : "simclr";
  return `pipeline tiny from ${recipe} {
  seed = 3
  data {
    real = npz("real.npz", origin = real, classes = 4, channels = rgb)
    generated = npz("gen.npz", channels = rgb, fid = 50)
    eval = npz("eval.npz", origin = real, classes = 4, channels = rgb)
  }
  inflate {
    real x 2
    generated x 1
  }
  augment = symmetric_adainf
  model {
    backbone = convnet(channels = (4, 8), feature_dim = 8)
    method = ${method}
  }
  train {
    batch_size = 8
    steps = ${o.steps ?? 6}
    schedule = warmup_cosine(warmup = 2 steps)
  }
  evaluate {
    ${o.evaluate ?? "online_linear(lr = 0.1, every = 3 steps)\n    knn(k = 5)\n    linear_probe(epochs = 2, lr = 0.1, batch_size = 16)"}
  }
  output {
    dir = "runs/tiny"
    ${o.checkpointEvery === null ? "// checkpoints at the end only" : `checkpoint_every = ${o.checkpointEvery ?? 2} steps`}
    keep = ${o.keep ?? 2}
  }
  ${o.extraBody ?? ""}
}
`;
}

/** A temp project with the three data files and the pipeline text. */
export function tinyProject(o: TinyOptions = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-train-"));
  writeSet(path.join(dir, "real.npz"), 48, true, 1);
  writeSet(path.join(dir, "gen.npz"), 32, false, 2);
  writeSet(path.join(dir, "eval.npz"), 24, true, 3);
  fs.writeFileSync(path.join(dir, "tiny.adainf"), tinyPipeline(o));
  return dir;
}
