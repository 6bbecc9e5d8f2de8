// `adainfc data fetch cifar10|cifar100`: download the official binary archive over
// https, check its MD5 against the published one, extract it (node-tar, src/runtime/data/tar.ts) and
// check that the result opens. Offline, it fails with one line saying so. The URL and
// the folder are checked before anything is downloaded or created; a download that fails,
// is stopped (Ctrl-C: during the download, the checksum or the extraction) or does not
// match the checksum is removed, with the files and folders this call made. The download
// has a name of its own (never a user's file); an archive put in the folder by hand is
// used when its checksum is the published one, and never removed. FetchLeftovers removes
// the same at once for a process that must end (a second Ctrl-C), and a download left by
// a process that no longer runs (killed) is removed by the next fetch into that folder.

import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import http from "node:http";
import path from "node:path";
import { DataError, fsError } from "../../formats/data-error.js";
import { writableDir } from "../../util/fs-errors.js";
import { Interrupted } from "../abort.js";
import { extractTar, removeExtracted, type ExtractedPaths } from "./tar.js";
import { CifarReader, CIFAR_LAYOUT, type CifarName } from "./cifar.js";

export interface ArchiveSpec {
  url: string;
  md5: string;
}

/** The archives and checksums published on https://www.cs.toronto.edu/~kriz/cifar.html. */
export const CIFAR_ARCHIVES: Record<CifarName, ArchiveSpec> = {
  cifar10: { url: "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", md5: "c32a1d4ab5d03f1284b67883e8d87530" },
  cifar100: { url: "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz", md5: "03b5dce01913d631647c71ecec9e9cb8" },
};

export interface FetchOptions {
  onProgress?: (done: number, total: number | null) => void;
  /** Override the archive (tests, mirrors). */
  archive?: ArchiveSpec;
  timeoutMs?: number;
  /** A folder the caller created for this fetch (writableDir's answer): removed again when the fetch fails and leaves it empty. */
  madeDir?: string;
  /** Ctrl-C: stops the download, the checksum or the extraction; fetchCifar then throws Interrupted after cleaning up. */
  signal?: AbortSignal;
  /** Filled as the fetch goes, for a process that must end before the fetch can clean up. */
  leftovers?: FetchLeftovers;
}

/**
 * What a fetch under way has made (its download, the files and folders its extraction
 * created, a folder made for it): `removeNow` removes them synchronously, for a second
 * Ctrl-C, which ends the process before the fetch can clean up itself.
 */
export class FetchLeftovers {
  /** The download: removed when this fetch created it (`own.opened`). */
  download: { path: string; own: { opened: boolean } } | null = null;
  readonly extracted: ExtractedPaths = { files: [], dirs: [] };
  /** A folder made for this fetch, removed when it holds nothing but (empty) folders. */
  madeDir: string | null = null;

  removeNow(): void {
    try {
      if (this.download?.own.opened) fs.rmSync(this.download.path, { force: true });
      this.download = null;
      removeExtracted(this.extracted);
      if (this.madeDir !== null && onlyFolders(this.madeDir)) fs.rmSync(this.madeDir, { recursive: true, force: true });
    } catch {
      // the process is ending: what cannot be removed stays
    }
  }
}

/** The URL parsed when it is an http(s) one, else null: the one test for a mirror and for redirects. */
export function httpUrl(url: string): URL | null {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:" ? u : null;
  } catch {
    return null;
  }
}

/**
 * Download, verify and extract; returns the folder with the `.bin` files. An archive
 * already in `dir` under the archive's name (put there by hand) is used when its MD5 is
 * the published one, and kept; otherwise it is left as it is. The download goes to a
 * file of its own (tempArchiveName, created exclusively), which is always removed: this
 * never replaces or removes a file it did not create. With `signal` aborted (Ctrl-C) the
 * download, the checksum or the extraction stops and this throws Interrupted, after the
 * same clean-up as any failure and with what the extraction created removed. Downloads
 * left in `dir` by a process that no longer runs are removed first (removeStaleDownloads).
 */
export async function fetchCifar(name: CifarName, dir: string, options: FetchOptions = {}): Promise<string> {
  const spec = options.archive ?? CIFAR_ARCHIVES[name];
  const folder = path.join(dir, CIFAR_LAYOUT[name].folder);
  if (isComplete(name, folder)) return folder;
  const url = httpUrl(spec.url);
  if (!url) throw new DataError(spec.url, "not an http(s) URL");
  const signal = options.signal;
  if (signal?.aborted) throw new Interrupted();
  let created = options.madeDir;
  try {
    created = writableDir(dir) ?? created;
  } catch (e) {
    throw new DataError(dir, (e as Error).message);
  }
  const left = options.leftovers ?? new FetchLeftovers();
  left.madeDir = created ?? null;
  const archiveName = path.basename(url.pathname) || `${name}.tar.gz`;
  removeStaleDownloads(dir, archiveName);
  const handPlaced = path.join(dir, archiveName);
  const partial = path.join(dir, tempArchiveName(archiveName));
  const own = { opened: false };
  try {
    if ((await md5IfFile(handPlaced, signal)) === spec.md5.toLowerCase()) {
      return await extractArchive(name, handPlaced, dir, signal, left.extracted);
    }
    left.download = { path: partial, own };
    await download(spec.url, partial, options.onProgress, options.timeoutMs ?? 30_000, 5, { signal, own });
    // Checked before extraction: a bad download goes (below), and so does any folder
    // this call made for it.
    const actual = await md5File(partial, signal);
    if (actual !== spec.md5.toLowerCase()) {
      throw new DataError(
        spec.url,
        `checksum mismatch: MD5 ${actual}, expected ${spec.md5} (a corrupt or incomplete download, or not the official archive); nothing was kept: retry, or give another --url`,
      );
    }
    return await extractArchive(name, partial, dir, signal, left.extracted);
  } catch (e) {
    // What extraction made went with it (extractTar); the download and empty folders go here.
    if (own.opened) fs.rmSync(partial, { force: true });
    own.opened = false;
    // Leave no empty folders behind when this call made them and nothing came of it.
    if (created && onlyFolders(created)) fs.rmSync(created, { recursive: true, force: true });
    throw signal?.aborted ? new Interrupted() : e;
  } finally {
    if (own.opened) fs.rmSync(partial, { force: true });
    left.download = null;
    left.madeDir = null;
    left.extracted.files.length = 0;
    left.extracted.dirs.length = 0;
  }
}

/** The download names tempArchiveName gives, with the process id. */
function tempArchivePattern(archiveName: string): RegExp {
  return new RegExp(`^\\.${archiveName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\.adainfc-(\\d+)-[0-9a-f]{8}\\.part$`);
}

/**
 * Remove the downloads (tempArchiveName) of `archiveName` in `dir` left by a process that
 * no longer runs (killed during a fetch): only regular files with exactly that name
 * pattern (adainfc's own, never a user's) whose process id is not running on this
 * machine. (A process in another PID namespace fetching into the same folder at the same
 * moment could be taken for dead: fetches into one folder from two containers at once
 * are not supported.) Best effort: what cannot be listed or removed stays.
 */
export function removeStaleDownloads(dir: string, archiveName: string): string[] {
  const pattern = tempArchivePattern(archiveName);
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const n of names) {
    const pid = Number(pattern.exec(n)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid || isRunning(pid)) continue;
    const file = path.join(dir, n);
    try {
      if (!fs.lstatSync(file).isFile()) continue;
      fs.rmSync(file, { force: true });
      removed.push(file);
    } catch {
      // left as it is
    }
  }
  return removed;
}

/** Whether a process with this id runs (or cannot be signalled by us: EPERM, so it runs). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * The download's file name in --dir: hidden, marked as adainfc's, with the process id and
 * random bytes, so that it is never the name of a file of the user's (a browser's
 * `<archive>.part`, say); created exclusively all the same.
 */
export function tempArchiveName(archiveName: string): string {
  return `.${archiveName}.adainfc-${process.pid}-${crypto.randomBytes(4).toString("hex")}.part`;
}

/** The MD5 of `file` when it is a regular file that can be read, else null (Interrupted on an abort). */
async function md5IfFile(file: string, signal?: AbortSignal): Promise<string | null> {
  try {
    if (!fs.statSync(file).isFile()) return null;
    return await md5File(file, signal);
  } catch (e) {
    if (e instanceof Interrupted) throw e;
    return null;
  }
}

/** Whether `dir` holds nothing but (empty) folders. */
function onlyFolders(dir: string): boolean {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).every((e) => e.isDirectory() && onlyFolders(path.join(dir, e.name)));
  } catch {
    return false;
  }
}

/** Verify an archive's MD5, extract it into `dir`, check the data opens, remove the archive. */
export async function installArchive(name: CifarName, archive: string, dir: string, md5: string): Promise<string> {
  const actual = await md5File(archive);
  if (actual !== md5.toLowerCase()) {
    throw new DataError(archive, `checksum mismatch: MD5 ${actual}, expected ${md5} (corrupt or incomplete download; delete it and retry)`);
  }
  const folder = await extractArchive(name, archive, dir);
  fs.rmSync(archive, { force: true });
  return folder;
}

/**
 * Extract a verified archive into `dir` and check the data opens. With `signal` aborted
 * (also just after the extraction) what it extracted is removed and this throws Interrupted.
 */
async function extractArchive(name: CifarName, archive: string, dir: string, signal?: AbortSignal, made?: ExtractedPaths): Promise<string> {
  const extracted: ExtractedPaths = made ?? { files: [], dirs: [] };
  await extractTar(archive, dir, { signal, made: extracted });
  if (signal?.aborted) {
    removeExtracted(extracted);
    throw new Interrupted();
  }
  const folder = path.join(dir, CIFAR_LAYOUT[name].folder);
  if (!isComplete(name, folder)) throw new DataError(archive, `does not contain a complete ${CIFAR_LAYOUT[name].folder}/ folder`);
  return folder;
}

function isComplete(name: CifarName, folder: string): boolean {
  try {
    for (const split of ["train", "test"] as const) new CifarReader(name, folder, split).close();
    return true;
  } catch {
    return false;
  }
}

/** The MD5 of `file`; with `signal` aborted, the read stops and this throws Interrupted. */
export async function md5File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = crypto.createHash("md5");
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
      if (signal?.aborted) throw new Interrupted();
      hash.update(chunk as Buffer);
    }
  } catch (e) {
    if (e instanceof Interrupted) throw e;
    throw fsError(file, e);
  }
  if (signal?.aborted) throw new Interrupted();
  return hash.digest("hex");
}

/** What `download` is told and tells: the abort signal, and whether it created `target`. */
export interface DownloadControl {
  signal?: AbortSignal | undefined;
  /** Set once `target` was created by this download (exclusively: never an existing file). */
  own?: { opened: boolean };
}

/**
 * GET `url` into `target` (created exclusively: an existing file is an error, never
 * replaced), following up to `redirects` redirects. An abort through `control.signal`
 * destroys the request and rejects with Interrupted once the file is closed.
 */
export function download(
  url: string,
  target: string,
  onProgress: FetchOptions["onProgress"],
  timeoutMs: number,
  redirects = 5,
  control: DownloadControl = {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    const offline = (why: string): DataError =>
      new DataError(url, `cannot download (${why}); check the internet connection, or download the archive by hand and extract it into the --dir folder`);
    const parsed = httpUrl(url);
    if (!parsed) {
      reject(new DataError(url, "not an http(s) URL"));
      return;
    }
    const signal = control.signal;
    if (signal?.aborted) {
      reject(new Interrupted());
      return;
    }
    let out: fs.WriteStream | undefined;
    let outClosed = false;
    let settled = false;
    // Every failure waits for the file to be closed, so the caller can remove it.
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      const err = signal?.aborted ? new Interrupted() : e;
      if (out && !outClosed) {
        out.once("close", () => reject(err));
        out.destroy();
      } else reject(err);
    };
    const onAbort = (): void => {
      request.destroy();
      fail(new Interrupted());
    };
    const client = parsed.protocol === "https:" ? https : http;
    const request = client.get(parsed, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (redirects <= 0) {
          fail(offline("too many redirects"));
          return;
        }
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        const next = new URL(response.headers.location, parsed).toString();
        download(next, target, onProgress, timeoutMs, redirects - 1, control).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        response.resume();
        // The server is reachable: its answer, not the connection, is the problem.
        fail(
          new DataError(
            url,
            `the server answered HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ""} for this URL; check the URL (--url), or download the archive by hand and extract it into the --dir folder`,
          ),
        );
        return;
      }
      const total = Number(response.headers["content-length"]) || null;
      let done = 0;
      out = fs.createWriteStream(target, { flags: "wx" });
      // Ours from now on, unless the name was taken (EEXIST: then the file is not ours).
      if (control.own) control.own.opened = true;
      out.on("close", () => {
        outClosed = true;
      });
      response.on("data", (chunk: Buffer) => {
        done += chunk.length;
        onProgress?.(done, total);
      });
      response.pipe(out);
      out.on("finish", () => {
        if (total !== null && done !== total) fail(offline(`connection closed after ${done} of ${total} bytes`));
        else if (!settled) {
          settled = true;
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }
      });
      out.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code === "EEXIST" && control.own) control.own.opened = false;
        fail(fsError(target, e));
      });
      response.on("error", (e) => fail(offline(e.message)));
      response.on("aborted", () => fail(offline("the connection was closed")));
    });
    signal?.addEventListener("abort", onAbort, { once: true });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer in ${Math.round(timeoutMs / 1000)} s`)));
    request.on("error", (e: NodeJS.ErrnoException & { hostname?: string }) =>
      fail(offline(e.code ? `${e.code}${e.hostname ? ` ${e.hostname}` : ""}` : e.message)),
    );
  });
}
