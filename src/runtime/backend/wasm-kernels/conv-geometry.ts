// Index arithmetic that turns the two convolution gradients into forward
// convolutions, one spatial axis at a time (height and width are independent).
//
// Forward (one axis): y[o] = sum_k x[o*s + k - pad] * w[k].
//
// Input gradient: dx[i] = sum over (o, k) with o*s + k - pad = i of dy[o] * w[k].
// Split dx by stride phase a = i mod s, i = j*s + a. Within a phase only the taps
// k with (a + pad - k) divisible by s contribute, at o = j + (a + pad - k)/s, so
// each phase is a stride-1 convolution of dy with the flipped sub-kernel of those
// taps. For s = 1 this is the usual "convolve dy with the flipped kernel"; for
// s = 2 it does exactly the useful multiply-adds, where convolving a zero-dilated
// dy would waste 3/4 of them.
//
// Filter gradient: dw[k] = sum_o x[o*s + k - pad] * dy[o], a stride-1 convolution of
// x (window starting at -pad) with dy as the kernel, dilated by s.

export interface InputGradPhase {
  /** Phase a: this convolution produces dx[j*s + a]. */
  phase: number;
  /** Kernel taps in the order of the sub-kernel's rows (descending k). */
  taps: number[];
  /** Zero padding of dy before / after (negative = crop) for a stride-1 conv. */
  padBefore: number;
  padAfter: number;
  /** Output length of every phase: ceil(inLen / s), cropped when interleaving. */
  outLen: number;
}

/** One axis of the input gradient: a stride-1 convolution per stride phase. */
export function inputGradPhases(inLen: number, dyLen: number, kernel: number, stride: number, padBefore: number): InputGradPhase[] {
  const outLen = Math.ceil(inLen / stride);
  const phases: InputGradPhase[] = [];
  for (let a = 0; a < stride; a++) {
    const taps: number[] = [];
    for (let k = kernel - 1; k >= 0; k--) {
      if ((((a + padBefore - k) % stride) + stride) % stride === 0) taps.push(k);
    }
    if (taps.length === 0) {
      phases.push({ phase: a, taps, padBefore: 0, padAfter: 0, outLen });
      continue;
    }
    const kMax = taps[0] as number;
    const before = (kMax - a - padBefore) / stride;
    const after = outLen - 1 + taps.length - dyLen - before;
    phases.push({ phase: a, taps, padBefore: before, padAfter: after, outLen });
  }
  return phases;
}

export interface FilterGradWindow {
  /** First input row/column read (negative = zero padding). */
  start: number;
  /** Length of the window read: (outLen - 1) * s + kernel. */
  length: number;
}

/** One axis of the filter gradient: which window of x the dilated conv reads. */
export function filterGradWindow(dyLen: number, kernel: number, stride: number, padBefore: number): FilterGradWindow {
  return { start: -padBefore, length: (dyLen - 1) * stride + kernel };
}
