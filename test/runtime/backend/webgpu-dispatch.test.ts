// The dispatch hooks (src/runtime/backend/webgpu-dispatch.ts) on a stand-in of
// tfjs-webgpu 4.22's backend, where every call can be seen: a uniform content seen again
// a step later is written into a buffer that is kept (an evicted one goes back to tfjs's
// pool at the next submit), one seen only within a step takes tfjs's pooled path, -0 and
// 0 stay apart, the pool hands out the buffer it saw first, bind groups are made
// once per layout, buffers and ranges (whole buffers passed as themselves), anything else
// goes through unchanged, and switched off every hook calls straight through.
import { describe, expect, it } from "vitest";
import { installFastDispatch, RECUR_COUNT, RECUR_DISPATCHES, UNIFORM_CACHE_SIZE } from "../../../src/runtime/backend/webgpu-dispatch.js";

interface Buf {
  size: number;
  usage: number;
  name: string;
}
interface Uniform {
  type: string;
  data: number[];
}

/** The parts of tfjs-webgpu's backend the hooks touch, recording what reaches "Dawn". */
function standIn() {
  let n = 0;
  const made: Array<{ layout: object; entries: Array<{ binding: number; resource: unknown }> }> = [];
  const writes: Uniform[][] = [];
  const layouts: object[] = [];
  const backend = {
    device: {
      createBindGroup(d: { layout: object; entries: Array<{ binding: number; resource: unknown }> }) {
        made.push(d);
        return { bindGroup: made.length };
      },
      createComputePipeline(_d: unknown) {
        // As Dawn's Node bindings: a new layout object at every call.
        return {
          getBindGroupLayout(i: number) {
            const l = { layout: i, n: layouts.length };
            layouts.push(l);
            return l;
          },
        };
      },
    },
    bufferManager: {
      freeBuffers: new Map<string, Buf[]>(),
      acquireBuffer(size: number, usage: number) {
        const free = this.freeBuffers.get(`${size}_${usage}`);
        return free?.pop() ?? { size, usage, name: `b${++n}` };
      },
    },
    uniformPendingDisposal: [] as Buf[],
    makeUniforms(us: Uniform[]) {
      writes.push(us);
      const buffer = this.bufferManager.acquireBuffer(16, 72);
      this.uniformPendingDisposal.push(buffer);
      return { offset: 0, size: 16, buffer };
    },
  };
  return { backend, made, writes, layouts };
}

describe("uniforms", () => {
  type Backend = ReturnType<typeof standIn>["backend"];
  /** As many other dispatches as a step has between two of the same (with a type it does not key: tfjs's path), then tfjs's submit. */
  const aStepLater = (backend: Backend) => {
    for (let i = 0; i <= RECUR_DISPATCHES; i++) backend.makeUniforms([{ type: "float16", data: [i] }]);
    backend.uniformPendingDisposal.length = 0; // tfjs's submit: back to its pool
  };
  /** A content seen, then seen again a step later (kept from then on): its kept binding. */
  const kept = (backend: Backend, u: Array<{ type: string; data: number[] }>) => {
    backend.makeUniforms(u);
    aStepLater(backend);
    return backend.makeUniforms(u);
  };

  it("seen again a step later: written into a buffer kept out of the pool and reused; -0 and 0 apart", () => {
    const { backend, writes } = standIn();
    const fast = installFastDispatch(backend);
    if (typeof fast === "string") throw new Error(fast);
    const once = backend.makeUniforms([{ type: "int32", data: [4, 8] }]);
    expect(backend.uniformPendingDisposal).toEqual([once.buffer]);
    aStepLater(backend);
    const before = writes.length;
    const a = backend.makeUniforms([{ type: "int32", data: [4, 8] }]);
    expect(backend.uniformPendingDisposal).toEqual([]);
    expect(backend.makeUniforms([{ type: "int32", data: [4, 8] }])).toBe(a);
    expect(writes.length).toBe(before + 1);
    const c = kept(backend, [{ type: "float32", data: [4, 8] }]);
    const z = kept(backend, [{ type: "float32", data: [0] }]);
    const nz = kept(backend, [{ type: "float32", data: [-0] }]);
    expect(new Set([a.buffer, c.buffer, z.buffer, nz.buffer]).size).toBe(4);
    expect(fast.stats).toMatchObject({ uniformsWritten: 8, uniformsReused: 1 });
  });

  it("seen again within a step (a learning rate shared by parameters of one shape), or never again: tfjs's pooled path", () => {
    const { backend, writes } = standIn();
    installFastDispatch(backend);
    // The same rate for 10 parameters a few dispatches apart, then a new rate the next step.
    for (const lr of [0.1, 0.09]) {
      for (let p = 0; p < 10; p++) backend.makeUniforms([{ type: "float32", data: [lr] }]);
      expect(backend.uniformPendingDisposal.length).toBe(10);
      aStepLater(backend);
    }
    // A type it does not know: tfjs's own path each time (written, then to the pool).
    backend.makeUniforms([{ type: "float16", data: [1] }]);
    backend.makeUniforms([{ type: "float16", data: [1] }]);
    expect(backend.uniformPendingDisposal.length).toBe(2);
    expect(writes.length).toBe(2 * (10 + RECUR_DISPATCHES + 1) + 2);
  });

  it("seen again and again within short steps: kept from its RECUR_COUNT-th sight", () => {
    const { backend } = standIn();
    installFastDispatch(backend);
    const u = [{ type: "int32", data: [7] }];
    for (let i = 1; i < RECUR_COUNT; i++) backend.makeUniforms(u);
    expect(backend.uniformPendingDisposal.length).toBe(RECUR_COUNT - 1);
    const kept = backend.makeUniforms(u);
    expect(backend.uniformPendingDisposal.length).toBe(RECUR_COUNT - 1);
    expect(backend.makeUniforms(u)).toBe(kept);
  });

  it("past the cache's size, the least recently used goes back to tfjs's pool at its next submit", () => {
    const { backend } = standIn();
    const fast = installFastDispatch(backend);
    if (typeof fast === "string") throw new Error(fast);
    // Seen once each, then again a step later: all kept.
    for (let i = 0; i < UNIFORM_CACHE_SIZE; i++) backend.makeUniforms([{ type: "int32", data: [i] }]);
    backend.uniformPendingDisposal.length = 0;
    const first = backend.makeUniforms([{ type: "int32", data: [0] }]);
    const second = backend.makeUniforms([{ type: "int32", data: [1] }]);
    for (let i = 2; i < UNIFORM_CACHE_SIZE; i++) backend.makeUniforms([{ type: "int32", data: [i] }]);
    expect(backend.uniformPendingDisposal).toEqual([]);
    backend.makeUniforms([{ type: "int32", data: [0] }]); // used again: marked
    kept(backend, [{ type: "int32", data: [UNIFORM_CACHE_SIZE] }]);
    expect(backend.uniformPendingDisposal).toEqual([second.buffer]);
    expect(backend.makeUniforms([{ type: "int32", data: [0] }])).toBe(first);
  });
});

describe("the pool", () => {
  it("hands out, of the free buffers of a size, the one it saw first, whatever order they were freed in", () => {
    const { backend } = standIn();
    installFastDispatch(backend);
    const m = backend.bufferManager;
    const [x, y, z] = ["x", "y", "z"].map((name) => ({ size: 64, usage: 128, name }));
    m.freeBuffers.set("64_128", [x!, y!, z!]);
    expect(m.acquireBuffer(64, 128)).toBe(x);
    m.freeBuffers.set("64_128", [z!, y!, x!]);
    expect(m.acquireBuffer(64, 128)).toBe(x);
    expect(m.acquireBuffer(64, 128)).toBe(y);
  });
});

describe("bind groups", () => {
  const layoutOf = (backend: ReturnType<typeof standIn>["backend"]) => backend.device.createComputePipeline({}).getBindGroupLayout(0);

  it("one per layout, buffers and ranges; whole buffers are passed as the buffer itself, a part as its range", () => {
    const { backend, made } = standIn();
    const fast = installFastDispatch(backend);
    if (typeof fast === "string") throw new Error(fast);
    const pipeline = backend.device.createComputePipeline({});
    expect(pipeline.getBindGroupLayout(0)).toBe(pipeline.getBindGroupLayout(0));
    const layout = pipeline.getBindGroupLayout(0);
    const out = { size: 32, usage: 1, name: "out" };
    const u = { size: 16, usage: 72, name: "u" };
    const entries = () => [
      { binding: 0, resource: { buffer: out } },
      { binding: 1, resource: { offset: 0, size: 16, buffer: u } },
      { binding: 2, resource: { offset: 0, size: 8, buffer: out } },
    ];
    const g1 = backend.device.createBindGroup({ layout, entries: entries() });
    const g2 = backend.device.createBindGroup({ layout, entries: entries() });
    expect(g2).toBe(g1);
    expect(made.length).toBe(1);
    expect(made[0]!.entries).toEqual([
      { binding: 0, resource: out },
      { binding: 1, resource: u },
      { binding: 2, resource: { offset: 0, size: 8, buffer: out } },
    ]);
    // Another buffer, another range, another layout: each a new bind group.
    backend.device.createBindGroup({ layout, entries: [...entries().slice(0, 2), { binding: 2, resource: { buffer: u } }] });
    backend.device.createBindGroup({ layout, entries: [...entries().slice(0, 2), { binding: 2, resource: { offset: 8, size: 8, buffer: out } }] });
    backend.device.createBindGroup({ layout: layoutOf(backend), entries: entries() });
    expect(made.length).toBe(4);
    expect(fast.stats).toMatchObject({ bindGroupsMade: 4, bindGroupsReused: 1 });
    // The whole buffer, however written, is one binding.
    const g3 = backend.device.createBindGroup({
      layout,
      entries: [{ binding: 0, resource: { offset: 0, size: 32, buffer: out } }, { binding: 1, resource: { buffer: u } }, entries()[2]!],
    });
    expect(g3).toBe(g1);
  });

  it("a resource that is not a buffer, or a labelled descriptor, goes through unchanged and is not kept", () => {
    const { backend, made } = standIn();
    installFastDispatch(backend);
    const layout = layoutOf(backend);
    const view = { textureView: 1 };
    const d = { layout, entries: [{ binding: 0, resource: view }] };
    backend.device.createBindGroup(d);
    backend.device.createBindGroup(d);
    const labelled = { layout, label: "x", entries: [{ binding: 0, resource: { buffer: { size: 4, usage: 1, name: "b" } } }] };
    backend.device.createBindGroup(labelled);
    backend.device.createBindGroup(labelled);
    expect(made).toEqual([d, d, labelled, labelled]);
  });

  it("a Dawn that takes no buffer as a resource (a TypeError at once): dictionaries from then on", () => {
    const { backend, made } = standIn();
    const create = backend.device.createBindGroup.bind(backend.device);
    backend.device.createBindGroup = (d) => {
      if (d.entries.some((e) => !(typeof e.resource === "object" && e.resource !== null && "buffer" in e.resource))) {
        throw new TypeError("Failed to convert GPUBindingResource");
      }
      return create(d);
    };
    installFastDispatch(backend);
    const layout = layoutOf(backend);
    const b = { size: 4, usage: 1, name: "b" };
    backend.device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: b } }] });
    backend.device.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: { ...b, name: "c" } } }] });
    expect(made.map((d) => d.entries[0]!.resource)).toEqual([{ buffer: b }, { buffer: { ...b, name: "c" } }]);
  });
});

it("switched off, every hook calls straight through (what is kept stays for when it is on again)", () => {
  const { backend, made, writes } = standIn();
  const fast = installFastDispatch(backend);
  if (typeof fast === "string") throw new Error(fast);
  const layout = backend.device.createComputePipeline({}).getBindGroupLayout(0);
  const d = () => ({ layout, entries: [{ binding: 0, resource: { buffer: { size: 4, usage: 1, name: "b" } } }] });
  const u = [{ type: "int32", data: [1] }];
  backend.makeUniforms(u);
  for (let i = 0; i <= RECUR_DISPATCHES; i++) backend.makeUniforms([{ type: "float16", data: [i] }]);
  const kept = backend.makeUniforms(u);
  backend.uniformPendingDisposal.length = 0;
  const written = writes.length;
  fast.enabled = false;
  backend.makeUniforms(u);
  expect(backend.uniformPendingDisposal.length).toBe(1);
  const same = d();
  backend.device.createBindGroup(same);
  backend.device.createBindGroup(same);
  expect(made).toEqual([same, same]);
  expect(writes.length).toBe(written + 1);
  fast.enabled = true;
  expect(backend.makeUniforms(u)).toBe(kept);
});

it("installed again on the same backend (a sweep selects it per point): the same hooks, not a second layer", () => {
  const { backend } = standIn();
  const first = installFastDispatch(backend);
  const uniforms = backend.makeUniforms;
  const createBindGroup = backend.device.createBindGroup;
  expect(installFastDispatch(backend)).toBe(first);
  expect(backend.makeUniforms).toBe(uniforms);
  expect(backend.device.createBindGroup).toBe(createBindGroup);
});

it("a backend whose internals are not tfjs-webgpu 4.22's is left as it is, with the reason", () => {
  const { backend } = standIn();
  const { makeUniforms, ...noUniforms } = backend;
  expect(makeUniforms).toBeDefined();
  expect(installFastDispatch(noUniforms)).toBe("tfjs-webgpu's dispatch path left as shipped (its makeUniforms is not tfjs-webgpu 4.22's)");
  expect(installFastDispatch({ ...backend, bufferManager: {} })).toBe(
    "tfjs-webgpu's dispatch path left as shipped (its buffer manager is not tfjs-webgpu 4.22's)",
  );
  expect(installFastDispatch(null)).toBe("tfjs-webgpu's dispatch path left as shipped (no backend)");
});
