// Data that does not fit what the pipeline (or the run's ir.json) says, met by `run`
// and `eval` on the cpu backend: an image folder of another size than the real data,
// labels outside 0..classes-1 (or below -1) in a trained-on or evaluation source, a
// real source whose channels changed since the run, and a checkpoint of another model.
// Each is one `error:` line naming the file and what to do, exit 1: never an internal
// error, and never figures computed from wrong labels. Figures count the images scored.
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { expect, test } from "vitest";
import { cli } from "../helpers.js";
import { NpzImageWriter } from "../../src/runtime/data/index.js";
import { SIDE, tinyProject, writeSet } from "./fixtures.js";

const RUN = ["--backend", "cpu", "--no-worker"];
const STACK = /internal error|\n\s+at .*\.[jt]s:\d+/;
const errors = (r: { out: string; err: string }): string[] => (r.out + r.err).split("\n").filter((l) => l.startsWith("error:"));

/** `count` images of `side`x`side`x`channels` with the given labels (noise pixels). */
function writeRaw(file: string, count: number, side: number, channels: number, labels: number[]): void {
  const w = NpzImageWriter.create(file, { count, shape: [side, side, channels], labels });
  const px = new Uint8Array(side * side * channels);
  for (let i = 0; i < count; i++) w.append(px.map((_, k) => (k * 7 + i * 13) % 256));
  w.finish();
}

test("a generated image folder of another image size than the real data: one line naming it, not an internal error", { timeout: 60_000 }, async () => {
  const dir = tinyProject({ steps: 2 });
  fs.mkdirSync(path.join(dir, "imgs"));
  for (let i = 0; i < 10; i++) {
    await sharp(Buffer.alloc(16 * 16 * 3, 20 * i), { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(path.join(dir, "imgs", `im${i}.png`));
  }
  const file = path.join(dir, "tiny.adainf");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('npz("gen.npz", channels = rgb, fid = 50)', 'folder("imgs")'));
  const r = await cli(["run", "tiny.adainf", ...RUN], dir);
  expect(r.code).toBe(1);
  expect(errors(r)).toEqual([
    `error: source 'generated' (imgs) holds 16x16x3 images, but the pipeline's images are ${SIDE}x${SIDE}x3 (those of 'real'): one batch holds images of one size; ` +
      `convert it to that size (adainfc data convert imgs -o <file>.npz --resize ${SIDE}x${SIDE}) and read npz("<file>.npz") instead`,
  ]);
  expect(r.out + r.err).not.toMatch(STACK);
});

test("labels outside 0..classes-1 in the real source stop the run at opening, naming the file and the image", { timeout: 60_000 }, async () => {
  const dir = tinyProject({ steps: 2 });
  writeRaw(
    path.join(dir, "real.npz"),
    48,
    SIDE,
    3,
    Array.from({ length: 48 }, (_, i) => (i === 5 ? 7 : i % 4)),
  );
  const r = await cli(["run", "tiny.adainf", ...RUN], dir);
  expect(r.code).toBe(1);
  expect(errors(r)).toEqual([
    "error: real.npz: image 5 has label 7, expected 0..3 (classes = 4) or -1 for unlabelled; 1 of the 48 images used have such labels (7): fix the labels, or declare the classes the file has (source 'real' at tiny.adainf:4:16)",
  ]);
  expect(r.out + r.err).not.toMatch(STACK);
});

test("eval: wrong labels, changed channels or another model's checkpoint are one line each; figures count the images scored", {
  timeout: 120_000,
}, async () => {
  const dir = tinyProject({ steps: 2, evaluate: "knn(k = 5)\n    linear_probe(epochs = 1, lr = 0.1, batch_size = 16)" });
  expect((await cli(["run", "tiny.adainf", ...RUN], dir)).code).toBe(0);
  const evalRun = () => cli(["eval", "runs/tiny", "--backend", "cpu"], dir);

  // 6 of the 24 evaluation images unlabelled (-1): 18 are scored, and said so
  writeRaw(
    path.join(dir, "eval.npz"),
    24,
    SIDE,
    3,
    Array.from({ length: 24 }, (_, i) => (i < 6 ? -1 : i % 4)),
  );
  const scored = await evalRun();
  expect(scored.code).toBe(0);
  expect(scored.out + scored.err).toContain("on 18 test images, 48 training images");
  expect(JSON.parse(fs.readFileSync(path.join(dir, "runs/tiny/eval.json"), "utf8"))).toMatchObject({ testImages: 18, trainImages: 48 });

  // labels past the classes (kNN and the probe would score other rows' logits), or below -1
  for (const [labels, what] of [
    [
      Array.from({ length: 24 }, (_, i) => 90 + (i % 4)),
      "image 0 has label 90, expected 0..3 (classes = 4) or -1 for unlabelled; 24 of the 24 images used have such labels (90..93): fix the labels, or declare the classes the file has",
    ],
    [
      Array.from({ length: 24 }, (_, i) => (i % 4) - 2),
      "image 0 has label -2, expected 0..3 (classes = 4) or -1 for unlabelled; 6 of the 24 images used have such labels (-2): fix the labels (-1 marks an unlabelled image)",
    ],
  ] as const) {
    writeRaw(path.join(dir, "eval.npz"), 24, SIDE, 3, [...labels]);
    const r = await evalRun();
    expect(r.code).toBe(1);
    expect(errors(r)).toEqual([`error: eval.npz: ${what} (source 'eval' of pipeline tiny)`]);
    expect(r.out).not.toMatch(/top-1/);
  }
  writeSet(path.join(dir, "eval.npz"), 24, true, 3);

  // the real source now holds one channel: the run's ir.json says 3
  fs.copyFileSync(path.join(dir, "real.npz"), path.join(dir, "real3.npz"));
  writeRaw(
    path.join(dir, "real.npz"),
    48,
    SIDE,
    1,
    Array.from({ length: 48 }, (_, i) => i % 4),
  );
  const grey = await evalRun();
  expect(grey.code).toBe(1);
  expect(errors(grey)).toEqual([
    `error: source 'real' (real.npz) holds ${SIDE}x${SIDE}x1 images, but the run was trained with ${SIDE}x${SIDE}x3 (its ir.json): the data changed since the run; restore the data it used, or train again`,
  ]);
  expect(grey.out + grey.err).not.toMatch(STACK);
  fs.renameSync(path.join(dir, "real3.npz"), path.join(dir, "real.npz"));

  // a checkpoint of a wider encoder in this run's checkpoints/
  const file = path.join(dir, "tiny.adainf");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("channels = (4, 8)", "channels = (4, 16)").replace('"runs/tiny"', '"runs/wide"'));
  expect((await cli(["run", "tiny.adainf", ...RUN], dir)).code).toBe(0);
  const ckpts = path.join(dir, "runs/tiny/checkpoints");
  for (const f of fs.readdirSync(ckpts)) fs.rmSync(path.join(ckpts, f));
  fs.copyFileSync(path.join(dir, "runs/wide/checkpoints/step-00000002.ckpt"), path.join(ckpts, "step-00000002.ckpt"));
  const foreign = await evalRun();
  expect(foreign.code).toBe(1);
  const [line, ...more] = errors(foreign);
  expect(more).toEqual([]);
  expect(line).toMatch(
    /^error: \S+step-00000002\.ckpt does not belong to this run: its encoder is not the one \S+ir\.json describes \(model state '.+' has shape \[.+\], expected \[.+\]\); /,
  );
  expect(foreign.out + foreign.err).not.toMatch(STACK);
});
