// Dawn's null backend (ADAINF_DAWN_FLAGS="backend=null": every dispatch made, nothing
// computed), through the built CLI: `backends` names it and never auto-selects it, `run
// --backend webgpu` refuses it in one line (it would train on garbage), and `bench step`
// times the host's share of a step on it (the dispatch hooks on, settled, or off), and
// refuses to time a step the null device cannot hold; flags that match no adapter are
// said as such. The null backend needs no GPU and no Vulkan
// driver, so this runs wherever npm `webgpu` is installed.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { spawnCli } from "../helpers.js";
import { tinyProject } from "../train/fixtures.js";

let why: string | null = null;
try {
  createRequire(import.meta.url).resolve("webgpu");
} catch {
  why = "the npm package webgpu (Dawn) is not installed";
}
const env = { ...process.env, ADAINF_DAWN_FLAGS: "backend=null" };

describe.skipIf(why !== null)(`Dawn's null backend${why ? ` (skipped: ${why})` : ""}`, () => {
  it("backends names it, says nothing trains on it, and picks another", { timeout: 60_000 }, async () => {
    const r = await spawnCli(["backends"], process.cwd(), env);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/webgpu +available: null-backend \(Dawn's null backend: computes nothing\)/);
    expect(r.out).toContain(
      "Dawn's null backend (ADAINF_DAWN_FLAGS): nothing trains on it; `adainfc bench step --backend webgpu` times the host's share of a step",
    );
    expect(r.out).not.toMatch(/\* = what `adainfc run` picks without --backend \(webgpu\)/);
  });

  it("run --backend webgpu refuses it in one line (exit 2), with no install hint", { timeout: 60_000 }, async () => {
    const dir = tinyProject({ steps: 1, checkpointEvery: null });
    const r = await spawnCli(["run", "tiny.adainf", "--backend", "webgpu", "--no-worker"], dir, env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^error: backend 'webgpu' is not available: ADAINF_DAWN_FLAGS selects Dawn's null backend \("backend=null"\), which computes nothing: .*unset it to train on the GPU$/m,
    );
    expect(r.err).not.toMatch(/To use it:|internal error|\n\s+at .*\.js:\d+/);
  });

  it("flags that match no adapter: run --backend webgpu says so with the flags, no install hint (exit 2)", { timeout: 60_000 }, async () => {
    const dir = tinyProject({ steps: 1, checkpointEvery: null });
    const r = await spawnCli(["run", "tiny.adainf", "--backend", "webgpu", "--no-worker"], dir, { ...process.env, ADAINF_DAWN_FLAGS: "adapter=no-such-gpu" });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^error: backend 'webgpu' is not available: Dawn found no adapter for ADAINF_DAWN_FLAGS="adapter=no-such-gpu".*; change or unset ADAINF_DAWN_FLAGS$/m,
    );
    expect(r.err).not.toMatch(/To use it:|internal error|\n\s+at .*\.js:\d+/);
  });

  it("bench step on it: the host's share of a step, marked so, no profile; the dispatch hooks settled, or left out", { timeout: 120_000 }, async () => {
    const args = ["bench", "step", "--backend", "webgpu", "--model", "convnet", "--batch", "2", "--steps", "2", "--warmup", "1", "--no-torch", "--json"];
    const r = await spawnCli(args, process.cwd(), env);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(j["host_only"]).toBe(true);
    expect(j["backend"]).toMatch(/null-backend \(Dawn's null backend: computes nothing\).*; bind groups and uniforms reused across steps$/);
    expect(j["dispatch_ms_median"]).toBeGreaterThan(0);
    expect(j["profile_kernel_calls"]).toBeNull();
    expect(j["tensor_leak_per_step"]).toBe(0);
    expect(j["dispatch_reuse"]).toMatchObject({ bindGroupsMade: expect.any(Number), uniformsWritten: expect.any(Number) });

    // --settle-s: warm-up steps up to 45 while under the seconds given (the null backend
    // is quick: all 45); by then the hooks reuse more than they make.
    const settled = await spawnCli([...args, "--settle-s", "60"], process.cwd(), env);
    expect(settled.code).toBe(0);
    const s = JSON.parse(settled.out.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(s["warmup_steps"]).toBe(45);
    const reuse = s["dispatch_reuse"] as { bindGroupsMade: number; bindGroupsReused: number; uniformsWritten: number; uniformsReused: number };
    expect(reuse.bindGroupsReused).toBeGreaterThan(reuse.bindGroupsMade);
    expect(reuse.uniformsReused).toBeGreaterThan(reuse.uniformsWritten);
    const bad = await spawnCli([...args, "--settle-s", "soon"], process.cwd(), env);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--settle-s must be a number of seconds, not 'soon'");

    // Over the null device's memory: every figure would be garbage; one error line instead.
    const over = await spawnCli(
      ["bench", "step", "--backend", "webgpu", "--model", "resnet18", "--batch", "32", "--steps", "1", "--warmup", "1", "--no-torch"],
      process.cwd(),
      env,
    );
    expect(over.code).toBe(1);
    expect(over.err).toContain("error: the GPU rejected the step (Out of memory); Dawn's null backend holds little memory");

    const off = await spawnCli(args, process.cwd(), { ...env, ADAINF_WEBGPU_FAST_DISPATCH: "0" });
    expect(off.code).toBe(0);
    const o = JSON.parse(off.out.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(o["dispatch_reuse"]).toBeNull();
    expect(o["backend"]).not.toContain("reused");
  });
});
