// `adainfc data fetch cifar10|cifar100`: download the official binary archive over
// https, check its MD5 against the published one, extract it (node-tar, src/runtime/data/tar.ts) and
// check that the result opens. Offline, it fails with one line saying so. The URL and
// the folder are checked before anything is downloaded or created; a download that fails
// or does not match the checksum is removed, with the folders this call made.

import crypto from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import http from "node:http";
import path from "node:path";
import { DataError, fsError } from "../../formats/data-error.js";
import { writableDir } from "../../util/fs-errors.js";
import { extractTar } from "./tar.js";
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

/** Download, verify and extract; returns the folder with the `.bin` files. */
export async function fetchCifar(name: CifarName, dir: string, options: FetchOptions = {}): Promise<string> {
  const spec = options.archive ?? CIFAR_ARCHIVES[name];
  const folder = path.join(dir, CIFAR_LAYOUT[name].folder);
  if (isComplete(name, folder)) return folder;
  const url = httpUrl(spec.url);
  if (!url) throw new DataError(spec.url, "not an http(s) URL");
  let created = options.madeDir;
  try {
    created = writableDir(dir) ?? created;
  } catch (e) {
    throw new DataError(dir, (e as Error).message);
  }
  const archive = path.join(dir, path.basename(url.pathname) || `${name}.tar.gz`);
  const partial = `${archive}.part`;
  try {
    await download(spec.url, partial, options.onProgress, options.timeoutMs ?? 30_000);
    // Checked before the download takes the archive's name: a bad one goes (the
    // `.part` is removed below), and so does any folder this call made for it.
    const actual = await md5File(partial);
    if (actual !== spec.md5.toLowerCase()) {
      throw new DataError(
        spec.url,
        `checksum mismatch: MD5 ${actual}, expected ${spec.md5} (a corrupt or incomplete download, or not the official archive); nothing was kept: retry, or give another --url`,
      );
    }
    fs.renameSync(partial, archive);
    return await extractArchive(name, archive, dir);
  } catch (e) {
    // Leave no empty folders behind when this call made them and nothing came of it.
    if (created && onlyFolders(created, partial)) fs.rmSync(created, { recursive: true, force: true });
    throw e;
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

/** Whether `dir` holds nothing but (empty) folders and the file `ignore`. */
function onlyFolders(dir: string, ignore: string): boolean {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).every((e) => {
      const full = path.join(dir, e.name);
      return full === ignore || (e.isDirectory() && onlyFolders(full, ignore));
    });
  } catch {
    return false;
  }
}

/** Verify an archive's MD5, extract it into `dir` and check the data opens. */
export async function installArchive(name: CifarName, archive: string, dir: string, md5: string): Promise<string> {
  const actual = await md5File(archive);
  if (actual !== md5.toLowerCase()) {
    throw new DataError(archive, `checksum mismatch: MD5 ${actual}, expected ${md5} (corrupt or incomplete download; delete it and retry)`);
  }
  return extractArchive(name, archive, dir);
}

/** Extract a verified archive into `dir`, check the data opens, remove the archive. */
async function extractArchive(name: CifarName, archive: string, dir: string): Promise<string> {
  await extractTar(archive, dir);
  const folder = path.join(dir, CIFAR_LAYOUT[name].folder);
  if (!isComplete(name, folder)) throw new DataError(archive, `does not contain a complete ${CIFAR_LAYOUT[name].folder}/ folder`);
  fs.rmSync(archive, { force: true });
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

export async function md5File(file: string): Promise<string> {
  const hash = crypto.createHash("md5");
  try {
    for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  } catch (e) {
    throw fsError(file, e);
  }
  return hash.digest("hex");
}

/** GET `url` into `target`, following up to 5 redirects. */
export function download(url: string, target: string, onProgress: FetchOptions["onProgress"], timeoutMs: number, redirects = 5): Promise<void> {
  return new Promise((resolve, reject) => {
    const offline = (why: string): DataError =>
      new DataError(url, `cannot download (${why}); check the internet connection, or download the archive by hand and extract it into the --dir folder`);
    const parsed = httpUrl(url);
    if (!parsed) {
      reject(new DataError(url, "not an http(s) URL"));
      return;
    }
    const client = parsed.protocol === "https:" ? https : http;
    const request = client.get(parsed, (response) => {
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        if (redirects <= 0) {
          reject(offline("too many redirects"));
          return;
        }
        const next = new URL(response.headers.location, parsed).toString();
        download(next, target, onProgress, timeoutMs, redirects - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        response.resume();
        reject(offline(`HTTP ${status}`));
        return;
      }
      const total = Number(response.headers["content-length"]) || null;
      let done = 0;
      const out = fs.createWriteStream(target);
      response.on("data", (chunk: Buffer) => {
        done += chunk.length;
        onProgress?.(done, total);
      });
      response.pipe(out);
      out.on("finish", () => {
        if (total !== null && done !== total) reject(offline(`connection closed after ${done} of ${total} bytes`));
        else resolve();
      });
      out.on("error", (e) => reject(fsError(target, e)));
      response.on("error", (e) => reject(offline(e.message)));
    });
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer in ${Math.round(timeoutMs / 1000)} s`)));
    request.on("error", (e: NodeJS.ErrnoException & { hostname?: string }) =>
      reject(offline(e.code ? `${e.code}${e.hostname ? ` ${e.hostname}` : ""}` : e.message)),
    );
  });
}
