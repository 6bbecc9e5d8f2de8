// The limits of the thread counts a run takes, and the one sentence that refuses a count
// out of them, for the CLI's flags (--wasm-threads, --augment-threads, `bench augment
// --threads`) and the API's options (wasmThreads, augmentThreads) alike.
export { MAX_WASM_THREADS } from "./backend/wasm-threads.js";

/** Most augmentation threads a run (or `bench augment`) starts. */
export const MAX_AUGMENT_THREADS = 64;

/** `n` is a whole number from 1 to `max`. */
export function isThreadCount(n: unknown, max: number): n is number {
  return typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= max;
}

/**
 * Why a count is refused: `--wasm-threads must be auto or an integer from 1 to 8, not '0'`
 * (a flag that also takes auto) or `wasmThreads must be an integer from 1 to 8, not '0'`.
 */
export function threadCountMessage(name: string, given: unknown, max: number, orAuto = false): string {
  const shown = typeof given === "string" ? given : (JSON.stringify(given) ?? String(given));
  return `${name} must be ${orAuto ? "auto or " : ""}an integer from 1 to ${max}, not '${shown}'`;
}
