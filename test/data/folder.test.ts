// Image folders to npz (listImages, convertFolderToNpz) on tiny images written by sharp:
// PNG RGB/RGBA/grey, lossless WebP and JPEG read back as RGB in path order; mixed sizes
// refused unless resized, with no partial output; undecodable files and empty folders.
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { convertFolderToNpz, listImages } from "../../src/runtime/data/folder.js";
import { NpzReader } from "../../src/runtime/data/npz.js";
import { DataError } from "../../src/formats/data-error.js";
import { bytes, tempDir } from "./helpers.js";

const H = 6;
const W = 5;

async function writeImage(file: string, pixels: Uint8Array, channels: 1 | 3 | 4, h = H, w = W): Promise<void> {
  const img = sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels } });
  const ext = path.extname(file);
  if (ext === ".png") await img.png().toFile(file);
  else if (ext === ".webp") await img.webp({ lossless: true }).toFile(file);
  else await img.jpeg({ quality: 95 }).toFile(file);
}

describe("image folders", () => {
  it("converts PNG (RGB, RGBA, grey), lossless WebP and JPEG to an RGB npz, sorted by path", async () => {
    const dir = tempDir();
    const folder = path.join(dir, "imgs");
    fs.mkdirSync(path.join(folder, "sub"), { recursive: true });
    const rgb = bytes(H * W * 3, 1);
    const rgba = bytes(H * W * 4, 2);
    const grey = bytes(H * W, 3);
    const webp = bytes(H * W * 3, 4);
    await writeImage(path.join(folder, "b.png"), rgb, 3);
    await writeImage(path.join(folder, "a.png"), rgba, 4);
    await writeImage(path.join(folder, "sub", "c.png"), grey, 1);
    await writeImage(path.join(folder, "d.webp"), webp, 3);
    const flat = new Uint8Array(H * W * 3).fill(0).map((_, i) => [200, 40, 90][i % 3]!);
    await writeImage(path.join(folder, "e.JPG"), flat, 3);
    fs.writeFileSync(path.join(folder, "notes.txt"), "not an image");
    expect(listImages(folder).map((f) => path.relative(folder, f))).toEqual(["a.png", "b.png", "d.webp", "e.JPG", path.join("sub", "c.png")]);

    const out = path.join(dir, "out.npz");
    const seen: number[] = [];
    const result = await convertFolderToNpz(folder, out, { onProgress: (d) => seen.push(d), concurrency: 2 });
    expect(result).toMatchObject({ count: 5, shape: [H, W, 3] });
    expect(seen[seen.length - 1]).toBe(5);
    const r = await NpzReader.open(out, { cacheDir: path.join(dir, "cache") });
    const imgs = r.readImages([0, 1, 2, 3, 4]);
    const rec = H * W * 3;
    const at = (k: number): Uint8Array => imgs.subarray(k * rec, (k + 1) * rec);
    // a.png: RGBA with alpha dropped.
    expect([...at(0)]).toEqual([...rgba].filter((_, i) => i % 4 !== 3));
    expect([...at(1)]).toEqual([...rgb]);
    expect([...at(2)]).toEqual([...webp]);
    // JPEG is lossy: a flat colour comes back within a few levels, in RGB order.
    const jpeg = at(3);
    for (let i = 0; i < rec; i++) expect(Math.abs(jpeg[i]! - flat[i]!)).toBeLessThanOrEqual(4);
    // Grey expands to three equal channels.
    expect([...at(4)]).toEqual([...grey].flatMap((v) => [v, v, v]));
    expect([...r.labels!]).toEqual([-1, -1, -1, -1, -1]);
    r.close();
  });

  it("refuses mixed sizes unless asked to resize, and leaves no partial output", async () => {
    const dir = tempDir();
    const folder = path.join(dir, "mixed");
    fs.mkdirSync(folder);
    await writeImage(path.join(folder, "1.png"), bytes(H * W * 3, 1), 3);
    await writeImage(path.join(folder, "2.png"), bytes(8 * 7 * 3, 2), 3, 8, 7); // 8 high, 7 wide
    const out = path.join(dir, "mixed.npz");
    // Sizes height first, as --resize, `data info` and the D-codes give them; the fix named
    // is one that exists everywhere this is read (generate and pipelines have no --resize).
    await expect(convertFolderToNpz(folder, out)).rejects.toThrow(
      /2\.png: image is 8x7 \(HxW\) but the first image is 6x5; convert the folder with `adainfc data convert --resize HxW` to give them one size$/,
    );
    expect(fs.readdirSync(dir)).toEqual(["mixed"]);
    const resized = await convertFolderToNpz(folder, out, { resize: [4, 4] });
    expect(resized.shape).toEqual([4, 4, 3]);
    const r = await NpzReader.open(out);
    expect(r.count).toBe(2);
    r.close();
  });

  it("names the file that fails to decode, and empty folders", async () => {
    const dir = tempDir();
    await expect(convertFolderToNpz(dir, path.join(dir, "x.npz"))).rejects.toThrow(/no PNG, JPEG or WebP images found/);
    fs.writeFileSync(path.join(dir, "broken.png"), "not really a png");
    const err = await convertFolderToNpz(dir, path.join(dir, "x.npz")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/broken\.png: cannot decode image/);
  });
});
