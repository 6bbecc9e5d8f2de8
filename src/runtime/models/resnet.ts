// ResNet-18 (basic blocks [2, 2, 2, 2], 64/128/256/512 channels) with solo-learn's
// CIFAR stem: a 3x3 stride-1 first convolution and no max-pool. The `imagenet` stem
// (7x7 stride 2 + 3x3 max-pool) is here for larger images. Output: global average
// pooled 512-d features (the classifier head is replaced by the method's projector).
import type { Tensor4D, Tensor2D } from "@tensorflow/tfjs-core";
import type { ResNet18IR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import type { Backbone } from "./backbone.js";
import type { Tf } from "../methods/tf.js";
import { addRelu } from "./batch-norm-train.js";
import { batchNorm, conv, globalAvgPool, linear, VariableStore, type BatchNorm, type Conv } from "./layers.js";

interface BasicBlock {
  apply(x: Tensor4D, training: boolean): Tensor4D;
}

function basicBlock(store: VariableStore, rng: Rng, name: string, cin: number, cout: number, stride: number): BasicBlock {
  const tf = store.tf;
  const conv1 = conv(store, rng, `${name}.conv1`, 3, cin, cout, stride);
  const bn1 = batchNorm(store, `${name}.bn1`, cout);
  const conv2 = conv(store, rng, `${name}.conv2`, 3, cout, cout, 1);
  const bn2 = batchNorm(store, `${name}.bn2`, cout);
  let shortcut: { conv: Conv; bn: BatchNorm } | null = null;
  if (stride !== 1 || cin !== cout) {
    shortcut = {
      conv: conv(store, rng, `${name}.downsample.0`, 1, cin, cout, stride),
      bn: batchNorm(store, `${name}.downsample.1`, cout),
    };
  }
  return {
    apply(x, training) {
      // Fused BN+ReLU and Add+ReLU: each keeps one activation for the gradient
      // where the separate ops kept two or three (see batch-norm-train.ts).
      const h = bn1.applyRelu(conv1.apply(x), training);
      const y = bn2.apply(conv2.apply(h), training);
      const s = shortcut === null ? x : shortcut.bn.apply(shortcut.conv.apply(x), training);
      return training ? addRelu(tf, y, s) : (tf.relu(tf.add(y, s)) as Tensor4D);
    },
  };
}

export const RESNET18_WIDTHS = [64, 128, 256, 512] as const;

export function buildResNet18(tf: Tf, ir: ResNet18IR, inputShape: [number, number, number], rng: Rng): Backbone {
  const store = new VariableStore(tf);
  const [, , channels] = inputShape;
  const cifar = ir.stem === "cifar";
  const stem = conv(store, rng, "conv1", cifar ? 3 : 7, channels, 64, cifar ? 1 : 2);
  const stemBn = batchNorm(store, "bn1", 64);
  const blocks: BasicBlock[] = [];
  let cin = 64;
  RESNET18_WIDTHS.forEach((width, i) => {
    for (let b = 0; b < 2; b++) {
      const stride = i > 0 && b === 0 ? 2 : 1;
      blocks.push(basicBlock(store, rng, `layer${i + 1}.${b}`, cin, width, stride));
      cin = width;
    }
  });
  // solo-learn's ResNet-18 has 512-d features; another featureDim adds a linear map.
  const head = ir.featureDim === 512 ? null : linear(store, rng, "fc", 512, ir.featureDim, false);

  return {
    params: store.named.map((p) => p.variable),
    named: store.named,
    featureDim: ir.featureDim,
    forward(x, training) {
      return tf.tidy(() => {
        let h = stemBn.applyRelu(stem.apply(x), training);
        if (!cifar) h = tf.maxPool(h, 3, 2, 1) as Tensor4D; // torch: MaxPool2d(3, 2, padding=1)
        // A scope per block frees each block's temporaries as soon as it is done,
        // not at the end of the whole forward pass (what the gradient needs is
        // kept by the tape regardless): at 2x64 views that is about 1 GB of heap.
        for (const block of blocks) {
          const input = h;
          h = tf.tidy(() => block.apply(input, training));
        }
        const f: Tensor2D = globalAvgPool(tf, h);
        return head === null ? f : head.apply(f);
      });
    },
    getState: () => store.getState(),
    setState: (s) => store.setState(s),
    dispose: () => store.dispose(),
  };
}
