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
// Auto-selection first asks a child process (probeWebGpuIsolated): a Vulkan driver that
// crashes or hangs while Dawn looks for a GPU takes that process down, not the run, and
// a machine with no hardware adapter never loads Dawn at all.
// What the device rejects (a binding over its limits) is caught under error scopes
// (deviceErrorScope, withDeviceErrorScope), not left to Dawn's printout on stdout.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import type { BufferLimits } from "./limits.js";

/**
 * Dawn's note on a limit it lowers for every adapter, printed by its native code on
 * stderr at start-up (`Warning: maxDynamicUniformBuffersPerPipelineLayout artificially
 * reduced from 1000000 to 16 to fit dynamic offset allocation limit.`): noise, never the
 * reason for anything. The one test for it, used by the GPU probe and `bench` (the shell
 * script bench/gpu-check.sh greps 'artificially reduced from' on its own).
 */
export function isDawnLimitWarning(line: string): boolean {
  return /^Warning: \w+ artificially reduced from \d+ to \d+\b/.test(line.trim());
}

/** What the user sees of the adapter, and the limits that bound batch size. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (lavapipe, SwiftShader, WARP): correct but slow. */
  software: boolean;
  /** Dawn's null backend (ADAINF_DAWN_FLAGS="backend=null"): dispatches everything, computes nothing. */
  nullBackend: boolean;
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
export const DAWN_PKG = "webgpu";
/** Why webgpu cannot run when npm's Dawn package is missing. */
export const DAWN_NOT_INSTALLED = "the npm package webgpu (Dawn) is not installed";

let gpu: GpuLike | null = null;
let adapterCache: WebGpuAdapterInfo | null = null;

/** The adapter limits describeAdapter reads (and the isolated probe copies). */
const LIMIT_KEYS = ["maxBufferSize", "maxStorageBufferBindingSize", "maxComputeWorkgroupStorageSize", "maxComputeInvocationsPerWorkgroup"] as const;
const INFO_KEYS = ["vendor", "architecture", "device", "description", "isFallbackAdapter"] as const;

/** What the child process runs: Dawn's adapter, copied into JSON (its fields are getters). */
const CHILD_PROBE = `
const [entry, limitKeys, infoKeys, flags] = [process.argv[1], JSON.parse(process.argv[2]), JSON.parse(process.argv[3]), JSON.parse(process.argv[4])];
const { create } = await import(entry);
let a;
try {
  a = await create(flags).requestAdapter({ powerPreference: "high-performance" });
} catch (e) {
  process.stdout.write(JSON.stringify({ error: String(e?.message ?? e) }) + "\\n");
  process.exit(0);
}
const pick = (o, keys) => Object.fromEntries(keys.map((k) => [k, o?.[k]]));
const adapter = a && { info: pick(a.info, infoKeys), limits: pick(a.limits, limitKeys), features: [...a.features], isFallbackAdapter: a.isFallbackAdapter };
process.stdout.write(JSON.stringify({ adapter }) + "\\n");
process.exit(0);
`;

/**
 * The adapter a child process finds (for auto-selection), or a one-line reason why there
 * is none: a driver that crashes or hangs while Dawn looks for a GPU costs the child, and
 * this process loads Dawn only if the answer is a hardware adapter. `entry`: the module
 * to load instead of npm webgpu (tests).
 */
/** Probe children still running (stopProbes ends them). */
const probes = new Set<ReturnType<typeof spawn>>();

/** Ends the probe children still running: a process that exits early (Ctrl-C) leaves none behind. */
export function stopProbes(): void {
  for (const child of probes) child.kill("SIGKILL");
  probes.clear();
}

export async function probeWebGpuIsolated(opts: { entry?: string; timeoutMs?: number } = {}): Promise<WebGpuAdapterInfo | string> {
  let entry = opts.entry;
  if (entry === undefined) {
    try {
      entry = pathToFileURL(createRequire(import.meta.url).resolve(DAWN_PKG)).href;
    } catch {
      return DAWN_NOT_INSTALLED;
    }
  }
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const args = ["--input-type=module", "-e", CHILD_PROBE, entry, JSON.stringify(LIMIT_KEYS), JSON.stringify(INFO_KEYS), JSON.stringify(dawnFlags())];
  return new Promise((resolve) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs, killSignal: "SIGKILL" });
      probes.add(child);
    } catch (e) {
      resolve(`could not start a process to look for a GPU (${firstLine(e)})`);
      return;
    }
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    // Dawn's start-up warnings (lavapipe) stay in the child.
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e) => resolve(`could not start a process to look for a GPU (${firstLine(e)})`));
    child.on("close", (code, signal) => {
      probes.delete(child);
      const line = out.trim().split("\n").pop() ?? "";
      if (code === 0 && line.startsWith("{")) {
        try {
          const { adapter, error } = JSON.parse(line) as { adapter?: (AdapterLike & { info: Record<string, unknown> }) | null; error?: string };
          if (error !== undefined) resolve(lookFailed(error));
          else resolve(adapter ? describeAdapter(adapter) : noAdapterReason());
          return;
        } catch {
          // reported below
        }
      }
      // What it said: the thrown error's line (node prints a source location and the
      // line of code above it), else its first line that is not one of Dawn's warnings.
      const lines = err
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !isDawnLimitWarning(l));
      const said = lines.find((l) => /^[A-Za-z]*Error\b/.test(l)) ?? lines[0];
      const how =
        signal === "SIGKILL" && timeoutMs > 0
          ? `did not answer in ${Math.round(timeoutMs / 1000)} s`
          : signal
            ? `was killed by ${signal}`
            : `exited with code ${code}`;
      resolve(`Dawn ${how} while looking for a GPU${said ? ` (${said.slice(0, 200)})` : ""}: the GPU driver may be broken`);
    });
  });
}

function noAdapterReason(): string {
  const flags = dawnFlags();
  if (flags.length > 0) return noAdapterForFlags(flags, null);
  return process.platform === "linux"
    ? "Dawn found no Vulkan adapter (it needs libvulkan1 and the GPU's Vulkan driver, whose ICD json the loader must find: " +
        "set VK_DRIVER_FILES to it if it is installed elsewhere; or Mesa's lavapipe for a software one: .ci/install-webgpu)"
    : "Dawn found no GPU adapter";
}

/** Dawn threw while looking for an adapter: with ADAINF_DAWN_FLAGS, most likely over them. */
function lookFailed(message: string): string {
  const flags = dawnFlags();
  if (flags.length > 0) return noAdapterForFlags(flags, message);
  return `Dawn could not look for a GPU (${firstLine(message)})`;
}

/**
 * With ADAINF_DAWN_FLAGS set, why no adapter came: the flags, and the adapters Dawn
 * listed ("Available adapters: * backend: 'vulkan', name: '...'") when it said.
 */
function noAdapterForFlags(flags: string[], said: string | null): string {
  const listed = said === null ? [] : [...said.matchAll(/backend: '([^']*)', name: '([^']*)'/g)].map((m) => `${m[1]} '${m[2]}'`);
  return (
    `Dawn found no adapter for ADAINF_DAWN_FLAGS="${flags.join(";")}"` +
    (listed.length > 0 ? ` (it has: ${listed.join(", ")})` : "") +
    "; change or unset ADAINF_DAWN_FLAGS"
  );
}

/**
 * Dawn's own start-up flags from ADAINF_DAWN_FLAGS, separated by ";" (a value may hold
 * commas): `backend=vulkan|null|...`, `adapter=<part of its name>` (which GPU, where the
 * machine has several kinds), `enable-dawn-features=a,b`, `disable-dawn-features=...`.
 * Dawn ignores a flag it does not know. `backend=null` gives an adapter that dispatches
 * everything and computes nothing: only `bench step` accepts it (the host's share of a step).
 */
export function dawnFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env["ADAINF_DAWN_FLAGS"] ?? "")
    .split(";")
    .map((f) => f.trim())
    .filter(Boolean);
}

/** The adapter Dawn offers, or a one-line reason why there is none. Starts no device. */
export async function probeWebGpu(): Promise<WebGpuAdapterInfo | string> {
  if (adapterCache) return adapterCache;
  let dawn: DawnModule;
  try {
    dawn = (await import(DAWN_PKG)) as DawnModule;
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return DAWN_NOT_INSTALLED;
    return `Dawn (npm webgpu) failed to load (${firstLine(e)})`;
  }
  let adapter: AdapterLike | null;
  try {
    gpu ??= dawn.create(dawnFlags());
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (e) {
    return lookFailed(e instanceof Error ? e.message : String(e));
  }
  if (!adapter) {
    gpu = null;
    return noAdapterReason();
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
  if (a.nullBackend) return `${name} (Dawn's null backend: computes nothing)`;
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
 * a scope the work silently computes garbage, and Dawn prints the error on stdout).
 * Null when tf is not on webgpu. `close` resolves to the first error's first line
 * (without its final period), or null.
 */
export function deviceErrorScope(tf: { getBackend(): string; backend(): unknown }): { close(): Promise<string | null> } | null {
  if (tf.getBackend() !== "webgpu") return null;
  const device = (tf.backend() as { device?: DeviceLike }).device;
  if (!device) return null;
  const filters = ["out-of-memory", "validation", "internal"] as const;
  for (const f of filters) device.pushErrorScope(f);
  return {
    async close() {
      // Scopes pop in reverse: internal, validation, out-of-memory. A buffer the device
      // could not allocate is the cause of the validation errors that follow ("Invalid
      // Buffer ... due to a previous error"), so it is the one said.
      const said: Array<string | null> = [];
      for (let i = 0; i < filters.length; i++) {
        const e = await device.popErrorScope();
        said.push(e ? (e.message.split("\n")[0] ?? e.message).trim().replace(/\.$/, "") : null);
      }
      const [internal, validation, oom] = said;
      return oom ?? validation ?? internal ?? null;
    },
  };
}

/**
 * Why the device tf's webgpu backend computes on was lost ("destroyed", or Dawn's reason
 * and message: a driver reset, the GPU gone from the bus), or null when it was not, or tf
 * is not on webgpu. Work on a lost device fails with an empty DOMException; Dawn reports
 * the loss itself asynchronously, so this waits up to `graceMs` for it.
 */
export async function deviceLoss(tf: { getBackend(): string; backend(): unknown }, graceMs = 250): Promise<string | null> {
  if (tf.getBackend() !== "webgpu") return null;
  const lost = (tf.backend() as { device?: { lost?: Promise<{ reason?: unknown; message?: unknown }> } }).device?.lost;
  if (!lost) return null;
  let timer: NodeJS.Timeout | undefined;
  const info = await Promise.race([lost, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), graceMs)))]).catch(() => null);
  clearTimeout(timer);
  if (info === null) return null;
  const reason = typeof info.reason === "string" && info.reason !== "" ? info.reason : "unknown";
  const message = (String(info.message ?? "").split("\n")[0] ?? "").trim().replace(/\.$/, "");
  if (message === "") return reason;
  return message.toLowerCase().includes(reason.toLowerCase()) ? message : `${reason}: ${message}`;
}

/**
 * Runs `work` (which awaits all the device work it starts) under a device error scope:
 * its value, and what the device rejected meanwhile (one line) or null. Not on webgpu:
 * `work` alone. If `work` throws, the scope is closed and the error rethrown.
 */
export async function withDeviceErrorScope<T>(
  tf: { getBackend(): string; backend(): unknown },
  work: () => Promise<T>,
): Promise<{ value: T; deviceError: string | null }> {
  const scope = deviceErrorScope(tf);
  let value: T;
  try {
    value = await work();
  } catch (e) {
    await scope?.close().catch(() => undefined);
    throw e;
  }
  return { value, deviceError: (await scope?.close()) ?? null };
}

/** The buffer limits of the device tf's webgpu backend computes on; null when tf is not on webgpu. */
export function deviceBufferLimits(tf: { getBackend(): string; backend(): unknown }): BufferLimits | null {
  if (tf.getBackend() !== "webgpu") return null;
  const limits = (tf.backend() as { device?: { limits?: Record<string, number> } }).device?.limits;
  if (!limits) return null;
  return { maxBufferSize: Number(limits["maxBufferSize"]), maxStorageBufferBindingSize: Number(limits["maxStorageBufferBindingSize"]) };
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
  // Dawn names it "null-backend" and gives it no vendor: it is no GPU, fast or slow.
  const nullBackend = /^null[- ]backend$/i.test(device.trim()) || /^null[- ]backend$/i.test(description.trim());
  const limits = Object.fromEntries(LIMIT_KEYS.map((k) => [k, Number(adapter.limits[k] ?? 0)])) as WebGpuAdapterInfo["limits"];
  return {
    vendor,
    architecture,
    device,
    description,
    software,
    nullBackend,
    limits,
    features: [...adapter.features].sort(),
  };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split("\n")[0] ?? msg;
}
