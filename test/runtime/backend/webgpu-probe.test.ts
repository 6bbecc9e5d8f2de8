// probeWebGpuIsolated, the child-process look for a GPU that auto-selection makes first,
// on stand-ins for npm `webgpu`: a hardware adapter, none, a driver that crashes the
// process, one that hangs (and one ended by stopProbes), a module that is not there. Each answer is an adapter or one
// line, and this process never loads Dawn for it. The child gets ADAINF_DAWN_FLAGS; Dawn's null backend is told apart;
// flags that match no adapter are said with the adapters Dawn has.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, test } from "vitest";
import { adapterLine, dawnFlags, probeWebGpuIsolated, stopProbes, webGpuLoaded } from "../../../src/runtime/backend/webgpu.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-probe-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A module in place of npm `webgpu`, its body `code`. */
function standIn(name: string, code: string): string {
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(file, code);
  return pathToFileURL(file).href;
}

test("a hardware adapter: described from the child's copy (its fields are getters in Dawn)", async () => {
  const entry = standIn(
    "hardware",
    `class Info { get vendor() { return "nvidia"; } get architecture() { return "hopper"; } get device() { return ""; } get description() { return "NVIDIA H200"; } }
class Limits { get maxBufferSize() { return 2 ** 40; } get maxStorageBufferBindingSize() { return 2 ** 32 - 4; } get maxComputeWorkgroupStorageSize() { return 49152; } get maxComputeInvocationsPerWorkgroup() { return 1024; } }
export function create() { return { async requestAdapter() { return { info: new Info(), limits: new Limits(), features: new Set(["timestamp-query", "shader-f16"]), isFallbackAdapter: false }; } }; }`,
  );
  const a = await probeWebGpuIsolated({ entry });
  expect(a).toEqual({
    vendor: "nvidia",
    architecture: "hopper",
    device: "",
    description: "NVIDIA H200",
    software: false,
    nullBackend: false,
    limits: {
      maxBufferSize: 2 ** 40,
      maxStorageBufferBindingSize: 2 ** 32 - 4,
      maxComputeWorkgroupStorageSize: 49152,
      maxComputeInvocationsPerWorkgroup: 1024,
    },
    features: ["shader-f16", "timestamp-query"],
  });
  expect(webGpuLoaded()).toBe(false);
});

test("ADAINF_DAWN_FLAGS: Dawn's flags, split at ';' (a value keeps its commas), empty parts and spaces dropped", () => {
  expect(dawnFlags({})).toEqual([]);
  expect(dawnFlags({ ADAINF_DAWN_FLAGS: "" })).toEqual([]);
  expect(dawnFlags({ ADAINF_DAWN_FLAGS: " backend=null ; ;enable-dawn-features=skip_validation,allow_unsafe_apis;" })).toEqual([
    "backend=null",
    "enable-dawn-features=skip_validation,allow_unsafe_apis",
  ]);
});

test("the child is given ADAINF_DAWN_FLAGS, and Dawn's null backend is told apart (no GPU, computes nothing)", async () => {
  // Answers as Dawn does: with backend=null, an adapter named "null-backend" and no vendor.
  const entry = standIn(
    "flags",
    `export function create(flags) { return { async requestAdapter() {
  const isNull = flags.includes("backend=null");
  return { info: { vendor: isNull ? "" : "nvidia", architecture: "", device: isNull ? "null-backend" : "H200", description: flags.join("|") }, limits: {}, features: [], isFallbackAdapter: false };
} }; }`,
  );
  const saved = process.env["ADAINF_DAWN_FLAGS"];
  try {
    process.env["ADAINF_DAWN_FLAGS"] = "backend=null;enable-dawn-features=a,b";
    const a = await probeWebGpuIsolated({ entry });
    if (typeof a === "string") throw new Error(a);
    expect(a.description).toBe("backend=null|enable-dawn-features=a,b");
    expect(a.nullBackend).toBe(true);
    expect(a.software).toBe(false);
    expect(adapterLine({ ...a, description: "" })).toBe("null-backend (Dawn's null backend: computes nothing)");
    delete process.env["ADAINF_DAWN_FLAGS"];
    const b = await probeWebGpuIsolated({ entry });
    if (typeof b === "string") throw new Error(b);
    expect(b.nullBackend).toBe(false);
    expect(b.description).toBe("");
  } finally {
    if (saved === undefined) delete process.env["ADAINF_DAWN_FLAGS"];
    else process.env["ADAINF_DAWN_FLAGS"] = saved;
  }
});

test("ADAINF_DAWN_FLAGS that match no adapter: the flags and the adapters Dawn has, whether Dawn throws or finds none", async () => {
  // As Dawn does for adapter=<a name it does not have>: it throws, listing what it has.
  const entry = standIn(
    "flags-none",
    `export function create(flags) { return { async requestAdapter() {
  if (flags.includes("adapter=radeon")) throw new Error("no suitable backends found\\nAvailable adapters:\\n * backend: 'vulkan', name: 'NVIDIA H200'\\n * backend: 'vulkan', name: 'llvmpipe (LLVM 15.0.6, 256 bits)'");
  return null;
} }; }`,
  );
  const saved = process.env["ADAINF_DAWN_FLAGS"];
  try {
    process.env["ADAINF_DAWN_FLAGS"] = "adapter=radeon";
    expect(await probeWebGpuIsolated({ entry })).toBe(
      `Dawn found no adapter for ADAINF_DAWN_FLAGS="adapter=radeon" (it has: vulkan 'NVIDIA H200', vulkan 'llvmpipe (LLVM 15.0.6, 256 bits)'); change or unset ADAINF_DAWN_FLAGS`,
    );
    process.env["ADAINF_DAWN_FLAGS"] = "backend=metal";
    expect(await probeWebGpuIsolated({ entry })).toBe(`Dawn found no adapter for ADAINF_DAWN_FLAGS="backend=metal"; change or unset ADAINF_DAWN_FLAGS`);
  } finally {
    if (saved === undefined) delete process.env["ADAINF_DAWN_FLAGS"];
    else process.env["ADAINF_DAWN_FLAGS"] = saved;
  }
});

test("no adapter: the same reason as the in-process probe gives", async () => {
  const entry = standIn("none", `export function create() { return { async requestAdapter() { return null; } }; }`);
  const why = await probeWebGpuIsolated({ entry });
  expect(why).toMatch(process.platform === "linux" ? /^Dawn found no Vulkan adapter \(it needs libvulkan1/ : /^Dawn found no GPU adapter$/);
});

test("a driver that crashes the process: one line naming the signal and what Dawn said, not a crash here", async () => {
  const entry = standIn(
    "crash",
    `console.error("Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16");
console.error("vkCreateInstance: driver fault");
export function create() { return { async requestAdapter() { process.kill(process.pid, "SIGSEGV"); await new Promise(() => {}); } }; }`,
  );
  expect(await probeWebGpuIsolated({ entry })).toBe(
    "Dawn was killed by SIGSEGV while looking for a GPU (vkCreateInstance: driver fault): the GPU driver may be broken",
  );
});

test("a driver that hangs: given up after the timeout", async () => {
  const entry = standIn("hang", `setInterval(() => {}, 1000);\nexport function create() { return { requestAdapter: () => new Promise(() => {}) }; }`);
  expect(await probeWebGpuIsolated({ entry, timeoutMs: 1500 })).toBe("Dawn did not answer in 2 s while looking for a GPU: the GPU driver may be broken");
});

test("stopProbes ends a probe still running (Ctrl-C while the backend loads leaves no process behind)", async () => {
  const entry = standIn("hang-long", `setInterval(() => {}, 1000);\nexport function create() { return { requestAdapter: () => new Promise(() => {}) }; }`);
  const started = performance.now();
  const answer = probeWebGpuIsolated({ entry, timeoutMs: 60_000 });
  await new Promise((r) => setTimeout(r, 300));
  stopProbes();
  expect(typeof (await answer)).toBe("string");
  expect(performance.now() - started).toBeLessThan(10_000);
});

test("a module that cannot load: the child's first line of error", async () => {
  const why = await probeWebGpuIsolated({ entry: pathToFileURL(path.join(dir, "absent.mjs")).href });
  expect(why).toMatch(/^Dawn exited with code 1 while looking for a GPU \(.*(Cannot find module|ERR_MODULE_NOT_FOUND).*\): the GPU driver may be broken$/);
});
