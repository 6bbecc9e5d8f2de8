// tfjs-backend-wasm's multi-threaded build (XNNPACK on a pthread pool) under Node.
// tfjs ships the build but switches it off in Node (tensorflow/tfjs#3830): its pthread
// workers are started from blob: URLs, which Node's Worker refuses, and they load the
// main script from a Blob made of a bundled function whose `require`s were renamed.
// Here, for the backend's start only: the threaded build is allowed, a worker asked
// for a blob: URL starts ./wasm-thread-worker.js instead (which loads the same glue from
// the package's own file), and XNNPACK's pool size, which tfjs caps at half the logical
// cores, is made the count asked for. Results do not depend on the thread count
// (test/runtime/backend/wasm-threads.test.ts compares them bit for bit).
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { Worker as NodeWorker } from "node:worker_threads";
import type { Tf } from "../methods/tf.js";

/** What ./wasm-thread-worker.ts loads from tfjs-backend-wasm: emscripten's worker script and the module's glue. */
export const THREADED_FILES = [
  "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js",
  "@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js",
] as const;

/** XNNPACK's pool is at most this large in tfjs's build (it starts 8 pthread workers). */
export const MAX_WASM_THREADS = 8;

/** The default: one thread per core, up to tfjs's 8. */
export function defaultWasmThreads(): number {
  return Math.max(1, Math.min(MAX_WASM_THREADS, os.availableParallelism()));
}

const BOOTSTRAP = new URL("./wasm-thread-worker.js", import.meta.url);
const require = createRequire(import.meta.url);

/**
 * Why the threaded build cannot start here, or null. A pthread that fails to start
 * takes the process down (emscripten rethrows its error), so what it needs is looked
 * for first: shared memory, our bootstrap and the two files of tfjs's it loads.
 */
export function threadedWasmUnavailable(): string | null {
  if (typeof SharedArrayBuffer === "undefined") return "no SharedArrayBuffer in this Node";
  if (!fs.existsSync(fileURLToPath(BOOTSTRAP))) return `${fileURLToPath(BOOTSTRAP)} is missing`;
  for (const file of THREADED_FILES) {
    try {
      require.resolve(file);
    } catch {
      return `${file} is missing (another @tensorflow/tfjs-backend-wasm version?)`;
    }
  }
  return null;
}

/**
 * Workers asked for a blob: URL start our bootstrap; any other goes through unchanged.
 * A pthread never holds the process open: XNNPACK's threads wait for work forever, and
 * emscripten refs a worker while its thread runs. The main thread blocks until they finish
 * each operation, so nothing is lost when the process ends without them.
 */
class PthreadWorker extends NodeWorker {
  constructor(url: string | URL, options?: ConstructorParameters<typeof NodeWorker>[1]) {
    super(String(url).startsWith("blob:") ? BOOTSTRAP : url, options);
    this.unref();
  }

  override ref(): void {}
}

let installed = false;

/**
 * Runs `start` (which must call tf.setBackend("wasm")) with the threaded build enabled
 * for `threads` threads; `setThreadsCount` is the package's own. With 1 thread this is
 * `start()` alone: the single-threaded build, as before.
 */
export async function withWasmThreads<T>(tf: Tf, setThreadsCount: (n: number) => void, threads: number, start: () => Promise<T>): Promise<T> {
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", threads > 1);
  if (threads <= 1) return start();
  setThreadsCount(threads);
  if (!installed) {
    // Emscripten assigns Node's Worker to the global when its factory runs, then
    // starts its pool with `new Worker(...)`: the assignment is wrapped.
    let current: unknown = (globalThis as { Worker?: unknown }).Worker;
    Object.defineProperty(globalThis, "Worker", {
      configurable: true,
      get: () => current,
      set: (w: unknown) => {
        current = w === NodeWorker ? PthreadWorker : w;
      },
    });
    installed = true;
  }
  // tfjs sizes XNNPACK's pool as min(asked, logical cores / 2): the cores it reads
  // (os.cpus(), when the module starts) are made twice the threads asked for.
  // (Only its length is read.)
  const cpus = os.cpus;
  const one = cpus()[0] ?? { model: "", speed: 0, times: { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 } };
  os.cpus = () => Array.from({ length: 2 * threads }, () => one);
  try {
    return await start();
  } finally {
    os.cpus = cpus;
  }
}
