// Batch norm over the channels (last axis) of a row-major [M, C] array, written as
// plain loops so a whole training step of one layer is four passes over memory:
// two forward (statistics, output), two backward (two per-channel sums, dx).
// tfjs's own FusedBatchNorm gradient instead tiles the per-channel statistics up
// to x's shape and reduces over non-inner axes through transposes; on wasm that
// cost more than the convolutions it sits between (see docs/runtime.md).
//
// Loop order: rows are taken in blocks of about BLOCK_FLOATS values, small enough
// that a block of every array stays in L1; within a block each channel is one
// strided loop with its sums in local variables. Measured 1.5-2x faster than the
// plain row-by-row loop with per-channel accumulator arrays.
//
// Sums accumulate in float64 (JS numbers), which keeps a single-pass variance
// exact enough: values are shifted by the first row before squaring, so a large
// mean does not cancel away the variance.

const BLOCK_FLOATS = 1024;

function rowsPerBlock(c: number): number {
  return Math.max(1, Math.floor(BLOCK_FLOATS / c));
}

/** Per-channel mean and biased variance of x viewed as [M, C]. */
export function channelMoments(x: Float32Array, c: number, mean: Float32Array, variance: Float32Array): void {
  const m = x.length / c;
  const block = rowsPerBlock(c);
  const s = new Float64Array(c);
  const q = new Float64Array(c);
  for (let r0 = 0; r0 < m; r0 += block) {
    const end = Math.min(m, r0 + block) * c;
    for (let j = 0; j < c; j++) {
      const shift = x[j] as number;
      let sj = 0;
      let qj = 0;
      for (let i = r0 * c + j; i < end; i += c) {
        const d = (x[i] as number) - shift;
        sj += d;
        qj += d * d;
      }
      s[j] = (s[j] as number) + sj;
      q[j] = (q[j] as number) + qj;
    }
  }
  for (let j = 0; j < c; j++) {
    const ds = (s[j] as number) / m;
    mean[j] = (x[j] as number) + ds;
    variance[j] = Math.max(0, (q[j] as number) / m - ds * ds);
  }
}

/** y = (x - mean) / sqrt(variance + eps) * scale + offset, per channel; max(0, y) with relu. */
export function normalize(
  x: Float32Array,
  c: number,
  mean: Float32Array,
  variance: Float32Array,
  scale: Float32Array,
  offset: Float32Array,
  eps: number,
  relu: boolean,
  y: Float32Array,
): void {
  const m = x.length / c;
  const block = rowsPerBlock(c);
  // y = a x + b per channel; the arithmetic is float64, so folding the mean into b
  // loses nothing before the final rounding to float32.
  const a = new Float64Array(c);
  const b = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const k = (scale[j] as number) / Math.sqrt((variance[j] as number) + eps);
    a[j] = k;
    b[j] = (offset[j] as number) - (mean[j] as number) * k;
  }
  for (let r0 = 0; r0 < m; r0 += block) {
    const end = Math.min(m, r0 + block) * c;
    for (let j = 0; j < c; j++) {
      const aj = a[j] as number;
      const bj = b[j] as number;
      if (relu) {
        for (let i = r0 * c + j; i < end; i += c) {
          const v = (x[i] as number) * aj + bj;
          y[i] = v > 0 ? v : 0;
        }
      } else {
        for (let i = r0 * c + j; i < end; i += c) y[i] = (x[i] as number) * aj + bj;
      }
    }
  }
}

/**
 * Gradient of training-mode batch norm (statistics from the batch itself):
 *   dbeta  = sum(dy),  dgamma = sum(dy * xhat),
 *   dx = gamma * invstd / M * (M dy - sum(dy) - xhat * sum(dy * xhat)),
 * with xhat = (x - mean) * invstd and sums over the M rows of each channel.
 * `reluOut`, when given, is the output of a fused ReLU: dy counts only where it is > 0.
 */
export function normalizeGrad(
  dy: Float32Array,
  x: Float32Array,
  c: number,
  mean: Float32Array,
  variance: Float32Array,
  scale: Float32Array,
  eps: number,
  reluOut: Float32Array | null,
  dx: Float32Array,
  dscale: Float32Array,
  doffset: Float32Array,
): void {
  const m = x.length / c;
  const block = rowsPerBlock(c);
  const sdy = new Float64Array(c);
  const sdyx = new Float64Array(c); // sum(dy * (x - mean)): dgamma before the invstd factor
  for (let r0 = 0; r0 < m; r0 += block) {
    const end = Math.min(m, r0 + block) * c;
    for (let j = 0; j < c; j++) {
      const mu = mean[j] as number;
      let s = 0;
      let t = 0;
      if (reluOut === null) {
        for (let i = r0 * c + j; i < end; i += c) {
          const g = dy[i] as number;
          s += g;
          t += g * ((x[i] as number) - mu);
        }
      } else {
        for (let i = r0 * c + j; i < end; i += c) {
          const g = (reluOut[i] as number) > 0 ? (dy[i] as number) : 0;
          s += g;
          t += g * ((x[i] as number) - mu);
        }
      }
      sdy[j] = (sdy[j] as number) + s;
      sdyx[j] = (sdyx[j] as number) + t;
    }
  }
  // dx = k dy + p x + q per channel, with k = gamma invstd,
  // p = -k invstd^2 sdyx / M and q = -k sdy / M - p mean.
  const k = new Float64Array(c);
  const p = new Float64Array(c);
  const q = new Float64Array(c);
  for (let j = 0; j < c; j++) {
    const invstd = 1 / Math.sqrt((variance[j] as number) + eps);
    const kj = (scale[j] as number) * invstd;
    const pj = (-kj * invstd * invstd * (sdyx[j] as number)) / m;
    k[j] = kj;
    p[j] = pj;
    q[j] = (-kj * (sdy[j] as number)) / m - pj * (mean[j] as number);
    dscale[j] = (sdyx[j] as number) * invstd;
    doffset[j] = sdy[j] as number;
  }
  for (let r0 = 0; r0 < m; r0 += block) {
    const end = Math.min(m, r0 + block) * c;
    for (let j = 0; j < c; j++) {
      const kj = k[j] as number;
      const pj = p[j] as number;
      const qj = q[j] as number;
      if (reluOut === null) {
        for (let i = r0 * c + j; i < end; i += c) dx[i] = kj * (dy[i] as number) + pj * (x[i] as number) + qj;
      } else {
        for (let i = r0 * c + j; i < end; i += c) {
          const g = (reluOut[i] as number) > 0 ? (dy[i] as number) : 0;
          dx[i] = kj * g + pj * (x[i] as number) + qj;
        }
      }
    }
  }
}
