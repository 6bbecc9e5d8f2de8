// Damaged npz files: every member's CRC-32 is checked against the zip directory by
// `data check` (D011, exit 1), for stored and deflated members alike (a deflated image
// member damaged past its header is reported as D011 when opening fails on it; one whose
// stream breaks in the first 8 KiB, which the header read inflates, is the compiler's
// E032), while `data info` stays a header-and-sample read that does not notice. A file
// two sources name is read once.
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { verifyZipCrcs } from "../../src/runtime/data/verify.js";
import { cli } from "../helpers.js";
import { bytes, int64, npyArray, slowCrc32, tempDir, zipBytes } from "./helpers.js";

const dir = tempDir("adainf-verify-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const N = 6;
const pixels = bytes(N * 28 * 28, 3);
const imageNpy = npyArray("|u1", [N, 28, 28], pixels);
const labelNpy = npyArray("<i8", [N], int64(Array(N).fill(-1)));

/** An npz whose image member has 0xFF written over `damage` bytes in the middle of its pixels. */
function npzFile(name: string, deflate: boolean, damage = 0): string {
  const file = path.join(dir, name);
  const zip = zipBytes([
    { name: "image.npy", data: imageNpy, deflate },
    { name: "label.npy", data: labelNpy, deflate },
  ]);
  if (damage > 0) {
    // The image member's data starts after the 30-byte local header and its name.
    const start = 30 + "image.npy".length + (deflate ? 20 : 128 + 1000);
    zip.fill(0xff, start, start + damage);
  }
  fs.writeFileSync(file, zip);
  return file;
}

describe("verifyZipCrcs", () => {
  it("finds nothing wrong in whole files, stored or deflated, and reports progress up to the total", async () => {
    const seen: Array<[number, number]> = [];
    expect(await verifyZipCrcs(npzFile("ok.npz", false), (d, t) => seen.push([d, t]))).toEqual([]);
    expect(seen.at(-1)).toEqual([imageNpy.length + labelNpy.length, imageNpy.length + labelNpy.length]);
    expect(await verifyZipCrcs(npzFile("okz.npz", true))).toEqual([]);
  });

  it("names a damaged stored member with the stored and the computed CRC", async () => {
    const file = npzFile("bad.npz", false, 500);
    const damaged = Buffer.from(imageNpy);
    damaged.fill(0xff, 128 + 1000, 128 + 1500);
    expect(await verifyZipCrcs(file)).toEqual([{ member: "image.npy", stored: slowCrc32(imageNpy), computed: slowCrc32(damaged) }]);
  });

  it("a damaged deflated member fails too (it does not inflate, or inflates to other bytes)", async () => {
    const bad = await verifyZipCrcs(npzFile("badz.npz", true, 40));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ member: "image.npy", stored: slowCrc32(imageNpy) });
  });
});

describe("adainfc data check / data info on a damaged npz", () => {
  const pipeline = `pipeline p from simclr {
  data {
    real = mnist(split = train)
    gen = npz("gen.npz")
    eval = mnist(split = test)
  }
  inflate { real x 10; gen x 1 }
  augment = symmetric_adainf
  model { backbone = convnet }
}
`;
  fs.writeFileSync(path.join(dir, "p.adainf"), pipeline);

  it("a whole file: no D011, exit 0, and the check shows its progress", async () => {
    fs.copyFileSync(npzFile("ok.npz", false), path.join(dir, "gen.npz"));
    const r = await cli(["data", "check", "p.adainf"], dir);
    expect(r.err).not.toContain("D011");
    expect(r.err).toContain("  checking the CRC-32 of gen.npz\n");
    expect(r.code).toBe(0);
  });

  it("a damaged stored member: D011 naming the file, the member and both CRCs, exit 1; data info still exits 0", async () => {
    fs.copyFileSync(npzFile("bad.npz", false, 500), path.join(dir, "gen.npz"));
    const r = await cli(["data", "check", "p.adainf"], dir);
    expect(r.code).toBe(1);
    const damaged = Buffer.from(imageNpy).fill(0xff, 128 + 1000, 128 + 1500);
    const [stored, computed] = [imageNpy, damaged].map((b) => slowCrc32(b).toString(16).padStart(8, "0"));
    expect(r.err).toContain(
      `error[D011]: gen.npz: image.npy fails its CRC-32 check (stored ${stored}, computed ${computed}): the file is damaged; make or download it again`,
    );
    expect(r.err).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
    // A header-and-sample read: it does not verify checksums (docs/data.md says so).
    expect((await cli(["data", "info", "gen.npz"], dir)).code).toBe(0);
  });

  it("two sources on one damaged file: it is read through once, and each source is told (D011 at each)", async () => {
    fs.copyFileSync(npzFile("bad.npz", false, 500), path.join(dir, "gen.npz"));
    npzFile("ok.npz", false);
    // Another file between the two, so that the progress shows each read as a phase.
    const twice = pipeline
      .replace("real = mnist(split = train)", 'real = npz("gen.npz", origin = real)')
      .replace('gen = npz("gen.npz")', 'gen = npz("ok.npz")')
      .replace("eval = mnist(split = test)", 'eval = npz("gen.npz", origin = real)');
    fs.writeFileSync(path.join(dir, "twice.adainf"), twice);
    const r = await cli(["data", "check", "twice.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err.split("checking the CRC-32 of gen.npz")).toHaveLength(2);
    expect(r.err.match(/error\[D011\]: gen\.npz: image\.npy fails its CRC-32 check/g)).toHaveLength(2);
  });

  it("a deflated member damaged past its header: D011 (the cause), not D001 (the opener's symptom)", async () => {
    const file = npzFile("badz-late.npz", true);
    const zip = fs.readFileSync(file);
    const start = 30 + "image.npy".length + 300;
    zip.fill(0xff, start, start + 40);
    fs.writeFileSync(path.join(dir, "gen.npz"), zip);
    const r = await cli(["data", "check", "p.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error\[D011\]: gen\.npz: image\.npy fails its CRC-32 check \(stored [0-9a-f]{8}, (computed [0-9a-f]{8}|does not inflate)\)/);
    expect(r.err).not.toContain("D001");
  });

  it("a deflated member damaged in its npy header: the compiler's E032 at the source, also from check", async () => {
    fs.copyFileSync(npzFile("badz-head.npz", true, 40), path.join(dir, "gen.npz"));
    for (const cmd of [
      ["data", "check", "p.adainf"],
      ["check", "p.adainf"],
    ]) {
      const r = await cli(cmd, dir);
      expect(r.code).toBe(1);
      expect(r.err).toContain("error[E032]: gen.npz: member image.npy is corrupt (bad deflate data)");
    }
  });

  it("a deflated member whose stream breaks in its first 8 KiB, past its npy header: E032 too (the header read inflates that much)", async () => {
    // Compressible pixels (a Huffman-coded stream, not stored blocks): damage breaks it.
    const image = npyArray(
      "|u1",
      [300, 28, 28],
      bytes(300 * 784, 4).map((b) => b & 0x0f),
    );
    const zip = zipBytes([{ name: "image.npy", data: image, deflate: true }]);
    const at = 30 + "image.npy".length + 2000;
    expect(zlib.deflateRawSync(image).length).toBeGreaterThan(4000);
    zip.fill(0xff, at, at + 40);
    fs.writeFileSync(path.join(dir, "gen.npz"), zip);
    const r = await cli(["data", "check", "p.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error[E032]: gen.npz: member image.npy is corrupt (bad deflate data)");
  });
});
