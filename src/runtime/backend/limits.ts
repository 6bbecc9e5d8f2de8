// What bounds the batch size on a WebGPU device: one tensor must fit in one buffer that
// one shader can bind (maxStorageBufferBindingSize, 128 MiB on lavapipe, GiBs on a large
// GPU). The largest tensor of a step is the backbone's first full-resolution activation
// (and its gradient, the same size): ResNet-18's CIFAR stem keeps 64 channels at the
// input's H x W through layer1. This module computes that size from the backbone's IR.
import type { ConvNetIR, ResNet18IR } from "../../ir/types.js";

export interface BufferLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** The part of a backbone's IR that sets its activation sizes. */
export type BackboneShapeIR = Pick<ResNet18IR, "name" | "stem"> | Pick<ConvNetIR, "name" | "channels">;

/** Bytes of the largest float32 activation one image of shape [H, W, C] makes in the backbone. */
export function largestActivationBytes(backbone: BackboneShapeIR, shape: readonly [number, number, number]): number {
  const [h, w, c] = shape;
  const input = h * w * c;
  if (backbone.name === "convnet") return 4 * Math.max(input, h * w * (backbone.channels[0] ?? 0));
  // resnet18: the stem's 64 channels, at full resolution (cifar) or halved (imagenet, stride 2).
  const full = backbone.stem === "cifar";
  return 4 * Math.max(input, (full ? h : Math.ceil(h / 2)) * (full ? w : Math.ceil(w / 2)) * 64);
}

/** The most images per view whose largest activation fits the device's limits. */
export function largestBatchFor(limits: BufferLimits, backbone: BackboneShapeIR, shape: readonly [number, number, number]): number {
  const cap = Math.min(limits.maxBufferSize, limits.maxStorageBufferBindingSize);
  return Math.floor(cap / largestActivationBytes(backbone, shape));
}
