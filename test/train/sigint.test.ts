// A real Ctrl-C: `adainfc run` as a child process gets SIGINT mid-run, saves a
// checkpoint at the end of the step, exits 130 with the command that resumes; the
// resumed run finishes with every step logged exactly once. A scheduler's SIGTERM (what
// `kill`, `timeout` and batch systems send) does the same and exits 143, lock released.
// Ctrl-C while the backend is still loading exits 130 at once, leaving no run folder; Ctrl-C
// before the first step leaves a step-0 checkpoint that --resume trains from; Ctrl-C in the
// final linear probe stops it within a second (measured: 94 ms from the signal to the exit).
// SIGTERM in a sweep point's evaluation at a step: `adainfc eval` reads that checkpoint and
// `adainfc run` again (no --resume) repeats the evaluation and finishes the sweep. Ctrl-C
// while `run` makes a missing stand-in set: its temporary file goes, exit 130, one line.
// The same signal twice at once (GNU timeout) stops as one; Ctrl-C then SIGTERM quits at
// once with one line (the newest checkpoint, the command) and leaves no run.lock.
// Uses the built CLI (bin/adainfc.js -> dist/, which `npm ci` builds).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { listCheckpoints, readMetrics, runPaths } from "../../src/runtime/train/index.js";
import { tinyProject, writeSet } from "./fixtures.js";

const BIN = path.resolve(import.meta.dirname, "../../bin/adainfc.js");
const STEPS = 60;

interface Exit {
  code: number | null;
  err: string;
  /** Milliseconds from the signal to the exit (-1: none was sent). */
  ms: number;
}

/** Runs the CLI; when `interruptAt` appears on stderr, sends `signal` once (each of a list, back to back). */
function runCli(
  args: string[],
  cwd: string,
  interruptAt?: RegExp,
  signal: NodeJS.Signals | NodeJS.Signals[] = "SIGINT",
  env?: NodeJS.ProcessEnv,
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"], ...(env ? { env } : {}) });
    let err = "";
    let sentAt = 0;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      err += chunk;
      if (interruptAt && sentAt === 0 && interruptAt.test(err)) {
        sentAt = performance.now();
        for (const one of Array.isArray(signal) ? signal : [signal]) child.kill(one);
      }
    });
    child.stdout.resume();
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, err, ms: sentAt === 0 ? -1 : performance.now() - sentAt }));
  });
}

test("Ctrl-C saves a checkpoint, exits 130, and --resume finishes the run", { timeout: 120_000 }, async () => {
  const dir = tinyProject({ steps: STEPS, checkpointEvery: 1000 });
  const run = runPaths(path.join(dir, "runs/tiny"));

  const first = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir, /step \d+\/60/);
  expect(first.code).toBe(130);
  expect(first.err).toContain("interrupt: saving a checkpoint at the end of this step");
  const saved = /interrupted at step (\d+); checkpoint saved: (\S+)/.exec(first.err);
  expect(saved).not.toBeNull();
  const step = Number(saved![1]);
  expect(step).toBeGreaterThan(0);
  expect(step).toBeLessThan(STEPS);
  expect(first.err).toContain("resume with: adainfc run tiny.adainf --resume");
  expect(first.err).not.toMatch(/at .*\.(js|ts):\d+/); // no stack trace
  expect(fs.existsSync(path.join(dir, saved![2]!))).toBe(true);
  expect(listCheckpoints(run.checkpoints).length).toBeGreaterThan(0);
  expect(fs.existsSync(run.done)).toBe(false);
  expect(readMetrics(run.metrics)).toHaveLength(step);
  // Nothing half-written is left beside the checkpoints.
  expect(fs.readdirSync(run.checkpoints).filter((f) => f.includes(".tmp"))).toEqual([]);

  // The rest on two augmentation threads: the same views, so the same run.
  const second = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--augment-threads", "2", "--resume"], dir);
  expect(second.code).toBe(0);
  expect(second.err).toContain("augmentation on 2 worker threads");
  expect(second.err).toContain(`resuming at step ${step} of ${STEPS}`);
  expect(fs.existsSync(run.done)).toBe(true);
  const steps = readMetrics(run.metrics).map((m) => m.step);
  expect(steps).toEqual(Array.from({ length: STEPS }, (_, i) => i));
});

test("SIGTERM (kill, timeout, a batch scheduler) saves a checkpoint as Ctrl-C does, exits 143 and releases the lock", { timeout: 120_000 }, async () => {
  const dir = tinyProject({ steps: STEPS, checkpointEvery: 1000 });
  const run = runPaths(path.join(dir, "runs/tiny"));
  const first = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir, /step \d+\/60/, "SIGTERM");
  expect(first.code).toBe(143);
  expect(first.err).toContain("SIGTERM: saving a checkpoint at the end of this step (SIGTERM again to quit without saving)");
  const saved = /interrupted at step (\d+); checkpoint saved: (\S+)/.exec(first.err);
  expect(saved).not.toBeNull();
  expect(fs.existsSync(path.join(dir, saved![2]!))).toBe(true);
  expect(fs.existsSync(run.lock)).toBe(false);
  const second = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker", "--resume"], dir);
  expect(second.code).toBe(0);
  expect(readMetrics(run.metrics).map((m) => m.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i));
});

test("two signals at once: the same one twice (GNU timeout) stops gracefully; Ctrl-C then SIGTERM quits, says so, releases the lock", {
  timeout: 180_000,
}, async () => {
  const dir = tinyProject({ steps: STEPS, checkpointEvery: 5 });
  const run = runPaths(path.join(dir, "runs/tiny"));
  const args = ["run", "tiny.adainf", "--backend", "cpu", "--no-worker"];
  // timeout signals the process and then its process group: one request, a checkpoint
  const twice = await runCli(args, dir, /step (1\d|[2-9]\d)\/60/, ["SIGINT", "SIGINT"]);
  expect(twice.code).toBe(130);
  expect(twice.err).toMatch(/interrupted at step \d+; checkpoint saved: /);
  expect(twice.err).not.toContain("second stop signal");
  expect(fs.existsSync(run.lock)).toBe(false);
  // another signal before the first is done with: quit at once, with what is lost and the command
  const both = await runCli([...args, "--resume"], dir, /step (2\d|[3-9]\d)\/60/, ["SIGINT", "SIGTERM"]);
  expect([130, 143]).toContain(both.code);
  const line =
    /(?:Ctrl-C|SIGTERM) \(a second stop signal\): quit without saving; the steps after step (\d+) are lost\. Resume from (\S+) with: adainfc run tiny\.adainf --resume --backend cpu\n/.exec(
      both.err,
    );
  expect(line, both.err).not.toBeNull();
  expect(fs.existsSync(path.join(dir, line![2]!))).toBe(true);
  expect(both.err).not.toContain("interrupted at step");
  expect(both.err).not.toMatch(/at .*\.(js|ts):\d+/);
  expect(fs.existsSync(run.lock)).toBe(false);
  const rest = await runCli([...args, "--resume"], dir);
  expect(rest.code).toBe(0);
  expect(rest.err).not.toContain("stale lock");
  expect(rest.err).toContain(`resuming at step ${line![1]} of ${STEPS}`);
});

/**
 * The CLI with a module hook that holds the loading of tfjs's cpu backend for 20 s (what
 * a slow backend start looks like: Dawn finding a GPU, a large wasm module), and
 * writes `marker` when it starts; SIGINT is sent once the marker is there.
 */
async function interruptWhileLoading(dir: string): Promise<Exit> {
  const marker = path.join(dir, "loading-backend");
  fs.writeFileSync(
    path.join(dir, "hooks.mjs"),
    `import fs from "node:fs";
export async function load(url, context, next) {
  if (url.includes("tfjs-backend-cpu")) {
    fs.writeFileSync(${JSON.stringify(marker)}, url);
    await new Promise((r) => setTimeout(r, 20000));
  }
  return next(url, context);
}
`,
  );
  fs.writeFileSync(path.join(dir, "register.mjs"), 'import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n');
  const env = { ...process.env, NODE_OPTIONS: `--import ${pathToFileURL(path.join(dir, "register.mjs")).href}` };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "run", "tiny.adainf", "--backend", "cpu", "--no-worker"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    let sentAt = 0;
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.stdout.resume();
    const poll = setInterval(() => {
      if (sentAt === 0 && fs.existsSync(marker)) {
        sentAt = performance.now();
        child.kill("SIGINT");
      }
    }, 20);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(poll);
      resolve({ code, err, ms: sentAt === 0 ? -1 : performance.now() - sentAt });
    });
  });
}

test("Ctrl-C while the backend loads: exit 130 at once with one line, nothing trained, no run folder; a re-run trains", { timeout: 120_000 }, async () => {
  const dir = tinyProject({ steps: 3, checkpointEvery: null });
  const first = await interruptWhileLoading(dir);
  expect(first.ms).toBeGreaterThan(0);
  expect(first.code).toBe(130);
  expect(first.ms).toBeLessThan(5000); // not the 20 s the backend would still take
  expect(first.err.trim().split("\n").at(-1)).toBe("interrupted while the backend was loading: nothing was trained and no run folder was written");
  expect(first.err).not.toMatch(/at .*\.(js|ts):\d+/);
  expect(fs.existsSync(path.join(dir, "runs"))).toBe(false);
  const again = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir);
  expect(again.code).toBe(0);
  expect(readMetrics(runPaths(path.join(dir, "runs/tiny")).metrics).map((m) => m.step)).toEqual([0, 1, 2]);
});

test("Ctrl-C during the untrained encoder's evaluation: no step is trained; exit 130, a step-0 checkpoint that --resume trains from", {
  timeout: 120_000,
}, async () => {
  const dir = tinyProject({ steps: 3, checkpointEvery: null });
  const run = runPaths(path.join(dir, "runs/tiny"));
  const first = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir, /evaluating the untrained encoder/);
  expect(first.code).toBe(130);
  expect(first.err).toMatch(/interrupted at step 0; checkpoint saved: \S+\nresume with: adainfc run tiny\.adainf --resume --backend cpu/);
  expect(readMetrics(run.metrics)).toEqual([]);
  const second = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker", "--resume"], dir);
  expect(second.code).toBe(0);
  expect(readMetrics(run.metrics).map((m) => m.step)).toEqual([0, 1, 2]);
  expect(fs.existsSync(run.done)).toBe(true);
});

test("Ctrl-C during the final linear probe stops it at once: exit 130, the last step's checkpoint, no done.json", { timeout: 120_000 }, async () => {
  // A probe of 8,000 epochs (24,000 mini-batches: seconds, as the untrained encoder's took), stopped as it starts.
  const dir = tinyProject({ steps: 3, checkpointEvery: null, evaluate: "knn(k = 5)\n    linear_probe(epochs = 8000, lr = 0.1, batch_size = 16)" });
  const run = runPaths(path.join(dir, "runs/tiny"));
  const first = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir, /linear probe of the trained encoder/);
  expect(first.err).toContain("evaluating the untrained encoder");
  expect(first.code).toBe(130);
  expect(first.err).toContain("interrupt: stopping the evaluation and saving a checkpoint; --resume evaluates again (Ctrl-C again to quit without saving)");
  expect(first.err).toMatch(/interrupted at step 3; checkpoint saved: \S+step-00000003\.ckpt\nresume with: adainfc run tiny\.adainf --resume --backend cpu/);
  expect(first.err).not.toMatch(/at .*\.(js|ts):\d+/);
  expect(fs.existsSync(run.done)).toBe(false);
  expect(readMetrics(run.metrics).map((m) => m.step)).toEqual([0, 1, 2]);
  expect(listCheckpoints(run.checkpoints).map((c) => c.step)).toEqual([3]);
  // from the signal to the exit: well under the probe's own time (the untrained one ran whole)
  expect(first.ms).toBeLessThan(3000);
});

test("SIGTERM in a sweep point's evaluation at a step: exit 143; eval reads the checkpoint; run again finishes every point, each step logged once", {
  timeout: 120_000,
}, async () => {
  const dir = tinyProject({ steps: 4, checkpointEvery: 3, extraBody: "sweep {\n    seed = [0, 1]\n  }" });
  // an evaluation set that takes the evaluation after step 3 a while: the signal comes in it
  writeSet(path.join(dir, "eval.npz"), 6000, true, 3);
  const point = (s: number) => runPaths(path.join(dir, `runs/tiny/seed=${s}`));
  const first = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir, /evaluating at step 3/, "SIGTERM");
  expect(first.code).toBe(143);
  expect(first.err).toContain("SIGTERM: stopping the evaluation and saving a checkpoint; --resume evaluates again (SIGTERM again to quit without saving)");
  expect(first.err).toMatch(/interrupted at step 3; checkpoint saved: \S+step-00000003\.ckpt\nresume with: adainfc run tiny\.adainf --backend cpu\n/);
  expect(readMetrics(point(0).metrics).map((m) => m.step)).toEqual([0, 1]);
  expect(fs.existsSync(point(0).lock)).toBe(false);
  expect(fs.existsSync(point(1).dir)).toBe(false);

  // the checkpoint whose line waits is evaluated as any other, and nothing of the run changes
  const metrics = fs.readFileSync(point(0).metrics, "utf8");
  const evaluated = await runCli(["eval", "runs/tiny/seed=0", "--backend", "cpu"], dir);
  expect(evaluated.code).toBe(0);
  expect(evaluated.err).not.toMatch(/error/);
  expect(fs.readFileSync(point(0).metrics, "utf8")).toBe(metrics);

  const again = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir);
  expect(again.code).toBe(0);
  expect(again.err).toContain("tiny[seed=0]: resuming at step 3 of 4");
  for (const s of [0, 1]) {
    const lines = readMetrics(point(s).metrics);
    expect(lines.map((m) => m.step)).toEqual([0, 1, 2, 3]);
    expect(lines[2]!.val_acc1).toBeGreaterThanOrEqual(0);
    expect(fs.existsSync(point(s).done)).toBe(true);
  }
});

test("Ctrl-C while run makes a missing stand-in set: no temporary file and no run folder, one line, exit 130", { timeout: 120_000 }, async () => {
  const dir = tinyProject({ steps: 2 });
  fs.rmSync(path.join(dir, "gen.npz"));
  const text = fs.readFileSync(path.join(dir, "tiny.adainf"), "utf8");
  fs.writeFileSync(
    path.join(dir, "tiny.adainf"),
    text.replace('npz("gen.npz", channels = rgb, fid = 50)', 'npz("gen.npz", channels = rgb, fid = 50, size = 3_000_000, stand_in = true)'),
  );
  const first = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir, /sampling/);
  expect(first.code).toBe(130);
  expect(first.ms).toBeLessThan(5000); // at the next chunk of samples, not after 3,000,000
  expect(first.err).toContain("gen.npz is missing: making the stand-in generated set now");
  expect(first.err.trimEnd().split("\n").at(-1)).toBe("interrupted while generating gen.npz: nothing was written");
  expect(first.err).not.toMatch(/at .*\.(js|ts):\d+/);
  expect(fs.readdirSync(dir).filter((f) => f.includes("gen.npz"))).toEqual([]);
  expect(fs.existsSync(path.join(dir, "runs"))).toBe(false);
});

test("Ctrl-C during eval stops it at its next safe point: one line, exit 130, eval.json as it was", { timeout: 120_000 }, async () => {
  // A long probe (400 epochs) so that the signal lands while it works.
  const dir = tinyProject({ steps: 2, evaluate: "knn(k = 5)\n    linear_probe(epochs = 400, lr = 0.1, batch_size = 4)" });
  const run = runPaths(path.join(dir, "runs/tiny"));
  const trained = await runCli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir);
  expect(trained.code, trained.err).toBe(0);
  fs.rmSync(run.eval, { force: true });
  const stopped = await runCli(["eval", "runs/tiny", "--backend", "cpu"], dir, /kNN and linear probe/);
  expect(stopped.code, stopped.err).toBe(130);
  expect(stopped.err).toContain("interrupt: stopping the evaluation (Ctrl-C again to quit at once)");
  expect(stopped.err).toContain("interrupted: the evaluation did not finish; no eval.json was written");
  expect(stopped.err).not.toMatch(/at .*\.(js|ts):\d+|internal error/);
  expect(fs.existsSync(run.eval)).toBe(false);
});
