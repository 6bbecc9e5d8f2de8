// The batch-size bound on a WebGPU device: the largest activation of each backbone and
// the most images per view that one shader binding holds.
import { describe, expect, it } from "vitest";
import { largestActivationBytes, largestBatchFor } from "../../../src/runtime/backend/limits.js";

describe("largest activation", () => {
  it("ResNet-18: 64 channels at the input's size with the CIFAR stem, halved with the ImageNet stem", () => {
    expect(largestActivationBytes({ name: "resnet18", stem: "cifar" }, [32, 32, 3])).toBe(32 * 32 * 64 * 4);
    expect(largestActivationBytes({ name: "resnet18", stem: "imagenet" }, [224, 224, 3])).toBe(112 * 112 * 64 * 4);
  });

  it("convnet: its first (stride-1) convolution, or the input when that is wider", () => {
    expect(largestActivationBytes({ name: "convnet", channels: [16, 32] }, [28, 28, 1])).toBe(28 * 28 * 16 * 4);
    expect(largestActivationBytes({ name: "convnet", channels: [2] }, [8, 8, 3])).toBe(8 * 8 * 3 * 4);
  });

  it("the batch that fits: lavapipe's 128 MiB binding holds 512 CIFAR views of ResNet-18; the smaller limit counts", () => {
    const lavapipe = { maxBufferSize: 2 ** 32 - 1, maxStorageBufferBindingSize: 2 ** 27 };
    expect(largestBatchFor(lavapipe, { name: "resnet18", stem: "cifar" }, [32, 32, 3])).toBe(512);
    expect(largestBatchFor({ maxBufferSize: 2 ** 26, maxStorageBufferBindingSize: 2 ** 30 }, { name: "resnet18", stem: "cifar" }, [32, 32, 3])).toBe(256);
  });
});
