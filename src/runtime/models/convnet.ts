// A small convnet for CPU-sized runs: 3x3 convolutions (first stride 1, the rest
// stride 2, padding 1, no bias), each followed by batch norm (torch BatchNorm2d, the
// ResNet's layer from layers.ts) when `batchNorm` is on, then ReLU; global average
// pooling, then a bias-free linear map to featureDim. With `batchNorm = false` it is
// the same network as torch_reference.py's `convnet` (benchmarks compare like with like).
import type { Tensor4D } from "@tensorflow/tfjs-core";
import type { ConvNetIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import type { Backbone } from "./backbone.js";
import type { Tf } from "../methods/tf.js";
import { batchNorm, conv, globalAvgPool, linear, VariableStore, type BatchNorm, type Conv } from "./layers.js";

export function buildConvNet(tf: Tf, ir: ConvNetIR, inputShape: [number, number, number], rng: Rng): Backbone {
  if (ir.channels.length === 0) throw new Error("convnet needs at least one convolution");
  const store = new VariableStore(tf);
  let cin = inputShape[2];
  const layers = ir.channels.map((cout, i): { conv: Conv; bn: BatchNorm | null } => {
    const c = conv(store, rng, `conv${i + 1}`, 3, cin, cout, i === 0 ? 1 : 2);
    const bn = ir.batchNorm ? batchNorm(store, `bn${i + 1}`, cout) : null;
    cin = cout;
    return { conv: c, bn };
  });
  const fc = linear(store, rng, "fc", cin, ir.featureDim, false);
  return {
    params: store.named.map((p) => p.variable),
    named: store.named,
    featureDim: ir.featureDim,
    forward(x, training) {
      // With batch norm, training mode normalises with the batch's statistics (and
      // updates the running ones), eval mode with the running ones; without it both
      // modes compute the same function.
      return tf.tidy(() => {
        let h: Tensor4D = x;
        for (const l of layers) {
          const y = l.conv.apply(h);
          h = l.bn === null ? tf.relu(y) : l.bn.applyRelu(y, training);
        }
        return fc.apply(globalAvgPool(tf, h));
      });
    },
    getState: () => store.getState(),
    setState: (s) => store.setState(s),
    dispose: () => store.dispose(),
  };
}
