// `bench step`'s "tensors leaked per step" counts from after the process's first step,
// which makes what a run keeps (the optimiser's momentum buffers): with --warmup 0 that
// step is a timed one and its buffers are no leak. Runs the built benchmark on wasm
// (a cpu step of its convnet takes seconds).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { cli, ROOT } from "../helpers.js";

const built = existsSync(join(ROOT, "dist", "bench", "step.js"));

test.skipIf(!built)("--warmup 0: no leak reported for the first step's optimiser buffers; --steps 1 is not measured", async () => {
  const args = ["bench", "step", "--backend", "wasm", "--no-torch", "--no-profile", "--json", "--batch", "2", "--warmup", "0"];
  const two = await cli([...args, "--steps", "2"], ROOT);
  expect(two.code).toBe(0);
  expect(JSON.parse(two.out)["tensor_leak_per_step"]).toBe(0);
  const one = await cli([...args, "--steps", "1"], ROOT);
  expect(one.code).toBe(0);
  expect(JSON.parse(one.out)["tensor_leak_per_step"]).toBeNull();
});
