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
      // a [.., m, k] x b [.., k, n] = out [.., m, n], either side transposed or broadcast:
      // per batch entry, |a| |b| / |out| = m k k n / (m n) = k^2
      const [a, b, out] = [inputs[0], inputs[1], outputs[0]];
      if (!a || !b || !out || a.length < 2 || b.length < 2 || out.length < 2) return null;
      const perBatch = (s: readonly number[]): number => prod(s.slice(-2));
      const k = Math.round(Math.sqrt((perBatch(a) * perBatch(b)) / perBatch(out)));
      return prod(out) * k;
    }
    default:
      return null;
  }
}
