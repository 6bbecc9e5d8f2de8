// The batch-size bound on a WebGPU device: the largest activation of each backbone and
// the most images per view that one shader binding holds, and the evaluation batch that fits.
import { describe, expect, it } from "vitest";
import { evalBatchFor, largestActivationBytes, largestBatchFor } from "../../../src/runtime/backend/limits.js";

describe("largest activation", () => {
  it("ResNet-18: 64 channels at the input's size with the CIFAR stem, halved with the ImageNet stem", () => {
    expect(largestActivationBytes({ name: "resnet18", stem: "cifar" }, [32, 32, 3])).toBe(32 * 32 * 64 * 4);
    expect(largestActivationBytes({ name: "resnet18", stem: "imagenet" }, [224, 224, 3])).toBe(112 * 112 * 64 * 4);
  });

  it("convnet: its first (stride-1) convolution, or the input when that is wider", () => {
    expect(largestActivationBytes({ name: "convnet", channels: [16, 32] }, [28, 28, 1])).toBe(28 * 28 * 16 * 4);
    expect(largestActivationBytes({ name: "convnet", channels: [2] }, [8, 8, 3])).toBe(8 * 8 * 3 * 4);
  });

  it("convnet: a later (stride-2) layer more than 4x wider than the one before it is the largest", () => {
    expect(largestActivationBytes({ name: "convnet", channels: [4, 64] }, [32, 32, 3])).toBe(16 * 16 * 64 * 4);
    // odd sizes round up at each stride-2 layer (padding 1): 9 -> 5 -> 3
    expect(largestActivationBytes({ name: "convnet", channels: [1, 2, 64] }, [9, 9, 1])).toBe(3 * 3 * 64 * 4);
  });

  it("the batch that fits: lavapipe's 128 MiB binding holds 512 CIFAR views of ResNet-18; the smaller limit counts", () => {
    const lavapipe = { maxBufferSize: 2 ** 32 - 1, maxStorageBufferBindingSize: 2 ** 27 };
    expect(largestBatchFor(lavapipe, { name: "resnet18", stem: "cifar" }, [32, 32, 3])).toBe(512);
    expect(largestBatchFor({ maxBufferSize: 2 ** 26, maxStorageBufferBindingSize: 2 ** 30 }, { name: "resnet18", stem: "cifar" }, [32, 32, 3])).toBe(256);
  });
});

describe("the evaluation batch", () => {
  const lavapipe = { maxBufferSize: 2 ** 32 - 1, maxStorageBufferBindingSize: 2 ** 27 };
  it("is the preferred size where it fits, fewer where it does not, 0 when one image is too large, the preferred size off a GPU", () => {
    expect(evalBatchFor(lavapipe, { name: "resnet18", stem: "cifar" }, [32, 32, 3], 256)).toBe(256);
    expect(evalBatchFor(lavapipe, { name: "resnet18", stem: "cifar" }, [64, 64, 3], 256)).toBe(128);
    expect(evalBatchFor(lavapipe, { name: "resnet18", stem: "cifar" }, [2048, 2048, 3], 256)).toBe(0);
    expect(evalBatchFor(null, { name: "resnet18", stem: "cifar" }, [2048, 2048, 3], 256)).toBe(256);
  });
});
