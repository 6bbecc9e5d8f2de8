// `--wasm-threads <n|auto>` of `run`, `eval` and `bench step`: how many threads the wasm
// backend's XNNPACK pool gets (src/runtime/backend/wasm-threads.ts); auto is one per core,
// at most 8. Only digits are a count (not ' 2', '2e0' or '0x2'). A count given for a run on
// another backend is said to be unused (wasmThreadsNote).
import { defaultWasmThreads, MAX_WASM_THREADS } from "../runtime/backend/wasm-threads.js";
import { EXIT_USAGE, UserError } from "./context.js";

export const WASM_THREADS_HELP = `threads for the wasm backend's convolutions and matrix products (same results for any count); auto: one per core, at most ${MAX_WASM_THREADS}`;

/** The flag's thread count; a bad value is a usage error. */
export function parseWasmThreads(flag: string | undefined): number {
  if (flag === undefined || flag === "auto") return defaultWasmThreads();
  const n = /^\d+$/.test(flag) ? Number(flag) : Number.NaN;
  if (!(n >= 1 && n <= MAX_WASM_THREADS)) {
    throw new UserError(`--wasm-threads must be auto or an integer from 1 to ${MAX_WASM_THREADS}, not '${flag}'`, EXIT_USAGE);
  }
  return n;
}

/** The note for a thread count given (not auto) while another backend runs, or null. */
export function wasmThreadsNote(flag: string | undefined, backend: string): string | null {
  if (flag === undefined || flag === "auto" || backend === "wasm") return null;
  return `note: --wasm-threads ${flag} is for the wasm backend; ${backend} does not use it\n`;
}
