// Defects found by an audit of `adainfc compile` (solo-learn, ts) and `adainfc import
// solo-learn`: the run's length and warm-up when max_steps and max_epochs are both set
// (Lightning stops at whichever comes first; solo-learn divides the warm-up by
// max_epochs), val_check_interval's int and float, whole numbers at solo-learn's int keys,
// a checkpoint only at the end, what stands at an output path (a folder, a FIFO, a link),
// and one-line errors for bytes that are not UTF-8, unknown YAML tags, nan/inf, a bad
// batch_size, a defaults value that is no list; solo-learn's checkpointer being off.
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, ROOT, spawnCli } from "../helpers.js";
import { at, readYaml, tempDir, type Y } from "./helpers.js";
import { irOf } from "./import-fixtures.js";

/** A minimal, valid upstream-style solo-learn config (the audit's), with its augmentations. */
const AUG = `- rrc: {enabled: True, crop_min_scale: 0.08, crop_max_scale: 1.0}
  color_jitter: {prob: 0.8, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2}
  grayscale: {prob: 0.2}
  gaussian_blur: {prob: 0.5}
  solarization: {prob: 0.0}
  equalization: {prob: 0.0}
  horizontal_flip: {prob: 0.5}
  crop_size: 32
  num_crops: 2
`;
const BASE = `defaults:
  - _self_
  - augmentations: symmetric.yaml
name: base
method: simclr
backbone: {name: resnet18}
method_kwargs: {proj_hidden_dim: 2048, proj_output_dim: 256, temperature: 0.2}
data: {dataset: cifar10, train_path: d, val_path: d}
optimizer: {name: lars, batch_size: 128, lr: 0.3, classifier_lr: 0.1, weight_decay: 1.0e-4}
scheduler: {name: warmup_cosine}
checkpoint: {enabled: true, frequency: 1}
max_epochs: 10
devices: [0, 1]
`;

/** A project holding `c.yaml` (BASE with each `from` replaced by its `to`) and its augmentations. */
function config(...pairs: [string, string][]): string {
  let text = BASE;
  for (const [from, to] of pairs) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  const dir = tempDir();
  mkdirSync(join(dir, "augmentations"));
  writeFileSync(join(dir, "augmentations/symmetric.yaml"), AUG);
  writeFileSync(join(dir, "c.yaml"), text);
  return dir;
}

const importIn = (dir: string, file = "c.yaml") => cli(["import", "solo-learn", file, "-o", "p.adainf"], dir);

/** The line of `c.yaml` in `dir` that starts with `start`. */
function lineIn(dir: string, start: string): number {
  const i = readFileSync(join(dir, "c.yaml"), "utf8")
    .split("\n")
    .findIndex((l) => l.trimStart().startsWith(start));
  expect(i).toBeGreaterThanOrEqual(0);
  return i + 1;
}

const C1 = `pipeline c1 from simclr {
  data { real = cifar100("datasets/cifar100", split = train)  eval = cifar100("datasets/cifar100", split = test) }
  train { steps = 30 epochs  schedule = warmup_cosine(warmup = 500 steps) }
  evaluate { online_linear(lr = 0.2, every = 1 epochs) }
}
`;

describe("import: max_steps with max_epochs (Lightning stops at the first; solo-learn's warm-up divides by max_epochs)", () => {
  it("compile --flavour upstream, then import: the paper's 1,000-step warm-up comes back as 1,000 steps (it was 20 epochs = 1,940)", async () => {
    const dir = tempDir();
    const up = await cli(["compile", join(ROOT, "pipelines/simclr_none.adainf"), "--target", "solo-learn", "--flavour", "upstream", "-o", "up"], dir);
    expect(up.code).toBe(0);
    const back = await cli(["import", "solo-learn", "up/simclr.yaml", "-o", "back.adainf"], dir);
    expect(back.err).not.toMatch(/error/);
    const ir = irOf("back.adainf", dir);
    expect(ir.train.steps).toBe(100_000);
    expect(ir.train.schedule).toMatchObject({ warmupSteps: 1000 });
  });

  it("a 500-step warm-up of a 30-epoch cifar100 run survives both flavours' round trips", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "c1.adainf"), C1);
    const original = irOf("c1.adainf", dir);
    for (const flavour of ["adainf", "upstream"]) {
      const out = `o-${flavour}`;
      expect((await cli(["compile", "c1.adainf", "--target", "solo-learn", "--flavour", flavour, "-o", out], dir)).code).toBe(0);
      const back = await cli(["import", "solo-learn", `${out}/simclr.yaml`, "-o", `${flavour}.adainf`], dir);
      expect(back.code).toBe(0);
      const ir = irOf(`${flavour}.adainf`, dir);
      expect(ir.train.schedule).toEqual(original.train.schedule);
      expect(ir.train.steps).toBe(original.train.steps);
    }
  });

  it("max_epochs: 10 with max_steps: 100000: 10 epochs (1,950 steps) are trained, warming up over all of them, and a note says so", async () => {
    const dir = config(["max_epochs: 10", "max_epochs: 10\nmax_steps: 100000"]);
    const r = await importIn(dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `note: c.yaml:${lineIn(dir, "max_steps:")}:1: max_steps = 100000 is not reached: max_epochs = 10 (10 x 195 steps) stops training first`,
    );
    const ir = irOf("p.adainf", dir);
    expect(ir.train.steps).toBe(1950);
    // solo-learn: 10 x 1950 / 10
    expect(ir.train.schedule).toMatchObject({ warmupSteps: 1950 });
  });

  it("max_steps reached first: the warm-up is warmup_epochs x max_steps / max_epochs steps", async () => {
    const dir = config(["max_epochs: 10", "max_epochs: 1000\nmax_steps: 5000"]);
    expect((await importIn(dir)).code).toBe(0);
    const ir = irOf("p.adainf", dir);
    expect(ir.train.steps).toBe(5000);
    expect(ir.train.schedule).toMatchObject({ warmupSteps: 50 });
  });

  it("max_epochs: 1e400 (inf) is a one-line error at its line, not an internal error", async () => {
    const dir = config(["max_epochs: 10", "max_epochs: 1e400"]);
    const r = await importIn(dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: c.yaml:${lineIn(dir, "max_epochs:")}:1: max_epochs must be a positive number, found inf\n`);
  });
});

describe("import: val_check_interval as Lightning reads it (an int counts batches, a float is a fraction of an epoch)", () => {
  it("1 is every step, 1.0 every epoch, 2.0 an error; compile's `every = 1 steps` comes back", async () => {
    const one = config(["max_epochs: 10", "max_epochs: 10\nval_check_interval: 1"]);
    expect((await importIn(one)).code).toBe(0);
    expect(irOf("p.adainf", one).evaluate.onlineLinear).toMatchObject({ every: 1 });
    const float = config(["max_epochs: 10", "max_epochs: 10\nval_check_interval: 1.0"]);
    expect((await importIn(float)).code).toBe(0);
    expect(irOf("p.adainf", float).evaluate.onlineLinear).toMatchObject({ every: 195 });
    const two = config(["max_epochs: 10", "max_epochs: 10\nval_check_interval: 2.0"]);
    const r = await importIn(two);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      new RegExp(`^error: c\\.yaml:${lineIn(two, "val_check_interval:")}:1: val_check_interval = 2\\.0: a float is a fraction of an epoch, at most 1\\.0`),
    );
  });

  it("a float reached through an interpolation stays a float, as OmegaConf resolves it (${x} with x: 1.0 is every epoch)", async () => {
    const float = config(["max_epochs: 10", "max_epochs: 10\nx: 1.0\nval_check_interval: ${x}"]);
    expect((await importIn(float)).code).toBe(0);
    expect(irOf("p.adainf", float).evaluate.onlineLinear).toMatchObject({ every: 195 });
    const int = config(["max_epochs: 10", "max_epochs: 10\nx: 1\nval_check_interval: ${x}"]);
    expect((await importIn(int)).code).toBe(0);
    expect(irOf("p.adainf", int).evaluate.onlineLinear).toMatchObject({ every: 1 });
    const chain = config(["max_epochs: 10", "max_epochs: 10\ny: 1.0\nx: ${y}\nval_check_interval: ${x}"]);
    expect((await importIn(chain)).code).toBe(0);
    expect(irOf("p.adainf", chain).evaluate.onlineLinear).toMatchObject({ every: 195 });
  });
});

describe("import: one-line errors for what Hydra's loader refuses or cannot mean", () => {
  it("a byte that is not UTF-8 is an error at its line and column (it was a U+FFFD in the data path)", async () => {
    const dir = config();
    const text = readFileSync(join(dir, "c.yaml"));
    const at8 = text.indexOf("train_path: d,");
    writeFileSync(
      join(dir, "c.yaml"),
      Buffer.concat([text.subarray(0, at8), Buffer.from('train_path: "data/caf\xe9",', "latin1"), text.subarray(at8 + "train_path: d,".length)]),
    );
    const r = await importIn(dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `error: c.yaml:${lineIn(dir, "data:")}:47: not UTF-8 text: the byte 0xe9 does not decode (Hydra's YAML loader refuses the file); save it as UTF-8\n`,
    );
  });

  it("an unknown tag is an error at its line and column, wherever it is; !!binary and nan are named as Python writes them", async () => {
    const foo = config(["batch_size: 128", "batch_size: !foo 64"]);
    const r1 = await importIn(foo);
    expect(r1.err).toBe(`error: c.yaml:${lineIn(foo, "optimizer:")}:37: not valid YAML: unknown tag !foo (OmegaConf's loader has no constructor for it)\n`);
    const python = config(["devices: [0, 1]", 'devices: [0, 1]\nfoo: !!python/object/apply:os.system ["x"]']);
    const r2 = await importIn(python);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain(`error: c.yaml:${lineIn(python, "foo:")}:6: not valid YAML: unknown tag !!python/object/apply:os.system`);
    const binary = config(["batch_size: 128", "batch_size: !!binary aGVsbG8="]);
    expect((await importIn(binary)).err).toContain("optimizer.batch_size must be a number, found b'hello'");
    const nan = config(["lr: 0.3", "lr: .nan"]);
    expect((await importIn(nan)).err).toContain("optimizer.lr must be a finite number, found nan\n");
    const inf = config(["lr: 0.3", "lr: -.inf"]);
    expect((await importIn(inf)).err).toContain("optimizer.lr must be a finite number, found -inf\n");
  });

  it("a batch_size that is not a positive whole number is one error at it, as written", async () => {
    for (const v of ["12.5", "0", "-3"]) {
      const dir = config(["batch_size: 128", `batch_size: ${v}`]);
      const r = await importIn(dir);
      expect(r.code).toBe(1);
      expect(r.err).toBe(
        `error: c.yaml:${lineIn(dir, "optimizer:")}:25: optimizer.batch_size must be a positive whole number (images per device), found ${v}\n`,
      );
    }
  });

  it("defaults: 5 is refused as Hydra refuses it (it was 'names no augmentations')", async () => {
    const dir = config(["defaults:\n  - _self_\n  - augmentations: symmetric.yaml\n", "defaults: 5\n"]);
    const r = await importIn(dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: c.yaml:1:1: defaults must be a list of entries (Hydra refuses anything else), found 5\n");
  });
});

describe("import: solo-learn's checkpointer is off unless checkpoint.enabled", () => {
  it("enabled: false and no checkpoint block are a note and a checkpoint only at the end (not every N epochs)", async () => {
    const off = config(["checkpoint: {enabled: true, frequency: 1}", "checkpoint: {enabled: false, frequency: 5}"]);
    const r = await importIn(off);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`note: c.yaml:${lineIn(off, "checkpoint:")}:14: checkpoint.enabled is false: solo-learn saves no checkpoints`);
    expect(irOf("p.adainf", off).output.checkpointEvery).toBeNull();
    const none = config(["checkpoint: {enabled: true, frequency: 1}\n", ""]);
    const r2 = await importIn(none);
    expect(r2.err).toContain("note: c.yaml: checkpoint.enabled is not set (solo-learn's default: false)");
    expect(irOf("p.adainf", none).output.checkpointEvery).toBeNull();
    const on = config(["checkpoint: {enabled: true, frequency: 1}", "checkpoint: {enabled: true, frequency: 5}"]);
    expect((await importIn(on)).code).toBe(0);
    expect(irOf("p.adainf", on).output.checkpointEvery).toBe(5 * 195);
  });
});

describe("compile --target solo-learn: whole numbers at solo-learn's int keys, and nothing changed silently", () => {
  it("a 500-step warm-up: warmup_epochs and compute_warm_step_epoch / max_epochs are whole numbers of the same ratio", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "c1.adainf"), C1);
    expect((await cli(["compile", "c1.adainf", "--target", "solo-learn", "-o", "fork"], dir)).code).toBe(0);
    const fork = readYaml(join(dir, "fork/simclr.yaml")) as Y;
    // 30 epochs of 97 steps = 2,910; 500 / 2,910 = 50 / 291
    expect([at(fork, "scheduler.warmup_epochs"), fork["compute_warm_step_epoch"], fork["max_steps"]]).toEqual([50, 291, 2910]);
    expect((await cli(["compile", "c1.adainf", "--target", "solo-learn", "--flavour", "upstream", "-o", "up"], dir)).code).toBe(0);
    const up = readYaml(join(dir, "up/simclr.yaml")) as Y;
    const [we, maxEpochs] = [at(up, "scheduler.warmup_epochs") as number, up["max_epochs"] as number];
    expect(Number.isInteger(we) && Number.isInteger(maxEpochs)).toBe(true);
    // upstream: warmup_epochs x min(max_steps, max_epochs x 97) / max_epochs
    expect(maxEpochs * 97).toBeGreaterThanOrEqual(2910);
    expect((we * 2910) / maxEpochs).toBe(500);
    // a 300-step warm-up of 100k steps (it was max_epochs: 3333.33333333333)
    const u2 = await cli(
      [
        "compile",
        join(ROOT, "pipelines/simclr_none.adainf"),
        "--target",
        "solo-learn",
        "--flavour",
        "upstream",
        "-o",
        "u2",
        "--set",
        "train.schedule=warmup_cosine(warmup = 300 steps)",
      ],
      dir,
    );
    expect(u2.code).toBe(0);
    const cfg = readYaml(join(dir, "u2/simclr.yaml")) as Y;
    expect(Number.isInteger(cfg["max_epochs"])).toBe(true);
    expect(((at(cfg, "scheduler.warmup_epochs") as number) * 100_000) / (cfg["max_epochs"] as number)).toBe(300);
  });

  it("a checkpoint only at the end with an npz of unknown size: W071, and a frequency past the run's end (it was every epoch, silently)", async () => {
    const dir = tempDir();
    const text = readFileSync(join(ROOT, "pipelines/simclr_adainf.adainf"), "utf8")
      .replace(/^ {6}size = 1_000_000,\n/m, "")
      .replace(/^ {4}checkpoint_every = 5_000 steps$/m, "    keep = 1");
    expect(text).not.toContain("size = 1_000_000");
    writeFileSync(join(dir, "nosize.adainf"), text);
    expect(irOf("nosize.adainf", dir).output.checkpointEvery).toBeNull();
    const r = await cli(["compile", "nosize.adainf", "--target", "solo-learn", "-o", "out"], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain("W071");
    expect(r.err).toContain("checkpoint_every = none (only at the end) becomes checkpoint.frequency: 100000 epoch(s)");
    expect(at(readYaml(join(dir, "out/simclr.yaml")), "checkpoint.frequency")).toBe(100_000);
  });
});

describe("compile: what stands at an output path is never read unless it is a regular file", () => {
  const first = async (target: string) => {
    const dir = tempDir();
    const r = await cli(["compile", join(ROOT, "pipelines/simclr_none.adainf"), "--target", target, "-o", "out"], dir);
    expect(r.code).toBe(0);
    return dir;
  };

  it("a folder where run.sh (or the .ts program) goes: one line, exit 1, even with --force (it was an internal error)", async () => {
    for (const [target, file] of [
      ["solo-learn", "run.sh"],
      ["ts", "simclr_none.ts"],
    ] as const) {
      const dir = await first(target);
      rmSync(join(dir, "out", file));
      mkdirSync(join(dir, "out", file));
      for (const force of [[], ["--force"]]) {
        const r = await cli(["compile", join(ROOT, "pipelines/simclr_none.adainf"), "--target", target, "-o", "out", ...force], dir);
        expect(r.code).toBe(1);
        expect(r.err).not.toContain("internal error");
        // (after the W071 warning solo-learn's checkpoints get)
        expect(r.err.split("\n").filter(Boolean).at(-1)).toBe(
          `error: out/${file} is a folder, where compile writes a file: nothing was written; move it away, or choose another -o`,
        );
      }
    }
  });

  it("a FIFO is refused without being opened (it blocked for ever), a dangling link is refused; --force replaces both", async () => {
    const dir = await first("solo-learn");
    rmSync(join(dir, "out/run.sh"));
    execFileSync("mkfifo", [join(dir, "out/run.sh")]);
    const r = await spawnCli(["compile", join(ROOT, "pipelines/simclr_none.adainf"), "--target", "solo-learn", "-o", "out"], dir, process.env, 20_000);
    expect(r.hung).toBe(false);
    expect(r.code).toBe(1);
    expect(r.err).toContain("out/run.sh is not a regular file (a FIFO, socket or device), not one adainfc compile wrote: nothing was written; pass --force");
    rmSync(join(dir, "out/run.sh"));
    symlinkSync(join(dir, "nowhere"), join(dir, "out/run.sh"));
    const link = await cli(["compile", join(ROOT, "pipelines/simclr_none.adainf"), "--target", "solo-learn", "-o", "out"], dir);
    expect(link.code).toBe(1);
    expect(link.err).toContain("out/run.sh is a symbolic link, not a file adainfc compile wrote: nothing was written");
    const forced = await cli(["compile", join(ROOT, "pipelines/simclr_none.adainf"), "--target", "solo-learn", "-o", "out", "--force"], dir);
    expect(forced.code).toBe(0);
    expect(lstatSync(join(dir, "out/run.sh")).isFile()).toBe(true);
  });
});
