// The compiler's V8 start-up snapshot (docs/start-up.md): where it lives, how it is
// built for the node that runs this, and the stamp bin/adainfc reads to decide whether
// it may use it. The bundle (dist/snapshot/adainfc.cjs, made by scripts/build-snapshot.mjs)
// does not depend on the node version; the blob does, so it is built on the machine that
// runs it: by `npm run build`, or by `adainfc snapshot` after node changes.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeFileAtomic } from "../util/atomic-write.js";
import { ownPackage } from "../util/own-package.js";

export interface SnapshotFiles {
  dir: string;
  /** One script: the front end bundled by scripts/build-snapshot.mjs. */
  bundle: string;
  /** V8 heap after loading and warming up the bundle; valid for one node binary only. */
  blob: string;
  /** Lines: node binary (real path), node version, package root (real path). */
  stamp: string;
  /** One line: the commands the bundle holds (written with the bundle; the launcher reads it). */
  commands: string;
  /** The node binary a background build was last tried with (one try per node). */
  attempt: string;
}

export function snapshotFiles(root: string = ownPackage().root): SnapshotFiles {
  const dir = path.join(root, "dist", "snapshot");
  return {
    dir,
    bundle: path.join(dir, "adainfc.cjs"),
    blob: path.join(dir, "adainfc.blob"),
    stamp: path.join(dir, "stamp"),
    commands: path.join(dir, "commands"),
    attempt: path.join(dir, "attempt"),
  };
}

export interface SnapshotBuild {
  blob: string;
  bytes: number;
  ms: number;
  commands: string[];
}

export class SnapshotError extends Error {}

/**
 * Builds the blob from the bundle with this process's node (`node --build-snapshot`),
 * warming up on a paper pipeline, then writes the stamp. Blob and stamp are each written
 * atomically, the stamp last, so the launcher never pairs a new stamp with an old blob.
 */
export function buildSnapshot(commands: readonly string[], files: SnapshotFiles = snapshotFiles()): SnapshotBuild {
  if (!fs.existsSync(files.bundle)) throw new SnapshotError(`${files.bundle} is missing: run \`npm run build\` in the adainf package`);
  const root = path.dirname(path.dirname(files.dir));
  const warm = path.join(root, "pipelines", "simclr_adainf.adainf");
  const tmp = path.join(files.dir, `.adainfc.blob.${process.pid}.tmp`);
  const t0 = performance.now();
  // The warm-up compiles from a folder outside the package, as users do, so the stdlib
  // is parsed under the names a user's run looks it up by (absolute paths).
  const r = spawnSync(process.execPath, ["--snapshot-blob", tmp, "--build-snapshot", files.bundle], {
    cwd: os.tmpdir(),
    env: { ...process.env, ADAINF_SNAPSHOT_WARMUP: fs.existsSync(warm) ? warm : "" },
    encoding: "utf8",
  });
  if (r.status !== 0 || !fs.existsSync(tmp)) {
    fs.rmSync(tmp, { force: true });
    const why = (r.stderr || r.error?.message || "").split("\n").filter((l) => l && !/not yet fully verified|out-of-sync|issue tracker/.test(l));
    throw new SnapshotError(`node --build-snapshot failed (exit ${r.status ?? r.signal}): ${why.slice(-3).join(" | ") || "no output"}`);
  }
  fs.renameSync(tmp, files.blob);
  writeCommands(commands, files);
  writeFileAtomic(files.stamp, `${[fs.realpathSync(process.execPath), process.version, fs.realpathSync(root)].join("\n")}\n`);
  return { blob: files.blob, bytes: fs.statSync(files.blob).size, ms: performance.now() - t0, commands: [...commands] };
}

/** The commands the bundle holds, one line, for the launcher (written with the bundle). */
export function writeCommands(commands: readonly string[], files: SnapshotFiles = snapshotFiles()): void {
  writeFileAtomic(files.commands, `${commands.join(" ")}\n`);
}

/** Records that a background build is being tried with this node, so a failing one is not retried on every run. */
export function markAttempt(files: SnapshotFiles = snapshotFiles()): void {
  writeFileAtomic(files.attempt, `${fs.realpathSync(process.execPath)}\n`);
}
