// Data paths that are not what they should be, through the CLI: a FIFO or a device where
// an npz or a CIFAR batch goes is refused at once, never opened (open() of a FIFO blocks
// until a writer comes: check, lint and data check hung); an unreadable image or CIFAR
// batch is named with its cause (as a user other than root, through setpriv, when the
// tests run as root); a cache folder that cannot be written is named, not the readable
// npz; integer images with negative pixels, a mixed-size folder's JSON, the mixed-size
// message. The FIFO cases run the built CLI as a child (a hang there cannot block the
// test process).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { decodeImage } from "../../src/runtime/data/folder.js";
import { cli, nobodyCanRunCli, ROOT, spawnCli } from "../helpers.js";
import { tinyProject } from "../train/fixtures.js";
import { writeNpz } from "./fixtures.js";
import { bytes, npyArray, tempDir, zipBytes } from "./helpers.js";

const canFifo = spawnSync("mkfifo", [path.join(tempDir(), "probe")]).status === 0;

/** One line on stderr naming the problem: no stack, no "internal error". */
function oneLine(r: { err: string }): string {
  expect(r.err).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
  const lines = r.err
    .trimEnd()
    .split("\n")
    .filter((l) => !l.startsWith("  "));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

function cifarFolder(dir: string): string {
  const root = path.join(dir, "c10", "cifar-10-batches-bin");
  fs.mkdirSync(root, { recursive: true });
  const rec = Buffer.concat([Buffer.from([1]), Buffer.alloc(3072, 9)]);
  for (const f of ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"])
    fs.writeFileSync(path.join(root, f), Buffer.concat([rec, rec]));
  return root;
}

describe("a FIFO or a device as a data path: refused before it is opened", () => {
  it.skipIf(!canFifo)("check, lint and data check: E032 at the path, no hang", { timeout: 90_000 }, async () => {
    const dir = tinyProject();
    fs.rmSync(path.join(dir, "gen.npz"));
    spawnSync("mkfifo", [path.join(dir, "gen.npz")]);
    for (const args of [
      ["check", "tiny.adainf"],
      ["lint", "tiny.adainf"],
      ["data", "check", "tiny.adainf"],
    ]) {
      const r = await spawnCli(args, dir, process.env, 20_000);
      expect(r.hung, args.join(" ")).toBe(false);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.out + r.err).toMatch(/error\[E032\]: gen\.npz: not a regular file \(a FIFO\), expected an \.npz file/);
    }
  });

  it.skipIf(!canFifo)("data info of a FIFO, a device, or a CIFAR folder with a FIFO for a batch: the cause, named", { timeout: 60_000 }, async () => {
    const dir = tempDir();
    spawnSync("mkfifo", [path.join(dir, "fifo.npz")]);
    const root = cifarFolder(dir);
    fs.rmSync(path.join(root, "data_batch_3.bin"));
    spawnSync("mkfifo", [path.join(root, "data_batch_3.bin")]);
    for (const [args, line] of [
      [["fifo.npz"], "error: fifo.npz: not a regular file or folder (a FIFO): expected an .npz archive, a CIFAR folder or an image folder"],
      [["/dev/zero"], "error: /dev/zero: not a regular file or folder (a device): expected an .npz archive, a CIFAR folder or an image folder"],
      [["c10"], "error: c10/cifar-10-batches-bin/data_batch_3.bin: not a regular file (a FIFO), expected a cifar10 batch file"],
    ] as Array<[string[], string]>) {
      const r = await spawnCli(["data", "info", ...args], dir, process.env, 20_000);
      expect(r.hung, args.join(" ")).toBe(false);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toBe(line);
    }
  });

  it("an npz source at /dev/zero: not a regular file, not an 'empty file'", async () => {
    const dir = tinyProject();
    const file = path.join(dir, "tiny.adainf");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('npz("gen.npz"', 'npz("/dev/zero"'));
    const r = await cli(["check", "tiny.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[E032\]: \/dev\/zero: not a regular file \(a device\), expected an \.npz file/);
    // E032's hint fits a file that is not damaged as well
    expect(r.err).toMatch(/hint: write the file again if it is damaged .*fix what the message names if not/);
  });
});

describe("files that cannot be read: the file and the cause", () => {
  it("an image that cannot be opened is not called an unsupported format", async () => {
    const dir = tempDir();
    await expect(decodeImage(path.join(dir, "gone.png"))).rejects.toThrow(/gone\.png: no such file or directory$/);
  });

  // chmod means nothing to root: run the CLI as nobody, as the audit did.
  // (skipped unless root with setpriv, in a checkout nobody can read: test/helpers.ts)
  const asNobody = nobodyCanRunCli();
  it.skipIf(!asNobody)("as another user: an unreadable image or CIFAR batch is 'permission denied', naming that file", { timeout: 60_000 }, async () => {
    // Not under the test run's own temp folder, which only root may enter; removed below.
    const dir = fs.mkdtempSync("/tmp/adainf-nobody-");
    fs.chmodSync(dir, 0o755);
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    const sharp = (await import("sharp")).default;
    fs.mkdirSync(path.join(dir, "imgs"));
    for (let i = 0; i < 3; i++)
      await sharp(Buffer.from(bytes(48, i)), { raw: { width: 4, height: 4, channels: 3 } })
        .png()
        .toFile(path.join(dir, "imgs", `img${i}.png`));
    fs.chmodSync(path.join(dir, "imgs", "img1.png"), 0o000);
    const root = cifarFolder(dir);
    fs.chmodSync(path.join(root, "data_batch_2.bin"), 0o000);
    const nobody = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const r = spawnSync(
          "setpriv",
          [
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "env",
            `HOME=${dir}`,
            `ADAINF_CACHE_DIR=${dir}/cache`,
            process.execPath,
            path.join(ROOT, "bin", "adainfc.js"),
            ...args,
          ],
          { cwd: dir, encoding: "utf8", timeout: 30_000 },
        );
        resolve({ code: r.status, err: r.stderr });
      });
    const img = await nobody(["data", "info", "imgs"]);
    expect(img.code).toBe(1);
    expect(oneLine(img)).toBe("error: imgs/img1.png: permission denied");
    const c10 = await nobody(["data", "info", "c10"]);
    expect(c10.code).toBe(1);
    expect(oneLine(c10)).toBe("error: c10/cifar-10-batches-bin/data_batch_2.bin: permission denied");
  });
});

describe("the npz cache folder cannot be written", () => {
  it("a deflated npz: the cache folder and ADAINF_CACHE_DIR are named, not the readable archive", async () => {
    const dir = tempDir();
    const image = npyArray("|u1", [2, 2, 2, 3], bytes(24, 3));
    fs.writeFileSync(path.join(dir, "z.npz"), zipBytes([{ name: "image.npy", data: image, deflate: true }]));
    fs.writeFileSync(path.join(dir, "afile"), "not a folder");
    const before = process.env.ADAINF_CACHE_DIR;
    process.env.ADAINF_CACHE_DIR = path.join(dir, "afile", "cache"); // under a file: no folder can be made there, even by root
    try {
      const r = await cli(["data", "info", "z.npz"], dir);
      expect(r.code).toBe(1);
      expect(oneLine(r)).toBe(
        `error: ${path.join(dir, "afile", "cache", "npz")}: cannot write the npz cache for z.npz here (a part of the path is a file, not a folder); set ADAINF_CACHE_DIR to a folder you can write in`,
      );
    } finally {
      if (before === undefined) delete process.env.ADAINF_CACHE_DIR;
      else process.env.ADAINF_CACHE_DIR = before;
    }
  });
});

describe("pixel values and sizes", () => {
  it("integer images with negative pixels (int8) are refused, naming the file, not clamped to black", async () => {
    const dir = tempDir();
    const data = Uint8Array.from(bytes(2 * 4 * 4 * 3, 5)); // int8: half of these bytes read as negative
    fs.writeFileSync(path.join(dir, "i8.npz"), zipBytes([{ name: "image.npy", data: npyArray("|i1", [2, 4, 4, 3], data) }]));
    const r = await cli(["data", "info", "i8.npz"], dir);
    expect(r.code).toBe(1);
    expect(oneLine(r)).toMatch(/^error: i8\.npz: integer pixel values from -\d+ to \d+: negative pixels fit no pixel convention; .*add 128 first/);
    // non-negative integers of a wider type still read
    const wide = new Uint8Array(2 * 4 * 4 * 3 * 2);
    wide.forEach((_, i) => (wide[i] = i % 2 === 0 ? 200 : 0)); // int16 little-endian 200
    fs.writeFileSync(path.join(dir, "i16.npz"), zipBytes([{ name: "image.npy", data: npyArray("<i2", [2, 4, 4, 3], wide) }]));
    expect((await cli(["data", "info", "i16.npz"], dir)).code).toBe(0);
  });

  it("data info --json on a folder of mixed sizes says so (mixedSizes), as the text does", async () => {
    const dir = tempDir();
    const sharp = (await import("sharp")).default;
    fs.mkdirSync(path.join(dir, "mixed"));
    await sharp(Buffer.alloc(4 * 4 * 3, 9), { raw: { width: 4, height: 4, channels: 3 } })
      .png()
      .toFile(path.join(dir, "mixed", "a.png"));
    await sharp(Buffer.alloc(6 * 4 * 3, 9), { raw: { width: 4, height: 6, channels: 3 } })
      .png()
      .toFile(path.join(dir, "mixed", "b.png"));
    const json = JSON.parse((await cli(["data", "info", "mixed", "--json"], dir)).out) as Record<string, unknown>;
    expect(json).toMatchObject({ format: "folder", count: 2, shape: [4, 4, 3], mixedSizes: true });
    writeNpz(path.join(dir, "same.npz"), bytes(2 * 2 * 2 * 3), 2, [2, 2, 3]);
    expect(JSON.parse((await cli(["data", "info", "same.npz", "--json"], dir)).out)).toMatchObject({ mixedSizes: false });
    // generate has no --resize: the message names the command that has one, and sizes are HxW
    const g = await cli(["generate", "--from", "mixed", "--count", "2", "-o", "g.npz", "--dims", "1", "--components", "1"], dir);
    expect(g.code).toBe(1);
    expect(oneLine(g)).toBe(
      "error: mixed/b.png: image is 6x4 (HxW) but the first image is 4x4; convert the folder with `adainfc data convert --resize HxW` to give them one size",
    );
  });
});
