// What a user meets when a run's data leaves nothing to work on (the built CLI on cpu):
// a batch larger than one epoch of the mixture is a check error at batch_size, before
// any backend loads; a source declared labelled whose file has no label at all (the
// kNN bank or the evaluation set, empty once unlabelled rows are dropped) stops the run
// with one line naming the source and its file, not an internal error or 0% figures.
// An image folder of fewer images than one batch (known only once it opens) ends the run
// with one line and the process exits (the augmentation threads are stopped); a declared
// size the data cannot fill (a folder, or a file that shrank before `eval`) is one line too.
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { expect, test } from "vitest";
import { spawnCli } from "../helpers.js";
import { SIDE, tinyProject, writeSet } from "./fixtures.js";

const STACK = /internal error|\n\s+at .*\.js:\d+/;

test("a batch larger than the data: an error at batch_size (from the file or --set) before the backend loads", { timeout: 60_000 }, async () => {
  const dir = tinyProject({ steps: 2 });
  // 48 real x 2 + 32 generated = 128 images an epoch
  const r = await spawnCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker", "--set", "train.batch_size=130"], dir);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(
    /^--set #1:1:18: error\[E021\]: train\.batch_size = 130 is more than the 128 images of one epoch of the training mixture: no batch can be drawn \(a batch never spans two epochs\)$/m,
  );
  expect(r.err).toContain("hint: use a batch of at most 128 images, or add data");
  expect(r.err).not.toContain("backend:");
  expect(r.err).not.toMatch(STACK);
  fs.writeFileSync(path.join(dir, "tiny.adainf"), fs.readFileSync(path.join(dir, "tiny.adainf"), "utf8").replace("batch_size = 8", "batch_size = 256"));
  const inFile = await spawnCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir);
  expect(inFile.code).toBe(1);
  expect(inFile.err).toMatch(/^tiny\.adainf:\d+:18: error\[E021\]: train\.batch_size = 256 is more than the 128 images of one epoch/m);
  expect(fs.existsSync(path.join(dir, "runs"))).toBe(false);
});

test.each([
  ["real", "real.npz", 48],
  ["eval", "eval.npz", 24],
])("a source declared labelled whose file has no label (%s): one line naming it and its file, exit 1", { timeout: 60_000 }, async (source, file, count) => {
  const dir = tinyProject({ steps: 2 });
  writeSet(path.join(dir, file), count, false, 9);
  const r = await spawnCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir);
  expect(r.code).toBe(1);
  const lines = r.err.split("\n").filter((l) => l.startsWith("error:"));
  expect(lines).toEqual([
    `error: source '${source}' declares classes = 4, but none of the ${count} images of ${file} has a label (all are -1): evaluation would have nothing to work on; give the file its labels, or drop classes from the source (its evaluation is then off)`,
  ]);
  expect(r.err).not.toMatch(STACK);
  expect(r.out).not.toContain("kNN top-1");
});

/** A project whose only source is a folder of `count` PNG images (unlabelled), declared with `size` when given. */
async function folderProject(count: number, size?: number): Promise<string> {
  const dir = tinyProject({ steps: 2 });
  fs.mkdirSync(path.join(dir, "imgs"));
  for (let i = 0; i < count; i++) {
    const px = Buffer.alloc(SIDE * SIDE * 3, 40 * i);
    await sharp(px, { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .png()
      .toFile(path.join(dir, "imgs", `im${i}.png`));
  }
  fs.writeFileSync(
    path.join(dir, "fold.adainf"),
    `pipeline fold from simclr {
  data {
    real = folder("imgs", origin = real, shape = (${SIDE}, ${SIDE}, 3)${size === undefined ? "" : `, size = ${size}`})
  }
  augment = symmetric_adainf
  model {
    backbone = convnet(channels = (4, 8), feature_dim = 8)
    method = simclr(proj_hidden_dim = 16, proj_output_dim = 8)
  }
  train {
    batch_size = 4
    steps = 2
  }
  evaluate {
    online_linear = off
    knn = off
  }
  output {
    dir = "runs/fold"
  }
}
`,
  );
  return dir;
}

test("an image folder of fewer images than one batch: one line, exit 1, and the process ends (with the augmentation threads, or without)", {
  timeout: 120_000,
}, async () => {
  const dir = await folderProject(3);
  for (const worker of [["--augment-threads", "2"], ["--no-worker"]]) {
    const r = await spawnCli(["run", "fold.adainf", "--backend", "cpu", ...worker], dir, process.env, 45_000);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(1);
    expect(r.err.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
      "error: the training mixture has 3 samples, fewer than one batch of 4: lower train.batch_size or add data",
    ]);
    expect(r.err).not.toMatch(STACK);
  }
});

test("a declared size the data cannot fill: one line naming the source, its data and both counts (run on a folder, eval on a file that shrank)", {
  timeout: 120_000,
}, async () => {
  const dir = await folderProject(6, 9);
  const r = await spawnCli(["run", "fold.adainf", "--backend", "cpu"], dir, process.env, 45_000);
  expect(r.hung).toBe(false);
  expect(r.code).toBe(1);
  expect(r.err.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
    "error: source 'real' (imgs) has 6 images; size = 9 asks for more: declare size = 6 or less (the first N images are used), or point the source at data with more images",
  ]);
  expect(r.err).not.toMatch(STACK);
  // the first 4 of the 6: trains
  const first = await spawnCli(["run", "fold.adainf", "--backend", "cpu", "--no-worker", "--set", "data.real.size=4"], dir, process.env, 60_000);
  expect(first.code).toBe(0);
  // a run whose real.npz (48 images when it trained) now holds 30: eval refuses it
  const tiny = await spawnCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir, process.env, 60_000);
  expect(tiny.code).toBe(0);
  writeSet(path.join(dir, "real.npz"), 30, true, 1);
  const ev = await spawnCli(["eval", "runs/tiny", "--backend", "cpu"], dir, process.env, 60_000);
  expect(ev.code).toBe(1);
  expect(ev.err.split("\n").filter((l) => l.startsWith("error:"))).toEqual([
    "error: source 'real' (real.npz) has 30 images; size = 48 asks for more: declare size = 30 or less (the first N images are used), or point the source at data with more images",
  ]);
  expect(ev.err).not.toMatch(STACK);
});
