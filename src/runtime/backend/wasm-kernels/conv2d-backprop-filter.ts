// Conv2DBackpropFilter for the wasm backend, which ships none (tfjs-backend-wasm
// 4.22). dw[kh, kw, ci, co] = sum_{n, oh, ow} x[n, oh*s + kh - pt, ow*s + kw - pl, ci]
// * dy[n, oh, ow, co] is one matrix product:
//   colT [KH*KW*CI, P] (transposed im2col of x, P = N*OH*OW)  x  dy [P, CO]
// whose result is already dw in HWIO order. XNNPACK's fully-connected kernel runs
// this at 15-23 GFLOP/s here, 3-10x faster than the same gradient written as a
// dilated convolution with the batch as the contraction dimension (measured, see
// docs/runtime.md). The batch is split into chunks (see filterGradChunking). The
// im2col and the chunks' sum run as SIMD WebAssembly on the heap (train-wasm.ts) or,
// without it, as the TypeScript loops of layout.ts (the same bits).
import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import { alloc, free, runWasmKernel, shape4, view, type BackendWasm } from "./heap.js";
import { im2colT } from "./layout.js";
import { address, trainKernels } from "./train-wasm.js";

/**
 * How the batch is split. The matrix product's contraction dimension is P, the
 * im2col columns of a chunk; XNNPACK does not block it, so a long P streams each
 * 8-column panel of dy from memory once per 4-6 rows of colT. Chunks of a few
 * thousand columns keep those panels in cache (measured in docs/runtime.md) and
 * bound the im2col's memory. Mutable for tests and benchmarks.
 */
export const filterGradChunking = {
  /** Upper bound on P (columns) per chunk; a chunk holds at least one batch item. */
  maxColumns: 4096,
  /** Upper bound on the floats of one chunk's im2col. */
  maxFloats: 16 * 1024 * 1024,
};

function conv2dBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (format !== "channelsLast") {
    throw new Error("wasm Conv2DBackpropFilter supports NHWC only (as the wasm Conv2D does)");
  }
  const xs = shape4(x);
  const info = backend_util.computeConv2DInfo(xs, attrs.filterShape, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, format);
  const [n, , , ci] = xs;
  const [, oh, ow, co] = shape4(dy);
  const { filterHeight: kh, filterWidth: kw } = info;
  const rows = kh * kw * ci;
  const perItem = rows * oh * ow;
  const { maxColumns, maxFloats } = filterGradChunking;
  const chunk = Math.max(1, Math.min(n, Math.floor(maxColumns / (oh * ow)), Math.floor(maxFloats / perItem)));

  const k = trainKernels(backend);
  /** One chunk's part of dw: its im2col (and its slice of dy) freed however the chunk ends. */
  const chunkPart = (n0: number, count: number): TensorInfo => {
    const p = count * oh * ow;
    const own: TensorInfo[] = [];
    try {
      const colT = alloc(backend, [rows, p]);
      own.push(colT);
      let dyPart: TensorInfo = { dataId: dy.dataId, shape: [p, co], dtype: "float32" }; // same data, 2-D view
      if (count !== n) {
        dyPart = alloc(backend, [p, co]);
        own.push(dyPart);
      }
      // Views only after the allocations: a heap growth detaches earlier ones.
      const spec = {
        n0,
        count,
        kh,
        kw,
        strideH: info.strideHeight,
        strideW: info.strideWidth,
        padTop: info.padInfo.top,
        padLeft: info.padInfo.left,
        outH: oh,
        outW: ow,
      };
      if (k !== null) {
        const [, h, w] = xs;
        k.im2colT(address(backend, x), h, w, ci, n0, count, kh, kw, spec.strideH, spec.strideW, spec.padTop, spec.padLeft, oh, ow, address(backend, colT));
      } else {
        im2colT(view(backend, x), xs, spec, view(backend, colT));
      }
      if (count !== n) view(backend, dyPart).set(view(backend, dy).subarray(n0 * oh * ow * co, (n0 + count) * oh * ow * co));
      return runWasmKernel("BatchMatMul", { a: colT, b: dyPart }, { transposeA: false, transposeB: false }, backend);
    } finally {
      free(backend, ...own);
    }
  };
  let out: TensorInfo | null = null;
  try {
    for (let n0 = 0; n0 < n; n0 += chunk) {
      const part = chunkPart(n0, Math.min(chunk, n - n0));
      if (out === null) {
        out = part;
        continue;
      }
      try {
        if (k !== null) {
          k.accumulate(address(backend, out), address(backend, part), kh * kw * ci * co);
        } else {
          const acc = view(backend, out);
          const add = view(backend, part);
          for (let i = 0; i < acc.length; i++) acc[i] = (acc[i] as number) + (add[i] as number);
        }
      } finally {
        free(backend, part);
      }
    }
  } catch (e) {
    if (out !== null) free(backend, out);
    throw e;
  }
  if (out === null) throw new Error("wasm Conv2DBackpropFilter: empty batch");
  return { dataId: out.dataId, shape: [kh, kw, ci, co], dtype: "float32" };
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: "wasm",
  kernelFunc: conv2dBackpropFilter as unknown as KernelFunc,
};
