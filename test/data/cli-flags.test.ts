// The flags and arguments of `adainfc data fetch|convert|info`: bad values are one line
// naming the flag (exit 2 for a bad value, 1 for a folder that cannot be used), checked
// before anything is downloaded or created; `data info` takes generate's source specs
// (`mnist:test`) and counts a folder's progress in images, and refuses `--split` where
// the source has none; E032's hint says what to do; a download with the wrong checksum
// is removed with the folders made for it, and so is one stopped by Ctrl-C, or quit by a
// second stop signal (the built CLI as a child, against a slow local server); an HTTP
// error is the server's answer, not a connection problem; an empty path argument is a
// usage error; data check's CRC progress counts bytes, as every phase named with a file
// counts in the unit the runtime gives it; a count of one is "1 image".
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildProcess, spawn } from "node:child_process";
import { cli, ROOT } from "../helpers.js";
import { writeNpz } from "./fixtures.js";
import { bytes, npyArray, tempDir, zipBytes } from "./helpers.js";

const dir = tempDir("adainf-flags-");
const BAD_ARCHIVE = Buffer.alloc(4096, 7);
let server: http.Server;
let url = "";
beforeAll(async () => {
  // A local mirror that has nothing (every fetch that gets as far as downloading fails
  // with HTTP 404) but, under /bad/, an archive whose MD5 is not the published one.
  server = http.createServer((req, res) => {
    if (req.url?.startsWith("/bad/")) res.writeHead(200, { "content-length": String(BAD_ARCHIVE.length) }).end(BAD_ARCHIVE);
    else if (req.url?.startsWith("/slow/")) {
      // 64 KiB of a 10 MB archive, then nothing: a download that is still going on
      res.writeHead(200, { "content-length": String(10_000_000) });
      res.write(Buffer.alloc(65536, 3));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cifar-10-binary.tar.gz`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * The built CLI's `data fetch cifar10 --url <args>` in `work`; once it says it is
 * downloading, `stop` signals it. Resolves with its exit code, stderr and whether `stop` ran.
 */
function fetchStopped(work: string, args: string[], stop: (child: ChildProcess) => void): Promise<{ code: number | null; err: string; sent: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "adainfc.js"), "data", "fetch", "cifar10", "--url", ...args], {
      cwd: work,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    let err = "";
    let sent = false;
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
      if (!sent && /downloading/.test(err)) {
        sent = true;
        stop(child);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, err, sent });
    });
  });
}

/** One line on stderr, nothing on stdout, no stack and no "internal error". */
function oneLine(r: { out: string; err: string }): string {
  expect(r.out).toBe("");
  expect(r.err).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
  expect(r.err.trimEnd().split("\n")).toHaveLength(1);
  return r.err.trimEnd();
}

describe("data fetch: --url and --dir are checked first", () => {
  it("a --url that is not an http(s) URL: usage error, exit 2, nothing created", async () => {
    for (const bad of ["notaurl", "ftp://host/x.tar.gz", "file:///etc/passwd"]) {
      const r = await cli(["data", "fetch", "cifar10", "--url", bad, "--dir", "fetchd"], dir);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(new RegExp(`^error: --url: not an http\\(s\\) URL: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(`));
    }
    expect(fs.existsSync(path.join(dir, "fetchd"))).toBe(false);
  });

  it("a --dir that is a file, or lies below one: one line naming --dir, exit 1", async () => {
    fs.writeFileSync(path.join(dir, "afile"), "x");
    const r = await cli(["data", "fetch", "cifar10", "--dir", "afile", "--url", url], dir);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/^error: --dir afile: it is a file, not a folder; give a folder you can write in/);
    const below = await cli(["data", "fetch", "cifar10", "--dir", "afile/sub", "--url", url], dir);
    expect(below.code).toBe(1);
    expect(oneLine(below)).toMatch(/^error: --dir afile\/sub: cannot create the folder .*afile\/sub: a part of the path is a file, not a folder \(ENOTDIR\)/);
  });

  it("without --dir, the default folder is named without the flag the user never typed", async () => {
    const work = fs.mkdtempSync(path.join(dir, "nodir-"));
    fs.writeFileSync(path.join(work, "datasets"), "x");
    const r = await cli(["data", "fetch", "cifar10", "--url", url], work);
    expect(r.code).toBe(1);
    const line = oneLine(r);
    expect(line).toMatch(
      /^error: datasets\/cifar10 \(the default --dir\): cannot create the folder .*: a part of the path is a file, not a folder \(ENOTDIR\); give --dir a folder you can write in/,
    );
    expect(fs.readdirSync(work)).toEqual(["datasets"]);
  });

  it.skipIf(!fs.existsSync("/proc/self"))(
    "a --dir under /proc: one line at once, not a hang",
    async () => {
      const r = await cli(["data", "fetch", "cifar10", "--dir", "/proc/adainf-x/y", "--url", url], dir);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toMatch(/^error: --dir \/proc\/adainf-x\/y: cannot create the folder \/proc\/adainf-x: /);
    },
    10_000,
  );

  it("an archive with the wrong checksum: one line naming the URL; the archive and the folders made for it are gone", async () => {
    const bad = url.replace("/cifar-10-binary", "/bad/cifar-10-binary");
    const r = await cli(["data", "fetch", "cifar10", "--dir", "f3/sub", "--url", bad], dir);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
    expect(
      r.err
        .trimEnd()
        .split("\n")
        .filter((l) => !l.startsWith("  ")),
    ).toHaveLength(1); // after the progress lines
    expect(r.err.trimEnd().split("\n").at(-1)).toMatch(
      new RegExp(`^error: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: checksum mismatch: MD5 [0-9a-f]{32}, expected c32a1d4a.*nothing was kept: retry`),
    );
    expect(fs.existsSync(path.join(dir, "f3"))).toBe(false);
    // into a folder that was there already: it stays, without the archive
    fs.mkdirSync(path.join(dir, "f4"));
    expect((await cli(["data", "fetch", "cifar10", "--dir", "f4", "--url", bad], dir)).code).toBe(1);
    expect(fs.readdirSync(path.join(dir, "f4"))).toEqual([]);
  });

  it("a failed download leaves none of the folders it made", async () => {
    const r = await cli(["data", "fetch", "cifar10", "--dir", "made/a/b", "--url", url], dir);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/: the server answered HTTP 404 Not Found for this URL; check the URL \(--url\)/);
    expect(r.err).not.toContain("internet connection");
    expect(fs.existsSync(path.join(dir, "made"))).toBe(false);
  });

  it("an empty --dir is a usage error naming it, nothing created", async () => {
    const r = await cli(["data", "fetch", "cifar10", "--dir", "", "--url", url], dir);
    expect(r.code).toBe(2);
    expect(oneLine(r)).toBe("error: --dir '' is empty: give a folder path (without --dir: datasets/cifar10)");
  });

  it.each([
    [["--dir", "fd/sub"], "fd/sub"],
    // without --dir: the shipped pipelines' folder
    [[], "datasets/cifar10"],
  ])("Ctrl-C during the download (%o): one line, exit 130; the download and the folders made for it are gone", { timeout: 60_000 }, async (flags, into) => {
    const work = fs.mkdtempSync(path.join(dir, "int-"));
    const slow = url.replace("/cifar-10-binary", "/slow/cifar-10-binary");
    const r = await fetchStopped(work, [slow, ...flags], (child) => child.kill("SIGINT"));
    expect(r.sent).toBe(true);
    expect(r.code).toBe(130);
    expect(r.err.trimEnd().split("\n").at(-1)).toBe(`interrupted while fetching cifar10 into ${into}: nothing was kept`);
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    expect(fs.readdirSync(work)).toEqual([]);
  });

  it("a second stop signal quits at once (exit 130 or 143) and still removes the download and the folders made for it", { timeout: 60_000 }, async () => {
    const work = fs.mkdtempSync(path.join(dir, "quit-"));
    const slow = url.replace("/cifar-10-binary", "/slow/cifar-10-binary");
    // Stopped, the child gets both at once when it goes on: the second quits before the
    // first's clean-up could run.
    const r = await fetchStopped(work, [slow], (child) => {
      child.kill("SIGSTOP");
      child.kill("SIGINT");
      child.kill("SIGTERM");
      child.kill("SIGCONT");
    });
    expect(r.sent).toBe(true);
    // The two come together, in either order: the second one names itself and sets the exit code.
    const last = r.err.trimEnd().split("\n").at(-1);
    expect([`${r.code} ${last}`]).toContain(
      last?.startsWith("Ctrl-C") ? "130 Ctrl-C (a second stop signal): quit" : "143 SIGTERM (a second stop signal): quit",
    );
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    expect(fs.readdirSync(work)).toEqual([]);
  });
});

describe("an empty path argument is a usage error naming it (not the working folder)", () => {
  it("data info '', data info '' --split test, data convert ''", async () => {
    const work = fs.mkdtempSync(path.join(dir, "empty-"));
    fs.mkdirSync(path.join(work, "sub"));
    fs.writeFileSync(path.join(work, "sub", "z.png"), "junk");
    for (const [args, line] of [
      [["data", "info", ""], "error: <source> '' is empty: give an .npz file, a folder, or mnist"],
      [["data", "info", "", "--split", "test"], "error: <source> '' is empty: give an .npz file, a folder, or mnist"],
      [["data", "convert", "", "-o", "o.npz"], "error: <folder> '' is empty: give a folder of images"],
    ] as Array<[string[], string]>) {
      const r = await cli(args, work);
      expect(r.code, args.join(" ")).toBe(2);
      expect(oneLine(r)).toBe(line);
    }
    expect(fs.readdirSync(work)).toEqual(["sub"]);
  });
});

describe("counts and units", () => {
  it("every phase the runtime names with a file is counted in its unit (one list: src/runtime/data/phases.ts)", async () => {
    const { FILE_PHASES, filePhase } = await import("../../src/runtime/data/phases.js");
    const { dataProgress } = await import("../../src/cli/commands/data.js");
    expect(Object.keys(FILE_PHASES).sort()).toEqual(["converting", "crc", "inflating"]);
    for (const [phase, { unit }] of Object.entries(FILE_PHASES)) {
      let err = "";
      const ctx = { cwd: dir, color: false, out: () => undefined, err: (t: string) => void (err += t) };
      const bar = await dataProgress(ctx, {});
      bar.update(filePhase(phase as keyof typeof FILE_PHASES, "/abs/x.npz"), 10, 10);
      bar.stop();
      expect(err).toBe(`  ${FILE_PHASES[phase as keyof typeof FILE_PHASES].prefix}/abs/x.npz\n    10 / 10${unit}\n`);
    }
  });

  it("data convert of one image says 1 image; data check's CRC progress counts bytes", async () => {
    const sharp = (await import("sharp")).default;
    const one = path.join(dir, "one");
    fs.mkdirSync(one);
    await sharp(Buffer.from(bytes(48, 3)), { raw: { width: 4, height: 4, channels: 3 } })
      .png()
      .toFile(path.join(one, "a.png"));
    const c = await cli(["data", "convert", "one", "-o", "one.npz"], dir);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(/^wrote one\.npz: 1 image, 4x4x3 uint8 RGB/);
    const info = await cli(["data", "info", "one.npz"], dir);
    expect(info.out).toMatch(/over 1 image\n/);
    writeNpz(path.join(dir, "g1.npz"), bytes(2 * 28 * 28, 5), 2, [28, 28, 1]);
    fs.writeFileSync(
      path.join(dir, "crc.adainf"),
      `pipeline p from simclr {
  data {
    real = mnist(split = train, size = 100)
    generated = npz("g1.npz", size = 2, channels = rgb)
    eval = mnist(split = test)
  }
  inflate {
    real x 1
    generated x 1
  }
}
`,
    );
    const r = await cli(["data", "check", "crc.adainf"], dir);
    expect(r.err).toContain("  checking the CRC-32 of g1.npz\n");
    expect(r.err).toMatch(/\n {4}[\d,]+ \/ [\d,]+ bytes\n/);
    // --samples is digits within range, the value quoted (not 1e20 read as a number)
    for (const bad of ["1e20", "0", " 2"]) {
      const flag = await cli(["data", "check", "crc.adainf", "--samples", bad], dir);
      expect(flag.code).toBe(2);
      expect(flag.err).toContain(`--samples must be an integer >= 1, not '${bad}'`);
    }
  });
});

describe("data convert --resize", () => {
  it("each side must be 1..8192: a usage error, exit 2, before any image is read", async () => {
    for (const bad of ["100000x100000", "32x9000", "0x32", "32", "-1x4"]) {
      const r = await cli(["data", "convert", "no-such-folder", "-o", "o.npz", "--resize", bad], dir);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(/^error: --resize/);
    }
    const big = await cli(["data", "convert", "no-such-folder", "-o", "o.npz", "--resize", "100000x100000"], dir);
    expect(big.err).toContain("each side must be 1 to 8192 pixels");
    // The largest accepted value gets as far as the folder.
    const ok = await cli(["data", "convert", "no-such-folder", "-o", "o.npz", "--resize", "8192x8192"], dir);
    expect(ok.code).toBe(1);
    expect(oneLine(ok)).toBe("error: no-such-folder: no such file or directory");
  });
});

describe("data info", () => {
  it("takes generate's source specs: mnist:test, mnist:all, a CIFAR folder:test", async () => {
    const json = async (...args: string[]): Promise<Record<string, unknown>> => {
      const r = await cli(["data", "info", ...args, "--json"], dir);
      expect([r.code, r.err]).toEqual([0, ""]);
      return JSON.parse(r.out) as Record<string, unknown>;
    };
    expect(await json("mnist:test")).toMatchObject({ format: "mnist", count: 2004 });
    expect(await json("mnist:train")).toMatchObject({ format: "mnist", count: 7996 });
    expect(await json("mnist:all")).toMatchObject({ format: "mnist", count: 10000 });
    expect(await json("mnist:test", "--split", "test")).toMatchObject({ count: 2004 });
    const cifar = path.join(dir, "c10", "cifar-10-batches-bin");
    fs.mkdirSync(cifar, { recursive: true });
    const rec = Buffer.concat([Buffer.from([1]), Buffer.alloc(3072, 9)]);
    for (const f of ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"])
      fs.writeFileSync(path.join(cifar, f), rec);
    fs.writeFileSync(path.join(cifar, "test_batch.bin"), Buffer.concat([rec, rec, rec]));
    expect(await json("c10:test")).toMatchObject({ format: "cifar10", count: 3 });
    expect(await json("c10")).toMatchObject({ format: "cifar10", count: 5 });
  });

  it("a split the source does not have, or two that disagree: exit 2, one line", async () => {
    writeNpz(path.join(dir, "set.npz"), bytes(2 * 2 * 2 * 3), 2, [2, 2, 3]);
    fs.mkdirSync(path.join(dir, "nosplit"), { recursive: true });
    for (const [args, pattern] of [
      [["mnist:valid"], /^error: unknown split in 'mnist:valid': use :train, :test or :all$/],
      [["set.npz:test"], /^error: set\.npz: npz sources have no splits \(drop ':test'\)$/],
      // the flag is the same as the suffix (docs/data.md): refused on an npz or a folder too
      [["set.npz", "--split", "test"], /^error: set\.npz: npz sources have no splits \(drop --split test\)$/],
      [["nosplit", "--split", "train"], /^error: nosplit: folder sources have no splits \(drop --split train\)$/],
      [["mnist:train", "--split", "test"], /^error: mnist:train names the train split but --split says test/],
    ] as Array<[string[], RegExp]>) {
      const r = await cli(["data", "info", ...args], dir);
      expect(r.code).toBe(2);
      expect(oneLine(r)).toMatch(pattern);
    }
  });

  it("an image folder's progress counts images, not bytes", async () => {
    const sharp = (await import("sharp")).default;
    const folder = path.join(dir, "imgs");
    fs.mkdirSync(folder);
    for (let i = 0; i < 5; i++)
      await sharp(Buffer.from(bytes(48, i)), { raw: { width: 4, height: 4, channels: 3 } })
        .png()
        .toFile(path.join(folder, `${i}.png`));
    const r = await cli(["data", "info", "imgs"], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain("  decoding images\n");
    expect(r.err).toContain("    5 / 5 images\n");
    expect(r.err).not.toContain("bytes");
  });
});

describe("data check on a pipeline whose npz headers are unusable (E032)", () => {
  it("the hint says how to fix the file, not to run data check again", async () => {
    fs.writeFileSync(path.join(dir, "empty.npz"), zipBytes([{ name: "image.npy", data: npyArray("|u1", [0, 8, 8, 3], new Uint8Array(0)) }]));
    fs.writeFileSync(
      path.join(dir, "e.adainf"),
      `pipeline p from simclr {
  data {
    real = npz("empty.npz", origin = real, classes = 2, channels = rgb)
  }
}
`,
    );
    const r = await cli(["data", "check", "e.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[E032]");
    expect(r.err).toMatch(/hint: write the file again .*or point the source at another file/);
    expect(r.err).not.toContain("adainfc data check");
  });
});
