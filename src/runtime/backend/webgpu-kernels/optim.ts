// The per-step bookkeeping kernels of backend/fused-kernels.ts for 'webgpu', in WGSL.
// Composed from tfjs ops, one LARS update of one parameter is ~23 dispatches (two
// norms, the trust ratio and its `if` as tensor ops, the momentum buffer, the update);
// a ResNet-18 step had ~1,400 of them for LARS alone and ~300 for running statistics.
// Here: LARS is 3 dispatches per parameter (partial sums of p^2 and g^2 over up to 64
// workgroups; the new momentum buffer, each workgroup merging the partial sums in
// workgroup memory and computing the ratio itself; the new parameter), 2 for an excluded
// one; a x + b c y is 1.
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { AXPBY, LARS_STEP, type LarsStepAttrs } from "../fused-kernels.js";
import { f32, flatProgram, i32, sizeOf, type Program, type WebGpuBackendLike } from "./program.js";

const WG = 256;
const MAX_PARTS = 64;

function flat(key: string, variableNames: string[], shape: number[], uniforms: string, body: string): Program {
  return flatProgram(key, variableNames, shape, uniforms, body, WG);
}

// ------------------------------------------------------------------ a x + b c y

const axpby: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGpuBackendLike;
  const { x, y } = inputs as { x: TensorInfo; y: TensorInfo };
  const { a, b: bb, c } = attrs as unknown as { a: number; b: number; c: number };
  const program = flat(
    "adainfAxpby",
    ["x", "y"],
    [...x.shape],
    "a : f32, b : f32, c : f32,",
    `
  fn main(index : i32) {
    if (index < uniforms.size) {
      result[index] = uniforms.a * x[index] + uniforms.b * (uniforms.c * y[index]);
    }
  }`,
  );
  return b.runWebGPUProgram(program, [x, y], "float32", [f32(a), f32(bb), f32(c)]);
};

// ------------------------------------------------------------------ LARS

/** Partial sums of p^2 and g^2: workgroup w strides over the tensor -> [parts, 2]. */
function normsProgram(parts: number): Program {
  return {
    variableNames: ["p", "g"],
    outputShape: [parts, 2],
    shaderKey: "adainfLarsNorms",
    dispatchLayout: { x: [0], y: [1] },
    dispatch: [parts, 1, 1],
    workgroupSize: [WG, 1, 1],
    uniforms: "n : i32, parts : i32,",
    getUserCode: () => `
  var<workgroup> sp : array<f32, ${WG}>;
  var<workgroup> sg : array<f32, ${WG}>;
  fn main() {
    let lid = i32(localId.x);
    var a = 0.0;
    var b = 0.0;
    for (var i = i32(workgroupId.x) * ${WG} + lid; i < uniforms.n; i = i + uniforms.parts * ${WG}) {
      let pv = p[i];
      let gv = g[i];
      a = a + pv * pv;
      b = b + gv * gv;
    }
    sp[lid] = a;
    sg[lid] = b;
    workgroupBarrier();
    for (var s = ${WG / 2}; s > 0; s = s / 2) {
      if (lid < s) {
        sp[lid] = sp[lid] + sp[lid + s];
        sg[lid] = sg[lid] + sg[lid + s];
      }
      workgroupBarrier();
    }
    if (lid == 0) {
      result[i32(workgroupId.x) * 2] = sp[0];
      result[i32(workgroupId.x) * 2 + 1] = sg[0];
    }
  }`,
  };
}

/**
 * d = (g + decay p) factor (adapted) or g, then buf' = momentum buf + d (or d at the
 * first step, or d itself without momentum). The workgroup merges the norm partials first.
 */
function directionProgram(shape: number[], adapted: boolean, hasBuf: boolean): Program {
  // Only what the shader reads: Dawn drops unused bindings from the pipeline's layout.
  const names = [...(adapted ? ["p"] : []), "g", ...(adapted ? ["parts"] : []), ...(hasBuf ? ["buf"] : [])];
  const p = flat(
    `adainfLarsDir${adapted ? "A" : ""}${hasBuf ? "B" : ""}`,
    names,
    shape,
    "lr : f32, momentum : f32, wd : f32, eta : f32, eps : f32, clip : i32, parts : i32,",
    "",
  );
  const ratio = adapted
    ? `
    // The norms: every workgroup merges the partial sums (at most ${MAX_PARTS}) itself.
    let lid = i32(localIndex);
    if (lid < uniforms.parts) {
      np[lid] = parts[lid * 2];
      ng[lid] = parts[lid * 2 + 1];
    } else if (lid < ${MAX_PARTS}) {
      np[lid] = 0.0;
      ng[lid] = 0.0;
    }
    workgroupBarrier();
    for (var s = ${MAX_PARTS / 2}; s > 0; s = s / 2) {
      if (lid < s) {
        np[lid] = np[lid] + np[lid + s];
        ng[lid] = ng[lid] + ng[lid + s];
      }
      workgroupBarrier();
    }
    let pNorm = sqrt(np[0]);
    let gNorm = sqrt(ng[0]);
    var factor = 1.0;
    var decay = 0.0;
    if (pNorm > 0.0 && gNorm > 0.0) {
      factor = uniforms.eta * pNorm / (gNorm + pNorm * uniforms.wd + uniforms.eps);
      if (uniforms.clip != 0) {
        factor = min(factor / uniforms.lr, 1.0);
      }
      decay = uniforms.wd;
    }`
    : "";
  const d = adapted ? "(g[index] + p[index] * decay) * factor" : "g[index]";
  p.getUserCode = () => `
  ${adapted ? `var<workgroup> np : array<f32, ${MAX_PARTS}>;\n  var<workgroup> ng : array<f32, ${MAX_PARTS}>;` : ""}
  fn main(index : i32) {${ratio}
    if (index < uniforms.size) {
      let d = ${d};
      result[index] = ${hasBuf ? "uniforms.momentum * buf[index] + d" : "d"};
    }
  }`;
  return p;
}

function updateProgram(shape: number[]): Program {
  return flat(
    "adainfLarsUpdate",
    ["p", "step"],
    shape,
    "lr : f32,",
    `
  fn main(index : i32) {
    if (index < uniforms.size) {
      result[index] = p[index] - uniforms.lr * step[index];
    }
  }`,
  );
}

const larsStep: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGpuBackendLike;
  const { p, g, buf } = inputs as { p: TensorInfo; g: TensorInfo; buf?: TensorInfo };
  const a = attrs as unknown as LarsStepAttrs;
  const n = sizeOf(p);
  const shape = [...p.shape];
  const temps: TensorInfo[] = [];
  try {
    const parts = Math.max(1, Math.min(MAX_PARTS, Math.ceil(n / (WG * 16))));
    const dirInputs = a.adapted ? [p, g] : [g];
    if (a.adapted) {
      const partial = b.runWebGPUProgram(normsProgram(parts), [p, g], "float32", [i32(n), i32(parts)]);
      temps.push(partial);
      dirInputs.push(partial);
    }
    const hasBuf = a.momentum !== 0 && buf !== undefined;
    if (hasBuf) dirInputs.push(buf);
    const direction = b.runWebGPUProgram(directionProgram(shape, a.adapted, hasBuf), dirInputs, "float32", [
      f32(a.lr),
      f32(a.momentum),
      f32(a.weightDecay),
      f32(a.eta),
      f32(a.eps),
      i32(a.clipLr ? 1 : 0),
      i32(parts),
    ]);
    const next = b.runWebGPUProgram(updateProgram(shape), [p, direction], "float32", [f32(a.lr)]);
    if (a.momentum === 0) {
      temps.push(direction);
      return [next];
    }
    return [next, direction];
  } finally {
    for (const t of temps) b.disposeData(t.dataId);
  }
};

export const webgpuAxpbyConfig: KernelConfig = { kernelName: AXPBY, backendName: "webgpu", kernelFunc: axpby };
export const webgpuLarsStepConfig: KernelConfig = { kernelName: LARS_STEP, backendName: "webgpu", kernelFunc: larsStep };
