// Multiply-adds of the kernels that hold a training step's arithmetic, from the shapes
// tf.profile records, so bench/step.ts (and the device check's summary) can say what rate
// each kernel reached: GFLOP per step and TFLOPS against the GPU's peak.
const prod = (shape: readonly number[] | undefined): number => (shape ?? []).reduce((a, b) => a * b, 1);

/**
 * Multiply-adds of one kernel call from its shapes (tf.profile records them), for the
 * kernels that hold the arithmetic; null for the rest. NHWC, filters [kh, kw, cin, cout].
 */
export function kernelMacs(name: string, inputs: readonly number[][], outputs: readonly number[][]): number | null {
  const tap = (f: readonly number[] | undefined): number => (f && f.length === 4 ? f[0]! * f[1]! * f[2]! : Number.NaN);
  switch (name) {
    case "Conv2D":
    case "FusedConv2D":
      return prod(outputs[0]) * tap(inputs[1]); // y = x * W: each output, a tap of W
    case "Conv2DBackpropInput":
      return prod(inputs[0]) * tap(inputs[1]); // dx from dy and W: as many as forward
    case "Conv2DBackpropFilter":
      return prod(inputs[1]) * tap(outputs[0]); // dW from x and dy: as many as forward
    case "BatchMatMul":
    case "_FusedMatMul": {
      const out = outputs[0];
      if (!out || out.length < 2) return null;
      const batch = prod(out.slice(0, -2));
      const k = Math.sqrt((prod(inputs[0]) * prod(inputs[1])) / (prod(out) * batch));
      return prod(out) * Math.round(k);
    }
    default:
      return null;
  }
}
