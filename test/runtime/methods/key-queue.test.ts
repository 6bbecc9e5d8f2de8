// MoCo's key queue against a plain JS ring buffer, including batches that wrap around,
// fill the whole ring, or exceed it.
import { beforeAll, describe, expect, it } from "vitest";
import type * as tfc from "@tensorflow/tfjs-core";
import { KeyQueue } from "../../../src/runtime/methods/key-queue.js";
import { emptyState } from "../../../src/runtime/methods/state-dict.js";
import { Rng } from "../../../src/runtime/rng.js";
import { cpuTf, expectAllClose } from "./helpers.js";

let tf: typeof tfc;
beforeAll(async () => {
  tf = await cpuTf();
});

describe("KeyQueue", () => {
  it("behaves as a FIFO ring for any batch size", () => {
    const size = 5;
    const dim = 2;
    const q = new KeyQueue(tf, 2, size, dim, new Rng(1));
    const ring = (q.tensor.arraySync() as number[][][]).map((v) => v.map((r) => [...r]));
    let ptr = 0;
    let counter = 1;
    for (const b of [2, 2, 3, 5, 7, 1, 4]) {
      const keys = [0, 1].map((v) => Array.from({ length: b }, () => [counter++, v]));
      const batch = tf.tensor3d(keys);
      q.push(batch);
      batch.dispose();
      for (let i = 0; i < b; i++) {
        ring[0]![(ptr + i) % size] = keys[0]![i]!;
        ring[1]![(ptr + i) % size] = keys[1]![i]!;
      }
      ptr = (ptr + b) % size;
      expect(q.pointer).toBe(ptr);
      expectAllClose((q.tensor.arraySync() as number[][][]).flat(2), ring.flat(2), 0);
    }
    q.dispose();
  });

  it("round-trips through a state dict and does not leak", async () => {
    const q = new KeyQueue(tf, 2, 4, 3, new Rng(2));
    const batch = tf.ones([2, 3, 3]) as tfc.Tensor3D;
    q.push(batch);
    const count = tf.memory().numTensors;
    q.push(batch);
    q.push(batch);
    expect(tf.memory().numTensors).toBe(count);
    const s = emptyState();
    await q.saveInto(s, "");
    const r = new KeyQueue(tf, 2, 4, 3, new Rng(3));
    r.loadFrom(s, "");
    expect(r.pointer).toBe(q.pointer);
    expect(Array.from(r.tensor.dataSync())).toEqual(Array.from(q.tensor.dataSync()));
    expect(() => new KeyQueue(tf, 2, 5, 3, new Rng(3)).loadFrom(s, "")).toThrow(/shape/);
    batch.dispose();
  });
});
