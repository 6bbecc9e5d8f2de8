// The little of tfjs-backend-wasm's backend object that our kernels use: allocate
// an output on the wasm heap, view it as a Float32Array, free it, and call the
// backend's own registered kernels (XNNPACK Conv2D) on TensorInfos directly, the way
// tfjs's backends compose kernels, so nothing is recorded on the gradient tape and
// no Tensor objects are created inside a kernel.
import { getKernel, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import type { Shape4 } from "./layout.js";

export type { BackendWasm };

export function alloc(backend: BackendWasm, shape: number[]): TensorInfo {
  return backend.makeOutput(shape, "float32");
}

/**
 * A Float32Array view of a tensor on the wasm heap. Views detach when the heap grows,
 * so a kernel takes its views only after its last allocation.
 */
export function view(backend: BackendWasm, info: TensorInfo): Float32Array {
  const a = backend.typedArrayFromHeap(info);
  if (!(a instanceof Float32Array)) throw new Error(`wasm kernel: expected float32, got ${info.dtype}`);
  return a;
}

export function free(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

export function shape4(info: TensorInfo): Shape4 {
  const s = info.shape;
  if (s.length !== 4) throw new Error(`wasm kernel: expected a 4-D tensor, got shape [${s.join(", ")}]`);
  return [s[0] as number, s[1] as number, s[2] as number, s[3] as number];
}

/** Runs a kernel registered for 'wasm' on TensorInfos (no tape, no Tensor objects). */
export function runWasmKernel(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap, backend: BackendWasm): TensorInfo {
  const kernel = getKernel(name, "wasm");
  if (kernel === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

/** XNNPACK's stride-1 NHWC convolution with explicit, non-negative padding. */
export function conv2dStride1(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  pads: { top: number; bottom: number; left: number; right: number },
  dilation: [number, number] = [1, 1],
): TensorInfo {
  return runWasmKernel(
    "Conv2D",
    { x, filter },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [pads.top, pads.bottom],
        [pads.left, pads.right],
        [0, 0],
      ],
      dataFormat: "NHWC",
      dilations: dilation,
    },
    backend,
  );
}
