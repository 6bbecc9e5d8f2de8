// kNN over a bank cut into blocks (what lets a bank larger than one GPU binding be
// searched): on cpu and wasm, the neighbours, their order among ties and the accuracy
// equal one tf.topk over the whole test x bank matrix, bit for bit, for blocks of any
// size (ties across block borders, k larger than a block, a bank not a multiple of the
// block); the blocks the device limits allow; no tensor left behind.
import { beforeAll, describe, expect, it } from "vitest";
import type { Tensor2D } from "@tensorflow/tfjs-core";
import { selectBackend } from "../../../src/runtime/backend/select.js";
import type { Tf } from "../../../src/runtime/methods/tf.js";
import { knnBlocks, nearestNeighbours, weightedKnn, type FeatureSet } from "../../../src/runtime/eval/index.js";
import { Rng } from "../../../src/runtime/rng.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
  await import("@tensorflow/tfjs-backend-cpu");
});

const DIM = 5;

/**
 * 23 bank rows (not a multiple of the blocks tried) with exact duplicates astride block
 * borders (rows 4 = 5, 9 = 10 = 11, 14 = 15, 20 = 21 = 22), and queries that sit on
 * some of them, so the top-k cuts through runs of equal similarities.
 */
function data(): { bank: FeatureSet; queries: FeatureSet } {
  const rng = new Rng(17);
  const rows = Array.from({ length: 23 }, () => Array.from({ length: DIM }, () => rng.normal()));
  for (const [from, to] of [
    [4, 5],
    [9, 10],
    [9, 11],
    [14, 15],
    [20, 21],
    [20, 22],
  ] as const)
    rows[to] = [...rows[from]!];
  const queries = [rows[9]!, rows[4]!, rows[20]!, ...Array.from({ length: 6 }, () => Array.from({ length: DIM }, () => rng.normal()))];
  const set = (r: number[][], labels: number[]): FeatureSet => ({ features: Float32Array.from(r.flat()), labels: Int32Array.from(labels), dim: DIM });
  return {
    bank: set(
      rows,
      rows.map((_, i) => (i * 7) % 3),
    ),
    queries: set(
      queries,
      queries.map((_, i) => i % 3),
    ),
  };
}

/** The unblocked computation: one similarity matrix over the whole bank, one tf.topk. */
function wholeTopk(bank: FeatureSet, queries: FeatureSet, k: number, distance: "cosine" | "euclidean"): { values: number[]; indices: number[] } {
  return tf.tidy(() => {
    const normalise = (x: Tensor2D): Tensor2D => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), 1, true)), 1e-12)) as Tensor2D;
    const nb = bank.labels.length;
    let b = tf.tensor2d(bank.features, [nb, DIM]) as Tensor2D;
    let q = tf.tensor2d(queries.features, [queries.labels.length, DIM]) as Tensor2D;
    if (distance === "cosine") [b, q] = [normalise(b), normalise(q)];
    const bankT = tf.transpose(b) as Tensor2D;
    const dot = tf.matMul(q, bankT);
    let sim = dot as Tensor2D;
    if (distance === "euclidean") {
      const dist2 = tf.relu(tf.add(tf.sub(tf.sum(tf.square(q), 1, true), tf.mul(dot, 2)), tf.sum(tf.square(bankT), 0)));
      sim = tf.div(1, tf.add(tf.sqrt(dist2), 1e-5)) as Tensor2D;
    }
    const top = tf.topk(sim, Math.min(k, nb), true);
    return { values: Array.from(top.values.dataSync()), indices: Array.from(top.indices.dataSync()) };
  });
}

async function blocked(
  bank: FeatureSet,
  queries: FeatureSet,
  k: number,
  distance: "cosine" | "euclidean",
  bankRows: number,
  queryRows: number,
): Promise<{ values: number[]; indices: number[] }> {
  const values: number[] = [];
  const indices: number[] = [];
  let next = 0;
  await nearestNeighbours(tf, bank.features, queries.features, DIM, { k, distance, blocks: { bankRows, queryRows } }, (first, rows, v, i) => {
    expect(first).toBe(next);
    next += rows;
    values.push(...v);
    indices.push(...i);
  });
  expect(next).toBe(queries.labels.length);
  return { values, indices };
}

describe.each(["cpu", "wasm"])("kNN in blocks on %s", (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  for (const distance of ["cosine", "euclidean"] as const) {
    it(`${distance}: the neighbours and their order among ties equal one top-k over the whole bank, for any block`, async () => {
      const { bank, queries } = data();
      for (const k of [1, 3, 7, 23, 40]) {
        const whole = wholeTopk(bank, queries, k, distance);
        // ties really cut through the top-k (else this test would prove little)
        expect(whole.values.some((v, j) => j % Math.min(k, 23) > 0 && v === whole.values[j - 1])).toBe(k > 1);
        for (const bankRows of [1, 2, 3, 5, 6, 22, 23]) {
          for (const queryRows of [1, 4, 9]) {
            expect(await blocked(bank, queries, k, distance, bankRows, queryRows), `k ${k}, blocks of ${bankRows} x ${queryRows}`).toEqual(whole);
          }
        }
      }
    });
  }

  it("the accuracy is the same for every bank block and under limits that force blocks", async () => {
    const { bank, queries } = data();
    for (const distance of ["cosine", "euclidean"] as const) {
      for (const k of [2, 6, 20]) {
        const opts = { k, temperature: 0.1, distance };
        const whole = await weightedKnn(tf, bank, queries, opts);
        for (const bankBlock of [1, 2, 5, 7]) expect(await weightedKnn(tf, bank, queries, { ...opts, bankBlock }), `k ${k}, block ${bankBlock}`).toEqual(whole);
        // 60 bytes bind 15 floats: 3 bank rows of 5 a block
        const tiny = { maxBufferSize: 60, maxStorageBufferBindingSize: 1 << 20 };
        expect(await weightedKnn(tf, bank, queries, { ...opts, limits: tiny })).toEqual(whole);
      }
    }
  });

  it("leaves no tensor behind, also when the caller's visit throws", async () => {
    const { bank, queries } = data();
    const before = tf.memory().numTensors;
    await weightedKnn(tf, bank, queries, { k: 7, temperature: 0.1, distance: "euclidean", bankBlock: 3, maxDistanceMatrixSize: 6 });
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      nearestNeighbours(tf, bank.features, queries.features, DIM, { k: 4, distance: "cosine", blocks: { bankRows: 5, queryRows: 2 } }, () => {
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("the blocks a device allows", () => {
  const lavapipe = { maxBufferSize: 2 ** 32 - 1, maxStorageBufferBindingSize: 2 ** 27 };
  it("no GPU: the whole bank, test rows bounded by the entries of one similarity block (solo-learn's 5e6)", () => {
    expect(knnBlocks(50_000, 512, {})).toEqual({ bankRows: 50_000, queryRows: 100 });
    expect(knnBlocks(10, 512, { maxEntries: 25 })).toEqual({ bankRows: 10, queryRows: 2 });
    expect(knnBlocks(8_000_000, 128, {})).toEqual({ bankRows: 5_000_000, queryRows: 1 });
  });
  it("lavapipe's 128 MiB binding: 65,536 features of 512 a bank block; a wider feature, fewer", () => {
    expect(knnBlocks(100_000, 512, { limits: lavapipe })).toEqual({ bankRows: 65_536, queryRows: 76 });
    expect(knnBlocks(100_000, 2048, { limits: lavapipe })).toEqual({ bankRows: 16_384, queryRows: 305 });
    expect(knnBlocks(513, 65_536, { limits: lavapipe })).toEqual({ bankRows: 512, queryRows: 512 });
    // top-k on webgpu sorts a power-of-two-wide copy: 3 bank rows take 4 columns
    expect(knnBlocks(23, 5, { limits: { maxBufferSize: 60, maxStorageBufferBindingSize: 1 << 20 } })).toEqual({ bankRows: 3, queryRows: 3 });
  });
  it("a forced block is taken when smaller; a feature wider than one binding is refused with one line", () => {
    expect(knnBlocks(100, 4, { bankRows: 7 })).toEqual({ bankRows: 7, queryRows: Math.floor(5e6 / 7) });
    expect(() => knnBlocks(10, 64, { limits: { maxBufferSize: 128, maxStorageBufferBindingSize: 128 } })).toThrow(
      /^kNN: one 64-wide feature \(256 bytes\) is over the 128 bytes one shader can bind on this GPU; evaluate on another backend \(adainfc eval --backend wasm\)$/,
    );
  });
});
