// Registers tfjs's gradient functions. They are not in any CommonJS bundle of
// @tensorflow/tfjs-core 4.22 (the union package @tensorflow/tfjs, not installed
// here, registers them from tfjs-core's ES-module sources); without them every
// tf.grad fails with "gradient function not found". Those sources use extensionless
// relative imports in a package without "type": "module", which Node will not load
// as they are; a two-function loader hook (resolve: add ".js"; load: treat as ESM)
// scoped to tfjs-core's dist folder makes them load. They then register into the
// global gradient registry, and their ops run on the one global engine that
// tfjs-core keeps on globalThis, so the registered gradients serve our `tf`.
// Cost: about 450 small modules, ~1 s at start-up of `run` (never of check/lint).
// Two of them are then replaced (registerBroadcastGradients): tfjs's Mean and Sum
// gradients multiply dy by a ones tensor of x's shape, made on the CPU and uploaded at
// every backward pass; ours broadcast dy (the same values).
import { createRequire, register } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import type { GradConfig, NamedAttrMap, Tensor } from "@tensorflow/tfjs-core";
import type { Tf } from "../methods/tf.js";

const HOOKS = `
import { readFile } from "node:fs/promises";
const DIST = "/@tensorflow/tfjs-core/dist/";
const inDist = (url) => typeof url === "string" && url.includes(DIST);
export async function resolve(specifier, context, next) {
  if (inDist(context.parentURL) && /^\\.\\.?\\//.test(specifier) && !specifier.endsWith(".js")) {
    return next(specifier + ".js", context);
  }
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (inDist(url) && url.startsWith("file:") && !url.endsWith(".node.js")) {
    return { format: "module", source: await readFile(new URL(url)), shortCircuit: true };
  }
  return next(url, context);
}
`;

let loading: Promise<void> | null = null;

/** Makes tf.grad work: registers every gradient tfjs-core defines (once per process). */
export function registerTfjsGradients(tf: Tf): Promise<void> {
  if (tf.getGradient("Conv2D") !== undefined) {
    // Registered already (by an earlier call, or by tfjs-node's bundle): ours replace two.
    registerBroadcastGradients(tf);
    return Promise.resolve();
  }
  loading ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
    const core = createRequire(import.meta.url).resolve("@tensorflow/tfjs-core");
    await import(pathToFileURL(join(dirname(core), "register_all_gradients.js")).href);
    if (tf.getGradient("Conv2D") === undefined) {
      throw new Error("tfjs gradients did not register into this tfjs-core's registry");
    }
    registerBroadcastGradients(tf);
  })();
  return loading;
}

/**
 * Mean's and Sum's gradients as tfjs-core 4.22 defines them, except that dy is broadcast
 * to x's shape (tf.broadcastTo: one Tile) where tfjs multiplies it by `ones(x.shape)`: a
 * typed array of ones filled on the CPU, uploaded and multiplied at every backward pass
 * (for ResNet-18's global pooling at 2 x 256 views, 8 MB a step: half the host's time of
 * a webgpu step, measured on Dawn's null backend). Mean divides dy before broadcasting
 * it. On cpu and wasm the bits are the same (x * 1 is exact; the division is the same
 * division per element).
 */
export function registerBroadcastGradients(tf: Tf): void {
  const expandedDy = (dy: Tensor, x: Tensor, attrs: NamedAttrMap): { dy: Tensor; axes: number[] } => {
    const axes = tf.util.parseAxisParam(attrs["axis"] as number | number[], x.shape);
    const shape = x.shape.slice();
    for (const a of axes) shape[a] = 1;
    return { dy: tf.reshape(dy, shape), axes };
  };
  const sum: GradConfig = {
    kernelName: "Sum",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      const derX = tf.broadcastTo(expandedDy(dy as Tensor, x, attrs).dy, x.shape);
      return { x: () => derX };
    },
  };
  const mean: GradConfig = {
    kernelName: "Mean",
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      return {
        x: () => {
          const e = expandedDy(dy as Tensor, x, attrs);
          const reduceSize = e.axes.reduce((n, a) => n * x.shape[a]!, 1);
          return tf.broadcastTo(tf.div(e.dy, reduceSize), x.shape);
        },
      };
    },
  };
  tf.registerGradient(sum);
  tf.registerGradient(mean);
}
