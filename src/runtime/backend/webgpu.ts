// WebGPU in Node: Dawn's `dawn.node` (npm `webgpu`) under TensorFlow.js's webgpu backend.
//
// tfjs-backend-webgpu registers itself only if `navigator.gpu` exists when it is imported,
// so the order is: load Dawn, find an adapter, install WebGPU's globals and
// `navigator.gpu`, then import the backend. Dawn needs a Vulkan (Linux), Metal or D3D
// driver; on a machine without a GPU, Mesa's lavapipe (software Vulkan, .ci/install-webgpu)
// gives a software adapter: right answers, slow. Auto-selection takes only hardware
// adapters; `--backend webgpu` takes any.
//
// Dawn keeps the process alive while `navigator.gpu` is referenced: releaseWebGpu() drops it.

/** What the user sees of the adapter, and the limits that bound batch size. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (lavapipe, SwiftShader, WARP): correct but slow. */
  software: boolean;
  limits: {
    /** Largest one buffer, in bytes: one tensor. */
    maxBufferSize: number;
    /** Largest buffer one shader may bind, in bytes: the largest tensor a kernel reads or writes. */
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
  };
  features: string[];
}

interface GpuLike {
  requestAdapter(o?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: Record<string, unknown>;
  limits: Record<string, number>;
  features: Iterable<string>;
  isFallbackAdapter?: boolean;
}
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** A variable, so TypeScript does not need the optional package to compile. */
const DAWN_PKG = "webgpu";

let gpu: GpuLike | null = null;
let adapterCache: WebGpuAdapterInfo | null = null;

/** The adapter Dawn offers, or a one-line reason why there is none. Starts no device. */
export async function probeWebGpu(): Promise<WebGpuAdapterInfo | string> {
  if (adapterCache) return adapterCache;
  let dawn: DawnModule;
  try {
    dawn = (await import(DAWN_PKG)) as DawnModule;
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return "the npm package webgpu (Dawn) is not installed";
    return `Dawn (npm webgpu) failed to load (${firstLine(e)})`;
  }
  let adapter: AdapterLike | null;
  try {
    gpu ??= dawn.create([]);
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (e) {
    return `Dawn could not look for a GPU (${firstLine(e)})`;
  }
  if (!adapter) {
    gpu = null;
    return process.platform === "linux"
      ? "Dawn found no Vulkan adapter (it needs libvulkan1 and the GPU's Vulkan driver, whose ICD json the loader must find: " +
          "set VK_DRIVER_FILES to it if it is installed elsewhere; or Mesa's lavapipe for a software one: .ci/install-webgpu)"
      : "Dawn found no GPU adapter";
  }
  adapterCache = describeAdapter(adapter);
  return adapterCache;
}

/** Makes `navigator.gpu` (and WebGPU's constructors) global, as a browser has them. */
export async function installWebGpuGlobals(): Promise<WebGpuAdapterInfo | string> {
  const probed = await probeWebGpu();
  if (typeof probed === "string") return probed;
  const dawn = (await import(DAWN_PKG)) as DawnModule;
  for (const [k, v] of Object.entries(dawn.globals)) {
    if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  }
  const g = globalThis as { navigator?: Record<string, unknown> };
  if (g.navigator === undefined) {
    Object.defineProperty(globalThis, "navigator", { value: {}, configurable: true, writable: true });
  }
  Object.defineProperty(g.navigator!, "gpu", { value: gpu, configurable: true, writable: true });
  return probed;
}

/** Whether Dawn was started in this process (and so must be released before exit). */
export function webGpuLoaded(): boolean {
  return gpu !== null;
}

/** Drops the last reference to Dawn so the process can exit (its threads stop). */
export function releaseWebGpu(): void {
  const nav = (globalThis as { navigator?: Record<string, unknown> }).navigator;
  if (nav && "gpu" in nav && nav["gpu"] === gpu) delete nav["gpu"];
  gpu = null;
  adapterCache = null;
}

/** One line: what the adapter is, and whether it is a software one. */
export function adapterLine(a: WebGpuAdapterInfo): string {
  const name = a.description || a.device || a.architecture || "unknown adapter";
  const who = [a.vendor, a.architecture].filter((x) => x && x !== "software" && !name.includes(x));
  return `${name} (${[...who, a.software ? "software adapter" : "hardware adapter"].join(", ")})`;
}

interface DeviceLike {
  pushErrorScope(filter: "out-of-memory" | "validation" | "internal"): void;
  popErrorScope(): Promise<{ message: string } | null>;
}

/**
 * Catches what the device reports while some work is dispatched (WebGPU reports a
 * buffer it could not allocate, or a binding over its limits, asynchronously; without
 * a scope the step would silently compute garbage). Null when tf is not on webgpu.
 * `close` resolves to the first error's message, or null.
 */
export function deviceErrorScope(tf: { getBackend(): string; backend(): unknown }): { close(): Promise<string | null> } | null {
  if (tf.getBackend() !== "webgpu") return null;
  const device = (tf.backend() as { device?: DeviceLike }).device;
  if (!device) return null;
  const filters = ["out-of-memory", "validation", "internal"] as const;
  for (const f of filters) device.pushErrorScope(f);
  return {
    async close() {
      let first: string | null = null;
      for (let i = 0; i < filters.length; i++) {
        const e = await device.popErrorScope();
        if (e && first === null) first = e.message.split("\n")[0] ?? e.message;
      }
      return first;
    },
  };
}

function describeAdapter(adapter: AdapterLike): WebGpuAdapterInfo {
  const info = adapter.info ?? {};
  const str = (k: string): string => (typeof info[k] === "string" ? (info[k] as string) : "");
  const vendor = str("vendor");
  const architecture = str("architecture");
  const device = str("device");
  const description = str("description");
  const text = `${vendor} ${architecture} ${device} ${description}`;
  const software = info["isFallbackAdapter"] === true || adapter.isFallbackAdapter === true || /llvmpipe|lavapipe|swiftshader|\bwarp\b|software/i.test(text);
  const limit = (k: string): number => Number(adapter.limits[k] ?? 0);
  return {
    vendor,
    architecture,
    device,
    description,
    software,
    limits: {
      maxBufferSize: limit("maxBufferSize"),
      maxStorageBufferBindingSize: limit("maxStorageBufferBindingSize"),
      maxComputeWorkgroupStorageSize: limit("maxComputeWorkgroupStorageSize"),
      maxComputeInvocationsPerWorkgroup: limit("maxComputeInvocationsPerWorkgroup"),
    },
    features: [...adapter.features].sort(),
  };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? msg;
}
