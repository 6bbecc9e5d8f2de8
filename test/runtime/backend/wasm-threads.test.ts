// The wasm backend's threaded build under Node (src/runtime/backend/wasm-threads.ts),
// in child processes (a backend starts once per process), from the built dist/: a
// SimCLR-like step of a small conv net (forward, loss, both convolution gradients
// through our kernels, a matrix product) gives the same bits with 1, 2 and 3 threads,
// the process ends by itself (the pthreads hold nothing open), and the backend says
// how many threads it has.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";

const SELECT = path.resolve(import.meta.dirname, "../../../dist/src/runtime/backend/select.js");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-wasm-threads-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Seeded inputs; prints the description and every result's bits (as hex of the float32s).
const SCRIPT = `
import { selectBackend } from ${JSON.stringify(SELECT)};
const threads = Number(process.argv[2]);
const { tf, description } = await selectBackend("wasm", { wasmThreads: threads });
const x = tf.randomNormal([16, 16, 16, 3], 0, 1, "float32", 1);
const w1 = tf.variable(tf.randomNormal([3, 3, 3, 32], 0, 0.3, "float32", 2));
const w2 = tf.variable(tf.randomNormal([3, 3, 32, 64], 0, 0.1, "float32", 3));
const p = tf.variable(tf.randomNormal([64, 16], 0, 0.1, "float32", 4));
const f = () => {
  const h = tf.relu(tf.conv2d(x, w1, 1, "same"));
  const g = tf.relu(tf.conv2d(h, w2, 2, "same"));
  const z = tf.matMul(tf.mean(g, [1, 2]), p);
  return tf.mean(tf.square(tf.sub(tf.matMul(z, z, false, true), 1)));
};
const { value, grads } = tf.variableGrads(f);
const out = [value, grads[w1.name], grads[w2.name], grads[p.name]];
const hex = [];
for (const t of out) hex.push(Buffer.from((await t.data()).buffer).toString("hex"));
console.log(JSON.stringify({ description, hex }));
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

test("1, 2 and 3 threads: the same bits, and each process ends by itself", { timeout: 150_000 }, async () => {
  const runs = [];
  for (const threads of [1, 2, 3]) {
    const r = await runStep(threads);
    expect(r.err).toBe("");
    expect(r.code, `threads ${threads} did not end by itself`).toBe(0);
    const parsed = JSON.parse(r.out.trim()) as { description: string; hex: string[] };
    expect(parsed.description).toContain(threads === 1 ? "1 thread," : `${threads} threads,`);
    runs.push(parsed.hex);
  }
  expect(runs[0]!.every((h) => h.length > 0)).toBe(true);
  expect(runs[1]).toEqual(runs[0]);
  expect(runs[2]).toEqual(runs[0]);
});
