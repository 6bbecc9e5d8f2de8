// `--wasm-threads <n|auto>` of `run`, `eval` and `bench step`: how many threads the wasm
// backend's XNNPACK pool gets (src/runtime/backend/wasm-threads.ts); auto is one per core,
// at most 8 (runtime/thread-limits.ts, the API's limit too). Only digits are a count (not ' 2', '2e0' or '0x2'). A count given for a run on
// another backend is said to be unused (wasmThreadsNote).
import { defaultWasmThreads } from "../runtime/backend/wasm-threads.js";
import { isThreadCount, MAX_WASM_THREADS, threadCountMessage } from "../runtime/thread-limits.js";
import { EXIT_USAGE, UserError } from "./context.js";

export const WASM_THREADS_HELP = `threads for the wasm backend's convolutions and matrix products (same results for any count); auto: one per core, at most ${MAX_WASM_THREADS}`;

/** The flag's thread count; a bad value is a usage error. */
export function parseWasmThreads(flag: string | undefined): number {
  if (flag === undefined || flag === "auto") return defaultWasmThreads();
  const n = /^\d+$/.test(flag) ? Number(flag) : Number.NaN;
  if (!isThreadCount(n, MAX_WASM_THREADS)) throw new UserError(threadCountMessage("--wasm-threads", flag, MAX_WASM_THREADS, true), EXIT_USAGE);
  return n;
}

/** The note for a thread count given (not auto) while another backend runs, or null. */
export function wasmThreadsNote(flag: string | undefined, backend: string): string | null {
  if (flag === undefined || flag === "auto" || backend === "wasm") return null;
  return `note: --wasm-threads ${flag} is for the wasm backend; ${backend} does not use it\n`;
}
