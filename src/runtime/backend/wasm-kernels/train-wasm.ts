// Loads the SIMD training kernels (assembly/train.ts, built to dist/wasm/train.wasm and
// train-shared.wasm) into tfjs-backend-wasm's own memory, so they work in place on heap
// tensors. One instance per wasm memory: the plain module for the single-threaded build,
// the shared one for the threaded build (whose memory is a SharedArrayBuffer).
//
// Optional, like the augmentation kernels: when the file is missing, cannot be
// instantiated, or ADAINF_TRAIN_KERNELS=typescript, the kernels run their TypeScript
// twins (batch-norm-math.ts, layout.ts), which give the same bits, slower.
import { readFileSync } from "node:fs";
import type { TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "./heap.js";
import { builtWasm } from "../../../util/own-package.js";

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

/** Float64 values of scratch each kernel needs per channel. */
export const SCRATCH_F64_PER_CHANNEL = { channelMoments: 2, normalize: 2, normalizeGrad: 5 } as const;

// Our compile target's libs do not declare WebAssembly; the little used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernels, or null with why not (the setting, a missing file, a failed instantiation). */
interface Loaded {
  kernels: TrainKernels | null;
  reason: string;
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

function instantiate(memory: { buffer: ArrayBufferLike }): Loaded {
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  const name = shared ? "train-shared.wasm" : "train.wasm";
  const found = locate(name);
  if ("reason" in found) return { kernels: null, reason: found.reason };
  try {
    const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(readFileSync(found.file)), { env: { memory } });
    return { kernels: instance.exports as unknown as TrainKernels, reason: "" };
  } catch (e) {
    return { kernels: null, reason: `${name} could not be loaded: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The kernels instantiated over `memory` (a WebAssembly.Memory, plain or shared), or null. Tests give it a memory of their own. */
export function instantiateTrainKernels(memory: { buffer: ArrayBufferLike }): TrainKernels | null {
  return instantiate(memory).kernels;
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

/** This backend's heap's kernels, instantiated once per memory. */
function loaded(backend: BackendWasm): Loaded {
  const memory = heapMemory(backend);
  if (memory === null) return { kernels: null, reason: "tfjs-backend-wasm's memory was not found" };
  let entry = instances.get(memory);
  if (entry === undefined) {
    entry = instantiate(memory);
    instances.set(memory, entry);
  }
  return entry;
}

/** The SIMD kernels bound to this backend's heap, or null (use the TypeScript ones). */
export function trainKernels(backend: BackendWasm): TrainKernels | null {
  return loaded(backend).kernels;
}

/** Which loops our wasm training kernels use on this backend, and why not WebAssembly when they do not. */
export function trainKernelsInfo(backend: BackendWasm): { kernels: "wasm" | "typescript"; reason?: string } {
  const { kernels, reason } = loaded(backend);
  return kernels === null ? { kernels: "typescript", reason } : { kernels: "wasm" };
}

/** A tensor's byte address on the wasm heap. */
export function address(backend: BackendWasm, info: TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}
