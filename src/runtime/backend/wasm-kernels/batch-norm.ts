// The fused batch-norm training kernels for wasm (contracts in ../batch-norm-kernels.ts).
// They replace, for training, tf.moments + FusedBatchNorm and tfjs's FusedBatchNorm
// gradient, whose Tile and Sum kernels took more time on wasm than the convolutions
// of a ResNet-18 step, and whose tiled temporaries (several activation-sized tensors
// per layer) pushed a 2x64-view step past the 4 GB wasm heap. The loops run as SIMD
// WebAssembly in place on the heap (train-wasm.ts) or, without it, as their TypeScript
// twins in batch-norm-math.ts; both give the same bits.
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, refuseEmptyBatch, type BatchNormTrainAttrs } from "../batch-norm-kernels.js";
import { channelMoments, normalize, normalizeGrad } from "./batch-norm-math.js";
import { alloc, free, view, type BackendWasm } from "./heap.js";
import { address, SCRATCH_F64_PER_CHANNEL, trainKernels } from "./train-wasm.js";

function channels(x: TensorInfo): number {
  const c = x.shape[x.shape.length - 1];
  if (c === undefined || c === 0) throw new Error(`batch norm: input of shape [${x.shape.join(", ")}] has no channels`);
  return c;
}

function sizeOf(x: TensorInfo): number {
  return x.shape.reduce((a, b) => a * b, 1);
}

/** `outputs` once `body` has written them; when it throws, they are freed before the error goes on. */
function filled(backend: BackendWasm, outputs: TensorInfo[], body: () => void): TensorInfo[] {
  try {
    body();
    return outputs;
  } catch (e) {
    free(backend, ...outputs);
    throw e;
  }
}

/** `body` given the heap address of `float64s` float64 of scratch, freed however `body` ends. */
function withScratch(backend: BackendWasm, float64s: number, body: (scratch: number) => void): void {
  const scratch = alloc(backend, [2 * float64s]); // two float32 a float64
  try {
    body(address(backend, scratch));
  } finally {
    free(backend, scratch);
  }
}

function batchNormTrain(args: {
  inputs: { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
  backend: BackendWasm;
  attrs: BatchNormTrainAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, scale, offset } = inputs;
  refuseEmptyBatch(x.shape);
  const c = channels(x);
  const y = alloc(backend, [...x.shape]);
  const mean = alloc(backend, [c]);
  const variance = alloc(backend, [c]);
  return filled(backend, [y, mean, variance], () => {
    const k = trainKernels(backend);
    if (k !== null) {
      const m = sizeOf(x) / c;
      const at = (t: TensorInfo): number => address(backend, t);
      const perChannel = Math.max(SCRATCH_F64_PER_CHANNEL.channelMoments, SCRATCH_F64_PER_CHANNEL.normalize);
      withScratch(backend, perChannel * c, (scratch) => {
        k.channelMoments(at(x), m, c, at(mean), at(variance), scratch);
        k.normalize(at(x), m, c, at(mean), at(variance), at(scale), at(offset), attrs.varianceEpsilon, attrs.relu ? 1 : 0, at(y), scratch);
      });
      return;
    }
    // Views only after the allocations: a heap growth detaches earlier ones.
    const xv = view(backend, x);
    const mv = view(backend, mean);
    const vv = view(backend, variance);
    channelMoments(xv, c, mv, vv);
    normalize(xv, c, mv, vv, view(backend, scale), view(backend, offset), attrs.varianceEpsilon, attrs.relu, view(backend, y));
  });
}

function batchNormTrainGrad(args: {
  inputs: { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; variance: TensorInfo; scale: TensorInfo; y: TensorInfo };
  backend: BackendWasm;
  attrs: BatchNormTrainAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { dy, x, mean, variance, scale, y } = inputs;
  const c = channels(x);
  const dx = alloc(backend, [...x.shape]);
  const dscale = alloc(backend, [c]);
  const doffset = alloc(backend, [c]);
  return filled(backend, [dx, dscale, doffset], () => {
    const k = trainKernels(backend);
    if (k !== null) {
      const at = (t: TensorInfo): number => address(backend, t);
      withScratch(backend, SCRATCH_F64_PER_CHANNEL.normalizeGrad * c, (scratch) =>
        k.normalizeGrad(
          at(dy),
          at(x),
          sizeOf(x) / c,
          c,
          at(mean),
          at(variance),
          at(scale),
          attrs.varianceEpsilon,
          attrs.relu ? at(y) : 0,
          at(dx),
          at(dscale),
          at(doffset),
          scratch,
        ),
      );
      return;
    }
    normalizeGrad(
      view(backend, dy),
      view(backend, x),
      c,
      view(backend, mean),
      view(backend, variance),
      view(backend, scale),
      attrs.varianceEpsilon,
      attrs.relu ? view(backend, y) : null,
      view(backend, dx),
      view(backend, dscale),
      view(backend, doffset),
    );
  });
}

export const batchNormTrainConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAIN,
  backendName: "wasm",
  kernelFunc: batchNormTrain as unknown as KernelFunc,
};

export const batchNormTrainGradConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName: "wasm",
  kernelFunc: batchNormTrainGrad as unknown as KernelFunc,
};
