// reference.md §2, written out once for the tests that check our presets against it
// (the IR of the paper's pipelines, the solo-learn export): per view, crop min,
// jitter p, brightness, contrast, saturation, hue, gray p, blur p, solar p, flip p.
// Independent of src/lint/reference-presets.ts on purpose: the tests check the code.

export type PresetRow = [number, number, number, number, number, number, number, number, number, number];

export const PRESET_ROWS: Record<string, PresetRow[]> = {
  symmetric: [[0.08, 0.8, 0.8, 0.8, 0.8, 0.2, 0.2, 0.5, 0.0, 0.5]],
  symmetric_adainf: [[0.2, 0.4, 0.4, 0.4, 0.4, 0.1, 0.2, 0.5, 0.0, 0.5]],
  asymmetric: [
    [0.08, 0.8, 0.4, 0.4, 0.2, 0.1, 0.2, 0.0, 0.0, 0.5],
    [0.08, 0.8, 0.4, 0.4, 0.2, 0.1, 0.2, 0.0, 0.2, 0.5],
  ],
  asymmetric_adainf: [
    [0.2, 0.4, 0.4, 0.4, 0.2, 0.1, 0.2, 0.0, 0.0, 0.5],
    [0.2, 0.4, 0.4, 0.4, 0.2, 0.1, 0.2, 0.0, 0.2, 0.5],
  ],
};
