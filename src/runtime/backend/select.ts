// Picks the fastest TensorFlow.js backend installed here, in the order
// tfjs-node-gpu (CUDA) -> webgpu (Dawn, only on a hardware adapter) -> tfjs-node
// (libtensorflow) -> wasm (XNNPACK) -> cpu (plain JS). A forced backend is taken as it
// is (webgpu on a software adapter too) or refused with what to install. A name that
// is no backend, a wasm thread count out of range and a bad ADAINF_TFJS_FLAGS are usage
// errors (BackendError, kind "usage"), never a reason to skip a backend.
// Every tfjs import is dynamic: this module may be loaded by the CLI, and `check` /
// `lint` must never pay tfjs's start-up cost.
//
// One engine: all our code uses the `tf` this function returns, which is always
// `@tensorflow/tfjs-core` as *we* resolve it. tfjs-node re-exports @tensorflow/tfjs,
// which depends on tfjs-core; npm normally dedupes that to the same copy. Even when
// it does not, tfjs-core keeps its engine and kernel registry on the global object
// (`_tfengine`, `kernelRegistry`), so a second copy registers its 'tensorflow'
// backend into the same engine. We check that and say so in the description.
import { createRequire } from "node:module";
import { BackendError } from "./errors.js";
import { isThreadCount, MAX_WASM_THREADS, threadCountMessage } from "../thread-limits.js";
import type { Tf } from "../methods/tf.js";

import {
  adapterLine,
  DAWN_NOT_INSTALLED,
  DAWN_PKG,
  installWebGpuGlobals,
  probeWebGpu,
  probeWebGpuIsolated,
  releaseWebGpu,
  webGpuLoaded,
  type WebGpuAdapterInfo,
} from "./webgpu.js";

export type BackendName = "tensorflow-gpu" | "webgpu" | "tensorflow" | "wasm" | "cpu";

export interface SelectedBackend {
  /** Which of our names was picked. */
  name: BackendName;
  /** The tfjs-core module every caller must use for tensors and ops. */
  tf: Tf;
  /** One line for the user: what runs and how. */
  description: string;
  /** The WebGPU adapter (webgpu only). */
  adapter?: WebGpuAdapterInfo;
}

/** Auto-selection order, fastest first. */
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow-gpu", "webgpu", "tensorflow", "wasm", "cpu"];

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
  webgpu: {
    pkg: "@tensorflow/tfjs-backend-webgpu",
    tfName: "webgpu",
    install:
      "npm install webgpu @tensorflow/tfjs-backend-webgpu, and a Vulkan driver (Linux: the GPU's own; without a GPU, Mesa >= 25 lavapipe: .ci/install-webgpu)",
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

/** Why Dawn's null backend is refused (everywhere but the step benchmark). */
const NULL_ADAPTER_REASON =
  "ADAINF_DAWN_FLAGS selects Dawn's null backend (\"backend=null\"), which computes nothing: only `adainfc bench step` measures on it (the host's share of a step); unset it to train on the GPU";

/** The --backend choices as help text: "tensorflow-gpu | webgpu | ...". */
export const BACKEND_CHOICES = BACKEND_ORDER.join(" | ");

/** --backend's help for commands that pick the fastest backend by default. */
export const BACKEND_HELP = `${BACKEND_CHOICES} (default: the fastest installed; webgpu only on a hardware GPU)`;

/** The usage error for a --backend value that names no backend. */
export function unknownBackendMessage(s: string): string {
  return `--backend must be one of ${BACKEND_ORDER.join(", ")}, not '${s}'`;
}

/**
 * A forced backend that cannot load: a usage error (one line, no stack). What to install
 * follows unless the reason already says what to do (webgpu without an adapter: the
 * packages are there, the driver is not).
 */
export class BackendUnavailableError extends BackendError {
  constructor(
    readonly backend: BackendName,
    reason: string,
  ) {
    const hint = installHint(backend, reason);
    super(`backend '${backend}' is not available: ${reason}${hint === null ? "" : `. To use it: ${hint}`}`, "usage");
    this.name = "BackendUnavailableError";
  }
}

/** What to install for a backend that cannot run for `reason`; null when the reason says what to do already. */
function installHint(name: BackendName, reason: string): string | null {
  return /\.ci\/install-webgpu|VK_DRIVER_FILES|ADAINF_DAWN_FLAGS/.test(reason) ? null : SPECS[name].install;
}

/**
 * A forced backend whose npm package is not installed, known without loading anything
 * (the package is resolved, not imported): the error selectBackend would throw, so that
 * a command can refuse the flag before heavy work. Null when its packages resolve (it may
 * still fail to start: selectBackend says why).
 */
export function missingBackendPackage(name: BackendName): BackendUnavailableError | null {
  for (const pkg of name === "webgpu" ? [DAWN_PKG, SPECS.webgpu.pkg] : [SPECS[name].pkg]) {
    try {
      createRequire(import.meta.url).resolve(pkg);
    } catch {
      return new BackendUnavailableError(name, pkg === DAWN_PKG ? DAWN_NOT_INSTALLED : notInstalled(pkg));
    }
  }
  return null;
}

/** Why a backend cannot run when its package is missing. */
function notInstalled(pkg: string): string {
  return `${pkg} is not installed`;
}

/** Why a backend's package cannot be imported: missing, or failing as it loads. */
function importFailure(e: unknown, pkg: string): string {
  return isNotFound(e, pkg) ? notInstalled(pkg) : `${pkg} failed to load (${firstLine(e)})`;
}

export interface SelectOptions {
  /** Threads for wasm's XNNPACK pool (default 1, the single-threaded build; ./wasm-threads.ts). */
  wasmThreads?: number;
  /** Accept Dawn's null backend (ADAINF_DAWN_FLAGS="backend=null"), which computes nothing: benchmarks of the host's share only. */
  allowNullAdapter?: boolean;
}

/**
 * Loads and activates a backend. With `preferred`, only that one (failing with a
 * BackendUnavailableError saying what to install); without, the first of
 * BACKEND_ORDER that loads.
 */
export async function selectBackend(preferred?: BackendName, options: SelectOptions = {}): Promise<SelectedBackend> {
  if (preferred !== undefined && !isBackendName(preferred)) throw new BackendError(unknownBackendMessage(String(preferred)), "usage");
  if (options.wasmThreads !== undefined && !isThreadCount(options.wasmThreads, MAX_WASM_THREADS)) {
    throw new BackendError(threadCountMessage("wasmThreads", options.wasmThreads, MAX_WASM_THREADS), "usage");
  }
  const tf = await import("@tensorflow/tfjs-core");
  // tfjs-node's bundle registers its own gradients; the others need ours.
  const { registerTfjsGradients } = await import("./gradients.js");
  await registerTfjsGradients(tf);
  if (preferred !== undefined) {
    const result = await tryBackend(tf, preferred, options);
    if (typeof result === "string") throw new BackendUnavailableError(preferred, result);
    return result;
  }
  const skipped: string[] = [];
  for (const name of BACKEND_ORDER) {
    const result = await tryBackend(tf, name, options, true);
    if (typeof result !== "string") {
      if (skipped.length > 0) result.description += ` (skipped: ${skipped.join("; ")})`;
      return result;
    }
    skipped.push(`${name}: ${result}`);
  }
  throw new BackendError(`no TensorFlow.js backend could start: ${skipped.join("; ")}`);
}

/** The backend, or a one-line reason why it cannot run here. */
async function tryBackend(tf: Tf, name: BackendName, options: SelectOptions, auto = false): Promise<SelectedBackend | string> {
  const spec = SPECS[name];
  let adapter: WebGpuAdapterInfo | undefined;
  let ours: string[] = [];
  let threadsNote = "";
  let dispatchNote = "";
  if (name === "webgpu") {
    if (auto) {
      // Asked of a child process first: a broken driver cannot take this run down, and
      // with no hardware adapter Dawn never loads here.
      const seen = await probeWebGpuIsolated();
      if (typeof seen === "string") return seen;
      if (seen.nullBackend) return NULL_ADAPTER_REASON;
      if (seen.software) return `only a software adapter (${adapterLine(seen)}), slower than wasm; --backend webgpu uses it anyway`;
    }
    // Before the backend's import: it registers itself only if navigator.gpu exists.
    const probed = await probeWebGpu();
    if (typeof probed === "string") return probed;
    if (probed.nullBackend && (auto || options.allowNullAdapter !== true)) {
      releaseWebGpu();
      return NULL_ADAPTER_REASON;
    }
    if (auto && probed.software) {
      return `only a software adapter (${adapterLine(probed)}), slower than wasm; --backend webgpu uses it anyway`;
    }
    const installed = await installWebGpuGlobals();
    if (typeof installed === "string") return installed;
    adapter = installed;
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(spec.pkg)) as Record<string, unknown>;
  } catch (e) {
    return importFailure(e, spec.pkg);
  }
  try {
    if (name === "wasm") {
      // Before the backend starts: our kernels need no setup, but registering them
      // first means the very first gradient already uses them.
      const { registerWasmTrainingKernels } = await import("./wasm-kernels/register.js");
      registerWasmTrainingKernels();
    }
    if (name === "webgpu") {
      if (tf.findBackendFactory(spec.tfName) === null) {
        return "@tensorflow/tfjs-backend-webgpu did not register (it was imported before navigator.gpu existed)";
      }
      const { activeWebGpuKernels, registerWebGpuTrainingKernels } = await import("./webgpu-kernels/register.js");
      registerWebGpuTrainingKernels();
      ours = activeWebGpuKernels();
    }
    let ok: boolean;
    if (name === "wasm") {
      const { threadedWasmUnavailable, withWasmThreads } = await import("./wasm-threads.js");
      let threads = options.wasmThreads ?? 1;
      const why = threads > 1 ? threadedWasmUnavailable() : null;
      if (why !== null) {
        threadsNote = `; ${threads} threads cannot start here (${why}), so 1`;
        threads = 1;
      }
      ok = await withWasmThreads(tf, mod["setThreadsCount"] as (n: number) => void, threads, () => tf.setBackend(spec.tfName));
    } else {
      ok = await tf.setBackend(spec.tfName);
    }
    if (!ok) return `tfjs could not initialise its '${spec.tfName}' backend`;
    await tf.ready();
    // tfjs's cpu backend prints an "install our node backend" banner at its first tensor;
    // here the cpu backend was chosen (or forced) knowingly, so it is not shown.
    if (name === "cpu") (tf.backend() as { firstUse?: boolean }).firstUse = false;
    applyFlagOverrides(tf, process.env["ADAINF_TFJS_FLAGS"]);
    if (name === "webgpu" && process.env["ADAINF_WEBGPU_FAST_DISPATCH"] !== "0") {
      const { installFastDispatch } = await import("./webgpu-dispatch.js");
      const fast = installFastDispatch(tf.backend());
      dispatchNote = typeof fast === "string" ? `; ${fast}` : "; bind groups and uniforms reused across steps";
    }
  } catch (e) {
    if (name === "webgpu") releaseWebGpu();
    // A bad ADAINF_TFJS_FLAGS is the user's to fix, whichever backend it met: said as it is.
    if (e instanceof BackendError && e.kind === "usage") throw e;
    return `its '${spec.tfName}' backend failed to start (${firstLine(e)})`;
  }
  let description = describe(tf, name, mod, adapter) + threadsNote;
  if (name === "wasm") {
    const { trainKernelsInfo } = await import("./wasm-kernels/train-wasm.js");
    const info = trainKernelsInfo(tf.backend() as never);
    description +=
      info.kernels === "typescript" ? `; training loops in TypeScript (${info.reason})` : `; SIMD training loops in WebAssembly${loopThreads(info)}`;
  }
  if (name === "webgpu") description += `; our kernels: ${ours.length ? ours.join(", ") : "none (tfjs-webgpu's own)"}${dispatchNote}`;
  return { name, tf, description, ...(adapter ? { adapter } : {}) };
}

/** How many threads the started wasm backend's WebAssembly loops use, for its line: nothing on the one-thread build. */
function loopThreads(info: { threads: number; threadsReason?: string }): string {
  if (info.threads > 1) return ` on ${info.threads} threads`;
  return info.threadsReason === undefined ? "" : ` on one thread (${info.threadsReason})`;
}

/**
 * Ends what a backend started beside tfjs: the threads of our wasm training loops, and
 * webgpu's Dawn (whose threads hold the process open while the device lives: tfjs's
 * webgpu backend is removed and Dawn dropped). Call it once the program is done with
 * tensors; wasm's loops still run after it, on one thread.
 */
export async function releaseBackends(): Promise<void> {
  const { releaseTrainThreads } = await import("./wasm-kernels/train-threads.js");
  await releaseTrainThreads();
  if (!webGpuLoaded()) return;
  try {
    const tf = await import("@tensorflow/tfjs-core");
    if (tf.findBackend("webgpu") !== null || tf.findBackendFactory("webgpu") !== null) tf.removeBackend("webgpu");
  } finally {
    releaseWebGpu();
  }
}

/** One line on what an available backend is (webgpu's line is its adapter). */
const SUMMARY: Record<BackendName, string> = {
  "tensorflow-gpu": "libtensorflow with CUDA",
  webgpu: "",
  tensorflow: "libtensorflow on the CPU",
  wasm: "WebAssembly (XNNPACK) with our training kernels",
  cpu: "plain JavaScript kernels: slow, for tests and tiny runs",
};

/** What `adainfc backends` prints: each backend, whether it could run here, and why not. */
export interface BackendStatus {
  name: BackendName;
  available: boolean;
  /** Why not, or what it is. */
  detail: string;
  adapter?: WebGpuAdapterInfo;
}

/**
 * Each backend's availability without starting any (webgpu: the adapter is looked up,
 * no device is made). `auto` is what selectBackend() without a preference would take.
 */
export async function backendStatuses(): Promise<{ statuses: BackendStatus[]; auto: BackendName | null }> {
  const statuses: BackendStatus[] = [];
  let auto: BackendName | null = null;
  for (const name of BACKEND_ORDER) {
    const spec = SPECS[name];
    let available = true;
    let detail = "";
    let adapter: WebGpuAdapterInfo | undefined;
    try {
      // webgpu's package must not be imported before navigator.gpu exists (it would
      // not register): look it up only.
      if (name === "webgpu") createRequire(import.meta.url).resolve(spec.pkg);
      else await import(spec.pkg);
    } catch (e) {
      available = false;
      detail = importFailure(e, spec.pkg);
    }
    if (available && name === "webgpu") {
      // In a child process, as selectBackend's auto choice asks: Dawn's start-up warnings
      // (lavapipe's "artificially reduced" limits, written by native code to fd 2) stay there.
      const probed = await probeWebGpuIsolated();
      if (typeof probed === "string") {
        available = false;
        detail = probed;
      } else {
        adapter = probed;
        detail = adapterLine(probed);
      }
    }
    if (available && detail === "") detail = SUMMARY[name];
    if (available && name === "wasm") {
      const { trainKernelsUnavailable } = await import("./wasm-kernels/train-wasm.js");
      const noSimd = trainKernelsUnavailable();
      detail += noSimd === null ? " (their loops SIMD WebAssembly)" : ` (their loops in TypeScript: ${noSimd})`;
      const { defaultWasmThreads, MAX_WASM_THREADS, threadedWasmUnavailable } = await import("./wasm-threads.js");
      const why = threadedWasmUnavailable();
      const threads = defaultWasmThreads();
      detail +=
        why === null
          ? `; ${threads} thread${threads === 1 ? "" : "s"} for run and eval here${noSimd === null && threads > 1 ? ", XNNPACK's and our loops'" : ""} (one per core, at most ${MAX_WASM_THREADS}: --wasm-threads)`
          : `; one thread (${why})`;
    }
    if (available && auto === null && !(name === "webgpu" && (adapter?.software || adapter?.nullBackend))) auto = name;
    const hint = available ? null : installHint(name, detail);
    if (hint !== null) detail += `; to use it: ${hint}`;
    statuses.push({ name, available, detail, ...(adapter ? { adapter } : {}) });
  }
  return { statuses, auto };
}

function describe(tf: Tf, name: BackendName, mod: Record<string, unknown>, adapter?: WebGpuAdapterInfo): string {
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
      return `wasm (XNNPACK${simd ? ", SIMD" : ""}, ${threads} thread${threads === 1 ? "" : "s"}, our convolution-gradient and batch-norm kernels)`;
    }
    case "webgpu":
      return `webgpu (Dawn on ${adapter ? adapterLine(adapter) : "an unknown adapter"}${adapter?.software ? ": correct but slow, for tests" : ""})`;
    case "cpu":
      return "cpu (plain JavaScript kernels: slow, for tests and tiny runs)";
  }
}

/**
 * ADAINF_TFJS_FLAGS="NAME=value,NAME=value" sets tfjs environment flags after the backend
 * started (for measurements, e.g. WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64). Values are
 * numbers, true or false. A flag tfjs does not know is a usage error.
 */
export function applyFlagOverrides(tf: Tf, spec: string | undefined): void {
  if (!spec) return;
  for (const item of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = item.indexOf("=");
    const name = eq < 0 ? item : item.slice(0, eq).trim();
    const raw = eq < 0 ? "true" : item.slice(eq + 1).trim();
    const value = raw === "true" ? true : raw === "false" ? false : Number(raw);
    if (typeof value === "number" && !Number.isFinite(value)) {
      throw new BackendError(`ADAINF_TFJS_FLAGS: ${name} needs a number, true or false, not '${raw}'`, "usage");
    }
    try {
      tf.env().set(name, value);
    } catch {
      throw new BackendError(`ADAINF_TFJS_FLAGS: tfjs has no flag '${name}' on this backend`, "usage");
    }
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
