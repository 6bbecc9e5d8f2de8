// What a user meets when a run's data leaves nothing to work on (the built CLI on cpu):
// a batch larger than one epoch of the mixture is a check error at batch_size, before
// any backend loads; a source declared labelled whose file has no label at all (the
// kNN bank or the evaluation set, empty once unlabelled rows are dropped) stops the run
// with one line naming the source and its file, not an internal error or 0% figures.
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { spawnCli } from "../helpers.js";
import { tinyProject, writeSet } from "./fixtures.js";

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
