// Registers our training kernels for the 'webgpu' backend, replacing tfjs-webgpu 4.22's
// where ours are better, and sets the one tfjs-webgpu flag we change. Idempotent. Each
// can be left out through an environment variable (set to 0), so the device check can
// time a step both ways on a real GPU (docs/gpu.md); tests compare ours with wasm's.
import { env, getKernel, registerKernel, unregisterKernel, type KernelConfig } from "@tensorflow/tfjs-core";
import { webgpuBatchNormTrainConfig, webgpuBatchNormTrainGradConfig } from "./batch-norm.js";
import { webgpuConv2dBackpropFilterConfig } from "./conv2d-backprop-filter.js";
import { webgpuAxpbyConfig, webgpuLarsStepConfig } from "./optim.js";

export interface WebGpuKernel {
  config: KernelConfig;
  /** Set to 0 to leave this kernel out. */
  toggle: string;
  why: string;
}

export const WEBGPU_TRAINING_KERNELS: readonly WebGpuKernel[] = [
  {
    config: webgpuBatchNormTrainConfig,
    toggle: "ADAINF_WEBGPU_FUSED_BN",
    why: "composed, training batch norm is ~8 dispatches and transposes x for each per-channel reduction; here 4, x read twice",
  },
  {
    config: webgpuBatchNormTrainGradConfig,
    toggle: "ADAINF_WEBGPU_FUSED_BN",
    why: "composed, its gradient is ~14 dispatches with activation-sized temporaries; here 5, from per-channel sums",
  },
  {
    config: webgpuLarsStepConfig,
    toggle: "ADAINF_WEBGPU_FUSED_OPTIM",
    why: "composed, one LARS update is ~23 dispatches (norms, trust ratio and its `if`, buffer, update); here 3 (2 for an excluded parameter)",
  },
  {
    config: webgpuAxpbyConfig,
    toggle: "ADAINF_WEBGPU_FUSED_OPTIM",
    why: "running statistics and momentum-encoder updates, a x + b c y: 1 dispatch instead of 3-4",
  },
  {
    config: webgpuConv2dBackpropFilterConfig,
    toggle: "ADAINF_WEBGPU_FILTER_GRAD",
    why: "tfjs-webgpu's gives each filter element one thread looping over the whole batch (1,728 threads for a 3x3x3x64 stem); ours is a tiled split-K matrix product",
  },
];

/**
 * tfjs-webgpu computes the input gradient of a convolution with a naive kernel unless
 * this flag is off; its matrix-product kernel then runs (checked against wasm in
 * test/runtime/backend/webgpu.test.ts). ADAINF_WEBGPU_MM_INPUT_GRAD=0 keeps the naive one.
 */
const NAIVE_INPUT_GRAD_FLAG = "WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE";

function wanted(toggle: string, e: NodeJS.ProcessEnv): boolean {
  return e[toggle] !== "0";
}

export function registerWebGpuTrainingKernels(e: NodeJS.ProcessEnv = process.env): void {
  for (const { config, toggle } of WEBGPU_TRAINING_KERNELS) {
    if (!wanted(toggle, e)) continue;
    const current = getKernel(config.kernelName, "webgpu");
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) unregisterKernel(config.kernelName, "webgpu");
    registerKernel(config);
  }
  env().set(NAIVE_INPUT_GRAD_FLAG, !wanted("ADAINF_WEBGPU_MM_INPUT_GRAD", e));
}

/** Which of ours are registered now, by kernel name (for `run`'s description and benchmarks). */
export function activeWebGpuKernels(): string[] {
  const names = WEBGPU_TRAINING_KERNELS.filter(({ config }) => getKernel(config.kernelName, "webgpu")?.kernelFunc === config.kernelFunc).map(({ config }) =>
    config.kernelName.replace(/^Adainf/, ""),
  );
  if (!env().getBool(NAIVE_INPUT_GRAD_FLAG)) names.push("Conv2DBackpropInput via tfjs's matrix product");
  return names;
}
