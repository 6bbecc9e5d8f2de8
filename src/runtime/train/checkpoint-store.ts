// Checkpoints on disk: atomic writes, listing, loading the newest good one, pruning.
//
// Atomic: the bytes go to a dot-prefixed temp file in the same folder, are fsynced,
// and only then renamed to `step-<8 digits>.ckpt` (rename within a folder is atomic on
// POSIX). A crash or a failed write leaves at most a temp file, which listing ignores
// and the next save removes; the previous checkpoint is never touched.
import fs from "node:fs";
import path from "node:path";
import { CheckpointFormatError, decodeCheckpoint, encodeCheckpoint, type CheckpointHeader, type CheckpointMeta, type FlatState } from "./checkpoint-format.js";
import { ensureDir } from "../../util/fs-errors.js";

/** The file operations a save uses; tests pass one that fails half way. */
export interface CheckpointIO {
  openSync(file: string, flags: string): number;
  writeSync(fd: number, data: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  closeSync(fd: number): void;
  renameSync(from: string, to: string): void;
}

export const nodeCheckpointIO: CheckpointIO = {
  openSync: (f, flags) => fs.openSync(f, flags),
  writeSync: (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  closeSync: (fd) => fs.closeSync(fd),
  renameSync: (a, b) => fs.renameSync(a, b),
};

const NAME = /^step-(\d{8,})\.ckpt$/;
const TEMP_PREFIX = ".step-";

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, "0")}.ckpt`;
}

export interface CheckpointFile {
  step: number;
  path: string;
}

/** Finished checkpoints in `dir`, oldest first (temp files are not listed). */
export function listCheckpoints(dir: string): CheckpointFile[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => ({ m: NAME.exec(n), n }))
    .filter((x): x is { m: RegExpExecArray; n: string } => x.m !== null)
    .map(({ m, n }) => ({ step: Number(m[1]), path: path.join(dir, n) }))
    .sort((a, b) => a.step - b.step);
}

/**
 * Writes one checkpoint atomically and returns its path. On any failure the temp file
 * is removed, the error is rethrown, and existing checkpoints are unchanged.
 */
export function saveCheckpoint(dir: string, meta: CheckpointMeta, state: FlatState, io: CheckpointIO = nodeCheckpointIO): string {
  ensureDir(dir);
  removeStaleTemps(dir);
  const bytes = encodeCheckpoint(meta, state);
  const final = path.join(dir, checkpointName(meta.step));
  const temp = path.join(dir, `${TEMP_PREFIX}${String(meta.step).padStart(8, "0")}.ckpt.tmp-${process.pid}`);
  let fd: number | null = null;
  try {
    fd = io.openSync(temp, "w");
    let at = 0;
    while (at < bytes.length) {
      const n = io.writeSync(fd, bytes, at, Math.min(bytes.length - at, 1 << 24));
      if (n <= 0) throw new Error(`short write to ${temp}`);
      at += n;
    }
    io.fsyncSync(fd);
    io.closeSync(fd);
    fd = null;
    io.renameSync(temp, final);
  } catch (e) {
    if (fd !== null) {
      try {
        io.closeSync(fd);
      } catch {
        // already failing; the original error is what matters
      }
    }
    fs.rmSync(temp, { force: true });
    throw e;
  }
  syncDir(dir);
  return final;
}

/** Reads and verifies one checkpoint file. */
export function loadCheckpoint(file: string): { header: CheckpointHeader; state: FlatState } {
  const bytes = fs.readFileSync(file);
  try {
    return decodeCheckpoint(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    if (e instanceof CheckpointFormatError) throw new CheckpointFormatError(`${file}: ${e.message}`);
    throw e;
  }
}

export interface LatestCheckpoint {
  file: string;
  header: CheckpointHeader;
  state: FlatState;
  /** Newer files that failed to load (damaged), newest first. */
  skipped: { file: string; reason: string }[];
}

/** The newest checkpoint that loads; damaged newer ones are skipped and reported. */
export function loadLatestCheckpoint(dir: string): LatestCheckpoint | null {
  const skipped: { file: string; reason: string }[] = [];
  for (const c of listCheckpoints(dir).reverse()) {
    try {
      const { header, state } = loadCheckpoint(c.path);
      return { file: c.path, header, state, skipped };
    } catch (e) {
      if (!(e instanceof CheckpointFormatError)) throw e;
      skipped.push({ file: c.path, reason: e.message });
    }
  }
  return null;
}

/** Keeps the newest `keep` checkpoints (at least one), deleting older ones. */
export function pruneCheckpoints(dir: string, keep: number): void {
  const all = listCheckpoints(dir);
  const excess = all.length - Math.max(1, keep);
  for (const c of all.slice(0, Math.max(0, excess))) fs.rmSync(c.path, { force: true });
}

/** Removes every checkpoint newer than `step` (a fresh run over an old directory). */
export function removeCheckpointsAfter(dir: string, step: number): void {
  for (const c of listCheckpoints(dir)) if (c.step > step) fs.rmSync(c.path, { force: true });
}

function removeStaleTemps(dir: string): void {
  for (const n of fs.readdirSync(dir)) if (n.startsWith(TEMP_PREFIX)) fs.rmSync(path.join(dir, n), { force: true });
}

/** fsync of the folder makes the rename itself durable; not every platform allows it. */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // best effort (e.g. Windows cannot open a directory)
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
