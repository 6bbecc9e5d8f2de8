// Identity for wasm that shares the input's memory instead of copying it.
//
// tfjs saves every tensor a gradient needs by cloning it, and clone runs the
// Identity kernel. tfjs-backend-wasm 4.22's Identity copies the data (the cpu and
// webgl backends share it with a reference count), so on wasm each activation a
// gradient keeps was held twice or more: a ResNet-18 block input is saved by its
// first convolution, its shortcut and the residual Add, three copies. Tensors are
// immutable in tfjs, so sharing is safe; the wasm backend's own Reshape does the same.
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import type { BackendWasm } from "./heap.js";

function identity(args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { x } = args.inputs;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: "wasm",
  kernelFunc: identity as unknown as KernelFunc,
};
