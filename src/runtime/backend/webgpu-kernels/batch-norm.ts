// Training-mode batch norm and its gradient for the 'webgpu' backend, as WGSL programs
// under tfjs-webgpu's program runner: the same contracts as the wasm kernels
// (backend/batch-norm-kernels.ts), so models/batch-norm-train.ts takes them up by name.
//
// Why: composed from tfjs ops, training batch norm on webgpu is ~8 dispatches forward
// and ~14 backward, and each per-channel reduction of an NHWC tensor over N, H, W first
// transposes the whole tensor. Here x is read as [M, C] rows (M = N*H*W), channels
// contiguous, and each direction is one partial-reduction pass (workgroups of 64
// channels x 4 rows over a slice of the rows), two or three tiny per-channel merges,
// and one element-wise pass. Statistics are Welford's (count, mean, M2) merged with Chan's
// formula, so the variance has no E[x^2] - E[x]^2 cancellation.
import type { KernelConfig, KernelFunc, TensorInfo } from "@tensorflow/tfjs-core";
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, refuseEmptyBatch, type BatchNormTrainAttrs } from "../batch-norm-kernels.js";
import { f32, flatProgram, i32, type Program, type WebGpuBackendLike } from "./program.js";

/** Channels per workgroup (one lane each: consecutive floats) and rows per workgroup. */
const LANES = 64;
const ROWS = 4;
/** Enough workgroups to fill a large GPU, few enough that the merges stay tiny. */
const MAX_WORKGROUPS = 1024;

/** Rows per partial slice (R) and the number of slices (P) for an [M, C] input. */
export function partition(m: number, c: number): { rowsPerPart: number; parts: number } {
  const groups = Math.ceil(c / LANES);
  const want = Math.max(1, Math.min(Math.ceil(m / 16), Math.floor(MAX_WORKGROUPS / groups)));
  const rowsPerPart = Math.max(1, Math.ceil(m / want));
  return { rowsPerPart, parts: Math.ceil(m / rowsPerPart) };
}

/** A per-slice reduction over rows: workgroup (lane, row), dispatched (channel groups, slices). */
function partialProgram(key: string, variableNames: string[], outputShape: number[], parts: number, c: number, body: string): Program {
  return {
    variableNames,
    outputShape,
    shaderKey: key,
    // Not flat: main() reads workgroupId/localId itself.
    dispatchLayout: { x: [0], y: [1] },
    dispatch: [Math.ceil(c / LANES), parts, 1],
    workgroupSize: [LANES, ROWS, 1],
    uniforms: "M : i32, C : i32, R : i32, eps : f32,",
    getUserCode: () => body,
  };
}

const SLICE_HEADER = `
  let lane = i32(localId.x);
  let row = i32(localId.y);
  let c = i32(workgroupId.x) * ${LANES} + lane;
  let p = i32(workgroupId.y);
  let start = p * uniforms.R;
  let end = min(start + uniforms.R, uniforms.M);
  let slot = row * ${LANES} + lane;`;

/** Forward pass 1: Welford (count, mean, M2) of each channel over each slice -> [P, 3, C]. */
function statsPartial(parts: number, c: number): Program {
  return partialProgram(
    "adainfBnStatsPartial",
    ["x"],
    [parts, 3, c],
    parts,
    c,
    `
  var<workgroup> sN : array<f32, ${LANES * ROWS}>;
  var<workgroup> sMean : array<f32, ${LANES * ROWS}>;
  var<workgroup> sM2 : array<f32, ${LANES * ROWS}>;
  fn main() {${SLICE_HEADER}
    var n = 0.0;
    var mean = 0.0;
    var m2 = 0.0;
    if (c < uniforms.C) {
      for (var r = start + row; r < end; r = r + ${ROWS}) {
        let v = x[r * uniforms.C + c];
        n = n + 1.0;
        let d = v - mean;
        mean = mean + d / n;
        m2 = m2 + d * (v - mean);
      }
    }
    sN[slot] = n;
    sMean[slot] = mean;
    sM2[slot] = m2;
    workgroupBarrier();
    if (row == 0 && c < uniforms.C) {
      for (var k = 1; k < ${ROWS}; k = k + 1) {
        let o = k * ${LANES} + lane;
        let nb = sN[o];
        if (nb > 0.0) {
          let nn = n + nb;
          let d = sMean[o] - mean;
          mean = mean + d * nb / nn;
          m2 = m2 + sM2[o] + d * d * n * nb / nn;
          n = nn;
        }
      }
      let base = p * 3 * uniforms.C;
      result[base + c] = n;
      result[base + uniforms.C + c] = mean;
      result[base + 2 * uniforms.C + c] = m2;
    }
  }`,
  );
}

/** Forward pass 2: merge the slices; mode 0 -> mean [C], mode 1 -> biased variance [C]. */
function statsFinal(c: number, mode: 0 | 1): Program {
  return flatProgram(
    `adainfBnStatsFinal${mode}`,
    ["parts"],
    [c],
    "P : i32, C : i32,",
    `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var n = 0.0;
      var mean = 0.0;
      var m2 = 0.0;
      for (var p = 0; p < uniforms.P; p = p + 1) {
        let base = p * 3 * uniforms.C;
        let nb = parts[base + index];
        if (nb > 0.0) {
          let nn = n + nb;
          let d = parts[base + uniforms.C + index] - mean;
          mean = mean + d * nb / nn;
          m2 = m2 + parts[base + 2 * uniforms.C + index] + d * d * n * nb / nn;
          n = nn;
        }
      }
      ${mode === 0 ? "result[index] = mean;" : "result[index] = m2 / n;"}
    }
  }`,
  );
}

/** Forward pass 3: y = (x - mean) * gamma / sqrt(var + eps) + beta, then max(0, y) with relu. */
function normalize(shape: number[], relu: boolean): Program {
  return flatProgram(
    `adainfBnApply${relu ? "Relu" : ""}`,
    ["x", "mean", "variance", "scale", "offset"],
    shape,
    "C : i32, eps : f32,",
    `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let c = index % uniforms.C;
      let k = scale[c] * inverseSqrt(variance[c] + uniforms.eps);
      let v = (x[index] - mean[c]) * k + offset[c];
      result[index] = ${relu ? "max(v, 0.0)" : "v"};
    }
  }`,
  );
}

/** Gradient pass 1: per slice, sum(g) and sum(g * xhat), g = dy masked by y > 0 with relu -> [P, 2, C]. */
function gradPartial(parts: number, c: number, relu: boolean): Program {
  const names = relu ? ["dy", "x", "mean", "variance", "y"] : ["dy", "x", "mean", "variance"];
  return partialProgram(
    `adainfBnGradPartial${relu ? "Relu" : ""}`,
    names,
    [parts, 2, c],
    parts,
    c,
    `
  var<workgroup> sA : array<f32, ${LANES * ROWS}>;
  var<workgroup> sB : array<f32, ${LANES * ROWS}>;
  fn main() {${SLICE_HEADER}
    var a = 0.0;
    var b = 0.0;
    if (c < uniforms.C) {
      let m = mean[c];
      let inv = inverseSqrt(variance[c] + uniforms.eps);
      for (var r = start + row; r < end; r = r + ${ROWS}) {
        let i = r * uniforms.C + c;
        ${relu ? "let g = select(0.0, dy[i], y[i] > 0.0);" : "let g = dy[i];"}
        a = a + g;
        b = b + g * (x[i] - m) * inv;
      }
    }
    sA[slot] = a;
    sB[slot] = b;
    workgroupBarrier();
    if (row == 0 && c < uniforms.C) {
      for (var k = 1; k < ${ROWS}; k = k + 1) {
        a = a + sA[k * ${LANES} + lane];
        b = b + sB[k * ${LANES} + lane];
      }
      result[p * 2 * uniforms.C + c] = a;
      result[p * 2 * uniforms.C + uniforms.C + c] = b;
    }
  }`,
  );
}

/** Gradient pass 2: the slices' sums; mode 0 -> sum(g) (d offset), mode 1 -> sum(g * xhat) (d scale). */
function gradFinal(c: number, mode: 0 | 1): Program {
  return flatProgram(
    `adainfBnGradFinal${mode}`,
    ["parts"],
    [c],
    "P : i32, C : i32,",
    `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var s = 0.0;
      for (var p = 0; p < uniforms.P; p = p + 1) {
        s = s + parts[p * 2 * uniforms.C + ${mode} * uniforms.C + index];
      }
      result[index] = s;
    }
  }`,
  );
}

/**
 * Gradient pass 3: per-channel coefficients of dx = a g + b + d (x - mean), that is
 * a = gamma invstd, b = -a sum(g) / M, d = -a invstd sum(g xhat) / M -> [3, C]
 * (one small pass, so the element-wise one binds few buffers: WebGPU allows 8).
 */
function gradCoefficients(c: number): Program {
  return flatProgram(
    "adainfBnGradCoef",
    ["parts", "variance", "scale"],
    [3, c],
    "P : i32, C : i32, M : f32, eps : f32,",
    `
  fn main(index : i32) {
    if (index < uniforms.C) {
      var sdy = 0.0;
      var sdyx = 0.0;
      for (var p = 0; p < uniforms.P; p = p + 1) {
        sdy = sdy + parts[p * 2 * uniforms.C + index];
        sdyx = sdyx + parts[p * 2 * uniforms.C + uniforms.C + index];
      }
      let inv = inverseSqrt(variance[index] + uniforms.eps);
      let a = scale[index] * inv;
      result[index] = a;
      result[uniforms.C + index] = -a * sdy / uniforms.M;
      result[2 * uniforms.C + index] = -a * inv * sdyx / uniforms.M;
    }
  }`,
  );
}

/** Gradient pass 4: dx = a g + b + d (x - mean), g = dy masked by y > 0 with relu. */
function gradInput(shape: number[], relu: boolean): Program {
  const names = ["dy", "x", "mean", "coef", ...(relu ? ["y"] : [])];
  return flatProgram(
    `adainfBnGradInput${relu ? "Relu" : ""}`,
    names,
    shape,
    "C : i32,",
    `
  fn main(index : i32) {
    if (index < uniforms.size) {
      let c = index % uniforms.C;
      ${relu ? "let g = select(0.0, dy[index], y[index] > 0.0);" : "let g = dy[index];"}
      result[index] = coef[c] * g + coef[uniforms.C + c] + coef[2 * uniforms.C + c] * (x[index] - mean[c]);
    }
  }`,
  );
}

function rows(x: TensorInfo): { m: number; c: number } {
  const c = x.shape[x.shape.length - 1] ?? 1;
  const size = x.shape.reduce((a, b) => a * b, 1);
  return { m: c > 0 ? size / c : 0, c };
}

const batchNormTrain: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGpuBackendLike;
  const { x, scale, offset } = inputs as { x: TensorInfo; scale: TensorInfo; offset: TensorInfo };
  refuseEmptyBatch(x.shape);
  const { varianceEpsilon: eps, relu } = attrs as unknown as BatchNormTrainAttrs;
  const { m, c } = rows(x);
  const { rowsPerPart, parts } = partition(m, c);
  const partial = b.runWebGPUProgram(statsPartial(parts, c), [x], "float32", [i32(m), i32(c), i32(rowsPerPart), f32(eps)]);
  try {
    const mean = b.runWebGPUProgram(statsFinal(c, 0), [partial], "float32", [i32(parts), i32(c)]);
    const variance = b.runWebGPUProgram(statsFinal(c, 1), [partial], "float32", [i32(parts), i32(c)]);
    const y = b.runWebGPUProgram(normalize([...x.shape], relu), [x, mean, variance, scale, offset], "float32", [i32(c), f32(eps)]);
    return [y, mean, variance];
  } finally {
    b.disposeData(partial.dataId);
  }
};

const batchNormTrainGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const bk = backend as unknown as WebGpuBackendLike;
  const { dy, x, mean, variance, scale, y } = inputs as Record<"dy" | "x" | "mean" | "variance" | "scale" | "y", TensorInfo>;
  const { varianceEpsilon: eps, relu } = attrs as unknown as BatchNormTrainAttrs;
  const { m, c } = rows(x);
  const { rowsPerPart, parts } = partition(m, c);
  const partial = bk.runWebGPUProgram(gradPartial(parts, c, relu), relu ? [dy, x, mean, variance, y] : [dy, x, mean, variance], "float32", [
    i32(m),
    i32(c),
    i32(rowsPerPart),
    f32(eps),
  ]);
  try {
    const sdy = bk.runWebGPUProgram(gradFinal(c, 0), [partial], "float32", [i32(parts), i32(c)]);
    const sdyx = bk.runWebGPUProgram(gradFinal(c, 1), [partial], "float32", [i32(parts), i32(c)]);
    const coef = bk.runWebGPUProgram(gradCoefficients(c), [partial, variance, scale], "float32", [i32(parts), i32(c), f32(m), f32(eps)]);
    let dx: TensorInfo;
    try {
      dx = bk.runWebGPUProgram(gradInput([...x.shape], relu), [dy, x, mean, coef, ...(relu ? [y] : [])], "float32", [i32(c)]);
    } finally {
      bk.disposeData(coef.dataId);
    }
    return [dx, sdyx, sdy];
  } finally {
    bk.disposeData(partial.dataId);
  }
};

export const webgpuBatchNormTrainConfig: KernelConfig = { kernelName: BATCH_NORM_TRAIN, backendName: "webgpu", kernelFunc: batchNormTrain };
export const webgpuBatchNormTrainGradConfig: KernelConfig = {
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName: "webgpu",
  kernelFunc: batchNormTrainGrad,
};
