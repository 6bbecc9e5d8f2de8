// The data layer's progress phases that name a file (`checking the CRC-32 of a.npz`,
// `inflating /abs/g.npz`, `converting /abs/imgs`): spelled once here, where the runtime
// makes them (filePhase) and the CLI reads them back (parseFilePhase: the unit to count
// in, the path to show as the user typed it), so a rename cannot lose either.

/** Each phase: the words before the file, and the unit its counts are in. */
export const FILE_PHASES = {
  crc: { prefix: "checking the CRC-32 of ", unit: " bytes" },
  inflating: { prefix: "inflating ", unit: " bytes" },
  converting: { prefix: "converting ", unit: " images" },
} as const;

export type FilePhase = keyof typeof FILE_PHASES;

/** The task name of `phase` on `file`. */
export function filePhase(phase: FilePhase, file: string): string {
  return FILE_PHASES[phase].prefix + file;
}

/** A task made by filePhase, taken apart; null for any other task. */
export function parseFilePhase(task: string): { phase: FilePhase; unit: string; file: string } | null {
  for (const phase of Object.keys(FILE_PHASES) as FilePhase[]) {
    const { prefix, unit } = FILE_PHASES[phase];
    if (task.startsWith(prefix) && task.length > prefix.length) return { phase, unit, file: task.slice(prefix.length) };
  }
  return null;
}
