// The wasm backend's threaded build under Node (src/runtime/backend/wasm-threads.ts),
// in child processes (a backend starts once per process), from the built dist/: a
// SimCLR-like step of a small conv net (forward, batch norm with and without its fused
// ReLU, loss, both convolution gradients through our kernels, a matrix product) gives
// the same bits with 1, 2 and 3 threads, our training loops split over the threads on
// every call (no size threshold); releaseBackends ends their workers; the process ends
// by itself (the pthreads hold nothing open), and the backend says how many threads
// XNNPACK and our loops have.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";

const DIST = path.resolve(import.meta.dirname, "../../../dist/src/runtime");
const SELECT = path.join(DIST, "backend/select.js");
const THREADS = path.join(DIST, "backend/wasm-kernels/train-threads.js");
const BATCH_NORM = path.join(DIST, "models/batch-norm-train.js");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-wasm-threads-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Seeded inputs; prints the description, every result's bits (as hex of the float32s)
// and how many of our loops' workers are left after releaseBackends.
const SCRIPT = `
import { releaseBackends, selectBackend } from ${JSON.stringify(SELECT)};
import { liveTrainThreads, trainThreading } from ${JSON.stringify(THREADS)};
import { batchNormTrain } from ${JSON.stringify(BATCH_NORM)};
trainThreading.minFloats = { batchNorm: 0, im2colT: 0, accumulate: 0 };
const threads = Number(process.argv[2]);
const { tf, description } = await selectBackend("wasm", { wasmThreads: threads });
const x = tf.randomNormal([16, 16, 16, 3], 0, 1, "float32", 1);
const w1 = tf.variable(tf.randomNormal([3, 3, 3, 32], 0, 0.3, "float32", 2));
const w2 = tf.variable(tf.randomNormal([3, 3, 32, 66], 0, 0.1, "float32", 3));
const p = tf.variable(tf.randomNormal([66, 16], 0, 0.1, "float32", 4));
const gamma1 = tf.variable(tf.randomNormal([32], 1, 0.1, "float32", 5));
const beta1 = tf.variable(tf.randomNormal([32], 0, 0.1, "float32", 6));
const gamma2 = tf.variable(tf.randomNormal([66], 1, 0.1, "float32", 7));
const beta2 = tf.variable(tf.randomNormal([66], 0, 0.1, "float32", 8));
const noStats = () => {};
const f = () => {
  const h = batchNormTrain(tf, tf.conv2d(x, w1, 1, "same"), gamma1, beta1, 1e-5, noStats, true);
  const g = tf.relu(batchNormTrain(tf, tf.conv2d(h, w2, 2, "same"), gamma2, beta2, 1e-5, noStats));
  const z = tf.matMul(tf.mean(g, [1, 2]), p);
  return tf.mean(tf.square(tf.sub(tf.matMul(z, z, false, true), 1)));
};
const { value, grads } = tf.variableGrads(f);
const out = [value, ...[w1, w2, p, gamma1, beta1, gamma2, beta2].map((v) => grads[v.name])];
const hex = [];
for (const t of out) hex.push(Buffer.from((await t.data()).buffer).toString("hex"));
const before = liveTrainThreads();
await releaseBackends();
console.log(JSON.stringify({ description, hex, workers: [before, liveTrainThreads()] }));
`;
fs.writeFileSync(path.join(dir, "step.mjs"), SCRIPT);

function runStep(threads: number): Promise<{ code: number | null; out: string; err: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [path.join(dir, "step.mjs"), String(threads)], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.stderr.on("data", (c: Buffer) => (err += c));
    // Ends by itself or not at all: a process held open by its threads is a failure.
    const timer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err, ms: Date.now() - t0 });
    });
  });
}

test("1, 2 and 3 threads: the same bits, our loops' workers ended by releaseBackends, and each process ends by itself", { timeout: 150_000 }, async () => {
  const runs = [];
  for (const threads of [1, 2, 3]) {
    const r = await runStep(threads);
    expect(r.err).toBe("");
    expect(r.code, `threads ${threads} did not end by itself`).toBe(0);
    const parsed = JSON.parse(r.out.trim()) as { description: string; hex: string[]; workers: [number, number] };
    expect(parsed.description).toContain(threads === 1 ? "1 thread," : `${threads} threads,`);
    if (threads === 1) expect(parsed.description).toMatch(/SIMD training loops in WebAssembly$/);
    else expect(parsed.description).toContain(`SIMD training loops in WebAssembly on ${threads} threads`);
    expect(parsed.workers).toEqual([threads - 1, 0]);
    runs.push(parsed.hex);
  }
  expect(runs[0]!.every((h) => h.length > 0)).toBe(true);
  expect(runs[1]).toEqual(runs[0]);
  expect(runs[2]).toEqual(runs[0]);
});
