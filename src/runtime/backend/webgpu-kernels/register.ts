// Registers our training kernels for the 'webgpu' backend: training-mode batch norm and
// its gradient as WGSL programs (batch-norm.ts). Idempotent. ADAINF_WEBGPU_FUSED_BN=0
// leaves them out, so batch norm runs as composed tfjs ops: the device check measures
// a step both ways (docs/gpu.md), which decides whether they pay on a real GPU.
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from "@tensorflow/tfjs-core";
import { webgpuBatchNormTrainConfig, webgpuBatchNormTrainGradConfig } from "./batch-norm.js";

export const WEBGPU_TRAINING_KERNELS: ReadonlyArray<{ config: KernelConfig; why: string }> = [
  {
    config: webgpuBatchNormTrainConfig,
    why: "composed, training batch norm is ~8 dispatches and transposes x for each per-channel reduction; here 4 dispatches, x read twice",
  },
  {
    config: webgpuBatchNormTrainGradConfig,
    why: "composed, its gradient is ~14 dispatches with activation-sized temporaries; here 4, from per-channel sums",
  },
];

/** Whether the environment asks for composed batch norm instead (for measurements). */
export function fusedBatchNormWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env["ADAINF_WEBGPU_FUSED_BN"] !== "0";
}

export function registerWebGpuTrainingKernels(): void {
  if (!fusedBatchNormWanted()) return;
  for (const { config } of WEBGPU_TRAINING_KERNELS) {
    const current = getKernel(config.kernelName, "webgpu");
    if (current?.kernelFunc === config.kernelFunc) continue;
    if (current !== undefined) unregisterKernel(config.kernelName, "webgpu");
    registerKernel(config);
  }
}

/** Removes them again (tests compare against the composed ops). */
export function unregisterWebGpuTrainingKernels(): void {
  for (const { config } of WEBGPU_TRAINING_KERNELS) {
    if (getKernel(config.kernelName, "webgpu") !== undefined) unregisterKernel(config.kernelName, "webgpu");
  }
}
