// The webgpu backend through the built CLI (bin/adainfc.js -> dist/), as child processes:
// `adainfc backends` lists it with its adapter and limits and exits (Dawn released);
// `adainfc run --backend webgpu` trains a tiny pipeline, names the adapter, and exits 0;
// an unknown backend is a usage error listing the choices. Skips where Dawn finds no adapter.
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { probeWebGpu, releaseWebGpu } from "../../src/runtime/backend/webgpu.js";
import { readMetrics, runPaths } from "../../src/runtime/train/index.js";
import { spawnCli } from "../helpers.js";
import { tinyProject } from "../train/fixtures.js";

const probed = await probeWebGpu();
releaseWebGpu();
const why = typeof probed === "string" ? probed : null;

it("an unknown --backend is a usage error that lists the backends", async () => {
  const r = await spawnCli(["run", "nothing.adainf", "--backend", "webgl"], process.cwd());
  expect(r.code).toBe(2);
  expect(r.err).toContain("error: --backend must be one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu, not 'webgl'");
});

describe.skipIf(why !== null)(`no adapter: what the user is told${why ? ` (skipped: ${why})` : ""}`, () => {
  // A driver list that names no driver: Dawn finds no adapter, as on a machine without one.
  const env = { ...process.env, VK_DRIVER_FILES: "/nonexistent/icd.json", VK_ICD_FILENAMES: "/nonexistent/icd.json" };
  it("backends says why (with the VK_DRIVER_FILES hint), run --backend webgpu is a one-line usage error", { timeout: 60_000 }, async () => {
    const b = await spawnCli(["backends"], process.cwd(), env);
    expect(b.code).toBe(0);
    expect(b.out).toMatch(/webgpu +not available: Dawn found no Vulkan adapter .*set VK_DRIVER_FILES/);
    expect(b.out).toMatch(/\* = what `adainfc run` picks without --backend \(wasm\)/);
    expect(b.out).toMatch(/wasm +available: .*; \d+ threads? for run and eval here(, XNNPACK's and our loops')? \(one per core, at most 8: --wasm-threads\)/);
    const dir = tinyProject({ steps: 1, checkpointEvery: null });
    const r = await spawnCli(["run", "tiny.adainf", "--backend", "webgpu", "--no-worker"], dir, env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: backend 'webgpu' is not available: Dawn found no Vulkan adapter/m);
    expect(r.err).not.toMatch(/internal error|\n\s+at .*\.js:\d+/);
  });
});

describe.skipIf(why !== null)(`webgpu from the CLI${why ? ` (skipped: ${why})` : ""}`, () => {
  it("adainfc backends names the adapter and its limits, then exits", { timeout: 60_000 }, async () => {
    const r = await spawnCli(["backends"], process.cwd());
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/webgpu +available: .*(software|hardware) adapter/);
    expect(r.out).toContain("largest storage binding");
    expect(r.out).toMatch(/\* = what `adainfc run` picks without --backend/);
    // the adapter is asked in a child process: Dawn's start-up warnings stay there
    expect(r.err).not.toMatch(/artificially reduced/);
    const j = await spawnCli(["backends", "--json"], process.cwd());
    const parsed = JSON.parse(j.out) as { auto: string; backends: Array<{ name: string; available: boolean; adapter?: { limits: Record<string, number> } }> };
    expect(parsed.backends.map((b) => b.name)).toEqual(["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"]);
    expect(parsed.backends[1]!.adapter!.limits["maxStorageBufferBindingSize"]).toBeGreaterThan(0);
  });

  it.skipIf(typeof probed !== "string" && !probed.software)(
    "auto-selection on a software adapter: a child process looks, run trains on wasm and never loads Dawn (none of its warnings)",
    { timeout: 120_000 },
    async () => {
      const dir = tinyProject({ steps: 1, checkpointEvery: null });
      const r = await spawnCli(["run", "tiny.adainf", "--no-worker"], dir);
      expect(r.code).toBe(0);
      expect(r.err).toMatch(/^backend: wasm .*\(skipped: .*webgpu: only a software adapter \(llvmpipe/m);
      // --wasm-threads auto: one thread per core, at most 8.
      const threads = Math.min(8, os.availableParallelism());
      expect(r.err).toContain(`backend: wasm (XNNPACK, SIMD, ${threads} thread${threads === 1 ? "" : "s"},`);
      expect(r.err).not.toContain("artificially reduced");
    },
  );

  it("adainfc run --backend webgpu trains, prints the adapter and exits 0", { timeout: 180_000 }, async () => {
    const dir = tinyProject({ steps: 3, checkpointEvery: null });
    const r = await spawnCli(["run", "tiny.adainf", "--backend", "webgpu", "--no-worker"], dir);
    expect(r.err).toMatch(/backend: webgpu \(Dawn on .*adapter/);
    expect(r.code).toBe(0);
    expect(r.out).toContain("3 steps in");
    const run = runPaths(path.join(dir, "runs/tiny"));
    expect(fs.existsSync(run.done)).toBe(true);
    expect(readMetrics(run.metrics).map((m) => m.step)).toEqual([0, 1, 2]);
    // eval on webgpu: the checkpoint evaluates there and the process exits.
    const e = await spawnCli(["eval", "runs/tiny", "--backend", "webgpu", "--json"], dir);
    expect(e.code).toBe(0);
    expect(JSON.parse(e.out).backend).toBe("webgpu");
  });
});
