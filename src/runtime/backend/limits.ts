// What bounds the batch size on a WebGPU device: one tensor must fit in one buffer that
// one shader can bind (maxStorageBufferBindingSize, 128 MiB on lavapipe, GiBs on a large
// GPU). The largest tensor of a step is the backbone's largest activation (and its
// gradient, the same size): ResNet-18's stem output (64 channels at the input's H x W
// with the CIFAR stem), a convnet's widest layer for its size. This module computes that
// size from the backbone's IR, and the batches (training, evaluation) that fit.
import type { ConvNetIR, ResNet18IR } from "../../ir/types.js";

export interface BufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** Bytes of the largest tensor one shader can read or write: it must fit one buffer and one binding. */
export function bindableBytes(limits: BufferLimits): number {
  return Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
}

/** The part of a backbone's IR that sets its activation sizes. */
export type BackboneShapeIR = Pick<ResNet18IR, "name" | "stem"> | Pick<ConvNetIR, "name" | "channels">;

/** Bytes of the largest float32 activation one image of shape [H, W, C] makes in the backbone. */
export function largestActivationBytes(backbone: BackboneShapeIR, shape: readonly [number, number, number]): number {
  const [h, w, c] = shape;
  const input = h * w * c;
  if (backbone.name === "convnet") {
    // 3x3 convolutions, padding 1: the first at stride 1, each later one at stride 2
    // (ceil(h / 2)); a layer more than 4x wider than the one before it is the larger.
    let largest = input;
    let [lh, lw] = [h, w];
    backbone.channels.forEach((cout, i) => {
      if (i > 0) [lh, lw] = [Math.ceil(lh / 2), Math.ceil(lw / 2)];
      largest = Math.max(largest, lh * lw * cout);
    });
    return 4 * largest;
  }
  // resnet18: the stem's 64 channels, at full resolution (cifar) or halved (imagenet, stride 2).
  const full = backbone.stem === "cifar";
  return 4 * Math.max(input, (full ? h : Math.ceil(h / 2)) * (full ? w : Math.ceil(w / 2)) * 64);
}

/** The most images per view whose largest activation fits the device's limits. */
export function largestBatchFor(limits: BufferLimits, backbone: BackboneShapeIR, shape: readonly [number, number, number]): number {
  return Math.floor(bindableBytes(limits) / largestActivationBytes(backbone, shape));
}

/**
 * Images per evaluation batch (features in eval mode: the batch size changes nothing but
 * memory): `preferred`, or fewer where the device cannot bind that many at this image
 * size; 0 when not even one image fits. No limits (not a GPU): `preferred`.
 */
export function evalBatchFor(limits: BufferLimits | null, backbone: BackboneShapeIR, shape: readonly [number, number, number], preferred: number): number {
  return limits === null ? preferred : Math.min(preferred, largestBatchFor(limits, backbone, shape));
}
