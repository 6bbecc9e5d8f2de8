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
import { createRequire, register } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
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
  if (tf.getGradient("Conv2D") !== undefined) return Promise.resolve();
  loading ??= (async () => {
    register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
    const core = createRequire(import.meta.url).resolve("@tensorflow/tfjs-core");
    await import(pathToFileURL(join(dirname(core), "register_all_gradients.js")).href);
    if (tf.getGradient("Conv2D") === undefined) {
      throw new Error("tfjs gradients did not register into this tfjs-core's registry");
    }
  })();
  return loading;
}
