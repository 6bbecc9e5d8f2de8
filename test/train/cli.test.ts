// `adainfc run`, `eval` and `bench` through the CLI entry point, in-process, on the
// cpu backend with a tiny sweep: missing data, --only, skipping finished points,
// the results table and files, offline evaluation, a deflated npz's inflation in a few lines,
// the note that says why evaluation is off.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { cli, ROOT } from "../helpers.js";
import { planCommand, readMetrics, standInPlan } from "../../src/runtime/train/index.js";
import { tinyProject } from "./fixtures.js";
import { fakeSweep, storyProject } from "../report/fixtures.js";
import { autoAugmentThreads } from "../../src/runtime/thread-limits.js";
import { bytes, npyArray, zipBytes } from "../data/helpers.js";

const RUN = ["--backend", "cpu", "--no-worker"];

test("a missing generated set: exit 1; the user's own generator's file, or a weak stand-in with the exact adainfc generate command", async () => {
  const dir = tinyProject();
  fs.rmSync(path.join(dir, "gen.npz"));
  const r = await cli(["run", "tiny.adainf", ...RUN], dir);
  expect(r.code).toBe(1);
  // no size declared and no file to read it from: 10x the real set
  expect(r.err).toContain(
    "error: data source 'generated' not found: gen.npz\n" +
      "  it holds generated images: put your generator's npz there (docs/data.md; the paper's sets: docs/paper.md §4),\n" +
      "  or make a weak stand-in instead (PCA + a Gaussian mixture fitted to the real images, not a diffusion model) with:\n" +
      "    adainfc generate --from real.npz --first 48 --fit-samples 48 --count 480 -o gen.npz --seed 3\n",
  );
  expect(r.err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
});

test("a missing generated set declared channels = bgr: the offered command writes it BGR, as the pipeline reads it", async () => {
  const dir = tinyProject();
  fs.rmSync(path.join(dir, "gen.npz"));
  const file = path.join(dir, "tiny.adainf");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('npz("gen.npz", channels = rgb,', 'npz("gen.npz", channels = bgr,'));
  const r = await cli(["run", "tiny.adainf", ...RUN], dir);
  expect(r.code).toBe(1);
  const command = "adainfc generate --from real.npz --first 48 --fit-samples 48 --count 480 --channels bgr -o gen.npz --seed 3";
  expect(r.err).toContain(`    ${command}\n`);
  const made = await cli([...command.split(" ").slice(1), "--components", "2", "--dims", "4"], dir);
  expect(made.code).toBe(0);
  expect(made.out).toContain("uint8 BGR, labels -1");
  expect(JSON.parse(fs.readFileSync(path.join(dir, "gen.npz.json"), "utf8")).channels).toBe("bgr");
});

test("the quickstart declares its generated set a stand-in: run would make it with README's generate command", async () => {
  const { compileFileSync } = await import("../../src/driver.js");
  const out = compileFileSync(path.resolve(import.meta.dirname, "../../pipelines/quickstart.adainf"), { cwd: path.resolve(import.meta.dirname, "../..") });
  const ir = out.pipelines[0]!.ir;
  const generated = ir.data.sources.find((s) => s.origin === "generated")!;
  expect(generated.standIn).toBe(true);
  const plan = standInPlan(ir, generated);
  expect(plan.out.startsWith("datasets/generated/")).toBe(true);
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");
  expect(readme).toContain(planCommand(plan).replace(/^adainfc/, "npx adainfc"));
});

test("a data file that cannot be read while training: one line naming the file and the source's place in the pipeline", async () => {
  const dir = tinyProject({ steps: 1 });
  fs.mkdirSync(path.join(dir, "imgs"));
  const sharp = (await import("sharp")).default;
  for (let i = 0; i < 8; i++) {
    await sharp(Buffer.alloc(16 * 16 * 3, 30 * i), { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(path.join(dir, "imgs", `${i}.png`));
  }
  fs.writeFileSync(path.join(dir, "imgs", "broken.png"), "not a png");
  const file = path.join(dir, "tiny.adainf");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('npz("gen.npz", channels = rgb, fid = 50)', 'folder("imgs", fid = 50)'));
  const r = await cli(["run", "tiny.adainf", ...RUN], dir);
  expect(r.code, r.err).toBe(1);
  const last = r.err.trimEnd().split("\n").at(-1)!;
  expect(last).toMatch(/^error: imgs\/broken\.png: cannot decode image \(.*\) \(source 'generated' at tiny\.adainf:5:24\)$/);
  expect(r.err).not.toMatch(/at .*\.ts:\d+|internal error/);
});

test("eval: a data file that cannot be read names the file and the run's source (the run has no spans)", async () => {
  const dir = tinyProject({ steps: 1, evaluate: "knn(k = 5)" });
  expect((await cli(["run", "tiny.adainf", ...RUN], dir)).code).toBe(0);
  fs.writeFileSync(path.join(dir, "eval.npz"), "no longer an npz");
  const r = await cli(["eval", "runs/tiny", "--backend", "cpu"], dir);
  expect(r.code, r.err).toBe(1);
  expect(r.err.trimEnd().split("\n").at(-1)).toMatch(/^error: eval\.npz: .* \(source 'eval' of pipeline tiny\)$/);
});

test.skipIf(fs.existsSync(path.join(ROOT, "node_modules/@tensorflow/tfjs-node")))(
  "a forced backend that is not installed is refused (exit 2) before a missing stand-in set is made",
  async () => {
    const dir = tinyProject({ steps: 2, checkpointEvery: null });
    const file = path.join(dir, "tiny.adainf");
    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, "utf8")
        .replace('generated = npz("gen.npz", channels = rgb, fid = 50)', 'generated = npz("sg.npz", size = 40, channels = rgb, stand_in = true)'),
    );
    const r = await cli(["run", "tiny.adainf", "--backend", "tensorflow"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^error: backend 'tensorflow' is not available: @tensorflow\/tfjs-node is not installed\. To use it: npm install @tensorflow\/tfjs-node/,
    );
    expect(r.err).not.toContain("making the stand-in");
    expect(fs.existsSync(path.join(dir, "sg.npz"))).toBe(false);
    expect(fs.existsSync(path.join(dir, "runs"))).toBe(false);
  },
);

describe("a missing stand_in = true set is made by run itself, once, then reused", () => {
  const dir = tinyProject({ steps: 2, checkpointEvery: null, extraBody: "sweep {\n    seed = [0, 1]\n  }" });
  const file = path.join(dir, "tiny.adainf");
  fs.writeFileSync(
    file,
    fs
      .readFileSync(file, "utf8")
      .replace(
        'generated = npz("gen.npz", channels = rgb, fid = 50)',
        'generated = npz("datasets/generated/tiny-gen.npz", size = 40, channels = rgb, stand_in = true)',
      ),
  );

  test("the first run says so, shows progress, writes the file and trains every point", async () => {
    const r = await cli(["run", "tiny.adainf", ...RUN], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain("datasets/generated/tiny-gen.npz is missing: making the stand-in generated set now");
    // fitted on exactly the real images the pipeline trains on: the first `size` (here all 48) of its real source
    expect(r.err).toContain("adainfc generate --from real.npz --first 48 --fit-samples 48 --count 40 -o datasets/generated/tiny-gen.npz");
    expect(JSON.parse(fs.readFileSync(path.join(dir, "datasets/generated/tiny-gen.npz.json"), "utf8"))).toMatchObject({ first: 48, fit: { samples: 48 } });
    expect(r.err).toContain("40 / 40 images");
    expect(r.err).toContain("wrote datasets/generated/tiny-gen.npz: 40 images 12x12x3");
    // Both points of the sweep share one file, made once.
    expect(r.err.match(/is missing: making/g)).toHaveLength(1);
    expect(fs.existsSync(path.join(dir, "datasets/generated/tiny-gen.npz"))).toBe(true);
    expect(r.out).toContain("tiny: 2 of 2 points finished");
    // the fixture inherits the simclr recipe's 2 devices: run says what it does instead
    expect(r.err).toMatch(
      /tiny\[seed=0\]: train\.devices = 2: this run trains the whole 8-image batch on one device \(not 2 x 4\), at lr [\d.]+, classifier lr 0\.1\n/,
    );
  });

  test("a later run finds the file and does not make it again", async () => {
    const before = fs.statSync(path.join(dir, "datasets/generated/tiny-gen.npz")).mtimeMs;
    const r = await cli(["run", "tiny.adainf", ...RUN], dir);
    expect(r.code).toBe(0);
    expect(r.err).not.toContain("making the stand-in");
    expect(fs.statSync(path.join(dir, "datasets/generated/tiny-gen.npz")).mtimeMs).toBe(before);
    // every point is finished: said at once, without loading a backend
    expect(r.err).toContain("tiny[seed=1]: already finished");
    expect(r.err).not.toContain("backend:");
  });

  test("points that are finished need no data: their stand-in, deleted, is not made again", async () => {
    const set = path.join(dir, "datasets/generated/tiny-gen.npz");
    const kept = path.join(dir, "kept.npz");
    fs.renameSync(set, kept);
    fs.renameSync(`${set}.json`, `${kept}.json`);
    try {
      const r = await cli(["run", "tiny.adainf", ...RUN], dir);
      expect(r.code).toBe(0);
      expect(r.err).not.toContain("making the stand-in");
      expect(fs.existsSync(set)).toBe(false);
    } finally {
      fs.renameSync(kept, set);
      fs.renameSync(`${kept}.json`, `${set}.json`);
    }
  });

  test("made by another plan (the real source's size changed): refused before training, naming the differences and the command that makes it again", async () => {
    const text = fs.readFileSync(file, "utf8");
    fs.writeFileSync(
      file,
      text.replace('npz("real.npz", origin = real, classes = 4, channels = rgb)', 'npz("real.npz", origin = real, classes = 4, channels = rgb, size = 40)'),
    );
    try {
      const r = await cli(["run", "tiny.adainf", ...RUN, "--overwrite"], dir);
      expect(r.code).toBe(1);
      const command = "adainfc generate --from real.npz --first 40 --fit-samples 40 --count 40 -o datasets/generated/tiny-gen.npz";
      expect(r.err).toContain(
        "error: stand-in 'generated' (datasets/generated/tiny-gen.npz) was made by another plan than this pipeline's " +
          "(first 48 (the plan: 40); fit samples 48 (the plan: 40)), so it is not the set the pipeline declares: delete it, and run makes it again\n" +
          `  make it with:\n    ${command}\n`,
      );
      expect(r.err).not.toContain("backend: ");
      // the command given makes it again, and the run then trains
      expect((await cli(command.split(" ").slice(1), dir)).code).toBe(0);
      expect((await cli(["run", "tiny.adainf", ...RUN, "--overwrite"], dir)).code).toBe(0);
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  test("a set made before the sidecar recorded `first` and `channels` is the plan's when it read the whole source, and refused when not", async () => {
    const sidecar = path.join(dir, "datasets/generated/tiny-gen.npz.json");
    const saved = fs.readFileSync(sidecar, "utf8");
    try {
      // the sidecar as generate wrote it before: the whole real source (48) read, no `first` or `channels`
      const made = { ...(JSON.parse(saved) as Record<string, unknown>), sourceCount: 48 } as Record<string, unknown>;
      made["fit"] = { ...(made["fit"] as object), samples: 48 };
      delete made["first"];
      delete made["channels"];
      fs.writeFileSync(sidecar, JSON.stringify(made));
      const r = await cli(["run", "tiny.adainf", ...RUN, "--overwrite"], dir);
      expect(r.code, r.err).toBe(0);
      expect(r.err).not.toContain("another plan");
      fs.writeFileSync(sidecar, JSON.stringify({ ...made, sourceCount: 60 }));
      const other = await cli(["run", "tiny.adainf", ...RUN, "--overwrite"], dir);
      expect(other.code).toBe(1);
      expect(other.err).toContain("was made by another plan than this pipeline's (first all (the plan: 48))");
    } finally {
      fs.writeFileSync(sidecar, saved);
    }
  });

  test("two pipelines of one file that plan one stand-in file otherwise: it is made by the first plan, and the other pipeline is refused before training", async () => {
    const two = tinyProject({ steps: 2, checkpointEvery: null });
    const text = fs
      .readFileSync(path.join(two, "tiny.adainf"), "utf8")
      .replace('generated = npz("gen.npz", channels = rgb, fid = 50)', 'generated = npz("sg.npz", size = 40, channels = rgb, stand_in = true)');
    const other = text
      .replace("pipeline tiny from", "pipeline small from")
      .replace('dir = "runs/tiny"', 'dir = "runs/small"')
      .replace('npz("real.npz", origin = real, classes = 4, channels = rgb)', 'npz("real.npz", origin = real, classes = 4, channels = rgb, size = 40)');
    fs.writeFileSync(path.join(two, "tiny.adainf"), `${text}\n${other}`);
    const r = await cli(["run", "tiny.adainf", ...RUN], two);
    expect(r.code).toBe(1);
    expect(r.err.match(/is missing: making/g)).toHaveLength(1);
    expect(r.err).toContain(
      "error: stand-in 'generated' (sg.npz) was made by another plan than this pipeline's (first 48 (the plan: 40); fit samples 48 (the plan: 40))",
    );
    expect(r.err).not.toContain("backend: ");
  });

  test("stand_in on a real source is a located error", async () => {
    fs.writeFileSync(
      path.join(dir, "bad.adainf"),
      fs
        .readFileSync(file, "utf8")
        .replace("origin = real, classes = 4, channels = rgb)\n    generated", "origin = real, classes = 4, channels = rgb, stand_in = true)\n    generated"),
    );
    const r = await cli(["check", "bad.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err + r.out).toMatch(/bad\.adainf:4:\d+: error\[E021\]: stand_in = true describes a generated set, but 'real' has origin = real/);
  });
});

test("compile errors are rendered and exit 1; a bad --only, --augment-threads or --wasm-threads is a usage error", async () => {
  const dir = tinyProject({ extraBody: "sweep {\n    seed = [0, 1]\n  }" });
  fs.writeFileSync(path.join(dir, "bad.adainf"), "pipeline bad from simclr { train { steps = -3 } }\n");
  const bad = await cli(["run", "bad.adainf", ...RUN], dir);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/error\[E0\d\d\]/);
  const threads = await cli(["run", "tiny.adainf", ...RUN, "--augment-threads", "0"], dir);
  expect(threads.code).toBe(2);
  expect(threads.err).toContain("--augment-threads must be auto or an integer from 1 to 64, not '0'");
  // digits only, as --wasm-threads and bench augment --threads (parseThreadCount)
  for (const bad of ["2e0", " 2", "0x2"]) {
    const r = await cli(["run", "tiny.adainf", ...RUN, "--augment-threads", bad], dir);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: --augment-threads must be auto or an integer from 1 to 64, not '${bad}'\n`);
  }
  for (const bad of ["0", "9", "two"]) {
    const wasm = await cli(["run", "tiny.adainf", ...RUN, "--wasm-threads", bad], dir);
    expect(wasm.code).toBe(2);
    expect(wasm.err).toContain(`--wasm-threads must be auto or an integer from 1 to 8, not '${bad}'`);
  }
  const evalThreads = await cli(["eval", "runs/tiny", "--wasm-threads", "0"], dir);
  expect(evalThreads.code).toBe(2);
  expect(evalThreads.err).toContain("--wasm-threads must be auto or an integer from 1 to 8, not '0'");
  const only = await cli(["run", "tiny.adainf", ...RUN, "--only", "crop=1"], dir);
  expect(only.code).toBe(2);
  expect(only.err).toContain("no sweep axis 'crop' (axes: seed)");
});

describe("a sweep over two seeds", () => {
  const dir = tinyProject({ steps: 3, checkpointEvery: null, extraBody: "sweep {\n    seed = [0, 1]\n  }" });
  const point = (s: number): string => path.join(dir, `runs/tiny/seed=${s}`);

  test("runs every point, prints the table and writes results.csv / results.md", async () => {
    const r = await cli(["run", "tiny.adainf", ...RUN], dir);
    expect(r.err).toContain("backend: cpu");
    expect(r.code).toBe(0);
    for (const s of [0, 1]) {
      expect(fs.existsSync(path.join(point(s), "done.json"))).toBe(true);
      expect(readMetrics(path.join(point(s), "metrics.jsonl"))).toHaveLength(3);
    }
    expect(r.out).toMatch(/untrained \(initial weights\)/);
    expect(r.out).toContain("tiny: 2 of 2 points finished");
    const csv = fs.readFileSync(path.join(dir, "runs/tiny/results.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("runs,knn_acc1_mean,knn_acc1_std,probe_acc1_mean,probe_acc1_std,val_acc1_mean,val_acc1_std,loss_mean,loss_std");
    expect(csv).toHaveLength(2);
    expect(csv[1]!.startsWith("2,")).toBe(true);
    const done = [0, 1].map((s) => JSON.parse(fs.readFileSync(path.join(point(s), "done.json"), "utf8")) as { final: { knn_acc1: number } });
    const mean = (done[0]!.final.knn_acc1 + done[1]!.final.knn_acc1) / 2;
    expect(Number(csv[1]!.split(",")[1])).toBeCloseTo(mean, 9);
    expect(fs.readFileSync(path.join(dir, "runs/tiny/results.md"), "utf8")).toContain("| runs | kNN top-1 % |");
  });

  test("skips finished points on a second run", async () => {
    const before = fs.statSync(path.join(point(0), "metrics.jsonl")).mtimeMs;
    const r = await cli(["run", "tiny.adainf", ...RUN], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain("tiny[seed=0]: already finished");
    expect(r.err).toContain("tiny[seed=1]: already finished");
    expect(fs.statSync(path.join(point(0), "metrics.jsonl")).mtimeMs).toBe(before);
  });

  test("--only runs one slice; an unfinished point with a checkpoint resumes", async () => {
    fs.rmSync(path.join(point(1), "done.json"));
    const before0 = fs.statSync(path.join(point(0), "metrics.jsonl")).mtimeMs;
    const r = await cli(["run", "tiny.adainf", ...RUN, "--only", "seed=1"], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain("resuming at step 3 of 3");
    expect(r.err).not.toContain("tiny[seed=0]");
    expect(fs.existsSync(path.join(point(1), "done.json"))).toBe(true);
    expect(fs.statSync(path.join(point(0), "metrics.jsonl")).mtimeMs).toBe(before0);
  });

  test("adainfc eval <run-dir>: kNN and linear probe of the last checkpoint", async () => {
    const r = await cli(["eval", "runs/tiny/seed=0", "--backend", "cpu", "--json"], dir);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { step: number; metrics: { knn_acc1: number; probe_acc1: number }; testImages: number };
    expect(j.step).toBe(3);
    expect(j.testImages).toBe(24);
    expect(j.metrics.knn_acc1).toBeGreaterThanOrEqual(0);
    expect(j.metrics.probe_acc1).toBeGreaterThanOrEqual(0);
    expect(fs.existsSync(path.join(point(0), "eval.json"))).toBe(true);
    const missing = await cli(["eval", "runs/nothing", "--backend", "cpu"], dir);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("error: runs/nothing: no such directory; eval takes the output.dir of a run (adainfc run writes it)");
    expect(missing.err).not.toContain("backend:"); // said before the backend loads
    fs.mkdirSync(path.join(dir, "runs/empty"), { recursive: true });
    const empty = await cli(["eval", "runs/empty", "--backend", "cpu"], dir);
    expect(empty.code).toBe(1);
    expect(empty.err).toContain("error: runs/empty: not a run directory (no ir.json)");
  });

  test("adainfc eval: a damaged checkpoint is skipped with a note; a damaged ir.json is one line, exit 1", async () => {
    const copy = path.join(dir, "runs/damaged");
    fs.cpSync(point(1), copy, { recursive: true });
    const ck = path.join(copy, "checkpoints");
    const newest = fs.readdirSync(ck).sort().at(-1)!;
    // An older good one, then the newest damaged: eval falls back and says so.
    fs.copyFileSync(path.join(ck, newest), path.join(ck, "step-00000001.ckpt"));
    fs.writeFileSync(path.join(ck, newest), "not a checkpoint");
    const r = await cli(["eval", "runs/damaged", "--backend", "cpu", "--json"], dir);
    expect(r.err).toMatch(/note: skipping damaged checkpoint/);
    expect(r.code).toBe(0);
    fs.writeFileSync(path.join(ck, "step-00000001.ckpt"), "not a checkpoint either");
    const none = await cli(["eval", "runs/damaged", "--backend", "cpu"], dir);
    expect(none.code).toBe(1);
    expect(none.err).toContain("has no checkpoint to evaluate: all 2 in checkpoints/ are damaged");
    fs.writeFileSync(path.join(copy, "ir.json"), '{"version": 1, "name": 3}');
    const bad = await cli(["eval", "runs/damaged", "--backend", "cpu"], dir);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/ir\.json is not a valid pipeline IR .*; the run directory is damaged/);
    expect(bad.err).not.toMatch(/internal error/);
    fs.writeFileSync(path.join(copy, "ir.json"), "{ truncated");
    expect((await cli(["eval", "runs/damaged", "--backend", "cpu"], dir)).err).toMatch(/ir\.json cannot be read as JSON/);
  });
});

test("--augment-threads auto: one thread on CPU backends, the spare cores (at most 8) on a GPU", () => {
  expect(autoAugmentThreads("wasm", 16)).toBe(1);
  expect(autoAugmentThreads("tensorflow", 16)).toBe(1);
  expect(autoAugmentThreads("tensorflow-gpu", 16)).toBe(8);
  expect(autoAugmentThreads("tensorflow-gpu", 6)).toBe(5);
  expect(autoAugmentThreads("webgpu", 16)).toBe(8); // a GPU through Dawn too
  expect(autoAugmentThreads("tensorflow-gpu", 3)).toBe(2);
  expect(autoAugmentThreads("tensorflow-gpu", 1)).toBe(1);
});

test("bench step rejects a bad model as a usage error", async () => {
  const r = await cli(["bench", "step", "--model", "vgg"]);
  expect(r.code).toBe(2);
  expect(r.err).toContain("--model must be convnet or resnet18");
});

test("bench augment rejects bad numbers as usage errors", async () => {
  const seconds = await cli(["bench", "augment", "--seconds", "0"]);
  expect(seconds.code).toBe(2);
  expect(seconds.err).toContain("--seconds must be a number > 0, not '0'");
  const threads = await cli(["bench", "augment", "--threads", "two"]);
  expect(threads.code).toBe(2);
  expect(threads.err).toContain("--threads must be an integer from 1 to 64, not 'two'");
});

test("running a finished run again: exit 1, nothing changed, the choices named; --overwrite starts over", async () => {
  const dir = tinyProject({ steps: 2, checkpointEvery: null, evaluate: "knn(k = 5)" });
  expect((await cli(["run", "tiny.adainf", ...RUN], dir)).code).toBe(0);
  const done = fs.readFileSync(path.join(dir, "runs/tiny/done.json"), "utf8");
  const again = await cli(["run", "tiny.adainf", ...RUN], dir);
  expect(again.code).toBe(1);
  expect(again.err).toMatch(/error: .*runs\/tiny holds a finished run \(done\.json\); nothing was changed/);
  expect(again.err).not.toMatch(/internal error|at .*\.ts:\d+/);
  expect(fs.readFileSync(path.join(dir, "runs/tiny/done.json"), "utf8")).toBe(done);
  expect((await cli(["run", "tiny.adainf", ...RUN, "--resume"], dir)).err).toContain("already finished");
  expect((await cli(["run", "tiny.adainf", ...RUN, "--overwrite"], dir)).code).toBe(0);
});

test("--resume on a finished run: skipped with the same settings (measured normalization matches), refused naming the change with others; --resume --overwrite is a usage error", async () => {
  const dir = tinyProject({ steps: 2, checkpointEvery: null });
  expect((await cli(["run", "tiny.adainf", ...RUN], dir)).code).toBe(0);
  const same = await cli(["run", "tiny.adainf", "--resume", ...RUN], dir);
  expect(same.code).toBe(0);
  expect(same.err).toContain("tiny: already finished");
  const other = await cli(["run", "tiny.adainf", "--resume", "--set", "train.steps=3", ...RUN], dir);
  expect(other.code).toBe(1);
  expect(other.err).toContain("error: tiny already finished in runs/tiny with other settings (/train/steps)");
  expect(other.err).toContain(
    "train it again with these: --overwrite (its checkpoints, metrics, done.json, eval.json and the report.html adainfc report wrote are deleted), or set another output.dir",
  );
  const both = await cli(["run", "tiny.adainf", "--resume", "--overwrite", ...RUN], dir);
  expect(both.code).toBe(2);
  expect(both.err).toContain("--resume and --overwrite contradict each other");
});

test("a sweep's finished points: skipped when trained with these settings, an error naming the change otherwise (never a results table of mixed settings)", async () => {
  const dir = storyProject(8);
  fakeSweep(dir, { steps: 8 });
  const changed = await cli(["run", "story.adainf", "--set", "train.steps=9", ...RUN], dir);
  expect(changed.code).toBe(1);
  expect(changed.err).toMatch(
    /^error: story\[inflation=\w+,seed=\d\] already finished in runs\/story\/inflation=\w+,seed=\d with other settings \(\/train\/steps\)$/m,
  );
  expect(fs.existsSync(path.join(dir, "runs/story/results.md"))).toBe(false); // no table written
  const same = await cli(["run", "story.adainf", ...RUN], dir);
  expect(same.code).toBe(0);
  expect(same.err).toMatch(/already finished \(.*\), skipped/);
});

test("a deflated npz is inflated with a line when it starts and one when it ends, not a line per 16 KiB", async () => {
  const dir = tinyProject({ steps: 2, checkpointEvery: null });
  // 200 images of 12x12x3 and the npy header: 86,528 bytes, six 16 KiB chunks.
  fs.writeFileSync(path.join(dir, "gen.npz"), zipBytes([{ name: "image.npy", data: npyArray("|u1", [200, 12, 12, 3], bytes(200 * 432, 7)), deflate: true }]));
  const r = await cli(["run", "tiny.adainf", ...RUN], dir);
  expect(r.code).toBe(0);
  expect(r.err.split("\n").filter((l) => l.includes("inflating"))).toEqual(["  inflating gen.npz", "  inflating gen.npz 86,528/86,528"]);
});

test("sources that declare no classes: the run says why kNN, the probe and the online probe are off, not only '-' in the table", async () => {
  const dir = tinyProject({ steps: 2, checkpointEvery: null });
  const file = path.join(dir, "tiny.adainf");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replaceAll(", classes = 4", ""));
  const r = await cli(["run", "tiny.adainf", ...RUN], dir);
  expect(r.code).toBe(0);
  expect(r.err).toContain(
    "  evaluation off (kNN and the linear probe: no real training source of the mixture is labelled; the online linear probe: no source declares its classes): " +
      "a source is labelled when it declares classes (an npz or folder: classes = N; cifar10, cifar100 and mnist do)\n",
  );
  // With classes: no such note.
  const labelled = await cli(["run", "tiny.adainf", ...RUN], tinyProject({ steps: 2, checkpointEvery: null }));
  expect(labelled.err).not.toContain("evaluation off");
});

test("results.csv groups as the report does: points of one row trained with other settings (another --set with --only) get rows of their own", async () => {
  const dir = storyProject(8);
  fakeSweep(dir, { steps: 8 });
  // The seed-1 points as `run --set train.steps=9 --only seed=1` leaves them.
  for (const inflation of ["none", "vanilla", "adainf"]) {
    const file = path.join(dir, `runs/story/inflation=${inflation},seed=1/ir.json`);
    const ir = JSON.parse(fs.readFileSync(file, "utf8")) as { train: { steps: number } };
    ir.train.steps = 9;
    fs.writeFileSync(file, JSON.stringify(ir));
  }
  const r = await cli(["run", "story.adainf", "--only", "seed=0", ...RUN], dir);
  expect(r.code).toBe(0);
  expect(r.err).toContain(
    "story: some points were trained with other settings than others of their row (another --set?): a row per setting, told apart by 'run dirs'",
  );
  const csv = fs.readFileSync(path.join(dir, "runs/story/results.csv"), "utf8").trim().split("\n");
  expect(csv[0]!.split(",").slice(0, 3)).toEqual(["inflation", "run dirs", "runs"]);
  expect(csv.slice(1).map((l) => l.split(",").slice(0, 4).join(","))).toEqual([
    'none,"inflation=none,seed=0",1',
    'none,"inflation=none,seed=1",1',
    'vanilla,"inflation=vanilla,seed=0",1',
    'vanilla,"inflation=vanilla,seed=1",1',
    'adainf,"inflation=adainf,seed=0",1',
    'adainf,"inflation=adainf,seed=1",1',
  ]);
  // The report: the same six rows.
  const page = await cli(["report", "runs/story", "-o", "r.html", "--no-preview"], dir);
  expect(page.out).toContain("6 result rows");
});

test("a damaged done.json: run names it (one line, what to do) and skips nothing as finished; the report says the same", async () => {
  const dir = storyProject(8);
  fakeSweep(dir, { steps: 8 });
  const done = path.join(dir, "runs/story/inflation=none,seed=0/done.json");
  fs.writeFileSync(done, fs.readFileSync(done, "utf8").slice(0, 40));
  const r = await cli(["run", "story.adainf", ...RUN], dir);
  expect(r.code).toBe(1);
  const line =
    "runs/story/inflation=none,seed=0/done.json is damaged (is not valid JSON (cut short?)), so the run counts as neither finished nor unfinished: " +
    "delete it and run again (the run resumes from its newest checkpoint and evaluates again), or train it again with --overwrite";
  expect(r.err).toContain(`error: ${line}\n`);
  expect(r.err).not.toContain("story[inflation=none,seed=0]: already finished");
  const page = await cli(["report", "runs/story", "-o", "r.html", "--no-preview"], dir);
  expect(page.err).toContain(`note: ${line}\n`);
  const html = fs.readFileSync(path.join(dir, "r.html"), "utf8");
  expect(html).toContain("done.json damaged (is not valid JSON (cut short?))");
  expect(html).toContain('1/2 <span class="spread">(1 with a damaged done.json)</span>');
});

describe("a sweep point whose loss becomes NaN", () => {
  // Checkpoints every step: the diverged point keeps those before the bad step.
  const dir = tinyProject({ steps: 4, checkpointEvery: 1, extraBody: "sweep {\n    train.optimizer.lr = [1e30, 0.003]\n  }" });

  test("is recorded as diverged; the other points train and the table is written; exit 1 at the end; the hint is no --set of the swept key", async () => {
    const r = await cli(["run", "tiny.adainf", ...RUN], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: tiny\[train\.optimizer\.lr=1e30\]: the loss became (NaN|-?Infinity) at step \d/m);
    expect(r.err).toContain("  the other points go on; this one: --only train.optimizer.lr=1e30\n");
    expect(r.err).not.toContain("--set train.optimizer.lr");
    // the loss as recorded (NaN or infinite), not "NaN" whatever it was
    const loss = /the loss became (NaN|-?Infinity) at step (\d)/.exec(r.err)!;
    expect(r.err).toContain(`error: 1 sweep point did not finish: tiny[train.optimizer.lr=1e30] diverged at step ${loss[2]} (loss ${loss[1]})\n`);
    expect(fs.existsSync(path.join(dir, "runs/tiny/train.optimizer.lr=1e30/diverged.json"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "runs/tiny/train.optimizer.lr=0.003/done.json"))).toBe(true);
    const csv = fs.readFileSync(path.join(dir, "runs/tiny/results.csv"), "utf8").trim().split("\n");
    expect(csv.slice(1).map((l) => l.split(",")[0])).toEqual(["0.003"]);
  });

  test("a rerun with the same settings skips it, saying so, and still exits 1; the report shows it diverged", async () => {
    const r = await cli(["run", "tiny.adainf", ...RUN], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^tiny\[train\.optimizer\.lr=1e30\]: diverged at step \d \(loss (NaN|-?Infinity)\) in an earlier run with these settings: skipped \(it would diverge again\); change its settings in the file's sweep, then train it again with --overwrite --only train\.optimizer\.lr=1e30$/m,
    );
    expect(r.err).toMatch(/^error: 1 sweep point did not finish: tiny\[train\.optimizer\.lr=1e30\] diverged at step \d \(loss (NaN|-?Infinity)\)$/m);
    expect(r.err).not.toContain("resuming at step");
    const page = await cli(["report", "runs/tiny", "-o", "r.html", "--no-preview"], dir);
    expect(page.err).toMatch(/note: train\.optimizer\.lr=1e30: diverged at step \d/);
    expect(fs.readFileSync(path.join(dir, "r.html"), "utf8")).toMatch(/status-partial">diverged at step \d/);
  });

  test("with other settings and its checkpoints: refused before the backend loads, naming the change and the way on; the other points still train", async () => {
    const point = "runs/tiny/train.optimizer.lr=1e30";
    expect(fs.readdirSync(path.join(dir, point, "checkpoints")).length).toBeGreaterThan(0);
    fs.rmSync(path.join(dir, "runs/tiny/train.optimizer.lr=0.003"), { recursive: true });
    const r = await cli(["run", "tiny.adainf", ...RUN, "--set", "train.steps=3"], dir);
    expect(r.code).toBe(1);
    const esc = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const refusal = new RegExp(
      `${esc("error: tiny[train.optimizer.lr=1e30] has an unfinished run (checkpoint at step ")}\\d${esc(
        `) in ${point} with other settings (/train/steps)\n  train it again with these: --overwrite --only train.optimizer.lr=1e30 ` +
          "(its checkpoints, metrics, done.json, eval.json and the report.html adainfc report wrote are deleted), or set another output.dir\n",
      )}`,
    );
    expect(r.err).toMatch(refusal);
    expect(r.err.search(refusal)).toBeLessThan(r.err.indexOf("backend: "));
    expect(r.err).not.toContain("cannot resume");
    expect(fs.existsSync(path.join(dir, "runs/tiny/train.optimizer.lr=0.003/done.json"))).toBe(true);
    expect(r.err).toContain("error: not trained (refused above): tiny[train.optimizer.lr=1e30]\n");
  });
});

describe("a single pipeline whose loss becomes NaN", () => {
  const dir = tinyProject({ steps: 4, checkpointEvery: 1 });

  test("stops with exit 1; --resume continues it from its checkpoint (never skipped as a diverged point)", async () => {
    const first = await cli(["run", "tiny.adainf", ...RUN, "--set", "train.optimizer.lr=1e30"], dir);
    expect(first.code).toBe(1);
    expect(first.err).toMatch(/^error: the loss became (NaN|-?Infinity) at step \d/m);
    expect(fs.existsSync(path.join(dir, "runs/tiny/diverged.json"))).toBe(true);
    const again = await cli(["run", "tiny.adainf", ...RUN, "--set", "train.optimizer.lr=1e30", "--resume"], dir);
    expect(again.err).not.toMatch(/skipped|in an earlier run|sweep point/);
    expect(again.err).toMatch(/^tiny: resuming at step \d of 4/m);
    expect(again.err).toMatch(/the loss became (NaN|-?Infinity) at step \d/);
  });

  test("its hint leads somewhere: --resume with a changed rate is refused before the backend loads; --overwrite --set trains", async () => {
    const first = await cli(["run", "tiny.adainf", ...RUN, "--set", "train.optimizer.lr=1e30", "--overwrite"], dir);
    expect(first.err).toContain("starting over: --overwrite --set train.optimizer.lr=...");
    const resumed = await cli(["run", "tiny.adainf", ...RUN, "--set", "train.optimizer.lr=0.003", "--resume"], dir);
    expect(resumed.code).toBe(1);
    expect(resumed.err).toMatch(/^error: tiny has an unfinished run \(checkpoint at step \d\) in runs\/tiny with other settings \(\/train\/optimizer/m);
    expect(resumed.err).not.toContain("backend: ");
    const over = await cli(["run", "tiny.adainf", ...RUN, "--set", "train.optimizer.lr=0.003", "--overwrite"], dir);
    expect(over.code).toBe(0);
    expect(fs.existsSync(path.join(dir, "runs/tiny/done.json"))).toBe(true);
  });
});
