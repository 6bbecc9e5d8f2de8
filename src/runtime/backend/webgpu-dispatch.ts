// The host's share of a tfjs-webgpu 4.22 dispatch, cut where Dawn's Node bindings spend
// it. Measured on Dawn's null backend (docs/runtime.md, "The host's share of a step"): a bind group costs
// ~18 µs to make, a uniform buffer write ~2 µs plus its pooling, and tfjs makes both anew
// for every dispatch, though a training step repeats the same programs on the same
// shapes every step. Three hooks on the started backend, none changing what is computed:
// - uniforms: a content that recurs in a later step is written into a buffer of its own
//   and reused (a bounded cache; an evicted buffer goes back to tfjs's pool at its next
//   submit); one that changes every step (a learning rate) takes tfjs's pooled path;
// - the buffer pool hands out, of the free buffers of a size, the one it saw first (tfjs
//   takes the last freed), so a step gets the same buffers every step;
// - bind groups: made once per (pipeline, buffers, ranges) and reused (a bounded cache), a
//   whole-buffer binding passed as the buffer itself (half the bindings' conversion cost);
//   for that, each pipeline returns one layout object per index (Dawn's bindings wrap a
//   new one at every call).
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
/** A uniform content seen again more than this many dispatches later is kept (a step is ~250-1,100). */
export const RECUR_DISPATCHES = 128;
/** ... or seen this many times (a step shorter than RECUR_DISPATCHES; one step's own repeats are ~10 at most). */
export const RECUR_COUNT = 16;
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

/** A key: a list of numbers (built in a scratch array, copied when kept). */
class Key {
  readonly v: number[] = [];
  /** FNV-1a over each number's 64 bits (-0, NaN and 0 all apart). */
  hash(): number {
    let h = 0x811c9dc5;
    for (const x of this.v) {
      F64[0] = x;
      h = Math.imul(h ^ U32[0]!, 0x01000193);
      h = Math.imul(h ^ U32[1]!, 0x01000193);
    }
    return h;
  }
  equals(kept: readonly number[]): boolean {
    const v = this.v;
    if (v.length !== kept.length) return false;
    for (let i = 0; i < v.length; i++) if (!Object.is(v[i], kept[i])) return false;
    return true;
  }
}
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

interface Entry<V> {
  key: number[];
  hash: number;
  value: V;
  used: boolean;
}

/**
 * A bounded cache with the clock's second chance (an LRU's cheap cousin): a hit only
 * marks its entry; past `cap`, the oldest entries are passed over once if marked (moved
 * to the end, unmarked) and the first unmarked one is dropped (handed to `evicted`),
 * never the one being added.
 * Keys are lists of numbers, hashed and compared: no string is built or hashed per call.
 */
class ClockCache<V> {
  private readonly buckets = new Map<number, Entry<V>[]>();
  private readonly order = new Set<Entry<V>>();
  constructor(
    private readonly cap: number,
    private readonly evicted?: (v: V) => void,
  ) {}
  get(key: Key, hash: number): V | undefined {
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) return undefined;
    for (const e of bucket) {
      if (key.equals(e.key)) {
        e.used = true;
        return e.value;
      }
    }
    return undefined;
  }
  set(key: Key, hash: number, value: V): void {
    const e: Entry<V> = { key: key.v.slice(), hash, value, used: false };
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) this.buckets.set(hash, [e]);
    else bucket.push(e);
    this.order.add(e);
    while (this.order.size > this.cap) {
      const oldest = this.order.values().next().value as Entry<V>;
      this.order.delete(oldest);
      // Marked: a second chance. The entry just made is never the one dropped.
      if (oldest.used || oldest === e) {
        oldest.used = false;
        this.order.add(oldest);
        continue;
      }
      const b = this.buckets.get(oldest.hash)!;
      if (b.length === 1) this.buckets.delete(oldest.hash);
      else b.splice(b.indexOf(oldest), 1);
      this.evicted?.(oldest.value);
    }
  }
}

/** Uniform types as numbers, for keys. */
const UNIFORM_TYPES: Record<string, number> = { float32: 1, int32: 2, uint32: 3 };

/** The uniform content's key into `k`: each one's type, length and values; false for a type it does not know. */
function uniformKey(k: Key, us: Uniform[]): boolean {
  const v = k.v;
  v.length = 0;
  for (const u of us) {
    const type = UNIFORM_TYPES[u.type];
    if (type === undefined) return false;
    v.push(type, u.data.length);
    const d = u.data;
    for (let i = 0; i < d.length; i++) v.push(d[i] as number);
  }
  return true;
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
 * pipeline made earlier keeps making its bind groups each time. Installing again on the
 * same backend returns the hooks already there.
 */
export function installFastDispatch(backendObject: unknown): FastDispatch | string {
  // Once per backend: selectBackend runs again for each point of a sweep.
  const existing = typeof backendObject === "object" && backendObject !== null ? installed.get(backendObject) : undefined;
  if (existing !== undefined) return existing;
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

  // Uniforms: a content seen again after RECUR_DISPATCHES other dispatches (in a later
  // step), or seen RECUR_COUNT times (steps of few dispatches), is kept in a buffer of its
  // own; any other takes tfjs's path (a pooled buffer,
  // back to the pool at the next submit). A content that changes every step (LARS's
  // update with the step's learning rate) then gets the same pooled buffer every step,
  // and its bind group with it: kept, the same rate repeated within one step (parameters
  // of one shape, updated a few dispatches apart) would take a new buffer every step.
  const makeUniforms = backend.makeUniforms.bind(backend);
  const uniforms = new ClockCache<UniformBinding>(UNIFORM_CACHE_SIZE, (u) => backend.uniformPendingDisposal.push(u.buffer));
  const lastSeen = new ClockCache<{ at: number; count: number }>(UNIFORM_CACHE_SIZE);
  const ukey = new Key();
  let dispatches = 0;
  backend.makeUniforms = (us: Uniform[]): UniformBinding => {
    if (!fast.enabled) return makeUniforms(us);
    dispatches++;
    // A type it does not know cannot be keyed apart from another: tfjs's path.
    if (!uniformKey(ukey, us)) return makeUniforms(us);
    const hash = ukey.hash();
    const hit = uniforms.get(ukey, hash);
    if (hit !== undefined) {
      stats.uniformsReused++;
      return hit;
    }
    stats.uniformsWritten++;
    const seen = lastSeen.get(ukey, hash);
    if (seen === undefined) {
      lastSeen.set(ukey, hash, { at: dispatches, count: 1 });
      return makeUniforms(us);
    }
    if (dispatches - seen.at <= RECUR_DISPATCHES && ++seen.count < RECUR_COUNT) {
      seen.at = dispatches;
      return makeUniforms(us);
    }
    const made = makeUniforms(us);
    // tfjs queued it for its pool at the next submit; it is kept instead.
    const pending = backend.uniformPendingDisposal;
    if (pending[pending.length - 1] !== made.buffer) return made;
    pending.pop();
    uniforms.set(ukey, hash, made);
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
  const bkey = new Key();
  let direct = true;
  device.createBindGroup = (d: BindGroupDescriptor) => {
    if (!fast.enabled || d.label !== undefined) return createBindGroup(d);
    const v = bkey.v;
    v.length = 0;
    v.push(idOf(d.layout));
    for (const e of d.entries) {
      const r = e.resource;
      if (!isBufferBinding(r)) return createBindGroup(d);
      // A whole buffer, however written, is one binding (-1, -1); a part is its range.
      if (isWhole(r)) v.push(e.binding, idOf(r.buffer), -1, -1);
      else v.push(e.binding, idOf(r.buffer), r.offset ?? 0, r.size ?? r.buffer.size - (r.offset ?? 0));
    }
    const hash = bkey.hash();
    const hit = bindGroups.get(bkey, hash);
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
    bindGroups.set(bkey, hash, made);
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
