// `--wasm-threads <n|auto>` of `run`, `eval` and `bench step`: how many threads the wasm
// backend's XNNPACK pool gets (src/runtime/backend/wasm-threads.ts); auto is one per core,
// at most 8 (runtime/thread-limits.ts, the API's limit too). A count given for a run on
// another backend is said to be unused (wasmThreadsNote). threadFlag reads every
// thread-count flag of the CLI (parseThreadCount: only digits are a count).
import { defaultWasmThreads } from "../runtime/backend/wasm-threads.js";
import { MAX_WASM_THREADS, parseThreadCount, ThreadCountError } from "../runtime/thread-limits.js";
import { EXIT_USAGE, UserError } from "./context.js";

export const WASM_THREADS_HELP = `threads for the wasm backend's convolutions and matrix products (same results for any count); auto: one per core, at most ${MAX_WASM_THREADS}`;

/** A thread-count flag's value (parseThreadCount); a bad one is a usage error. */
export function threadFlag(flag: string, text: string, max: number, orAuto: true): number | "auto";
export function threadFlag(flag: string, text: string, max: number, orAuto?: false): number;
export function threadFlag(flag: string, text: string, max: number, orAuto = false): number | "auto" {
  try {
    return orAuto ? parseThreadCount(flag, text, max, true) : parseThreadCount(flag, text, max);
  } catch (e) {
    if (e instanceof ThreadCountError) throw new UserError(e.message, EXIT_USAGE);
    throw e;
  }
}

/** The flag's thread count; a bad value is a usage error. */
export function parseWasmThreads(flag: string | undefined): number {
  const n = threadFlag("--wasm-threads", flag ?? "auto", MAX_WASM_THREADS, true);
  return n === "auto" ? defaultWasmThreads() : n;
}

/** The note for a thread count given (not auto) while another backend runs, or null. */
export function wasmThreadsNote(flag: string | undefined, backend: string): string | null {
  if (flag === undefined || flag === "auto" || backend === "wasm") return null;
  return `note: --wasm-threads ${flag} is for the wasm backend; ${backend} does not use it\n`;
}
