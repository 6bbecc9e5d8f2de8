// The CIFAR binary reader on small files written in CIFAR's own format, and the tar
// extraction the fetch command uses for the archives; fetchCifar against a local server
// on loopback (no network): its download has a name of its own, a user's files in the
// folder are never replaced or removed, a hand-placed archive with the right checksum is
// used and kept, and an abort (Ctrl-C) during the download, the checksum or the
// extraction removes the download and what was made for it; downloads left by a process
// that no longer runs are removed by the next fetch, nothing else.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { CifarReader } from "../../src/runtime/data/cifar.js";
import { DataError } from "../../src/formats/data-error.js";
import { extractTar, type ExtractedPaths } from "../../src/runtime/data/tar.js";
import { spawnSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FetchLeftovers, fetchCifar, installArchive, md5File } from "../../src/runtime/data/fetch.js";
import { Interrupted } from "../../src/runtime/abort.js";
import { bytes, tarBytes, tempDir } from "./helpers.js";
import crypto from "node:crypto";

/** A CIFAR record: label byte(s) then 1024 R, 1024 G, 1024 B. */
function record(labelBytes: number[], seed: number): Buffer {
  return Buffer.concat([Buffer.from(labelBytes), Buffer.from(bytes(3072, seed))]);
}

function writeCifar10(dir: string, perFile: number): string {
  const root = path.join(dir, "cifar-10-batches-bin");
  fs.mkdirSync(root, { recursive: true });
  const names = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"];
  names.forEach((name, f) => {
    const recs = Array.from({ length: perFile }, (_, i) => record([(f * perFile + i) % 10], 100 * f + i));
    fs.writeFileSync(path.join(root, name), Buffer.concat(recs));
  });
  return root;
}

describe("CIFAR binary", () => {
  it("reads CIFAR-10 train batches 1-5 in order, CHW records as HWC, with labels", () => {
    const dir = tempDir();
    writeCifar10(dir, 3);
    for (const where of [dir, path.join(dir, "cifar-10-batches-bin")]) {
      const r = new CifarReader("cifar10", where, "train");
      expect(r.count).toBe(15);
      // Global index 7 = file 2 (data_batch_3), record 1, written with seed 201.
      const { images, labels } = r.readBatch([7, 0]);
      const raw = bytes(3072, 201);
      let bad = 0;
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) if (images[p * 3 + c] !== raw[c * 1024 + p]) bad++;
      expect(bad).toBe(0);
      expect([...labels]).toEqual([7, 0]);
      r.close();
    }
    const test = new CifarReader("cifar10", dir, "test");
    expect(test.count).toBe(3);
    expect([...test.readBatch([2]).labels]).toEqual([(5 * 3 + 2) % 10]);
    test.close();
  });

  it("reads CIFAR-100 with the fine label (second byte)", () => {
    const dir = tempDir();
    const root = path.join(dir, "cifar-100-binary");
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, "train.bin"), Buffer.concat([record([3, 77], 1), record([19, 99], 2)]));
    fs.writeFileSync(path.join(root, "test.bin"), record([0, 5], 3));
    const r = new CifarReader("cifar100", dir, "train");
    const { images, labels } = r.readBatch([1, 0]);
    expect([...labels]).toEqual([99, 77]);
    const raw = bytes(3072, 2);
    expect([images[0], images[1], images[2], images[3 * 1023 + 2]]).toEqual([raw[0], raw[1024], raw[2048], raw[3071]]);
    r.close();
  });

  it("gives clean errors for missing folders and files, wrong sizes and bad labels", () => {
    const dir = tempDir();
    expect(() => new CifarReader("cifar10", path.join(dir, "none"), "train")).toThrow(/no such directory.*data fetch cifar10/);
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(
      /not a cifar10 folder: expected .* here or under cifar-10-batches-py\/ \(the python version\)/,
    );
    const root = writeCifar10(dir, 2);
    fs.rmSync(path.join(root, "data_batch_4.bin"));
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(/data_batch_4\.bin: missing cifar10 train file/);
    fs.writeFileSync(path.join(root, "data_batch_4.bin"), Buffer.alloc(3073 * 2 - 5));
    expect(() => new CifarReader("cifar10", dir, "train")).toThrow(/size 6141 is not a whole number of 3073-byte cifar10 records/);
    fs.writeFileSync(path.join(root, "test_batch.bin"), record([12], 1));
    const r = new CifarReader("cifar10", dir, "test");
    expect(() => r.readBatch([0])).toThrow(DataError);
    expect(() => r.readBatch([0])).toThrow(/label 12, expected 0\.\.9/);
    r.close();
  });
});

describe("tar extraction and the fetch command's archive handling", () => {
  it("extracts a tar.gz built here, verifies the MD5 and opens the result", async () => {
    const dir = tempDir();
    const src = tempDir();
    const root = writeCifar10(src, 2);
    const files = fs
      .readdirSync(root)
      .sort()
      .map((name) => ({ name: `cifar-10-batches-bin/${name}`, data: fs.readFileSync(path.join(root, name)) }));
    files.push({ name: "cifar-10-batches-bin/readme.html", data: Buffer.from("<p>hi</p>") });
    const archive = path.join(dir, "cifar-10-binary.tar.gz");
    fs.writeFileSync(archive, zlib.gzipSync(tarBytes(files)));
    const md5 = crypto.createHash("md5").update(fs.readFileSync(archive)).digest("hex");
    expect(await md5File(archive)).toBe(md5);
    const out = path.join(dir, "data");
    await expect(installArchive("cifar10", archive, out, "0".repeat(32))).rejects.toThrow(/checksum mismatch/);
    const folder = await installArchive("cifar10", archive, out, md5);
    expect(folder).toBe(path.join(out, "cifar-10-batches-bin"));
    const r = new CifarReader("cifar10", out, "train");
    expect(r.count).toBe(10);
    r.close();
    expect(fs.readFileSync(path.join(folder, "data_batch_3.bin")).equals(fs.readFileSync(path.join(root, "data_batch_3.bin")))).toBe(true);
    expect(fs.existsSync(archive)).toBe(false); // removed once installed
  });

  it("refuses entries that would escape the target folder, and truncated archives", async () => {
    const dir = tempDir();
    const evil = path.join(dir, "evil.tar");
    fs.writeFileSync(evil, tarBytes([{ name: "../escape.txt", data: Buffer.from("x") }]));
    await expect(extractTar(evil, path.join(dir, "out"))).rejects.toThrow(/outside the target folder/);
    expect(fs.existsSync(path.join(dir, "escape.txt"))).toBe(false);
    const abs = path.join(dir, "abs.tar");
    const outside = path.join(dir, "abs-escape.txt");
    fs.writeFileSync(abs, tarBytes([{ name: outside, data: Buffer.from("x") }]));
    await expect(extractTar(abs, path.join(dir, "out3"))).rejects.toThrow(/outside the target folder/);
    expect(fs.existsSync(outside)).toBe(false);
    const cut = path.join(dir, "cut.tar.gz");
    fs.writeFileSync(cut, zlib.gzipSync(tarBytes([{ name: "a.bin", data: Buffer.alloc(5000, 1) }]).subarray(0, 2048)));
    await expect(extractTar(cut, path.join(dir, "out2"))).rejects.toThrow(DataError);
  });

  it("writes regular files and folders only, returning the files", async () => {
    const dir = tempDir();
    const archive = path.join(dir, "links.tar.gz");
    const files = [
      { name: "d/a.bin", data: Buffer.from("aa") },
      { name: "d/link", data: Buffer.alloc(0), type: "2", link: "/etc/passwd" },
      { name: "d/hard", data: Buffer.alloc(0), type: "1", link: "d/a.bin" },
      { name: "d/b.bin", data: Buffer.from("bbb") },
    ];
    fs.writeFileSync(archive, zlib.gzipSync(tarBytes(files)));
    const out = path.join(dir, "out");
    const got = await extractTar(archive, out);
    expect(got).toEqual([path.join(out, "d/a.bin"), path.join(out, "d/b.bin")]);
    expect(fs.readdirSync(path.join(out, "d")).sort()).toEqual(["a.bin", "b.bin"]);
    expect(fs.readFileSync(path.join(out, "d/b.bin"), "utf8")).toBe("bbb");
    await expect(extractTar(path.join(dir, "none.tar.gz"), out)).rejects.toThrow(/none\.tar\.gz: no such file/);
  });

  it("fails with one clear line when the download cannot connect (no network used)", async () => {
    const dir = tempDir();
    const err = await fetchCifar("cifar10", dir, { archive: { url: "http://127.0.0.1:9/cifar-10-binary.tar.gz", md5: "0".repeat(32) }, timeoutMs: 5000 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/^http:\/\/127\.0\.0\.1:9\/cifar-10-binary\.tar\.gz: cannot download \(ECONNREFUSED/);
    expect((err as Error).message).not.toContain("\n");
    expect(fs.readdirSync(dir)).toEqual([]); // no partial download left
  });
});

/** A tar.gz of a small CIFAR-10 folder, and its MD5. */
function cifarArchive(): { archive: Buffer; md5: string } {
  const root = writeCifar10(tempDir(), 2);
  const files = fs
    .readdirSync(root)
    .sort()
    .map((name) => ({ name: `cifar-10-batches-bin/${name}`, data: fs.readFileSync(path.join(root, name)) }));
  const archive = zlib.gzipSync(tarBytes(files));
  return { archive, md5: crypto.createHash("md5").update(archive).digest("hex") };
}

/** A server on loopback: `handler` answers; resolves to its base URL and a close function. */
async function localServer(handler: http.RequestListener): Promise<{ base: string; close: () => void; hits: () => number }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
    hits: () => hits,
  };
}

describe("fetchCifar and the user's files", () => {
  it("downloads under a name of its own: a user's <archive>.part and <archive> stay as they were", async () => {
    const { archive, md5 } = cifarArchive();
    const srv = await localServer((_req, res) => res.writeHead(200, { "content-length": String(archive.length) }).end(archive));
    try {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "cifar-10-binary.tar.gz.part"), "keep me");
      fs.writeFileSync(path.join(dir, "cifar-10-binary.tar.gz"), "mine too");
      const folder = await fetchCifar("cifar10", dir, { archive: { url: `${srv.base}/cifar-10-binary.tar.gz`, md5 } });
      expect(folder).toBe(path.join(dir, "cifar-10-batches-bin"));
      expect(fs.readFileSync(path.join(dir, "cifar-10-binary.tar.gz.part"), "utf8")).toBe("keep me");
      expect(fs.readFileSync(path.join(dir, "cifar-10-binary.tar.gz"), "utf8")).toBe("mine too");
      expect(fs.readdirSync(dir).sort()).toEqual(["cifar-10-batches-bin", "cifar-10-binary.tar.gz", "cifar-10-binary.tar.gz.part"]);
      // a failed one (wrong checksum) removes only its own download
      const other = tempDir();
      fs.writeFileSync(path.join(other, "cifar-10-binary.tar.gz.part"), "keep me");
      await expect(fetchCifar("cifar10", other, { archive: { url: `${srv.base}/cifar-10-binary.tar.gz`, md5: "0".repeat(32) } })).rejects.toThrow(
        /checksum mismatch/,
      );
      expect(fs.readdirSync(other)).toEqual(["cifar-10-binary.tar.gz.part"]);
      expect(fs.readFileSync(path.join(other, "cifar-10-binary.tar.gz.part"), "utf8")).toBe("keep me");
    } finally {
      srv.close();
    }
  });

  it("an archive put in the folder by hand with the published checksum is used, not downloaded, and kept", async () => {
    const { archive, md5 } = cifarArchive();
    const srv = await localServer((_req, res) => res.writeHead(404).end());
    try {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, "cifar-10-binary.tar.gz"), archive);
      const folder = await fetchCifar("cifar10", dir, { archive: { url: `${srv.base}/cifar-10-binary.tar.gz`, md5 } });
      expect(new CifarReader("cifar10", dir, "train").count).toBe(10);
      expect(folder).toBe(path.join(dir, "cifar-10-batches-bin"));
      expect(srv.hits()).toBe(0);
      expect(fs.readFileSync(path.join(dir, "cifar-10-binary.tar.gz")).equals(archive)).toBe(true);
    } finally {
      srv.close();
    }
  });

  it("an abort during the download: Interrupted, the download and the folders made for it are gone", async () => {
    // Sends the first 64 KiB of a 10 MB archive, then nothing.
    const srv = await localServer((_req, res) => {
      res.writeHead(200, { "content-length": String(10_000_000) });
      res.write(Buffer.alloc(65536, 1));
    });
    try {
      const dir = tempDir();
      const controller = new AbortController();
      const target = path.join(dir, "made", "sub");
      const done = fetchCifar("cifar10", target, {
        archive: { url: `${srv.base}/cifar-10-binary.tar.gz`, md5: "0".repeat(32) },
        madeDir: path.join(dir, "made"),
        onProgress: () => controller.abort(),
        signal: controller.signal,
        timeoutMs: 20_000,
      });
      await expect(done).rejects.toBeInstanceOf(Interrupted);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      srv.close();
    }
  });
});

/** A plain tar of a CIFAR-10 folder of `perFile` records a batch (3 KB a record), and its MD5. */
function bigArchive(perFile: number): { archive: Buffer; md5: string } {
  const root = writeCifar10(tempDir(), perFile);
  const files = fs
    .readdirSync(root)
    .sort()
    .map((name) => ({ name: `cifar-10-batches-bin/${name}`, data: fs.readFileSync(path.join(root, name)) }));
  const archive = tarBytes(files);
  return { archive, md5: crypto.createHash("md5").update(archive).digest("hex") };
}

/** Calls `then` on the first turn of the event loop where `when()` holds. */
function once(when: () => boolean, then: () => void): void {
  const poll = (): void => {
    if (when()) then();
    else setImmediate(poll);
  };
  setImmediate(poll);
}

describe("an abort during the checksum or the extraction", () => {
  it("md5File stops reading and throws Interrupted", async () => {
    const file = path.join(tempDir(), "big.bin");
    fs.writeFileSync(file, Buffer.alloc(16 << 20, 5));
    const controller = new AbortController();
    const done = md5File(file, controller.signal);
    setImmediate(() => controller.abort());
    await expect(done).rejects.toBeInstanceOf(Interrupted);
  });

  it("extractTar stops, removes the files and folders it created, keeps what was there", async () => {
    const { archive } = bigArchive(2000); // six 6 MB files
    const dir = tempDir();
    const tarFile = path.join(dir, "a.tar");
    fs.writeFileSync(tarFile, archive);
    const out = path.join(dir, "out");
    fs.mkdirSync(path.join(out, "cifar-10-batches-bin"), { recursive: true });
    fs.writeFileSync(path.join(out, "cifar-10-batches-bin", "mine.txt"), "keep");
    const controller = new AbortController();
    const made: ExtractedPaths = { files: [], dirs: [] };
    const done = extractTar(tarFile, path.join(out, "new", "deeper"), { signal: controller.signal, made });
    once(
      () => made.files.length > 0,
      () => controller.abort(),
    );
    await expect(done).rejects.toBeInstanceOf(Interrupted);
    expect(fs.readdirSync(out)).toEqual(["cifar-10-batches-bin"]);
    // into a folder that existed: its own files stay, the extracted ones go
    const again = new AbortController();
    const made2: ExtractedPaths = { files: [], dirs: [] };
    const done2 = extractTar(tarFile, out, { signal: again.signal, made: made2 });
    once(
      () => made2.files.length > 0,
      () => again.abort(),
    );
    await expect(done2).rejects.toBeInstanceOf(Interrupted);
    expect(fs.readdirSync(path.join(out, "cifar-10-batches-bin"))).toEqual(["mine.txt"]);
  });

  it("fetchCifar: Ctrl-C during the extraction is Interrupted, and nothing is kept", async () => {
    const { archive, md5 } = bigArchive(2000);
    const srv = await localServer((_req, res) => res.writeHead(200, { "content-length": String(archive.length) }).end(archive));
    try {
      const dir = tempDir();
      const controller = new AbortController();
      const leftovers = new FetchLeftovers();
      const done = fetchCifar("cifar10", path.join(dir, "made"), {
        archive: { url: `${srv.base}/cifar-10-binary.tar.gz`, md5 },
        madeDir: path.join(dir, "made"),
        signal: controller.signal,
        leftovers,
      });
      once(
        () => leftovers.extracted.files.some((f) => fs.existsSync(f)),
        () => controller.abort(),
      );
      await expect(done).rejects.toBeInstanceOf(Interrupted);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      srv.close();
    }
  });

  it("FetchLeftovers.removeNow (a second Ctrl-C) removes the download and what the extraction made, at once", async () => {
    const { archive, md5 } = bigArchive(2000);
    const srv = await localServer((_req, res) => res.writeHead(200, { "content-length": String(archive.length) }).end(archive));
    try {
      const dir = tempDir();
      const target = path.join(dir, "made");
      const leftovers = new FetchLeftovers();
      const controller = new AbortController();
      const done = fetchCifar("cifar10", target, {
        archive: { url: `${srv.base}/cifar-10-binary.tar.gz`, md5 },
        madeDir: target,
        leftovers,
        signal: controller.signal,
      });
      let seen: string[] = [];
      once(
        () => leftovers.extracted.files.some((f) => fs.existsSync(f)),
        () => {
          seen = fs.readdirSync(target);
          leftovers.removeNow();
          controller.abort();
        },
      );
      await expect(done).rejects.toBeInstanceOf(Interrupted);
      // while extracting: the download and the extracted folder were there
      expect(seen.some((n) => /^\.cifar-10-binary\.tar\.gz\.adainfc-\d+-[0-9a-f]{8}\.part$/.test(n))).toBe(true);
      expect(seen).toContain("cifar-10-batches-bin");
      expect(fs.existsSync(target)).toBe(false);
    } finally {
      srv.close();
    }
  });
});

describe("downloads left by a process that no longer runs", () => {
  it("are removed by the next fetch into the folder; a running process's, other names and folders stay", async () => {
    const { archive, md5 } = cifarArchive();
    const srv = await localServer((_req, res) => res.writeHead(200, { "content-length": String(archive.length) }).end(archive));
    try {
      const dir = tempDir();
      // a process id that no longer runs: a child that has exited
      const dead = spawnSync(process.execPath, ["-e", ""]).pid;
      const stale = `.cifar-10-binary.tar.gz.adainfc-${dead}-0123abcd.part`;
      const alive = `.cifar-10-binary.tar.gz.adainfc-${process.ppid}-0123abcd.part`;
      const kept = [alive, "cifar-10-binary.tar.gz.part", `.other.tar.gz.adainfc-${dead}-0123abcd.part`, `.cifar-10-binary.tar.gz.adainfc-${dead}-xyz.part`];
      for (const n of [stale, ...kept]) fs.writeFileSync(path.join(dir, n), "x");
      fs.mkdirSync(path.join(dir, `.cifar-10-binary.tar.gz.adainfc-${dead}-89abcdef.part`));
      await fetchCifar("cifar10", dir, { archive: { url: `${srv.base}/cifar-10-binary.tar.gz`, md5 } });
      expect(fs.readdirSync(dir).sort()).toEqual([...kept, `.cifar-10-binary.tar.gz.adainfc-${dead}-89abcdef.part`, "cifar-10-batches-bin"].sort());
    } finally {
      srv.close();
    }
  });
});
