// Backend selection: order, forcing, the message for a backend that is not
// installed, and that gradients work on what it returns.
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { applyFlagOverrides, BACKEND_ORDER, BackendUnavailableError, isBackendName, selectBackend } from "../../../src/runtime/backend/select.js";

function installed(pkg: string): boolean {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

describe("selectBackend", () => {
  it("orders backends fastest first and recognises their names", () => {
    expect(BACKEND_ORDER).toEqual(["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"]);
    expect(isBackendName("wasm")).toBe(true);
    expect(isBackendName("webgl")).toBe(false);
  });

  it("forcing cpu gives the cpu backend, with working gradients", async () => {
    const { tf, name, description } = await selectBackend("cpu");
    expect(name).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(description).toMatch(/^cpu/);
    const g = tf.grad((x) => tf.sum(tf.mul(x, x)))(tf.tensor1d([1, -2, 3]));
    expect(Array.from(g.dataSync())).toEqual([2, -4, 6]);
  });

  it("forcing wasm gives wasm with our training kernels", async () => {
    const { tf, name, description } = await selectBackend("wasm");
    expect(name).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(description).toContain("XNNPACK");
    expect(tf.getKernel("Conv2DBackpropFilter", "wasm")).toBeDefined();
  });

  it.skipIf(installed("@tensorflow/tfjs-node"))("forcing tfjs-node when it is not installed says what to install, as a usage error", async () => {
    const err = await selectBackend("tensorflow").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    const e = err as BackendUnavailableError;
    expect(e.message).toContain("backend 'tensorflow' is not available");
    expect(e.message).toContain("@tensorflow/tfjs-node is not installed");
    expect(e.message).toContain("npm install @tensorflow/tfjs-node");
    expect(e.kind).toBe("usage"); // the CLI maps it to exit 2 (test/cli/webgpu-cli.test.ts)
    expect(e.message).not.toMatch(/\n/);
  });

  it.skipIf(installed("@tensorflow/tfjs-node-gpu"))("forcing tfjs-node-gpu names the CUDA package", async () => {
    const err = await selectBackend("tensorflow-gpu").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as Error).message).toContain("npm install @tensorflow/tfjs-node-gpu");
  });

  it.skipIf(installed("@tensorflow/tfjs-node") || installed("@tensorflow/tfjs-node-gpu"))(
    "without tfjs-node, auto-selection falls through to wasm and says why",
    async () => {
      const { name, description } = await selectBackend();
      expect(name).toBe("wasm");
      expect(description).toContain("skipped: tensorflow-gpu: @tensorflow/tfjs-node-gpu is not installed");
    },
  );
});

describe("ADAINF_TFJS_FLAGS", () => {
  it("sets tfjs flags by name; an unknown flag or a bad value is a usage error", async () => {
    const { tf } = await selectBackend("cpu");
    const before = tf.env().getBool("CHECK_COMPUTATION_FOR_ERRORS");
    applyFlagOverrides(tf, `CHECK_COMPUTATION_FOR_ERRORS=${!before}`);
    expect(tf.env().getBool("CHECK_COMPUTATION_FOR_ERRORS")).toBe(!before);
    applyFlagOverrides(tf, `CHECK_COMPUTATION_FOR_ERRORS=${before}`);
    expect(() => applyFlagOverrides(tf, "NO_SUCH_FLAG=1")).toThrow(/tfjs has no flag 'NO_SUCH_FLAG'/);
    expect(() => applyFlagOverrides(tf, "CHECK_COMPUTATION_FOR_ERRORS=maybe")).toThrow(/needs a number, true or false, not 'maybe'/);
  });
});
