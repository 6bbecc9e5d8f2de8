// Conv2DBackpropFilter (the filter gradient, NHWC) for the 'webgpu' backend as a tiled,
// split-K matrix product over an implicit im2col.
//
// Why: tfjs-webgpu 4.22's own kernel gives each filter element one thread that loops
// over every (image, output row, output column): ResNet-18's CIFAR stem (3x3x3x64)
// is 1,728 threads of 524,288 serial steps each at a 512-image batch, which leaves a
// large GPU nearly idle. As a matrix product, dW[r, co] = sum_q A[q, r] B[q, co] with
// r = (kh, kw, ci), q = (image, oy, ox), A[q, r] = x at the tap (0 in the padding) and
// B[q, co] = dy. Each workgroup (16 x 16 threads, 2 x 2 outputs each) computes a 32 x 32
// tile of dW over one slice of q, staging 16 q-rows of A and B at a time in workgroup
// memory (reads along ci and co are contiguous); a second pass sums the slices. The
// number of slices is chosen to give the GPU enough workgroups.
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import { flatProgram, i32, type Program, type WebGpuBackendLike } from "./program.js";

const TILE = 32;
const TK = 16;
/** Workgroups to aim for (a large GPU runs thousands at once). */
const TARGET_WORKGROUPS = 2048;
/** The slices' partial sums stay under this many bytes. */
const MAX_PARTIAL_BYTES = 64 * 2 ** 20;

export interface FilterGradPlan {
  rows: number;
  cols: number;
  positions: number;
  slices: number;
  perSlice: number;
}

/** How the reduction over q = N * OH * OW is split. */
export function planFilterGrad(rows: number, cols: number, positions: number): FilterGradPlan {
  const tiles = Math.ceil(rows / TILE) * Math.ceil(cols / TILE);
  let slices = Math.max(1, Math.min(Math.ceil(TARGET_WORKGROUPS / tiles), Math.ceil(positions / (TK * 8))));
  slices = Math.max(1, Math.min(slices, Math.floor(MAX_PARTIAL_BYTES / (rows * cols * 4))));
  // Whole TK-blocks per slice.
  const perSlice = Math.ceil(positions / slices / TK) * TK;
  return { rows, cols, positions, slices: Math.ceil(positions / perSlice), perSlice };
}

function partialProgram(plan: FilterGradPlan): Program {
  return {
    variableNames: ["x", "dy"],
    outputShape: [plan.slices, plan.rows, plan.cols],
    shaderKey: "adainfConv2dFilterGrad",
    dispatchLayout: { x: [0], y: [1], z: [2] },
    dispatch: [Math.ceil(plan.cols / TILE), Math.ceil(plan.rows / TILE), plan.slices],
    workgroupSize: [16, 16, 1],
    uniforms:
      "rows : i32, cols : i32, positions : i32, perSlice : i32, inH : i32, inW : i32, inC : i32, " +
      "outH : i32, outW : i32, kW : i32, strideH : i32, strideW : i32, padT : i32, padL : i32,",
    getUserCode: () => `
  var<workgroup> tileA : array<array<f32, ${TILE}>, ${TK}>;
  var<workgroup> tileB : array<array<f32, ${TILE}>, ${TK}>;

  // A[q, r]: the input under filter tap r for output position q (0 in the padding).
  fn loadA(q : i32, r : i32) -> f32 {
    if (q >= uniforms.positions || r >= uniforms.rows) { return 0.0; }
    let ci = r % uniforms.inC;
    let tap = r / uniforms.inC;
    let kw = tap % uniforms.kW;
    let kh = tap / uniforms.kW;
    let ox = q % uniforms.outW;
    let rest = q / uniforms.outW;
    let oy = rest % uniforms.outH;
    let b = rest / uniforms.outH;
    let iy = oy * uniforms.strideH + kh - uniforms.padT;
    let ix = ox * uniforms.strideW + kw - uniforms.padL;
    if (iy < 0 || iy >= uniforms.inH || ix < 0 || ix >= uniforms.inW) { return 0.0; }
    return x[((b * uniforms.inH + iy) * uniforms.inW + ix) * uniforms.inC + ci];
  }

  fn loadB(q : i32, co : i32) -> f32 {
    if (q >= uniforms.positions || co >= uniforms.cols) { return 0.0; }
    return dy[q * uniforms.cols + co];
  }

  fn main() {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let col0 = i32(workgroupId.x) * ${TILE};
    let row0 = i32(workgroupId.y) * ${TILE};
    let slice = i32(workgroupId.z);
    let qStart = slice * uniforms.perSlice;
    let qEnd = min(qStart + uniforms.perSlice, uniforms.positions);
    var acc00 = 0.0;
    var acc01 = 0.0;
    var acc10 = 0.0;
    var acc11 = 0.0;
    // Each thread stages 2 of the tile's ${TK} x ${TILE} values of A and of B.
    let flat = ty * 16 + tx;
    let lk = flat / 16;
    let lj = (flat % 16) * 2;
    // The trip count comes from uniforms only, so the barriers are in uniform control
    // flow (the last slice's extra rows load zeros).
    let steps = uniforms.perSlice / ${TK};
    for (var step = 0; step < steps; step = step + 1) {
      let q = qStart + step * ${TK} + lk;
      let inSlice = q < qEnd;
      tileA[lk][lj] = select(0.0, loadA(q, row0 + lj), inSlice);
      tileA[lk][lj + 1] = select(0.0, loadA(q, row0 + lj + 1), inSlice);
      tileB[lk][lj] = select(0.0, loadB(q, col0 + lj), inSlice);
      tileB[lk][lj + 1] = select(0.0, loadB(q, col0 + lj + 1), inSlice);
      workgroupBarrier();
      for (var k = 0; k < ${TK}; k = k + 1) {
        let a0 = tileA[k][ty * 2];
        let a1 = tileA[k][ty * 2 + 1];
        let b0 = tileB[k][tx * 2];
        let b1 = tileB[k][tx * 2 + 1];
        acc00 = acc00 + a0 * b0;
        acc01 = acc01 + a0 * b1;
        acc10 = acc10 + a1 * b0;
        acc11 = acc11 + a1 * b1;
      }
      workgroupBarrier();
    }
    let r = row0 + ty * 2;
    let c = col0 + tx * 2;
    let base = slice * uniforms.rows * uniforms.cols;
    if (r < uniforms.rows && c < uniforms.cols) { result[base + r * uniforms.cols + c] = acc00; }
    if (r < uniforms.rows && c + 1 < uniforms.cols) { result[base + r * uniforms.cols + c + 1] = acc01; }
    if (r + 1 < uniforms.rows && c < uniforms.cols) { result[base + (r + 1) * uniforms.cols + c] = acc10; }
    if (r + 1 < uniforms.rows && c + 1 < uniforms.cols) { result[base + (r + 1) * uniforms.cols + c + 1] = acc11; }
  }`,
  };
}

/** Sums the slices: [S, R, Co] -> the filter's shape. */
function sumSlicesProgram(filterShape: number[]): Program {
  return flatProgram(
    "adainfConv2dFilterGradSum",
    ["parts"],
    filterShape,
    "slices : i32,",
    `
  fn main(index : i32) {
    if (index < uniforms.size) {
      var s = 0.0;
      for (var i = 0; i < uniforms.slices; i = i + 1) {
        s = s + parts[i * uniforms.size + index];
      }
      result[index] = s;
    }
  }`,
  );
}

const conv2dBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as unknown as WebGpuBackendLike;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: "valid" | "same" | number | backend_util.ExplicitPadding;
    dataFormat: "NHWC" | "NCHW";
    dimRoundingMode?: "floor" | "round" | "ceil";
    filterShape: [number, number, number, number];
  };
  if (dataFormat === "NCHW") throw new Error("adainf's webgpu Conv2DBackpropFilter supports NHWC only");
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const cols = info.outChannels;
  const plan = planFilterGrad(rows, cols, info.batchSize * info.outHeight * info.outWidth);
  const uniforms = [
    i32(rows),
    i32(cols),
    i32(plan.positions),
    i32(plan.perSlice),
    i32(info.inHeight),
    i32(info.inWidth),
    i32(info.inChannels),
    i32(info.outHeight),
    i32(info.outWidth),
    i32(info.filterWidth),
    i32(info.strideHeight),
    i32(info.strideWidth),
    i32(info.padInfo.top),
    i32(info.padInfo.left),
  ];
  const parts = b.runWebGPUProgram(partialProgram(plan), [x, dy], "float32", uniforms);
  try {
    return b.runWebGPUProgram(sumSlicesProgram([...filterShape]), [parts], "float32", [i32(plan.slices)]);
  } finally {
    b.disposeData(parts.dataId);
  }
};

export const webgpuConv2dBackpropFilterConfig: KernelConfig = {
  kernelName: "Conv2DBackpropFilter",
  backendName: "webgpu",
  kernelFunc: conv2dBackpropFilter,
};
