// What our WGSL kernels use of tfjs-webgpu's program runner, in one place: the backend's
// runWebGPUProgram/disposeData (not in its public types), the shape of a program object,
// a one-thread-per-output-element program, and uniform values. tfjs-webgpu generates each
// shader's header: `result` (the output), one storage array per name in variableNames,
// the `uniforms` struct (with `size` when program.size is set), and
// localId/workgroupId/localIndex; a program writes its main() (main(index) when flat).
import type { TensorInfo } from "@tensorflow/tfjs-core";

export interface WebGpuBackendLike {
  runWebGPUProgram(program: Program, inputs: TensorInfo[], outputDtype: "float32", uniforms?: Uniform[]): TensorInfo;
  disposeData(dataId: object): boolean;
}

export interface Uniform {
  type: string;
  data: number[];
}

/** One program object as tfjs-webgpu 4.22 expects it (its WebGPUProgram interface). */
export interface Program {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[]; y?: number[]; z?: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms: string;
  size?: boolean;
  getUserCode(): string;
}

/** One thread per output element, `fn main(index : i32)`; `uniforms.size` is the output size. */
export function flatProgram(key: string, variableNames: string[], outputShape: number[], uniforms: string, body: string, workgroup = 128): Program {
  const size = outputShape.reduce((a, b) => a * b, 1);
  return {
    variableNames,
    outputShape,
    shaderKey: key,
    dispatchLayout: { x: outputShape.map((_, i) => i) },
    dispatch: [Math.max(1, Math.ceil(size / workgroup)), 1, 1],
    workgroupSize: [workgroup, 1, 1],
    uniforms,
    size: true,
    getUserCode: () => body,
  };
}

export const i32 = (...data: number[]): Uniform => ({ type: "int32", data });
export const f32 = (...data: number[]): Uniform => ({ type: "float32", data });

/** The number of elements of a tensor. */
export function sizeOf(t: TensorInfo): number {
  return t.shape.reduce((a, b) => a * b, 1);
}
