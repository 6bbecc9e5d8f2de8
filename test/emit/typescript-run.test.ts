// The emitted program, compiled by TypeScript and run with `node` as a user would (its
// `adainf` dependency installed as a link to this repository, like `npm install` of the
// `file:` dependency does), trains exactly what `adainfc run` trains: with the same seed
// and steps, every line of metrics.jsonl (timing aside), the resolved ir.json and the
// final table are the same. Both go through the built runtime (dist/, made by
// `npm ci`'s build), so they compare like with like. Ctrl-C in an evaluation saves the
// checkpoint a resume finishes from (a Ctrl-C delivered twice at once, as GNU timeout
// does, is one); a second signal, of either kind, quits at once with run's quit line. A
// damaged done.json, bad thread counts and a sweep's results table read as run's, and
// --augment-threads auto trains (on one worker thread on cpu).
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { readMetrics } from "../../src/formats/run-dir.js";
import { cli, ROOT } from "../helpers.js";
import { tinyProject, writeSet } from "../train/fixtures.js";

const run = promisify(execFile);
const RUNTIME = join(ROOT, "dist/src/runtime/index.js");

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function node(args: string[], cwd: string): Promise<Outcome> {
  try {
    const r = await run(process.execPath, args, { cwd, maxBuffer: 16 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : -1, stdout: err.stdout ?? "", stderr: err.stderr ?? "" };
  }
}

/** `tsc` in the emitted folder: its own tsconfig, nothing overridden. Returns the errors. */
function tsc(dir: string): string[] {
  const host: ts.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined };
  const config = ts.getParsedCommandLineOfConfigFile(join(dir, "tsconfig.json"), {}, host)!;
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const result = program.emit();
  return [...ts.getPreEmitDiagnostics(program), ...result.diagnostics].map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

/** The deterministic part of each metrics line (timing removed). */
function numbers(dir: string): object[] {
  return readMetrics(join(dir, "runs/tiny/metrics.jsonl")).map(({ images_per_s: _t, ...rest }) => rest);
}

/** The accuracy table (its last line, how training was fed, holds timings: left out). */
const tableOf = (stdout: string): string => stdout.slice(stdout.indexOf("encoder")).replace(/^input: .*\n/m, "");

describe("the emitted program trains exactly what adainfc run trains", () => {
  let program: Outcome;
  let reference: Outcome;
  let progDir: string;
  let refDir: string;
  let tscErrors: string[];

  beforeAll(async () => {
    if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run \`npm run build\` first`);
    progDir = tinyProject({ steps: 6, checkpointEvery: 3 });
    refDir = tinyProject({ steps: 6, checkpointEvery: 3 });
    const emitted = await cli(["compile", "tiny.adainf", "--target", "ts", "-o", "prog"], progDir);
    expect(emitted.code).toBe(0);
    const out = join(progDir, "prog");
    mkdirSync(join(out, "node_modules"));
    symlinkSync(ROOT, join(out, "node_modules/adainf"), "dir");
    symlinkSync(join(ROOT, "node_modules/@types"), join(out, "node_modules/@types"), "dir");
    tscErrors = tsc(out);
    // Same seed, same steps, same backend, both on the training thread.
    [program, reference] = await Promise.all([
      node(["tiny.js", "--backend", "cpu", "--no-worker"], out),
      node([join(ROOT, "bin/adainfc.js"), "run", "tiny.adainf", "--backend", "cpu", "--no-worker"], refDir),
    ]);
  });

  it("tsc compiles the emitted program (strict, types from the installed adainf)", () => {
    expect(tscErrors).toEqual([]);
    expect(existsSync(join(progDir, "prog/tiny.js"))).toBe(true);
  });

  it("both finish; the program prints progress and the final table", () => {
    expect(reference.stderr).not.toMatch(/^error/m);
    expect(reference.code).toBe(0);
    expect(program.stderr).not.toMatch(/^error/m);
    expect(program.code).toBe(0);
    expect(program.stderr).toContain("tiny: 6 steps");
    expect(program.stdout).toMatch(/^tiny: 6 steps in \d+ s on cpu\b.*; run dir runs\/tiny$/m);
  });

  it("the same losses, learning rates and evaluations at every step", () => {
    const mine = numbers(progDir);
    expect(mine.map((m) => (m as { step: number }).step)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const m of mine as { loss: number }[]) expect(Number.isFinite(m.loss) && m.loss > 0).toBe(true);
    expect(mine).toEqual(numbers(refDir));
  });

  it("the same resolved IR, final metrics and table", () => {
    const ir = (d: string): unknown => JSON.parse(readFileSync(join(d, "runs/tiny/ir.json"), "utf8"));
    expect(ir(progDir)).toEqual(ir(refDir));
    const done = (d: string): { final: unknown; untrained: unknown; backend: string } => JSON.parse(readFileSync(join(d, "runs/tiny/done.json"), "utf8"));
    expect(done(progDir).final).toEqual(done(refDir).final);
    // the backend as --backend names it, as run writes it (not the backend's description)
    expect(done(progDir).backend).toBe("cpu");
    expect(done(refDir).backend).toBe("cpu");
    expect(done(progDir).untrained).toEqual(done(refDir).untrained);
    expect(tableOf(program.stdout)).toContain("kNN top-1");
    expect(tableOf(program.stdout)).toBe(tableOf(reference.stdout));
    for (const out of [program.stdout, reference.stdout]) expect(out).toMatch(/^input: augmentation made [\d,]+ views\/s .* \(4 steps\)$/m);
  });

  it("--resume on the finished run skips it as adainfc run does, its files untouched; with other settings it is refused", async () => {
    const out = join(progDir, "prog");
    const files = ["done.json", "metrics.jsonl", "checkpoints/step-00000006.ckpt"].map((f) => join(progDir, "runs/tiny", f));
    const before = files.map((f) => readFileSync(f));
    const times = files.map((f) => statSync(f).mtimeMs);
    const again = await node(["tiny.js", "--backend", "cpu", "--no-worker", "--resume"], out);
    const ref = await node([join(ROOT, "bin/adainfc.js"), "run", "tiny.adainf", "--backend", "cpu", "--no-worker", "--resume"], refDir);
    expect(again.code).toBe(0);
    expect(ref.code).toBe(0);
    expect(again.stderr.trim()).toBe("tiny: already finished (runs/tiny/done.json), skipped");
    expect(ref.stderr).toContain("tiny: already finished (runs/tiny/done.json), skipped\n");
    expect(again.stdout).toBe("");
    expect(files.map((f) => readFileSync(f))).toEqual(before);
    expect(files.map((f) => statSync(f).mtimeMs)).toEqual(times);
    // the program edited to train longer: its finished run is not taken as done, nor retrained
    const source = readFileSync(join(out, "tiny.ts"), "utf8");
    try {
      writeFileSync(join(out, "tiny.ts"), source.replace(/\bsteps: 6,/, "steps: 7,"));
      expect(tsc(out)).toEqual([]);
      const longer = await node(["tiny.js", "--backend", "cpu", "--no-worker", "--resume"], out);
      expect(longer.code).toBe(1);
      expect(longer.stderr).toBe(
        "error: tiny already finished in runs/tiny with other settings (/train/steps)\n" +
          "  train it again with these: --overwrite (its checkpoints, metrics, done.json, eval.json and the report.html adainfc report wrote are deleted), or set another output.dir\n",
      );
      expect(files.map((f) => statSync(f).mtimeMs)).toEqual(times);
    } finally {
      writeFileSync(join(out, "tiny.ts"), source);
      expect(tsc(out)).toEqual([]);
    }
    // a damaged done.json is no finished run: named, as adainfc run names it (runStart), not skipped
    const done = readFileSync(files[0]!);
    try {
      writeFileSync(files[0]!, '{"final":');
      const damaged = await node(["tiny.js", "--backend", "cpu", "--no-worker", "--resume"], out);
      const refDamaged = await node([join(ROOT, "bin/adainfc.js"), "run", "tiny.adainf", "--backend", "cpu", "--no-worker", "--resume"], progDir);
      expect(damaged.code).toBe(1);
      expect(damaged.stderr).toBe(
        "error: runs/tiny/done.json is damaged (is not valid JSON (cut short?)), so the run counts as neither finished nor unfinished: " +
          "delete it and run again with --resume (the run resumes from its newest checkpoint and evaluates again), or train it again with --overwrite\n",
      );
      expect(refDamaged.code).toBe(1);
      expect(refDamaged.stderr).toBe(damaged.stderr);
    } finally {
      writeFileSync(files[0]!, done);
    }
  });

  it("bad flags exit 2; a missing data file stops it with the file named and exit code 1", async () => {
    const out = join(progDir, "prog");
    const bad = await node(["tiny.js", "--backend", "gpu9"], out);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--backend must be one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu, not 'gpu9'");
    // the runtime's own limits and sentences, as the CLI's run says them
    const both = await node(["tiny.js", "--resume", "--overwrite"], out);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      "error: --resume and --overwrite contradict each other: --resume continues the run in its directory, --overwrite deletes it and starts over\n",
    );
    for (const bad of ["65", "2e0", " 2", "0x2"]) {
      const threads = await node(["tiny.js", "--augment-threads", bad], out);
      expect(threads.code).toBe(2);
      expect(threads.stderr).toBe(`error: --augment-threads must be auto or an integer from 1 to 64, not '${bad}'\n`);
    }
    // a count needs the worker threads, as run says
    const noWorker = await node(["tiny.js", "--no-worker", "--augment-threads", "2"], out);
    expect(noWorker.code).toBe(2);
    expect(noWorker.stderr).toBe("error: --augment-threads 2 needs the worker threads that --no-worker turns off: give one or the other\n");
    if (!existsSync(join(ROOT, "node_modules/@tensorflow/tfjs-node"))) {
      // the runtime's BackendError (kind usage), mapped by the program as the CLI maps it
      const missing = await node(["tiny.js", "--backend", "tensorflow"], out);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^error: backend 'tensorflow' is not available: /m);
      expect(missing.stderr).not.toMatch(/\n\s+at /);
    }
    rmSync(join(progDir, "gen.npz"));
    const r = await node(["tiny.js", "--backend", "cpu"], out);
    expect(r.code).toBe(1);
    // run from its own folder, not the project's: the file's absolute path, and a command that works from here
    expect(r.stderr).toContain(`error: data source 'generated' not found: gen.npz (${join(progDir, "gen.npz")})\n`);
    expect(r.stderr).toMatch(new RegExp(`^ {4}cd ${progDir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} && adainfc generate .* -o gen.npz`, "m"));
    const fromProject = await node([join(out, "tiny.js"), "--backend", "cpu"], progDir);
    expect(fromProject.stderr).toContain("error: data source 'generated' not found: gen.npz\n");
    expect(fromProject.stderr).toMatch(/^ {4}adainfc generate /m);
  });
});

describe("the programs of a sweep skip finished points and write the sweep's table", () => {
  const SWEEP = { steps: 3, checkpointEvery: null, extraBody: "sweep {\n    seed = [0, 1]\n  }" } as const;
  let progDir: string;
  let refDir: string;
  let out: string;
  let tscErrors: string[];
  let reference: Outcome;

  beforeAll(async () => {
    if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run \`npm run build\` first`);
    progDir = tinyProject(SWEEP);
    refDir = tinyProject(SWEEP);
    const emitted = await cli(["compile", "tiny.adainf", "--target", "ts", "-o", "prog"], progDir);
    expect(emitted.code).toBe(0);
    out = join(progDir, "prog");
    mkdirSync(join(out, "node_modules"));
    symlinkSync(ROOT, join(out, "node_modules/adainf"), "dir");
    symlinkSync(join(ROOT, "node_modules/@types"), join(out, "node_modules/@types"), "dir");
    tscErrors = tsc(out);
    reference = await node([join(ROOT, "bin/adainfc.js"), "run", "tiny.adainf", "--backend", "cpu", "--no-worker"], refDir);
  });

  it("each point's program rewrites the table; the last one completes it, as adainfc run writes it", async () => {
    expect(tscErrors).toEqual([]);
    expect(reference.code).toBe(0);
    const first = await node(["tiny.seed-0.js", "--backend", "cpu", "--no-worker"], out);
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("tiny: 1 of 2 points finished");
    const second = await node(["tiny.seed-1.js", "--backend", "cpu", "--no-worker"], out);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("tiny: 2 of 2 points finished");
    for (const f of ["results.csv", "results.md"]) {
      expect(readFileSync(join(progDir, "runs/tiny", f), "utf8")).toBe(readFileSync(join(refDir, "runs/tiny", f), "utf8"));
    }
    expect(second.stdout).toContain("written: runs/tiny/results.csv, runs/tiny/results.md\n");
  });

  it("points trained with other settings: the program's table is run's (a row per setting, told apart, and a line saying so)", async () => {
    // seed=1 as \`--set train.steps=9 --only seed=1\` leaves it, in both folders
    for (const d of [progDir, refDir]) {
      const file = join(d, "runs/tiny/seed=1/ir.json");
      const ir = JSON.parse(readFileSync(file, "utf8")) as { train: { steps: number } };
      ir.train.steps = 9;
      writeFileSync(file, JSON.stringify(ir));
    }
    const prog = await node(["tiny.seed-0.js", "--backend", "cpu", "--no-worker"], out);
    const ref = await node([join(ROOT, "bin/adainfc.js"), "run", "tiny.adainf", "--backend", "cpu", "--no-worker", "--only", "seed=0"], refDir);
    expect(prog.code).toBe(0);
    expect(ref.code).toBe(0);
    const split = "tiny: some points were trained with other settings than others of their row (another --set?): a row per setting, told apart by 'run dirs'\n";
    expect(prog.stderr).toContain(split);
    expect(ref.stderr).toContain(split);
    for (const f of ["results.csv", "results.md"]) {
      expect(readFileSync(join(progDir, "runs/tiny", f), "utf8")).toBe(readFileSync(join(refDir, "runs/tiny", f), "utf8"));
    }
    expect(readFileSync(join(progDir, "runs/tiny/results.csv"), "utf8").split("\n")[0]).toContain("run dirs");
    for (const d of [progDir, refDir]) {
      const file = join(d, "runs/tiny/seed=1/ir.json");
      const ir = JSON.parse(readFileSync(file, "utf8")) as { train: { steps: number } };
      ir.train.steps = 3;
      writeFileSync(file, JSON.stringify(ir));
    }
  });

  it("a finished point is skipped (and the table still printed); bad --augment-threads exits 2; auto trains on one worker thread on cpu", async () => {
    const metrics = join(progDir, "runs/tiny/seed=0/metrics.jsonl");
    const before = statSync(metrics).mtimeMs;
    const again = await node(["tiny.seed-0.js", "--backend", "cpu", "--no-worker"], out);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("tiny[seed=0]: already finished (runs/tiny/seed=0/done.json), skipped");
    expect(again.stdout).toContain("tiny: 2 of 2 points finished");
    expect(statSync(metrics).mtimeMs).toBe(before);
    const bad = await node(["tiny.seed-0.js", "--augment-threads", "0"], out);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--augment-threads must be auto or an integer from 1 to 64, not '0'");
    // run's auto is taken (and, with --no-worker, is no contradiction)
    for (const flags of [
      ["--augment-threads", "auto"],
      ["--no-worker", "--augment-threads", "auto"],
    ]) {
      const auto = await node(["tiny.seed-0.js", "--backend", "cpu", ...flags], out);
      expect(auto.code).toBe(0);
      expect(auto.stderr).toContain("already finished");
    }
    // and trains with what auto comes to on a CPU backend (one worker thread), the same
    // point again (same seed and steps: the same figures, the table unchanged)
    const trained = await node(["tiny.seed-0.js", "--backend", "cpu", "--overwrite", "--augment-threads", "auto"], out);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/: 3 steps \(\d+ per epoch\), augmentation on a worker thread\n/);
    expect(statSync(metrics).mtimeMs).toBeGreaterThan(before); // trained again
  });
});

/** Runs an emitted program; when `at` appears on stderr, sends `signals` at once, one after another. */
function interrupted(args: string[], cwd: string, at: RegExp, signals: NodeJS.Signals[]): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    let sent = false;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      err += chunk;
      if (sent || !at.test(err)) return;
      sent = true;
      for (const s of signals) child.kill(s);
    });
    child.stdout.resume();
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, err }));
  });
}

describe("the emitted program stopped by a signal in an evaluation", () => {
  let dir: string;
  let out: string;

  beforeAll(async () => {
    if (!existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run \`npm run build\` first`);
    dir = tinyProject({ steps: 6, checkpointEvery: 3 });
    // an evaluation set that takes the evaluation after step 3 a while: the signal comes in it
    writeSet(join(dir, "eval.npz"), 6000, true, 3);
    expect((await cli(["compile", "tiny.adainf", "--target", "ts", "-o", "prog"], dir)).code).toBe(0);
    out = join(dir, "prog");
    mkdirSync(join(out, "node_modules"));
    symlinkSync(ROOT, join(out, "node_modules/adainf"), "dir");
    symlinkSync(join(ROOT, "node_modules/@types"), join(out, "node_modules/@types"), "dir");
    expect(tsc(out)).toEqual([]);
  });

  it("a second signal (SIGTERM after Ctrl-C) quits at once, without a checkpoint", async () => {
    const r = await interrupted(["tiny.js", "--backend", "cpu", "--no-worker"], out, /evaluating at step 3/, ["SIGINT", "SIGTERM"]);
    // Sent back to back, the two may reach the process's threads in either order
    // (test/runtime/stop-signals.test.ts): the exit code is the one handled second's.
    // the first signal's line is adainfc run's (stopLine): an evaluation was under way
    const first =
      /^(interrupt|SIGTERM): stopping the evaluation and saving a checkpoint; --resume evaluates again \((Ctrl-C|SIGTERM) again to quit without saving\)$/m.exec(
        r.err,
      )?.[1];
    expect(first).toBeDefined();
    expect(r.code).toBe(first === "interrupt" ? 143 : 130);
    expect(r.err).not.toContain("interrupted at step");
    // the quit line adainfc run prints (quitLine: the run dir, outside the working directory, by
    // its absolute path as shownPath names it), with the program's own command
    const second = first === "interrupt" ? "SIGTERM" : "Ctrl-C";
    expect(r.err).toContain(
      `\n${second} (a second stop signal): quit without saving; ${join(dir, "runs/tiny")} holds no checkpoint yet. Start it again with: node tiny.js --backend cpu --no-worker --resume\n`,
    );
    expect(existsSync(join(dir, "runs/tiny/checkpoints/step-00000003.ckpt"))).toBe(false);
  });

  it("Ctrl-C delivered twice at once (as GNU timeout does): one request; the evaluation stops, its step's checkpoint is saved (exit 130), and --resume finishes with every step logged once", async () => {
    // node's own flags (here --no-warnings; a loader's, under tsx) are in the command that goes on
    const r = await interrupted(["--no-warnings", "tiny.js", "--backend", "cpu", "--no-worker", "--overwrite"], out, /evaluating at step 3/, [
      "SIGINT",
      "SIGINT",
    ]);
    expect(r.code).toBe(130);
    expect(r.err).toContain("\ninterrupt: stopping the evaluation and saving a checkpoint; --resume evaluates again (Ctrl-C again to quit without saving)\n");
    expect(r.err).not.toContain("a second stop signal");
    expect(r.err).toMatch(
      /interrupted at step 3; checkpoint saved: \S+step-00000003\.ckpt\nresume with: node --no-warnings tiny\.js --backend cpu --no-worker --resume\n/,
    );
    expect(readMetrics(join(dir, "runs/tiny/metrics.jsonl")).map((m) => m.step)).toEqual([0, 1]);
    const resumed = await node(["tiny.js", "--backend", "cpu", "--no-worker", "--resume"], out);
    expect(resumed.code).toBe(0);
    const steps = readMetrics(join(dir, "runs/tiny/metrics.jsonl"));
    expect(steps.map((m) => m.step)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(steps[2]!.val_acc1).toBeGreaterThanOrEqual(0);
  });
});
