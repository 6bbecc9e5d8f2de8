// Picks the fastest TensorFlow.js backend installed here, in the order
// tfjs-node-gpu (CUDA) -> tfjs-node (libtensorflow) -> wasm (XNNPACK) -> cpu (plain JS).
// Every tfjs import is dynamic: this module may be loaded by the CLI, and `check` /
// `lint` must never pay tfjs's start-up cost.
//
// One engine: all our code uses the `tf` this function returns, which is always
// `@tensorflow/tfjs-core` as *we* resolve it. tfjs-node re-exports @tensorflow/tfjs,
// which depends on tfjs-core; npm normally dedupes that to the same copy. Even when
// it does not, tfjs-core keeps its engine and kernel registry on the global object
// (`_tfengine`, `kernelRegistry`), so a second copy registers its 'tensorflow'
// backend into the same engine. We check that and say so in the description.
import { UserError, EXIT_USAGE } from "../../cli/context.js";

export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
export type TfCore = typeof import("@tensorflow/tfjs-core");

export interface SelectedBackend {
  /** Which of our names was picked. */
  name: BackendName;
  /** The tfjs-core module every caller must use for tensors and ops. */
  tf: TfCore;
  /** One line for the user: what runs and how. */
  description: string;
}

/** Auto-selection order, fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

interface BackendSpec {
  /** npm package that provides it. */
  pkg: string;
  /** tfjs's own name for the backend it registers. */
  tfName: string;
  /** What to tell a user who forced it without having it. */
  install: string;
}

const SPECS: Record<BackendName, BackendSpec> = {
  "tensorflow-gpu": {
    pkg: "@tensorflow/tfjs-node-gpu",
    tfName: "tensorflow",
    install:
      "npm install @tensorflow/tfjs-node-gpu (Linux x64 with CUDA 11.2 + cuDNN 8.1; its install script downloads libtensorflow, so it needs network access)",
  },
  tensorflow: {
    pkg: "@tensorflow/tfjs-node",
    tfName: "tensorflow",
    install: "npm install @tensorflow/tfjs-node (its install script downloads libtensorflow, so it needs network access)",
  },
  wasm: {
    pkg: "@tensorflow/tfjs-backend-wasm",
    tfName: "wasm",
    install: "npm install @tensorflow/tfjs-backend-wasm",
  },
  cpu: {
    pkg: "@tensorflow/tfjs-backend-cpu",
    tfName: "cpu",
    install: "npm install @tensorflow/tfjs-backend-cpu",
  },
};

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_ORDER as readonly string[]).includes(s);
}

/** A forced backend that cannot load: a user error (one line, no stack). */
export class BackendUnavailableError extends UserError {
  constructor(
    readonly backend: BackendName,
    reason: string,
  ) {
    super(`backend '${backend}' is not available: ${reason}. To use it: ${SPECS[backend].install}`, EXIT_USAGE);
    this.name = "BackendUnavailableError";
  }
}

/**
 * Loads and activates a backend. With `preferred`, only that one (failing with a
 * BackendUnavailableError saying what to install); without, the first of
 * BACKEND_ORDER that loads.
 */
export async function selectBackend(preferred?: BackendName): Promise<SelectedBackend> {
  const tf = await import("@tensorflow/tfjs-core");
  // tfjs-node's bundle registers its own gradients; the others need ours.
  const { registerTfjsGradients } = await import("./gradients.js");
  await registerTfjsGradients(tf);
  if (preferred !== undefined) {
    const result = await tryBackend(tf, preferred);
    if (typeof result === "string") throw new BackendUnavailableError(preferred, result);
    return result;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    const result = await tryBackend(tf, name);
    if (typeof result !== "string") {
      if (skipped.length > 0) result.description += ` (skipped: ${skipped.join("; ")})`;
      return result;
    }
    skipped.push(`${name}: ${result}`);
  }
  throw new UserError(`no TensorFlow.js backend could start: ${skipped.join("; ")}`);
}

/** The backend, or a one-line reason why it cannot run here. */
async function tryBackend(tf: TfCore, name: BackendName): Promise<SelectedBackend | string> {
  const spec = SPECS[name];
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec.pkg)) as Record<string, unknown>;
  } catch (e) {
    return isNotFound(e, spec.pkg) ? `${spec.pkg} is not installed` : `${spec.pkg} failed to load (${firstLine(e)})`;
  }
  try {
    if (name === "wasm") {
      // Before the backend starts: our kernels need no setup, but registering them
      // first means the very first gradient already uses them.
      const { registerWasmTrainingKernels } = await import("./wasm-kernels/register.js");
      registerWasmTrainingKernels();
    }
    const ok = await tf.setBackend(spec.tfName);
    if (!ok) return `tfjs could not initialise its '${spec.tfName}' backend`;
    await tf.ready();
  } catch (e) {
    return `its '${spec.tfName}' backend failed to start (${firstLine(e)})`;
  }
  return { name, tf, description: describe(tf, name, mod) };
}

function describe(tf: TfCore, name: BackendName, mod: Record<string, unknown>): string {
  switch (name) {
    case "tensorflow-gpu":
    case "tensorflow": {
      const engine = mod["engine"];
      const shared = typeof engine === "function" && engine() === tf.engine();
      const kind = name === "tensorflow-gpu" ? "libtensorflow with CUDA" : "libtensorflow on the CPU";
      return `${name} (${kind}${shared ? "" : "; warning: a second tfjs-core copy, engine not shared"})`;
    }
    case "wasm": {
      const simd = tf.env().getBool("WASM_HAS_SIMD_SUPPORT");
      const threads = typeof mod["getThreadsCount"] === "function" ? (mod["getThreadsCount"] as () => number)() : 1;
      return `wasm (XNNPACK${simd ? ", SIMD" : ""}, ${threads} thread${threads === 1 ? "" : "s"}, our convolution-gradient kernels)`;
    }
    case "cpu":
      return "cpu (plain JavaScript kernels: slow, for tests and tiny runs)";
  }
}

function isNotFound(e: unknown, pkg: string): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && msg.includes(pkg);
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? msg;
}
