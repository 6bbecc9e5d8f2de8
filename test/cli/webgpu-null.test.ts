// Dawn's null backend (ADAINF_DAWN_FLAGS="backend=null": every dispatch made, nothing
// computed), through the built CLI: `backends` names it and never auto-selects it, `run
// --backend webgpu` refuses it in one line (it would train on garbage), and `bench step`
// times the host's share of a step on it. The null backend needs no GPU and no Vulkan
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

  it("bench step on it: the host's share of a step, marked so, no profile", { timeout: 120_000 }, async () => {
    const r = await spawnCli(
      ["bench", "step", "--backend", "webgpu", "--model", "convnet", "--batch", "2", "--steps", "2", "--warmup", "1", "--no-torch", "--json"],
      process.cwd(),
      env,
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(j["host_only"]).toBe(true);
    expect(j["backend"]).toMatch(/null-backend \(Dawn's null backend: computes nothing\)/);
    expect(j["dispatch_ms_median"]).toBeGreaterThan(0);
    expect(j["profile_kernel_calls"]).toBeNull();
    expect(j["tensor_leak_per_step"]).toBe(0);
  });
});
