// Conv2DBackpropInput for the wasm backend. The one tfjs-backend-wasm 4.22 ships is
// a plain loop, 8-10x slower than its XNNPACK forward convolution. Here the input
// gradient is one forward convolution per stride phase (see conv-geometry.ts): for
// stride 1 a single convolution of dy with the flipped, in/out-transposed kernel;
// for stride s, s*s convolutions with the phase sub-kernels, whose outputs are
// interleaved into dx. No work is spent on the zeros a dilated dy would hold.
import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import { inputGradPhases, type InputGradPhase } from "./conv-geometry.js";
import { alloc, conv2dStride1, free, shape4, view, type BackendWasm } from "./heap.js";
import { interleavePhase, padCrop, phaseFilter, type Shape4 } from "./layout.js";

function conv2dBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  if (format !== "channelsLast") {
    throw new Error("wasm Conv2DBackpropInput supports NHWC only (as the wasm Conv2D does)");
  }
  const ws = shape4(filter);
  const info = backend_util.computeConv2DInfo(attrs.inputShape, ws, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, format);
  const [n, h, w, ci] = attrs.inputShape;
  const dys = shape4(dy);
  const [, oh, ow] = dys;
  const rowPhases = inputGradPhases(h, oh, info.filterHeight, info.strideHeight, info.padInfo.top);
  const colPhases = inputGradPhases(w, ow, info.filterWidth, info.strideWidth, info.padInfo.left);

  const single = rowPhases.length === 1 && colPhases.length === 1;
  const dx = single ? null : alloc(backend, [n, h, w, ci]);
  if (dx !== null) view(backend, dx).fill(0); // phases without taps stay zero
  let result: TensorInfo | null = null;
  for (const rp of rowPhases) {
    for (const cp of colPhases) {
      if (rp.taps.length === 0 || cp.taps.length === 0) continue;
      const part = phaseConv(backend, dy, dys, filter, ws, rp, cp);
      if (dx === null) {
        result = part;
        continue;
      }
      const dxView = view(backend, dx);
      interleavePhase(view(backend, part), shape4(part), dxView, h, w, info.strideHeight, rp.phase, cp.phase);
      free(backend, part);
    }
  }
  if (dx !== null) return dx;
  if (result === null) throw new Error("wasm Conv2DBackpropInput: kernel has no taps");
  return result;
}

/** One stride phase: dy (padded or cropped as the phase needs) * its sub-kernel. */
function phaseConv(backend: BackendWasm, dy: TensorInfo, dys: Shape4, filter: TensorInfo, ws: Shape4, rp: InputGradPhase, cp: InputGradPhase): TensorInfo {
  const [, , ci, co] = ws;
  const sub = alloc(backend, [rp.taps.length, cp.taps.length, co, ci]);
  phaseFilter(view(backend, filter), ws, rp.taps, cp.taps, view(backend, sub));
  const pads = { top: rp.padBefore, bottom: rp.padAfter, left: cp.padBefore, right: cp.padAfter };
  let input = dy;
  let owned: TensorInfo | null = null;
  if (pads.top < 0 || pads.bottom < 0 || pads.left < 0 || pads.right < 0) {
    // XNNPACK takes no negative padding: crop (and pad) dy explicitly instead.
    const [n, oh, ow, c] = dys;
    owned = alloc(backend, [n, oh + pads.top + pads.bottom, ow + pads.left + pads.right, c]);
    padCrop(view(backend, dy), dys, pads.top, pads.bottom, pads.left, pads.right, view(backend, owned));
    input = owned;
    pads.top = pads.bottom = pads.left = pads.right = 0;
  }
  const out = conv2dStride1(backend, input, sub, pads);
  free(backend, sub);
  if (owned !== null) free(backend, owned);
  return out;
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: "wasm",
  kernelFunc: conv2dBackpropInput as unknown as KernelFunc,
};
