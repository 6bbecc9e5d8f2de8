// A small convnet for CPU-sized runs, the same network as torch_reference.py's
// `convnet` so benchmarks compare like with like: 3x3 convolutions (first stride 1,
// the rest stride 2, padding 1, no bias) each followed by ReLU, global average
// pooling, then a bias-free linear map to featureDim. No batch norm.
import type { Tensor2D, Tensor4D } from "@tensorflow/tfjs-core";
import type { ConvNetIR } from "../../ir/types.js";
import type { Rng } from "../rng.js";
import type { Backbone, TfCore } from "./backbone.js";
import { conv, globalAvgPool, linear, VariableStore } from "./layers.js";

export function buildConvNet(tf: TfCore, ir: ConvNetIR, inputShape: [number, number, number], rng: Rng): Backbone {
  if (ir.channels.length === 0) throw new Error("convnet needs at least one convolution");
  const store = new VariableStore(tf);
  let cin = inputShape[2];
  const convs = ir.channels.map((cout, i) => {
    const c = conv(store, rng, `conv${i + 1}`, 3, cin, cout, i === 0 ? 1 : 2);
    cin = cout;
    return c;
  });
  const fc = linear(store, rng, "fc", cin, ir.featureDim, false);
  return {
    params: store.named.map((p) => p.variable),
    named: store.named,
    featureDim: ir.featureDim,
    forward(x) {
      // No batch norm: train and eval modes compute the same function.
      return tf.tidy(() => {
        let h: Tensor4D = x;
        for (const c of convs) h = tf.relu(c.apply(h));
        return fc.apply(globalAvgPool(tf, h));
      });
    },
    getState: () => store.getState(),
    setState: (s) => store.setState(s),
    dispose: () => store.dispose(),
  };
}
