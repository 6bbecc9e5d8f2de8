// Conv2DBackpropFilter (the filter gradient, NHWC) for the 'webgpu' backend as a tiled,
// split-K matrix product over an implicit im2col.
//
// Why: tfjs-webgpu 4.22's own kernel gives each filter element one thread that loops
// over every (image, output row, output column): ResNet-18's CIFAR stem (3x3x3x64)
// is 1,728 threads of 524,288 serial steps each at a 512-image batch, which leaves a
// large GPU nearly idle. As a matrix product, dW[r, co] = sum_q A[q, r] B[q, co] with
// r = (kh, kw, ci), q = (image, oy, ox), A[q, r] = x at the tap (0 in the padding) and
// B[q, co] = dy. Each workgroup (16 x 16 threads, 4 x 4 outputs each, as vec4 products)
// computes a 64 x 64 tile of dW over one slice of q, staging 16 q-rows of A and B at a
// time in workgroup memory (reads along ci and co are contiguous). A thread stages the
// same 4 rows r at every step, so their taps are decoded once, and q once per step: the
// loop is multiply-adds, not integer division. A second pass sums the slices, whose
// number is chosen to give the GPU enough workgroups.
import { backend_util, type KernelConfig, type KernelFunc, type TensorInfo } from "@tensorflow/tfjs-core";
import { flatProgram, i32, type Program, type WebGpuBackendLike } from "./program.js";

/** Rows and columns of dW per workgroup (16 threads x 4 each way). */
const TILE = 64;
/** Positions q staged per step. */
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
    shaderKey: "adainfConv2dFilterGrad4x4",
    dispatchLayout: { x: [0], y: [1], z: [2] },
    dispatch: [Math.ceil(plan.cols / TILE), Math.ceil(plan.rows / TILE), plan.slices],
    workgroupSize: [16, 16, 1],
    uniforms:
      "rows : i32, cols : i32, positions : i32, perSlice : i32, inH : i32, inW : i32, inC : i32, " +
      "outH : i32, outW : i32, kW : i32, strideH : i32, strideW : i32, padT : i32, padL : i32,",
    getUserCode: () => `
  // [k * 16 + g]: rows (or columns) 4g .. 4g + 3 of the tile at staged position k.
  var<workgroup> tileA : array<vec4<f32>, ${TK * 16}>;
  var<workgroup> tileB : array<vec4<f32>, ${TK * 16}>;

  fn main() {
    let tx = i32(localId.x);
    let ty = i32(localId.y);
    let col0 = i32(workgroupId.x) * ${TILE};
    let row0 = i32(workgroupId.y) * ${TILE};
    let slice = i32(workgroupId.z);
    let qStart = slice * uniforms.perSlice;
    let qEnd = min(qStart + uniforms.perSlice, uniforms.positions);

    // What this thread stages at every step: position row ty of the block, rows
    // row0 + 4 tx .. + 3 of A (their taps decoded once) and columns col0 + 4 tx .. + 3 of B.
    let r = vec4<i32>(row0 + tx * 4) + vec4<i32>(0, 1, 2, 3);
    let tap = r / vec4<i32>(uniforms.inC);
    let chan = r % vec4<i32>(uniforms.inC);
    let tapY = tap / vec4<i32>(uniforms.kW) - vec4<i32>(uniforms.padT);
    let tapX = tap % vec4<i32>(uniforms.kW) - vec4<i32>(uniforms.padL);
    let rowOk = r < vec4<i32>(uniforms.rows);
    let co = col0 + tx * 4;

    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    // The trip count comes from uniforms only, so the barriers are in uniform control
    // flow (the last slice's extra positions stage zeros).
    let steps = uniforms.perSlice / ${TK};
    for (var step = 0; step < steps; step = step + 1) {
      let q = qStart + step * ${TK} + ty;
      var a = vec4<f32>(0.0);
      var b = vec4<f32>(0.0);
      if (q < qEnd) {
        let ox = q % uniforms.outW;
        let rest = q / uniforms.outW;
        let oy = rest % uniforms.outH;
        let image = rest / uniforms.outH;
        let iy = tapY + vec4<i32>(oy * uniforms.strideH);
        let ix = tapX + vec4<i32>(ox * uniforms.strideW);
        let yOk = rowOk & (iy >= vec4<i32>(0)) & (iy < vec4<i32>(uniforms.inH));
        let ok = yOk & (ix >= vec4<i32>(0)) & (ix < vec4<i32>(uniforms.inW));
        let at = ((vec4<i32>(image * uniforms.inH) + iy) * uniforms.inW + ix) * uniforms.inC + chan;
        let colOk = vec4<i32>(co) + vec4<i32>(0, 1, 2, 3) < vec4<i32>(uniforms.cols);
        let bt = q * uniforms.cols + co;
${[0, 1, 2, 3].map((i) => `        if (ok.${"xyzw"[i]}) { a.${"xyzw"[i]} = x[at.${"xyzw"[i]}]; }\n        if (colOk.${"xyzw"[i]}) { b.${"xyzw"[i]} = dy[bt + ${i}]; }`).join("\n")}
      }
      tileA[ty * 16 + tx] = a;
      tileB[ty * 16 + tx] = b;
      workgroupBarrier();
      for (var k = 0; k < ${TK}; k = k + 1) {
        let av = tileA[k * 16 + ty];
        let bv = tileB[k * 16 + tx];
        acc0 = acc0 + av.x * bv;
        acc1 = acc1 + av.y * bv;
        acc2 = acc2 + av.z * bv;
        acc3 = acc3 + av.w * bv;
      }
      workgroupBarrier();
    }
    // This thread's outputs: rows row0 + 4 ty .. + 3, columns col0 + 4 tx .. + 3.
    let base = slice * uniforms.rows * uniforms.cols;
    let c = col0 + tx * 4;
${[0, 1, 2, 3].map((i) => `    if (row0 + ty * 4 + ${i} < uniforms.rows) {\n${[0, 1, 2, 3].map((j) => `      if (c + ${j} < uniforms.cols) { result[base + (row0 + ty * 4 + ${i}) * uniforms.cols + c + ${j}] = acc${i}.${"xyzw"[j]}; }`).join("\n")}\n    }`).join("\n")}
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
