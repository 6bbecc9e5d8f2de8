// Loads the SIMD training kernels (assembly/train.ts, built to dist/wasm/train.wasm and
// train-shared.wasm) into tfjs-backend-wasm's own memory, so they work in place on heap
// tensors. One instance per wasm memory: the plain module for the single-threaded build,
// the shared one for the threaded build (whose memory is a SharedArrayBuffer). With the
// threaded build on n > 1 threads, the loops run on n threads too (./train-threads.ts).
//
// Optional, like the augmentation kernels: when the file is missing, cannot be
// instantiated, or ADAINF_TRAIN_KERNELS=typescript, the kernels run their TypeScript
// twins (batch-norm-math.ts, layout.ts), which give the same bits, slower.
import { readFileSync } from "node:fs";
import type { TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "./heap.js";
import { builtWasm } from "../../../util/own-package.js";
import { threadedKernels, TrainThreads } from "./train-threads.js";

/** The exports of train.wasm; every pointer is a byte address on the wasm heap. */
export interface TrainKernels {
  channelMoments(x: number, m: number, c: number, mean: number, variance: number, scratch: number): void;
  normalize(
    x: number,
    m: number,
    c: number,
    mean: number,
    variance: number,
    scale: number,
    offset: number,
    eps: number,
    relu: number,
    y: number,
    scratch: number,
  ): void;
  normalizeGrad(
    dy: number,
    x: number,
    m: number,
    c: number,
    mean: number,
    variance: number,
    scale: number,
    eps: number,
    reluOut: number,
    dx: number,
    dscale: number,
    doffset: number,
    scratch: number,
  ): void;
  im2colT(
    x: number,
    h: number,
    w: number,
    c: number,
    n0: number,
    count: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
    oh: number,
    ow: number,
    out: number,
  ): void;
  accumulate(acc: number, add: number, length: number): void;
}

/**
 * Everything train.wasm exports: the kernels, and the pieces they are made of that
 * ./train-threads.ts runs on several threads (a range of channels j0 .. j1, of rows
 * r0 .. r1, of elements i0 .. i1).
 */
export interface TrainExports extends TrainKernels {
  channelMomentsPart(x: number, m: number, c: number, j0: number, j1: number, mean: number, variance: number, scratch: number): void;
  normalizeScale(c: number, mean: number, variance: number, scale: number, offset: number, eps: number, scratch: number): void;
  normalizeRows(x: number, c: number, r0: number, r1: number, relu: number, y: number, scratch: number): void;
  normalizeGradSums(
    dy: number,
    x: number,
    m: number,
    c: number,
    j0: number,
    j1: number,
    mean: number,
    variance: number,
    scale: number,
    eps: number,
    reluOut: number,
    dscale: number,
    doffset: number,
    scratch: number,
  ): void;
  normalizeGradRows(dy: number, x: number, c: number, r0: number, r1: number, reluOut: number, dx: number, scratch: number): void;
  im2colTPart(
    x: number,
    h: number,
    w: number,
    c: number,
    n0: number,
    count: number,
    kh: number,
    kw: number,
    sh: number,
    sw: number,
    pt: number,
    pl: number,
    oh: number,
    ow: number,
    out: number,
    r0: number,
    r1: number,
  ): void;
  accumulatePart(acc: number, add: number, i0: number, i1: number): void;
}

/** Float64 values of scratch each kernel needs per channel. */
export const SCRATCH_F64_PER_CHANNEL = { channelMoments: 2, normalize: 2, normalizeGrad: 5 } as const;

// Our compile target's libs do not declare WebAssembly; the little used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * The kernels, or null with why not (the setting, a missing file, a failed instantiation);
 * their threads when they have some, or why they run on one thread of a threaded build.
 */
interface Loaded {
  kernels: TrainKernels | null;
  reason: string;
  pool?: TrainThreads;
  /** Why the loops are on one thread while the backend has several. */
  threadsReason?: string;
}

/** Each wasm memory's kernels. */
const instances = new WeakMap<object, Loaded>();

/** tfjs-backend-wasm's memory: exported by the plain build, created in JS by the threaded one. */
function heapMemory(backend: BackendWasm): { buffer: ArrayBufferLike } | null {
  const module = backend.wasm as unknown as { wasmMemory?: { buffer: ArrayBufferLike }; asm?: { memory?: { buffer: ArrayBufferLike } } };
  return module.wasmMemory ?? module.asm?.memory ?? null;
}

/** The file `name` of dist/wasm, or why the kernels would not come from it without trying: the setting, or the file missing. */
function locate(name: string): { file: string } | { reason: string } {
  if (process.env.ADAINF_TRAIN_KERNELS === "typescript") return { reason: "ADAINF_TRAIN_KERNELS=typescript" };
  const file = builtWasm(name);
  return file === null ? { reason: `dist/wasm/${name} not found (run \`npm run build\`)` } : { file };
}

function instantiate(memory: { buffer: ArrayBufferLike }, threads: number): Loaded {
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  const name = shared ? "train-shared.wasm" : "train.wasm";
  const found = locate(name);
  if ("reason" in found) return { kernels: null, reason: found.reason };
  let module: object;
  let raw: TrainExports;
  try {
    module = new WebAssemblyApi.Module(readFileSync(found.file));
    raw = new WebAssemblyApi.Instance(module, { env: { memory } }).exports as unknown as TrainExports;
  } catch (e) {
    return { kernels: null, reason: `${name} could not be loaded: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (!shared || threads <= 1) return { kernels: raw, reason: "" };
  const pool = TrainThreads.start(module, memory, threads, raw);
  if (!(pool instanceof TrainThreads)) return { kernels: raw, reason: "", threadsReason: pool.failed };
  return { kernels: threadedKernels(pool, raw), reason: "", pool };
}

/**
 * The kernels instantiated over `memory` (a WebAssembly.Memory, plain or shared), or null;
 * on `threads` threads when the memory is shared. Tests give it a memory of their own.
 */
export function instantiateTrainKernels(memory: { buffer: ArrayBufferLike }, threads = 1): TrainKernels | null {
  return instantiate(memory, threads).kernels;
}

/**
 * Why the SIMD kernels would not run, without a backend (for `adainfc backends`): the
 * setting or a missing file; null when both files are there (instantiating them can
 * still fail, which the started backend's description then says).
 */
export function trainKernelsUnavailable(): string | null {
  for (const name of ["train.wasm", "train-shared.wasm"]) {
    const found = locate(name);
    if ("reason" in found) return found.reason;
  }
  return null;
}

/** XNNPACK's threads in this backend (1 for the single-threaded build). */
function backendThreads(backend: BackendWasm): number {
  const tfjs = (backend.wasm as unknown as { tfjs?: { getThreadsCount?: () => number } }).tfjs;
  return tfjs?.getThreadsCount?.() ?? 1;
}

/** This backend's heap's kernels, instantiated once per memory, on as many threads as XNNPACK. */
function loaded(backend: BackendWasm): Loaded {
  const memory = heapMemory(backend);
  if (memory === null) return { kernels: null, reason: "tfjs-backend-wasm's memory was not found" };
  let entry = instances.get(memory);
  if (entry === undefined) {
    entry = instantiate(memory, backendThreads(backend));
    instances.set(memory, entry);
  }
  return entry;
}

/** The SIMD kernels bound to this backend's heap, or null (use the TypeScript ones). */
export function trainKernels(backend: BackendWasm): TrainKernels | null {
  return loaded(backend).kernels;
}

/**
 * Which loops our wasm training kernels use on this backend, and why not WebAssembly
 * when they do not; with WebAssembly, on how many threads (1 with the single-threaded
 * build), and why on one when the backend has more.
 */
export function trainKernelsInfo(
  backend: BackendWasm,
): { kernels: "typescript"; reason: string } | { kernels: "wasm"; threads: number; threadsReason?: string } {
  const { kernels, reason, pool, threadsReason } = loaded(backend);
  if (kernels === null) return { kernels: "typescript", reason };
  const why = pool?.reason ?? threadsReason ?? null;
  return { kernels: "wasm", threads: pool?.threads ?? 1, ...(why === null ? {} : { threadsReason: why }) };
}

/** A tensor's byte address on the wasm heap. */
export function address(backend: BackendWasm, info: TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}
