// The WebAssembly kernels (kernels/assembly/augment.ts, compiled by `npm run build` to
// dist/wasm/augment.wasm): loading, the memory they work in, and the Kernels wrapper.
//
// Memory layout: [heap base) the HSV tables of the hue kernel, written once; then an
// arena that executePlan lays out per call (the batch, scratch images, coefficient
// tables, the float output). The arena only grows before any view of it is taken: a
// WebAssembly memory that grows detaches every typed array over its old buffer.
//
// The module is optional: when the file is missing or cannot be instantiated, or when
// ADAINF_AUGMENT_KERNELS=typescript, augmentation runs the TypeScript kernels (same
// bytes, slower). `augmentKernelsInfo()` says which is in use.

import { readFileSync } from "node:fs";
import { boxRadiusForSigma, boxWeights } from "./blur.js";
import { HUE_CASE, hsvTables, hueShift, SECTOR_ORDER } from "./color.js";
import type { Kernels } from "./kernels.js";
import { axisCoefficients, type CropSource, type ResampleFilter } from "./resample.js";
import { builtWasm } from "../../util/own-package.js";

// Node has WebAssembly, but our compile target's libs (ES2022 + @types/node) do not
// declare it: the little we use is typed here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const WebAssemblyApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  resizeH(src: number, stride: number, height: number, channels: number, outW: number, ksize: number, bounds: number, weights: number, dst: number): void;
  resizeV(src: number, stride: number, outH: number, rowLen: number, ksize: number, bounds: number, weights: number, dst: number): void;
  gaussianBlur(img: number, tmp: number, line: number, height: number, width: number, channels: number, r: number, ww: number, fw: number): void;
  contrastMean(img: number, pixels: number, channels: number): number;
  adjustSaturation(img: number, pixels: number, alpha: number): void;
  toGrayscale(img: number, pixels: number): void;
  adjustHue(img: number, pixels: number, shift: number, tables: number): void;
  solarize(img: number, length: number, threshold: number): void;
  equalize(img: number, pixels: number, channels: number, hist: number, lut: number): void;
  flipHorizontal(img: number, height: number, width: number, channels: number): void;
  writeNormalized(
    img: number,
    height: number,
    width: number,
    channels: number,
    table: number,
    mirrored: number,
    out: number,
    line: number,
    m0: number,
    m1: number,
    m2: number,
    s0: number,
    s1: number,
    s2: number,
  ): void;
  blendConstant(img: number, length: number, constant: number, alpha: number): void;
}

const PAGE = 65536;
const align = (n: number, to = 64): number => Math.ceil(n / to) * to;

interface Module {
  exports: KernelExports;
  /** Address of the HSV tables. */
  tables: number;
  /** First byte of the arena. */
  arena: number;
}

let loaded: Module | null | undefined;
let reason = "";

function writeTables(mem: WasmMemory, at: number): number {
  const t = hsvTables();
  const bytes = new Uint8Array(mem.buffer);
  let p = at;
  bytes.set(t.hue, p);
  p += t.hue.length; // 6 * 65536
  bytes.set(t.sat, p);
  p += t.sat.length; // 65536
  new Float64Array(mem.buffer, p, 256).set(t.fs);
  p += 2048;
  new Float64Array(mem.buffer, p, 256).set(t.frac);
  p += 2048;
  bytes.set(t.sector, p);
  p += 256;
  bytes.set(HUE_CASE, p);
  p += 8;
  bytes.set(SECTOR_ORDER, p);
  p += SECTOR_ORDER.length;
  return p;
}

function load(): Module | null {
  if (process.env.ADAINF_AUGMENT_KERNELS === "typescript") {
    reason = "ADAINF_AUGMENT_KERNELS=typescript";
    return null;
  }
  const file = builtWasm("augment.wasm");
  if (file === null) {
    reason = "dist/wasm/augment.wasm not found (run `npm run build`)";
    return null;
  }
  try {
    const instance = new WebAssemblyApi.Instance(new WebAssemblyApi.Module(readFileSync(file)), {
      env: {
        abort: () => {
          throw new Error("augment.wasm aborted");
        },
      },
    });
    const exports = instance.exports as unknown as KernelExports;
    const tables = align(exports.heapBase());
    const tablesEnd = tables + 6 * 65536 + 65536 + 2048 + 2048 + 256 + 8 + SECTOR_ORDER.length;
    growTo(exports.memory, tablesEnd);
    writeTables(exports.memory, tables);
    return { exports, tables, arena: align(tablesEnd) };
  } catch (e) {
    reason = `augment.wasm could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    return null;
  }
}

function growTo(mem: WasmMemory, bytes: number): void {
  const have = mem.buffer.byteLength;
  if (bytes > have) mem.grow(Math.ceil((bytes - have) / PAGE));
}

function module(): Module | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** Which kernels augmentation uses here, and why not WebAssembly when it is not. */
export function augmentKernelsInfo(): { kernels: "wasm" | "typescript"; reason?: string } {
  return module() === null ? { kernels: "typescript", reason } : { kernels: "wasm" };
}

/** Byte sizes of the regions one executePlan call needs. */
export interface ArenaRequest {
  batch: number;
  /** Each of the two ping-pong images and the resize scratch. */
  image: number;
  /** The largest padded row of a blur. */
  line: number;
  /** Bounds + weights of the largest resize table, in bytes. */
  coefficients: number;
  /** The output (float32 or uint8 view bytes). */
  output: number;
}

export interface Arena {
  kernels: Kernels;
  batch: Uint8Array;
  a: Uint8Array;
  b: Uint8Array;
  tmp: Uint8Array;
  /** The output region (bytes); view it as float32 when normalising. */
  output: Uint8Array;
  /** A 256 * 4-channel float32 table slot for ToTensor/Normalize. */
  table: Float32Array;
}

/**
 * Lays out the arena for one call (growing memory first, so the views stay valid for
 * the call), or null when the WebAssembly kernels are not available.
 */
export function wasmArena(req: ArenaRequest): Arena | null {
  const m = module();
  if (m === null) return null;
  let p = m.arena;
  const take = (bytes: number): number => {
    const at = p;
    p = align(at + bytes + 16); // 16 bytes of slack after every region for SIMD reads
    return at;
  };
  const batch = take(req.batch);
  const a = take(req.image);
  const b = take(req.image);
  const tmp = take(req.image);
  const blurTmp = take(req.image);
  const line = take(req.line);
  const coefficients = take(req.coefficients);
  const lut = take(256);
  const hist = take(1024);
  const table = take(256 * 4 * 4);
  const output = take(req.output);
  growTo(m.exports.memory, p);
  const buf = m.exports.memory.buffer;
  return {
    kernels: wasmKernels(m, { blurTmp, line, coefficients, coefficientBytes: req.coefficients, lut, hist }),
    batch: new Uint8Array(buf, batch, req.batch),
    a: new Uint8Array(buf, a, req.image),
    b: new Uint8Array(buf, b, req.image),
    tmp: new Uint8Array(buf, tmp, req.image),
    output: new Uint8Array(buf, output, req.output),
    table: new Float32Array(buf, table, 256 * 4),
  };
}

interface Scratch {
  blurTmp: number;
  line: number;
  coefficients: number;
  coefficientBytes: number;
  lut: number;
  hist: number;
}

function wasmKernels(m: Module, scratch: Scratch): Kernels {
  const x = m.exports;
  const mem = x.memory;
  const at = (img: Uint8Array | Float32Array): number => {
    if (img.buffer !== mem.buffer) throw new Error("internal: a WebAssembly kernel was given an array outside its memory");
    return img.byteOffset;
  };
  // One view of the coefficient region for the whole call (the memory does not grow
  // during a call), so copying a table allocates nothing.
  const coefficientWords = new Int32Array(mem.buffer, scratch.coefficients, scratch.coefficientBytes >> 2);
  /** Copies one axis's coefficient table into the scratch region; returns ksize. */
  const coefficients = (inSize: number, outSize: number, filter: ResampleFilter): number => {
    const c = axisCoefficients(inSize, outSize, filter);
    coefficientWords.set(c.bounds, 0);
    coefficientWords.set(c.weights, c.bounds.length);
    return c.ksize;
  };
  return {
    name: "wasm",
    resizeCrop(crop: CropSource, channels: number, outH: number, outW: number, filter: ResampleFilter, dst: Uint8Array, tmp: Uint8Array): void {
      const C = channels;
      let src = at(crop.src) + crop.offset + crop.top * crop.stride + crop.left * C;
      let stride = crop.stride;
      if (crop.width !== outW) {
        const ksize = coefficients(crop.width, outW, filter);
        const bounds = scratch.coefficients;
        x.resizeH(src, stride, crop.height, C, outW, ksize, bounds, bounds + 8 * outW, at(tmp));
        src = at(tmp);
        stride = outW * C;
      }
      const rowLen = outW * C;
      if (crop.height === outH) {
        const bytes = new Uint8Array(mem.buffer);
        for (let y = 0; y < outH; y++) bytes.copyWithin(at(dst) + y * rowLen, src + y * stride, src + y * stride + rowLen);
        return;
      }
      const ksize = coefficients(crop.height, outH, filter);
      const bounds = scratch.coefficients;
      x.resizeV(src, stride, outH, rowLen, ksize, bounds, bounds + 8 * outH, at(dst));
    },
    brightness(img, pixels, channels, factor): void {
      x.blendConstant(at(img), pixels * channels, 0, factor);
    },
    contrast(img, pixels, channels, factor): void {
      x.blendConstant(at(img), pixels * channels, x.contrastMean(at(img), pixels, channels), factor);
    },
    saturation(img, pixels, channels, factor): void {
      if (channels === 3) x.adjustSaturation(at(img), pixels, factor);
    },
    hue(img, pixels, channels, factor): void {
      if (channels === 3) x.adjustHue(at(img), pixels, hueShift(factor), m.tables);
    },
    grayscale(img, pixels, channels): void {
      if (channels === 3) x.toGrayscale(at(img), pixels);
    },
    blur(img, height, width, channels, sigma): void {
      const w = boxWeights(boxRadiusForSigma(sigma, 3));
      x.gaussianBlur(at(img), scratch.blurTmp, scratch.line, height, width, channels, w.radius, w.ww, w.fw);
    },
    solarize(img, length, threshold): void {
      x.solarize(at(img), length, threshold);
    },
    equalize(img, pixels, channels): void {
      x.equalize(at(img), pixels, channels, scratch.hist, scratch.lut);
    },
    flip(img, height, width, channels): void {
      x.flipHorizontal(at(img), height, width, channels);
    },
    writeNormalized(img, height, width, channels, norm, mirrored, out, offset): void {
      const { mean: m, std: s } = norm;
      const [m0, m1, m2, s0, s1, s2] = channels === 3 ? [m[0]!, m[1]!, m[2]!, s[0]!, s[1]!, s[2]!] : [m[0]!, m[0]!, m[0]!, s[0]!, s[0]!, s[0]!];
      x.writeNormalized(at(img), height, width, channels, at(norm.table), mirrored ? 1 : 0, at(out) + 4 * offset, scratch.line, m0, m1, m2, s0, s1, s2);
    },
  };
}
