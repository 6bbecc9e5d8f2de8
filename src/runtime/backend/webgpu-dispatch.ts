// The host's share of a tfjs-webgpu 4.22 dispatch, cut where Dawn's Node bindings spend
// it. Measured on Dawn's null backend (docs/runtime.md, "Dispatch"): a bind group costs
// ~18 µs to make, a uniform buffer write ~2 µs plus its pooling, and tfjs makes both anew
// for every dispatch, though a training step repeats the same programs on the same
// shapes every step. Three hooks on the started backend, none changing what is computed:
// - uniforms: each distinct uniform content is written once into a buffer of its own and
//   reused (a bounded cache; an evicted buffer goes back to tfjs's pool at its next submit);
// - the buffer pool hands out, of the free buffers of a size, the one it saw first (tfjs
//   takes the last freed), so a step gets the same buffers every step;
// - bind groups: made once per (pipeline, buffers, ranges) and reused (a bounded cache), a
//   whole-buffer binding passed as the buffer itself (half the bindings' conversion cost).
// ADAINF_WEBGPU_FAST_DISPATCH=0 leaves tfjs's path as shipped; `enabled` switches the
// hooks off and on in a running process (tests and benchmarks compare the two).

/** Counts since the hooks were installed: what was made or written, and what was reused. */
export interface DispatchStats {
  bindGroupsMade: number;
  bindGroupsReused: number;
  uniformsWritten: number;
  uniformsReused: number;
}

export interface FastDispatch {
  /** Off: every hook calls straight through to tfjs and Dawn (what is cached stays). */
  enabled: boolean;
  readonly stats: DispatchStats;
}

/** Distinct uniform contents kept (a ResNet-18 step has ~200; per-step values such as a learning rate churn the rest). */
export const UNIFORM_CACHE_SIZE = 4096;
/** Bind groups kept: a few steps' worth of a ResNet-18 step's ~520 dispatches. */
export const BIND_GROUP_CACHE_SIZE = 8192;

interface GpuBufferLike {
  readonly size: number;
}
interface BufferBinding {
  buffer: GpuBufferLike;
  offset?: number;
  size?: number;
}
interface BindGroupDescriptor {
  layout: object;
  entries: Array<{ binding: number; resource: unknown }>;
  label?: string;
}
interface PipelineLike {
  getBindGroupLayout(index: number): object;
}
interface DeviceLike {
  createBindGroup(d: BindGroupDescriptor): unknown;
  createComputePipeline(d: unknown): PipelineLike;
  createComputePipelineAsync?(d: unknown): Promise<PipelineLike>;
}
interface Uniform {
  type: string;
  data: ArrayLike<number>;
}
interface UniformBinding {
  offset: number;
  size: number;
  buffer: GpuBufferLike;
}
interface BufferManagerLike {
  freeBuffers: Map<string, GpuBufferLike[]>;
  acquireBuffer(size: number, usage: number, mappedAtCreation?: boolean, reuse?: boolean): GpuBufferLike;
}
interface BackendLike {
  device: DeviceLike;
  bufferManager: BufferManagerLike;
  uniformPendingDisposal: GpuBufferLike[];
  makeUniforms(u: Uniform[]): UniformBinding;
}

/** What tfjs-webgpu's internals must look like for the hooks; null when they do, else why not. */
function unexpected(b: Partial<BackendLike> | null | undefined): string | null {
  if (!b || typeof b !== "object") return "no backend";
  const d = b.device as Partial<DeviceLike> | undefined;
  if (!d || typeof d.createBindGroup !== "function" || typeof d.createComputePipeline !== "function") return "its device has no createBindGroup";
  if (typeof b.makeUniforms !== "function" || !Array.isArray(b.uniformPendingDisposal)) return "its makeUniforms is not tfjs-webgpu 4.22's";
  const m = b.bufferManager as Partial<BufferManagerLike> | undefined;
  if (!m || typeof m.acquireBuffer !== "function" || !(m.freeBuffers instanceof Map)) return "its buffer manager is not tfjs-webgpu 4.22's";
  return null;
}

/**
 * A bounded cache with the clock's second chance (an LRU's cheap cousin): a hit only
 * marks its entry; past `cap`, the oldest entries are passed over once if marked (moved
 * to the end, unmarked) and the first unmarked one is dropped (handed to `evicted`).
 * A hit costs a flag, not the two hashings of a Map delete and set.
 */
class ClockCache<V> {
  private readonly map = new Map<string, { value: V; used: boolean }>();
  constructor(
    private readonly cap: number,
    private readonly evicted?: (v: V) => void,
  ) {}
  get(key: string): V | undefined {
    const e = this.map.get(key);
    if (e === undefined) return undefined;
    e.used = true;
    return e.value;
  }
  set(key: string, value: V): void {
    this.map.set(key, { value, used: false });
    while (this.map.size > this.cap) {
      const [oldest, e] = this.map.entries().next().value as [string, { value: V; used: boolean }];
      this.map.delete(oldest);
      if (e.used) {
        e.used = false;
        this.map.set(oldest, e);
      } else {
        this.evicted?.(e.value);
      }
    }
  }
}

/** The uniform content's key: types, lengths and values (-0 kept apart from 0). */
function uniformKey(us: Uniform[]): string {
  let k = "";
  for (const u of us) {
    k += u.type;
    k += ":";
    const d = u.data;
    for (let i = 0; i < d.length; i++) {
      const x = d[i] as number;
      k += Object.is(x, -0) ? "-0" : String(x);
      k += ",";
    }
    k += ";";
  }
  return k;
}

/** A binding of the whole buffer (tfjs writes it as { buffer }, or with offset 0 and the buffer's size). */
function isWhole(r: BufferBinding): boolean {
  return (r.offset ?? 0) === 0 && (r.size === undefined || r.size === r.buffer.size);
}

function isBufferBinding(r: unknown): r is BufferBinding {
  return typeof r === "object" && r !== null && "buffer" in r && typeof (r as BufferBinding).buffer === "object";
}

/**
 * Installs the hooks on a started tfjs-webgpu backend (`tf.backend()` on webgpu). Returns
 * their switch and counts, or why they were not installed (tfjs's internals not as
 * expected: its path then stays as shipped). Install before the first kernel runs: a
 * pipeline made earlier keeps making its bind groups each time.
 */
export function installFastDispatch(backendObject: unknown): FastDispatch | string {
  const why = unexpected(backendObject as Partial<BackendLike>);
  if (why !== null) return `tfjs-webgpu's dispatch path left as shipped (${why})`;
  const backend = backendObject as BackendLike;
  const device = backend.device;
  const stats: DispatchStats = { bindGroupsMade: 0, bindGroupsReused: 0, uniformsWritten: 0, uniformsReused: 0 };
  const fast: FastDispatch = { enabled: true, stats };

  // Identity numbers of buffers and layouts, for keys (an object is never renumbered).
  const ids = new WeakMap<object, number>();
  let nextId = 1;
  const idOf = (o: object): number => {
    let v = ids.get(o);
    if (v === undefined) {
      v = nextId++;
      ids.set(o, v);
    }
    return v;
  };

  // Pipelines: one layout object per index (Dawn's bindings wrap a new one at each call).
  const memoLayouts = (p: PipelineLike): PipelineLike => {
    const own = p.getBindGroupLayout.bind(p);
    const layouts = new Map<number, object>();
    p.getBindGroupLayout = (i: number) => {
      let l = layouts.get(i);
      if (l === undefined) {
        l = own(i);
        layouts.set(i, l);
      }
      return l;
    };
    return p;
  };
  const createPipeline = device.createComputePipeline.bind(device);
  device.createComputePipeline = (d: unknown) => memoLayouts(createPipeline(d));
  if (typeof device.createComputePipelineAsync === "function") {
    const createAsync = device.createComputePipelineAsync.bind(device);
    device.createComputePipelineAsync = async (d: unknown) => memoLayouts(await createAsync(d));
  }

  // Uniforms: written once per content.
  const makeUniforms = backend.makeUniforms.bind(backend);
  const uniforms = new ClockCache<UniformBinding>(UNIFORM_CACHE_SIZE, (u) => backend.uniformPendingDisposal.push(u.buffer));
  backend.makeUniforms = (us: Uniform[]): UniformBinding => {
    if (!fast.enabled) return makeUniforms(us);
    const key = uniformKey(us);
    const hit = uniforms.get(key);
    if (hit !== undefined) {
      stats.uniformsReused++;
      return hit;
    }
    const made = makeUniforms(us);
    // tfjs queued it for its pool at the next submit; it is kept instead.
    const pending = backend.uniformPendingDisposal;
    if (pending[pending.length - 1] === made.buffer) pending.pop();
    else return made;
    stats.uniformsWritten++;
    uniforms.set(key, made);
    return made;
  };

  // The pool: of the free buffers of one size and usage, the one seen first.
  const manager = backend.bufferManager;
  const acquire = manager.acquireBuffer.bind(manager);
  manager.acquireBuffer = (size: number, usage: number, mappedAtCreation = false, reuse = true) => {
    if (fast.enabled && reuse) {
      const free = manager.freeBuffers.get(`${size}_${usage}`);
      if (free !== undefined && free.length > 1) {
        let best = 0;
        let bestId = idOf(free[0]!);
        for (let i = 1; i < free.length; i++) {
          const id = idOf(free[i]!);
          if (id < bestId) {
            best = i;
            bestId = id;
          }
        }
        const last = free.length - 1;
        const t = free[best]!;
        free[best] = free[last]!;
        free[last] = t;
      }
    }
    return acquire(size, usage, mappedAtCreation, reuse);
  };

  // Bind groups: one per (layout, buffers, ranges).
  const createBindGroup = device.createBindGroup.bind(device);
  const bindGroups = new ClockCache<unknown>(BIND_GROUP_CACHE_SIZE);
  let direct = true;
  device.createBindGroup = (d: BindGroupDescriptor) => {
    if (!fast.enabled || d.label !== undefined) return createBindGroup(d);
    let key = `${idOf(d.layout)}`;
    for (const e of d.entries) {
      const r = e.resource;
      if (!isBufferBinding(r)) return createBindGroup(d);
      key += `|${e.binding}:${idOf(r.buffer)}`;
      // A range other than the whole buffer is part of the key (the whole one, however written, is not).
      if (!isWhole(r)) key += `:${r.offset ?? 0}:${r.size ?? r.buffer.size - (r.offset ?? 0)}`;
    }
    const hit = bindGroups.get(key);
    if (hit !== undefined) {
      stats.bindGroupsReused++;
      return hit;
    }
    let made: unknown;
    if (direct) {
      const entries = d.entries.map((e) => (isWhole(e.resource as BufferBinding) ? { binding: e.binding, resource: (e.resource as BufferBinding).buffer } : e));
      try {
        made = createBindGroup({ layout: d.layout, entries });
      } catch (e) {
        // A Dawn whose bindings take no GPUBuffer as a resource rejects it as a type, at once.
        if (!(e instanceof TypeError)) throw e;
        direct = false;
      }
    }
    if (!direct) made = createBindGroup(d);
    stats.bindGroupsMade++;
    bindGroups.set(key, made);
    return made;
  };
  installed.set(backendObject as object, fast);
  return fast;
}

const installed = new WeakMap<object, FastDispatch>();

/** The hooks on tf's current backend, or null (not webgpu, or not installed). */
export function fastDispatchOf(tf: { getBackend(): string; backend(): unknown }): FastDispatch | null {
  if (tf.getBackend() !== "webgpu") return null;
  return installed.get(tf.backend() as object) ?? null;
}
