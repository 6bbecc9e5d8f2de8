// Extraction of the CIFAR archives (.tar or .tar.gz) with node-tar: the archive is
// streamed from disk through gunzip (detected from the first bytes) into the target
// folder, never held whole in memory. Only regular files and folders are written (links
// and devices carry nothing CIFAR needs); entries that would escape the folder (`..`, an
// absolute path) fail the extraction, and every node-tar warning or error becomes one
// DataError line. (node-tar replaced a hand-written reader: as fast on a CIFAR-size
// archive, with pax headers, long names and base-256 sizes handled; see README.)

import fs from "node:fs";
import path from "node:path";
import { x as untar } from "tar";
import { DataError, fsError } from "../../formats/data-error.js";

const KEPT_TYPES = new Set(["File", "OldFile", "ContiguousFile", "Directory"]);

/** Extract `archive` (.tar or .tar.gz) into `dir`; returns the extracted file paths. */
export async function extractTar(archive: string, dir: string): Promise<string[]> {
  try {
    fs.accessSync(archive, fs.constants.R_OK);
  } catch (e) {
    throw fsError(archive, e);
  }
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true });
  const extracted: string[] = [];
  try {
    await untar({
      file: archive,
      cwd: root,
      // Read 1 MiB at a time (node-tar's default is 16 MiB): peak RSS on a CIFAR-size
      // archive 93 MB instead of 161 MB, at the same speed.
      maxReadSize: 1 << 20,
      // Warnings (a `..` path, a truncated archive, a bad header) are errors here.
      strict: true,
      // Running as root must not hand the files to the archive's uid/gid.
      preserveOwner: false,
      filter: (_p, entry) => "type" in entry && KEPT_TYPES.has(entry.type),
      onReadEntry: (entry) => {
        if (entry.type !== "Directory") extracted.push(path.resolve(root, entry.path));
      },
    });
  } catch (e) {
    throw tarError(archive, e);
  }
  return extracted;
}

function tarError(archive: string, e: unknown): DataError {
  const err = e as { message?: string; code?: string; path?: string; tarCode?: string };
  const msg = (err.message ?? String(e)).split("\n")[0]!;
  if (/contains '\.\.'|absolute path|outside of extraction target/.test(msg)) {
    return new DataError(archive, `refusing tar entry outside the target folder: ${err.path ?? msg}`);
  }
  return new DataError(archive, `cannot extract (${msg})`);
}
