// The limits of the thread counts a run takes, and the one sentence that refuses a count
// out of them, for the CLI's flags (--wasm-threads, --augment-threads, `bench augment
// --threads`), the TypeScript target's programs' --augment-threads and the API's options
// (wasmThreads, augmentThreads) alike; parseThreadCount reads every such flag (digits only);
// autoAugmentThreads is what `auto` augments with on a backend, for run and the programs.
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

/** A flag's count that parseThreadCount refuses; the message is threadCountMessage's. */
export class ThreadCountError extends Error {}

/**
 * A thread-count flag's value: digits only (not ' 2', '2e0' or '0x2'), from 1 to `max`;
 * with `orAuto`, "auto" is "auto". Anything else throws ThreadCountError (`flag` names it).
 */
export function parseThreadCount(flag: string, text: string, max: number, orAuto: true): number | "auto";
export function parseThreadCount(flag: string, text: string, max: number, orAuto?: false): number;
export function parseThreadCount(flag: string, text: string, max: number, orAuto = false): number | "auto" {
  if (orAuto && text === "auto") return "auto";
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!isThreadCount(n, max)) throw new ThreadCountError(threadCountMessage(flag, text, max, orAuto));
  return n;
}

/**
 * `--augment-threads auto` (and `augmentThreads: "auto"`): on a CPU backend the training
 * thread needs the cores, so one augmentation thread; when a GPU trains, the spare cores
 * augment, at most 8. Measured on an H200 machine (docs/augmentation.md): PyTorch trains
 * SimCLR ResNet-18 on 33,000 (fp32) to 60,000 (bf16) views/s there; 8 of its cores make
 * 73,000-89,000.
 */
export function autoAugmentThreads(backend: string, cores: number): number {
  return backend === "tensorflow-gpu" || backend === "webgpu" ? Math.max(1, Math.min(8, cores - 1)) : 1;
}

/** Why `--augment-threads N` is refused with `--no-worker` (run and the programs alike). */
export function noWorkerThreadsMessage(given: string): string {
  return `--augment-threads ${given} needs the worker threads that --no-worker turns off: give one or the other`;
}
