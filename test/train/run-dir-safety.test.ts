// Nothing in a run directory is lost: a finished or checkpointed run is not replaced
// unless asked (--overwrite, which also removes the old eval.json and report page), and two runs cannot
// write one directory at once (a lock naming the holder, and for another host's what to
// do; a stale lock from a dead process is taken over, with a note; a process that exits
// at once leaves none).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, expect, test } from "vitest";
import { compileFileSync } from "../../src/driver.js";
import type { PipelineIR } from "../../src/ir/types.js";
import { selectBackend } from "../../src/runtime/backend/select.js";
import type { Tf } from "../../src/runtime/methods/tf.js";
import { readMetrics, runPaths, runPipeline, RunSetupError, type ProgressEvent } from "../../src/runtime/train/index.js";
import { tinyProject } from "./fixtures.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

function tiny(steps = 2): { dir: string; ir: PipelineIR } {
  const dir = tinyProject({ steps, checkpointEvery: 1, evaluate: "knn(k = 5)" });
  return { dir, ir: compileFileSync("tiny.adainf", { cwd: dir }).pipelines[0]!.ir };
}

/** A three-step run stopped after its first step: checkpoints, no done.json. */
async function interrupted(): Promise<{ dir: string; ir: PipelineIR }> {
  const { dir, ir } = tiny(3);
  const controller = new AbortController();
  const first = await runPipeline(ir, {
    cwd: dir,
    tf,
    worker: "off",
    baseline: false,
    signal: controller.signal,
    onProgress: (e) => e.kind === "step" && controller.abort(),
  });
  expect(first.status).toBe("interrupted");
  return { dir, ir };
}

test("a finished run is refused without --overwrite and left as it was; --overwrite starts over", async () => {
  const { dir, ir } = tiny();
  const run = runPaths(path.join(dir, "runs/tiny"));
  expect((await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false })).status).toBe("done");
  const done = fs.readFileSync(run.done, "utf8");
  const err = await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RunSetupError);
  expect((err as Error).message).toMatch(/holds a finished run \(done\.json\); nothing was changed\. .*--resume.*--overwrite/);
  expect(fs.readFileSync(run.done, "utf8")).toBe(done);
  expect(fs.existsSync(runPaths(run.dir).lock)).toBe(false);
  const again = await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false, overwrite: true });
  expect(again.status).toBe("done");
  expect(readMetrics(run.metrics).map((m) => m.step)).toEqual([0, 1]);
});

test("an interrupted run (checkpoints, no done.json) is refused too, naming its step", async () => {
  const { dir, ir } = await interrupted();
  const err = await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false }).catch((e: unknown) => e);
  expect((err as Error).message).toMatch(/holds an unfinished run \(checkpoint at step \d\); nothing was changed\. To continue it, run with --resume/);
  expect((await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false, resume: true })).status).toBe("done");
});

test("--resume over a damaged ir.json is one line naming the directory, not a crash", async () => {
  const { dir, ir } = await interrupted();
  fs.writeFileSync(runPaths(path.join(dir, "runs/tiny")).ir, "{ truncated");
  const err = await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false, resume: true }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RunSetupError);
  expect((err as Error).message).toMatch(/^cannot resume .*runs\/tiny: its ir\.json cannot be read as JSON \(.*\); the run directory is damaged$/);
});

test("a second run into the same directory is refused while the first holds it", async () => {
  const { dir, ir } = tiny(3);
  let second: unknown = null;
  const first = await runPipeline(ir, {
    cwd: dir,
    tf,
    worker: "off",
    baseline: false,
    onProgress: (e: ProgressEvent) => {
      if (e.kind === "step" && e.metrics.step === 0 && second === null) {
        second = runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false, overwrite: true }).catch((x: unknown) => x);
      }
    },
  });
  expect(first.status).toBe("done");
  const err = await (second as Promise<unknown>);
  expect(err).toBeInstanceOf(RunSetupError);
  expect((err as Error).message).toContain(`is in use by another run (pid ${process.pid} on `);
  expect(readMetrics(runPaths(path.join(dir, "runs/tiny")).metrics).map((m) => m.step)).toEqual([0, 1, 2]);
});

test("a stale lock (its process is gone) is taken over, with a note", async () => {
  const { dir, ir } = tiny();
  const gone = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  const pid = Number(gone.stdout);
  const runDir = path.join(dir, "runs/tiny");
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(runPaths(runDir).lock, JSON.stringify({ pid, host: (await import("node:os")).hostname(), started: "2026-01-01T00:00:00.000Z" }));
  const notes: string[] = [];
  const r = await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false, onProgress: (e) => e.kind === "note" && notes.push(e.message) });
  expect(r.status).toBe("done");
  expect(notes.join("\n")).toContain(`took over a stale lock in ${runDir} (pid ${pid} on `);
  expect(fs.existsSync(runPaths(runDir).lock)).toBe(false);
});

test("--overwrite removes the earlier run's eval.json (it names a deleted checkpoint), with a note", async () => {
  const { dir, ir } = tiny();
  const paths = runPaths(path.join(dir, "runs/tiny"));
  expect((await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false })).status).toBe("done");
  fs.writeFileSync(paths.eval, JSON.stringify({ checkpoint: path.join(paths.checkpoints, "step-00000002.ckpt"), step: 2 }));
  const notes: string[] = [];
  const again = await runPipeline(ir, {
    cwd: dir,
    tf,
    worker: "off",
    baseline: false,
    overwrite: true,
    onProgress: (e) => e.kind === "note" && notes.push(e.message),
  });
  expect(again.status).toBe("done");
  expect(fs.existsSync(paths.eval)).toBe(false);
  expect(notes).toContain(`removed ${paths.eval}: it evaluated a checkpoint of the run that is started over`);
});

test("--overwrite removes the report.html adainfc report wrote in the run directory, never a page of the user's", async () => {
  const { dir, ir } = tiny();
  const runDir = path.join(dir, "runs/tiny");
  const page = path.join(runDir, "report.html");
  expect((await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false })).status).toBe("done");
  const { cli } = await import("../helpers.js");
  expect((await cli(["report", "runs/tiny", "--no-preview"], dir)).code).toBe(0);
  expect(fs.existsSync(page)).toBe(true);
  const notes: string[] = [];
  const overwrite = {
    cwd: dir,
    tf,
    worker: "off",
    baseline: false,
    overwrite: true,
    onProgress: (e: { kind: string; message?: string }) => e.kind === "note" && notes.push(e.message!),
  } as const;
  expect((await runPipeline(ir, overwrite)).status).toBe("done");
  expect(fs.existsSync(page)).toBe(false);
  expect(notes).toContain(`removed ${page}: it reported the run that is started over`);
  fs.writeFileSync(page, "<!doctype html><title>my notes on this run</title>\n");
  expect((await runPipeline(ir, overwrite)).status).toBe("done");
  expect(fs.readFileSync(page, "utf8")).toContain("my notes on this run");
});

test("another host's lock: refused naming host and pid, and run.lock may be deleted once that run is gone", async () => {
  const { dir, ir } = tiny();
  const runDir = path.join(dir, "runs/tiny");
  fs.mkdirSync(runDir, { recursive: true });
  const lock = runPaths(runDir).lock;
  fs.writeFileSync(lock, JSON.stringify({ pid: 12345, host: "node17.invalid", started: "2026-11-29T10:00:00.000Z" }));
  const err = await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false }).catch((x: unknown) => x);
  expect(err).toBeInstanceOf(RunSetupError);
  expect((err as Error).message).toBe(
    `${runDir} is in use by a run on another host (pid 12345 on node17.invalid, started 2026-11-29T10:00:00.000Z), which cannot be checked from here: ` +
      `wait for it to finish, or set another output.dir; if that run is no longer running, delete ${lock} and run again`,
  );
  expect(fs.existsSync(lock)).toBe(true);
  fs.rmSync(lock);
  expect((await runPipeline(ir, { cwd: dir, tf, worker: "off", baseline: false })).status).toBe("done");
});

test("a process that exits at once (a second Ctrl-C calls process.exit) leaves no run.lock", () => {
  const { dir } = tiny();
  const runDir = path.join(dir, "runs/tiny");
  const mod = pathToFileURL(path.resolve(import.meta.dirname, "../../dist/src/runtime/train/run-lock.js")).href;
  const child = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", `import { lockRunDir } from ${JSON.stringify(mod)}; lockRunDir(${JSON.stringify(runDir)}); process.exit(130);`],
    {
      encoding: "utf8",
    },
  );
  expect(child.stderr).toBe("");
  expect(child.status).toBe(130);
  expect(fs.existsSync(path.join(runDir, "ir.json"))).toBe(false);
  expect(fs.readdirSync(runDir)).toEqual([]);
});
