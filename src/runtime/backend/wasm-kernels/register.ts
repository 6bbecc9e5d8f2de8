// Registers our training kernels for the 'wasm' backend, replacing (or adding) the
// ones tfjs-backend-wasm 4.22 lacks or runs slowly. Idempotent. The replaced
// originals are kept so tests and benchmarks can compare against them.
import { findBackend, getKernel, registerKernel, unregisterKernel, type KernelConfig } from "@tensorflow/tfjs-core";
import { batchNormTrainConfig, batchNormTrainGradConfig } from "./batch-norm.js";
import { conv2dBackpropFilterConfig } from "./conv2d-backprop-filter.js";
import { conv2dBackpropInputConfig } from "./conv2d-backprop-input.js";
import { identityConfig } from "./identity.js";

/** Every kernel this module registers for 'wasm', with why. */
export const WASM_TRAINING_KERNELS: ReadonlyArray<{ config: KernelConfig; why: string }> = [
  {
    config: conv2dBackpropFilterConfig,
    why: "missing in tfjs-backend-wasm 4.22; an im2col matrix product (XNNPACK fully connected), chunked over the batch",
  },
  {
    config: conv2dBackpropInputConfig,
    why: "the shipped one is 8-10x the forward conv; one XNNPACK convolution per stride phase",
  },
  {
    config: identityConfig,
    why: "the shipped one copies; tfjs clones every tensor a gradient keeps, so activations were held 2-3 times",
  },
  {
    config: batchNormTrainConfig,
    why: "ours (no wasm equivalent): training-mode batch norm, statistics and output in two passes",
  },
  {
    config: batchNormTrainGradConfig,
    why: "ours: its gradient from per-channel sums; tfjs's FusedBatchNorm gradient tiles and transposes",
  },
];

const originals = new Map<string, KernelConfig | null>();

export function registerWasmTrainingKernels(): void {
  for (const { config } of WASM_TRAINING_KERNELS) {
    const current = getKernel(config.kernelName, "wasm");
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (!originals.has(config.kernelName)) originals.set(config.kernelName, current ?? null);
    // Unregister first: registerKernel would warn about a duplicate.
    if (current !== undefined) unregisterKernel(config.kernelName, "wasm");
    registerKernel(config);
  }
}

/** Puts back what tfjs-backend-wasm registered (for before/after measurements). */
export function restoreOriginalWasmKernels(): void {
  for (const [name, original] of originals) {
    if (getKernel(name, "wasm") !== undefined) unregisterKernel(name, "wasm");
    if (original === null) continue;
    registerKernel(original);
    // A backend runs its kernels' setup functions when it starts; ours replaced this
    // one before that, so it never ran (it binds the wasm function it calls).
    const backend = findBackend("wasm");
    if (backend !== null) original.setupFunc?.(backend);
  }
  originals.clear();
}
