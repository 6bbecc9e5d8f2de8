// What a user meets running `adainfc run` / `eval` on webgpu (the built CLI, child
// processes), beyond webgpu-cli.test.ts: Ctrl-C and --resume (on webgpu, and across to
// wasm, which is said), evaluation of images larger than the training crop or than the
// GPU binds at once (batched to fit, equal to wasm's), a kNN bank over one binding
// (searched in blocks, equal to wasm's), batches refused before training when a later convnet layer is the largest, --wasm-threads on
// webgpu said to be unused, the no-adapter message, and a NaN loss. The shapes that
// cross the adapter's binding limit are computed from it (lavapipe: 128 MiB); where
// Dawn finds no adapter every test skips and says why.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { probeWebGpu, releaseWebGpu } from "../../src/runtime/backend/webgpu.js";
import { NpzImageWriter } from "../../src/runtime/data/index.js";
import { Rng } from "../../src/runtime/rng.js";
import { loadLatestCheckpoint, readMetrics, readRunSummary, runPaths } from "../../src/runtime/train/index.js";
import { tinyProject } from "../train/fixtures.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/adainfc.js");
const probed = await probeWebGpu();
releaseWebGpu();
const why = typeof probed === "string" ? probed : null;
const binding = typeof probed === "string" ? 0 : Math.min(probed.limits.maxStorageBufferBindingSize, probed.limits.maxBufferSize);
const label = (name: string): string => (why ? `${name} (skipped: ${why})` : name);

interface Ran {
  code: number | null;
  out: string;
  err: string;
}

/** The CLI in `cwd`; `interruptOn`: send SIGINT once stderr shows this text. */
function cli(args: string[], cwd: string, o: { env?: NodeJS.ProcessEnv; interruptOn?: string } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: o.env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let sent = false;
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
      if (o.interruptOn !== undefined && !sent && err.includes(o.interruptOn)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    // A process kept alive by Dawn would hang here: the test's timeout catches it.
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

/** Random-pixel sets of side x side RGB images, 4 classes: real, generated, eval. */
function randomProject(side: number, counts: { real: number; generated: number; eval: number }, pipelineText: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-gpu-audit-"));
  const write = (file: string, n: number, labelled: boolean, seed: number): void => {
    const rng = new Rng(seed);
    const labels = Int32Array.from({ length: n }, (_, i) => (labelled ? i % 4 : -1));
    const w = NpzImageWriter.create(path.join(dir, file), { count: n, shape: [side, side, 3], labels });
    for (let i = 0; i < n; i++) w.append(Uint8Array.from({ length: side * side * 3 }, () => rng.int(256)));
    w.finish();
  };
  write("real.npz", counts.real, true, 1);
  write("gen.npz", counts.generated, false, 2);
  write("eval.npz", counts.eval, true, 3);
  fs.writeFileSync(path.join(dir, "p.adainf"), pipelineText);
  return dir;
}

function pipeline(o: { backbone: string; batch: number; steps: number; crop?: number; evaluate?: string }): string {
  return `pipeline p from simclr {
  seed = 5
  data {
    real = npz("real.npz", origin = real, classes = 4, channels = rgb)
    generated = npz("gen.npz", channels = rgb)
    eval = npz("eval.npz", origin = real, classes = 4, channels = rgb)
  }
  inflate {
    real x 2
    generated x 1
  }
  augment = symmetric_adainf${o.crop ? ` with { random_resized_crop.size = ${o.crop} }` : ""}
  model {
    backbone = ${o.backbone}
    method = simclr(proj_hidden_dim = 16, proj_output_dim = 8)
  }
  train {
    devices = 1
    batch_size = ${o.batch}
    steps = ${o.steps}
    schedule = warmup_cosine(warmup = 1 steps)
  }
  evaluate {
    ${o.evaluate ?? "knn(k = 5)\n    linear_probe(epochs = 2, lr = 0.1, batch_size = 16)"}
  }
  output {
    dir = "runs/p"
  }
}
`;
}

const DAWN_VALIDATION = /Binding size|validation|Invalid (BindGroup|CommandBuffer)/;
const STACK = /internal error|\n\s+at .*\.js:\d+/;

function checkpointValues(dir: string): Map<string, Float32Array> {
  const latest = loadLatestCheckpoint(runPaths(dir).checkpoints)!;
  return new Map([...latest.state.tensors].map(([k, v]) => [k, v.values]));
}

describe.skipIf(why !== null)(label("webgpu: Ctrl-C and --resume"), () => {
  it("Ctrl-C saves a checkpoint and exits 130; --resume on webgpu equals the uninterrupted run bit for bit; resumed on wasm it says so and agrees to rounding", {
    timeout: 180_000,
  }, async () => {
    const dir = tinyProject({ steps: 12, checkpointEvery: 2, keep: 20 });
    const at = (name: string): string[] => ["--set", `output.dir="runs/${name}"`];
    // The reference, with --wasm-threads given: webgpu does not use it, and says so.
    const ref = await cli(["run", "tiny.adainf", "--backend", "webgpu", "--wasm-threads", "2", ...at("ref")], dir);
    expect(ref.code).toBe(0);
    expect(ref.err).toMatch(/^note: --wasm-threads 2 is for the wasm backend; webgpu does not use it$/m);

    const stopped = await cli(["run", "tiny.adainf", "--backend", "webgpu", ...at("cut")], dir, { interruptOn: "checkpoint at step 2" });
    expect(stopped.code).toBe(130);
    expect(stopped.err).toMatch(/interrupted at step \d+; checkpoint saved: runs\/cut\/checkpoints\/step-\d+\.ckpt/);
    expect(stopped.err).toMatch(/resume with: adainfc run tiny\.adainf .*--resume --backend webgpu/);
    const cutAt = loadLatestCheckpoint(runPaths(path.join(dir, "runs/cut")).checkpoints)!.header.step;
    expect(cutAt).toBeGreaterThanOrEqual(2);
    expect(cutAt).toBeLessThan(12);
    fs.cpSync(path.join(dir, "runs/cut"), path.join(dir, "runs/cross"), { recursive: true });

    const resumed = await cli(["run", "tiny.adainf", "--backend", "webgpu", "--resume", ...at("cut")], dir);
    expect(resumed.code).toBe(0);
    expect(resumed.err).not.toContain("written on");
    const refLosses = readMetrics(runPaths(path.join(dir, "runs/ref")).metrics).map((m) => m.loss);
    expect(readMetrics(runPaths(path.join(dir, "runs/cut")).metrics).map((m) => m.loss)).toEqual(refLosses);
    const refState = checkpointValues(path.join(dir, "runs/ref"));
    const cutState = checkpointValues(path.join(dir, "runs/cut"));
    for (const [k, v] of refState) expect(cutState.get(k), k).toEqual(v);

    const cross = await cli(["run", "tiny.adainf", "--backend", "wasm", "--resume", ...at("cross")], dir);
    expect(cross.code).toBe(0);
    expect(cross.err).toContain(`resuming a checkpoint written on webgpu with wasm: the same computation to float rounding, not bit for bit`);
    const crossMetrics = readMetrics(runPaths(path.join(dir, "runs/cross")).metrics);
    expect(crossMetrics.map((m) => m.step)).toEqual(refLosses.map((_, i) => i));
    crossMetrics.forEach((m, i) => expect(Math.abs(m.loss - refLosses[i]!), `loss at step ${i}`).toBeLessThan(1e-3));
    expect(readRunSummary(path.join(dir, "runs/cross"))?.backend).toBe("wasm");
  });
});

describe.skipIf(why !== null)(label("webgpu: evaluation at the images' own size"), () => {
  // convnet(32, 8): 32 float channels at the full image size are its largest activation.
  const bytesPerImage = (side: number): number => side * side * 32 * 4;
  const needed = Math.floor(binding / bytesPerImage(96)) + 1;
  it.skipIf(needed > 400)(
    `96x96 images cropped to 32 for training: evaluation batches fit the GPU and equal wasm's (the eval set: ${needed} images, one over what one binding holds)`,
    { timeout: 180_000 },
    async () => {
      // kNN alone in the run (lavapipe is slow at this size); adainfc eval adds the probe.
      const dir = randomProject(
        96,
        { real: 16, generated: 16, eval: needed },
        pipeline({ backbone: "convnet(channels = (32, 4), feature_dim = 8)", batch: 8, steps: 2, crop: 32, evaluate: "knn(k = 5)" }),
      );
      const on = async (backend: string): Promise<{ run: Ran; summary: ReturnType<typeof readRunSummary> }> => {
        const run = await cli(["run", "p.adainf", "--backend", backend, "--no-worker", "--set", `output.dir="runs/${backend}"`], dir);
        return { run, summary: readRunSummary(path.join(dir, `runs/${backend}`)) };
      };
      const gpu = await on("webgpu");
      // Dawn prints what the device rejects on stdout: neither stream may carry it.
      expect(gpu.run.out + gpu.run.err).not.toMatch(DAWN_VALIDATION);
      expect(gpu.run.code).toBe(0);
      const wasm = await on("wasm");
      expect(wasm.run.code).toBe(0);
      const oneImage = 100 / needed + 1e-9;
      for (const k of ["knn_acc1", "knn_acc5"] as const) {
        expect(Math.abs(gpu.summary!.untrained![k]! - wasm.summary!.untrained![k]!), `untrained ${k}`).toBeLessThanOrEqual(oneImage);
        expect(Math.abs(gpu.summary!.final[k]! - wasm.summary!.final[k]!), `trained ${k}`).toBeLessThanOrEqual(oneImage);
      }
      // adainfc eval of the webgpu run on webgpu and on wasm: the same figures.
      const evalOn = async (backend: string): Promise<Record<string, number>> => {
        const r = await cli(["eval", "runs/webgpu", "--backend", backend, "--json"], dir);
        expect(r.out + r.err).not.toMatch(DAWN_VALIDATION);
        expect(r.code).toBe(0);
        return (JSON.parse(r.out) as { metrics: Record<string, number> }).metrics;
      };
      const eg = await evalOn("webgpu");
      const ew = await evalOn("wasm");
      for (const k of ["knn_acc1", "probe_acc1"]) expect(Math.abs(eg[k]! - ew[k]!), k).toBeLessThanOrEqual(oneImage);
    },
  );

  // The smallest side at which 256 images (the evaluation batch) no longer fit one binding.
  const side = Math.floor(Math.sqrt(binding / (4 * 32 * 256))) + 8;
  const fits = Math.floor(binding / bytesPerImage(side));
  it.skipIf(side > 160)(
    `${side}x${side} views: a batch of 8 fits (${fits} would), so the run is not refused for the evaluation batch; evaluation batches to fit`,
    { timeout: 120_000 },
    async () => {
      const dir = randomProject(
        side,
        { real: 24, generated: 8, eval: 12 },
        pipeline({ backbone: "convnet(channels = (32, 8), feature_dim = 8)", batch: 8, steps: 1 }),
      );
      const r = await cli(["run", "p.adainf", "--backend", "webgpu", "--no-worker"], dir);
      expect(r.err).not.toContain("does not fit");
      expect(r.out + r.err).not.toMatch(DAWN_VALIDATION);
      expect(r.code).toBe(0);
      expect(r.out).toContain("1 step in");
    },
  );
});

describe.skipIf(why !== null)(label("webgpu: a kNN bank larger than one binding"), () => {
  // 65,536-wide features of one image more than one binding holds: the bank is searched
  // in blocks that each fit (eval/knn.ts). It once gave wrong figures, then an error line.
  const bank = Math.floor(binding / (65536 * 4)) + 1;
  it.skipIf(bank > 2000)(
    `a kNN bank over one binding (${bank} x 65,536 features) is searched in blocks: exit 0, nothing from Dawn, wasm's figures`,
    { timeout: 120_000 },
    async () => {
      const dir = randomProject(
        4,
        { real: bank, generated: 8, eval: 12 },
        pipeline({ backbone: "convnet(channels = (8), feature_dim = 65536)", batch: 4, steps: 1, evaluate: "knn(k = 5)" }),
      );
      const on = async (backend: string): Promise<{ run: Ran; summary: ReturnType<typeof readRunSummary> }> => {
        const run = await cli(["run", "p.adainf", "--backend", backend, "--no-worker", "--set", `output.dir="runs/${backend}"`], dir);
        return { run, summary: readRunSummary(path.join(dir, `runs/${backend}`)) };
      };
      const gpu = await on("webgpu");
      expect(gpu.run.out + gpu.run.err).not.toMatch(DAWN_VALIDATION);
      expect(gpu.run.err).not.toMatch(STACK);
      expect(gpu.run.code).toBe(0);
      const wasm = await on("wasm");
      expect(wasm.run.code).toBe(0);
      const oneImage = 100 / 12 + 1e-9;
      for (const k of ["knn_acc1", "knn_acc5"] as const) {
        expect(Math.abs(gpu.summary!.untrained![k]! - wasm.summary!.untrained![k]!), `untrained ${k}`).toBeLessThanOrEqual(oneImage);
        expect(Math.abs(gpu.summary!.final[k]! - wasm.summary!.final[k]!), `trained ${k}`).toBeLessThanOrEqual(oneImage);
      }
    },
  );
});

describe.skipIf(why !== null)(label("webgpu: a batch over the limit is refused before training"), () => {
  // convnet(4, 64) on 32x32: the second layer (64 channels at 16x16) is the largest.
  const fits = Math.floor(binding / (16 * 16 * 64 * 4));
  it(`convnet(4, 64) at ${fits + 1} images per view: one line naming ${fits}, before the untrained encoder is evaluated; the directory does not block the next run`, {
    timeout: 120_000,
  }, async () => {
    // An epoch holds the batch (else `run` refuses it first, at batch_size).
    const dir = randomProject(
      32,
      { real: 32, generated: fits + 1, eval: 8 },
      pipeline({ backbone: "convnet(channels = (4, 64), feature_dim = 8)", batch: fits + 1, steps: 1 }),
    );
    const started = performance.now();
    const r = await cli(["run", "p.adainf", "--backend", "webgpu", "--no-worker"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^error: train\\.batch_size = ${fits + 1} does not fit this GPU: .*at most ${fits} images per view fit`, "m"));
    expect(r.err).not.toContain("evaluating the untrained encoder");
    expect(r.out + r.err).not.toMatch(DAWN_VALIDATION);
    expect(r.err).not.toMatch(STACK);
    expect(r.err.split("\n").filter((l) => l.startsWith("error:"))).toHaveLength(1);
    expect(performance.now() - started).toBeLessThan(30_000);
    // Nothing left behind blocks a run that fits.
    const next = await cli(["run", "p.adainf", "--backend", "webgpu", "--no-worker", "--set", "train.batch_size=8"], dir);
    expect(next.code).toBe(0);
  });
});

describe.skipIf(why !== null)(label("webgpu: what goes wrong"), () => {
  it("no adapter: run and eval say why and what to do, without telling to install what is installed (exit 2)", { timeout: 60_000 }, async () => {
    const env = { ...process.env, VK_DRIVER_FILES: "/nonexistent/icd.json", VK_ICD_FILENAMES: "/nonexistent/icd.json" };
    const dir = tinyProject({ steps: 1, checkpointEvery: null });
    for (const args of [
      ["run", "tiny.adainf", "--backend", "webgpu", "--no-worker"],
      ["eval", ".", "--backend", "webgpu"],
    ]) {
      if (args[0] === "eval") fs.writeFileSync(path.join(dir, "ir.json"), "{}");
      const r = await cli(args, dir, { env });
      expect(r.code, args[0]).toBe(2);
      const line = r.err.split("\n").find((l) => l.startsWith("error:"));
      expect(line).toMatch(/^error: backend 'webgpu' is not available: Dawn found no Vulkan adapter .*VK_DRIVER_FILES/);
      expect(line).not.toContain("npm install");
      expect(r.err).not.toMatch(STACK);
    }
  });

  it("a NaN loss stops the run with the documented message (exit 1), nothing logged after it", { timeout: 60_000 }, async () => {
    const dir = tinyProject({ steps: 6, checkpointEvery: 2 });
    const r = await cli(["run", "tiny.adainf", "--backend", "webgpu", "--no-worker", "--set", "train.optimizer.lr=1e30"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: the loss became (NaN|-?Infinity) at step (\d+) \(learning rate .*\); training stopped before updating the weights\. The last good checkpoint is /m,
    );
    const bad = Number(/at step (\d+)/.exec(r.err)![1]);
    expect(readMetrics(runPaths(path.join(dir, "runs/tiny")).metrics).map((m) => m.step)).toEqual([...Array(bad).keys()]);
    expect(fs.existsSync(runPaths(path.join(dir, "runs/tiny")).done)).toBe(false);
  });
});
