// HorizontalFlip: mirror columns. The pipeline usually does not call this: every op
// after a crop (colour, blur, solarize, equalize) commutes exactly with a mirror, so it
// carries a "mirrored" flag and reads columns right to left when it writes the output.
// This in-place version exists for the one case that does not commute: a flip followed
// by another crop.

export function flipHorizontal(img: Uint8Array, height: number, width: number, channels: number): void {
  const row = width * channels;
  for (let y = 0; y < height; y++) {
    let a = y * row;
    let b = a + row - channels;
    while (a < b) {
      for (let c = 0; c < channels; c++) {
        const t = img[a + c]!;
        img[a + c] = img[b + c]!;
        img[b + c] = t;
      }
      a += channels;
      b -= channels;
    }
  }
}
