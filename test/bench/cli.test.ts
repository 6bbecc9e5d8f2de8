// `adainfc bench step|augment` as the user runs them: the child benchmark's progress
// lines come through as they are printed (before its results, not all at the end), with
// TensorFlow.js's banner and Dawn's limit notes dropped (the same lines the GPU probe
// drops: one matcher, isDawnLimitWarning); a --torch-reference that is not
// a file is a usage error naming it, before anything runs.
import { expect, test } from "vitest";
import { main } from "../../src/cli/main.js";
import { bannerFilter } from "../../src/cli/commands/bench.js";
import { isDawnLimitWarning } from "../../src/runtime/backend/webgpu.js";
import { cli, ROOT } from "../helpers.js";

test("--torch-reference naming no file: exit 2, one line naming it, for step and augment", async () => {
  for (const cmd of ["step", "augment"]) {
    const r = await cli(["bench", cmd, "--torch-reference", "/nonexistent.py"], ROOT);
    expect(r.code, cmd).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe("error: --torch-reference /nonexistent.py: no such file (give the PyTorch reference script, or --no-torch)\n");
  }
  const dir = await cli(["bench", "step", "--torch-reference", "bench"], ROOT);
  expect(dir.code).toBe(2);
  expect(dir.err).toBe("error: --torch-reference bench: not a file (give the PyTorch reference script, or --no-torch)\n");
});

test("bench step: the child's progress lines arrive before its results", { timeout: 120_000 }, async () => {
  const log: Array<["out" | "err", string]> = [];
  const code = await main(["bench", "step", "--steps", "1", "--warmup", "1", "--batch", "2", "--no-torch", "--no-profile"], {
    cwd: ROOT,
    color: false,
    out: (s) => void log.push(["out", s]),
    err: (s) => void log.push(["err", s]),
  });
  expect(code).toBe(0);
  const firstProgress = log.findIndex(([k, s]) => k === "err" && /^bench step: convnet, 2x2 views on /m.test(s));
  const firstResult = log.findIndex(([k]) => k === "out");
  expect(firstProgress).toBeGreaterThanOrEqual(0);
  expect(firstResult).toBeGreaterThan(firstProgress);
  expect(log.map(([, s]) => s).join("")).not.toContain("Hi, looks like you are running TensorFlow.js");
});

test("bannerFilter drops TensorFlow.js's banner and Dawn's limit notes, across chunks; keeps the rest", () => {
  let got = "";
  const f = bannerFilter((t) => void (got += t));
  f.push("first line\n====\nHi, looks like you are running TensorFlow.js in Node.js. To speed");
  f.push(" things up dramatically...\n=====\n");
  f.push("Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.\n");
  f.push("Warning: something else\n===\nnot a banner\nlast, no newline");
  f.end();
  expect(got).toBe("first line\nWarning: something else\n===\nnot a banner\nlast, no newline");
});

test("bench drops exactly the lines the GPU probe takes for Dawn's limit notes, whatever the limit", () => {
  const notes = [
    "Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.",
    "Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.",
    // another limit, and the short form the probe's stand-in prints
    "Warning: maxStorageBuffersInFragmentStage artificially reduced from 10 to 8",
    "Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16\r",
  ];
  const kept = ["Error: the buffer was artificially reduced by the user", "Warning: something else", "artificially reduced from 1 to 2"];
  for (const l of notes) expect(isDawnLimitWarning(l), l).toBe(true);
  for (const l of kept) expect(isDawnLimitWarning(l), l).toBe(false);
  let got = "";
  const f = bannerFilter((t) => void (got += t));
  f.push([...notes, ...kept].join("\n") + "\n");
  f.end();
  expect(got).toBe(kept.join("\n") + "\n");
});
