// An npz whose headers describe no usable data set (zero images, a zero dimension) is
// the user's file, not a bug: `check` reports E032 at the source's path argument
// (it used to end as "E040 internal error: IR does not match its schema"). A declared
// `size` larger than the file's header says is E021 at that size (from the file or
// --set), as for a preset's split; a smaller one selects the first images. A declared
// `shape` other than the header's is E021 at the shape, and so are training sources of
// different image sizes (at the one that differs from the real data).
import fs from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { cli } from "../helpers.js";
import { npyArray, tempDir, zipBytes } from "../data/helpers.js";

const dir = tempDir("adainf-npzhdr-");
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const pipeline = (file: string): string => `pipeline p from simclr {
  data {
    real = npz("${file}", origin = real, classes = 2, channels = rgb)
  }
}
`;

const cases: Array<[string, number[], RegExp]> = [
  ["no images", [0, 8, 8, 3], /holds no images \(image array has shape \(0, 8, 8, 3\)\)/],
  ["no images, grey", [0, 8, 8], /holds no images/],
  ["a zero width", [4, 8, 0, 3], /image array has shape \(4, 8, 0, 3\); every dimension must be at least 1/],
];

for (const [name, shape, what] of cases) {
  it(`an npz with ${name}: E032 at the path, exit 1`, async () => {
    const file = `${name.replace(/\W+/g, "-")}.npz`;
    const n = shape.reduce((a, b) => a * b, 1);
    fs.writeFileSync(path.join(dir, file), zipBytes([{ name: "image.npy", data: npyArray("|u1", shape, new Uint8Array(n)) }]));
    fs.writeFileSync(path.join(dir, "p.adainf"), pipeline(file));
    const r = await cli(["check", "p.adainf"], dir);
    expect(r.code).toBe(1);
    const all = r.out + r.err;
    expect(all).toMatch(new RegExp(`^p\\.adainf:3:16: error\\[E032\\]: ${file.replace(/\./g, "\\.")}: ${what.source}`, "m"));
    expect(all).not.toMatch(/internal error|E040|\n\s+at .*:\d+:\d+/);
  });
}

it("npz sources whose files are not made yet and declare no shape: one E022 at the source the others would share (not E040)", async () => {
  const sub = path.join(dir, "unmade");
  fs.mkdirSync(sub, { recursive: true });
  fs.writeFileSync(
    path.join(sub, "p.adainf"),
    `pipeline p from simclr {
  data {
    real = npz("real.npz", origin = real, classes = 10, channels = rgb, size = 50)
    generated = npz("gen.npz", channels = rgb, fid = 2, size = 100)
    eval = npz("test.npz", origin = real, classes = 10, channels = rgb, size = 20)
  }
  inflate {
    real x 1
    generated x 1
  }
}
`,
  );
  const r = await cli(["check", "p.adainf"], sub);
  expect(r.code).toBe(1);
  const all = r.out + r.err;
  expect(all).toMatch(
    /^p\.adainf:3:5: error\[E022\]: the image shape of the data is unknown: no source \(real, generated, eval\) declares one, and none could be read from a file$/m,
  );
  expect(all).toMatch(/hint: declare it on 'real', e\.g\. npz\(\.\.\., shape = \(32, 32, 3\)\) \(sources without one share it\), or make real\.npz first$/m);
  expect(all.match(/error\[/g)).toHaveLength(1);
  expect(all).not.toMatch(/internal error|E040/);
  // a source that fails to resolve (its declared shape with it) is the only finding
  const broken = fs.readFileSync(path.join(sub, "p.adainf"), "utf8");
  fs.writeFileSync(path.join(sub, "p.adainf"), broken.replace("size = 50)", "size = 50, shape = (32, 32, 3), colour = 1)"));
  const one = await cli(["check", "p.adainf"], sub);
  expect((one.out + one.err).match(/error\[(E\d+)\]/g)).toEqual(["error[E011]"]); // the unknown parameter, no E022
  fs.writeFileSync(path.join(sub, "p.adainf"), broken);
  // a folder has no file to read: the hint names its own format and makes nothing
  fs.writeFileSync(
    path.join(sub, "f.adainf"),
    broken
      .replace('real = npz("real.npz", origin = real, classes = 10, channels = rgb, size = 50)', 'real = folder("imgs", origin = real)')
      .replace("real x 1", "real x 1"),
  );
  const f = await cli(["check", "f.adainf"], sub);
  expect(f.out + f.err).toMatch(/hint: declare it on 'real', e\.g\. folder\(\.\.\., shape = \(32, 32, 3\)\) \(sources without one share it\)$/m);
  // declaring it on the real source is enough: the generated one shares it
  fs.writeFileSync(path.join(sub, "p.adainf"), fs.readFileSync(path.join(sub, "p.adainf"), "utf8").replace("size = 50)", "size = 50, shape = (32, 32, 3))"));
  const ok = await cli(["check", "p.adainf"], sub);
  expect(ok.out + ok.err).not.toMatch(/error/);
  expect(ok.code).toBe(0);
});

it("a declared size larger than the npz on disk: E021 at the size (file or --set) naming the source, the file and both counts", async () => {
  const sub = path.join(dir, "sized");
  fs.mkdirSync(sub, { recursive: true });
  fs.writeFileSync(path.join(sub, "gen.npz"), zipBytes([{ name: "image.npy", data: npyArray("|u1", [4, 8, 8, 3], new Uint8Array(4 * 8 * 8 * 3)) }]));
  const text = (size: string): string => `pipeline p from simclr {
  data {
    real = npz("gen.npz", origin = real, classes = 2, channels = rgb${size})
    eval = npz("gen.npz", origin = real, classes = 2, channels = rgb)
  }
}
`;
  fs.writeFileSync(path.join(sub, "p.adainf"), text(", shape = (8, 8, 3), size = 5"));
  const r = await cli(["check", "p.adainf"], sub);
  expect(r.code).toBe(1);
  const all = r.out + r.err;
  expect(all).toMatch(/^p\.adainf:3:97: error\[E021\]: source 'real' \(gen\.npz\) has 4 images; size = 5 asks for more$/m);
  expect(all).toMatch(/hint: declare size = 4 or less \(the first N images are used\), or point the source at data with more images$/m);
  expect(all).not.toMatch(/internal error|E040/);
  // from --set too, at the override
  fs.writeFileSync(path.join(sub, "p.adainf"), text(""));
  const set = await cli(["check", "p.adainf", "--set", "data.real.size=900000"], sub);
  expect(set.code).toBe(1);
  expect(set.out + set.err).toMatch(/^--set #1:1:16: error\[E021\]: source 'real' \(gen\.npz\) has 4 images; size = 900,000 asks for more$/m);
  // the first 3 of 4, or all 4: no error
  for (const size of ["3", "4"]) {
    const ok = await cli(["check", "p.adainf", "--set", `data.real.size=${size}`], sub);
    expect(ok.out + ok.err).not.toMatch(/error/);
    expect(ok.code).toBe(0);
  }
});

it("a declared shape other than the npz's on disk: E021 at the shape (with a layout hint), size declared or not", async () => {
  const sub = path.join(dir, "shaped");
  fs.mkdirSync(sub, { recursive: true });
  fs.writeFileSync(path.join(sub, "gen.npz"), zipBytes([{ name: "image.npy", data: npyArray("|u1", [4, 8, 8, 3], new Uint8Array(4 * 8 * 8 * 3)) }]));
  const text = (fields: string): string => `pipeline p from simclr {
  data {
    real = npz("gen.npz", origin = real, classes = 2, size = 4${fields})
    eval = npz("gen.npz", origin = real, classes = 2)
  }
}
`;
  const check = async (fields: string): Promise<string> => {
    fs.writeFileSync(path.join(sub, "p.adainf"), text(fields));
    const r = await cli(["check", "p.adainf"], sub);
    expect(r.code).toBe(1);
    expect(r.out + r.err).not.toMatch(/internal error|E040/);
    return r.out + r.err;
  };
  const small = await check(", shape = (6, 6, 3)");
  expect(small).toMatch(/^p\.adainf:3:73: error\[E021\]: source 'real' \(gen\.npz\) holds 8x8x3 images, but its shape is declared \(6, 6, 3\)$/m);
  expect(small).toMatch(/hint: declare shape = \(8, 8, 3\) \(or leave shape out: the file's header tells it\), or convert the file$/m);
  // an NHWC array declared nchw: read as 8x3x8, which the declared (8, 8, 3) is not
  const nchw = await check(", layout = nchw, shape = (8, 8, 3)");
  expect(nchw).toMatch(/error\[E021\]: source 'real' \(gen\.npz\) holds 8x3x8 images read as layout = nchw, but its shape is declared \(8, 8, 3\)$/m);
  expect(nchw).toMatch(/hint: its image array is \(4, 8, 8, 3\): if that is \(N, H, W, C\), drop layout = nchw$/m);
  // the right shape: no error
  fs.writeFileSync(path.join(sub, "p.adainf"), text(", shape = (8, 8, 3)"));
  expect((await cli(["check", "p.adainf"], sub)).code).toBe(0);
  // size and shape both declared no longer skip the header: a broken file is E032 at its path
  fs.writeFileSync(path.join(sub, "gen.npz"), "not a zip");
  const broken = await check(", shape = (8, 8, 3)");
  expect(broken).toMatch(/^p\.adainf:3:16: error\[E032\]: gen\.npz: /m);
});

it("training npz sources of different image sizes: E021 at the source whose size differs from the real data's", async () => {
  const sub = path.join(dir, "sizes");
  fs.mkdirSync(sub, { recursive: true });
  const npz = (side: number): Buffer => zipBytes([{ name: "image.npy", data: npyArray("|u1", [4, side, side, 3], new Uint8Array(4 * side * side * 3)) }]);
  fs.writeFileSync(path.join(sub, "real.npz"), npz(8));
  fs.writeFileSync(path.join(sub, "gen.npz"), npz(16));
  fs.writeFileSync(
    path.join(sub, "p.adainf"),
    `pipeline p from simclr {
  data {
    real = npz("real.npz", origin = real, classes = 2)
    generated = npz("gen.npz")
    eval = npz("real.npz", origin = real, classes = 2)
  }
}
`,
  );
  const r = await cli(["check", "p.adainf"], sub);
  expect(r.code).toBe(1);
  const all = r.out + r.err;
  expect(all).toMatch(
    /^p\.adainf:4:5: error\[E021\]: training source 'generated' holds 16x16x3 images but 'real' holds 8x8x3: one batch holds images of one size$/m,
  );
  expect(all).toMatch(
    /hint: make the images of 'generated' 8x8 \(an image folder: `adainfc data convert <folder> --resize 8x8`\), or train on sources of one size$/m,
  );
  expect(all.match(/error\[/g)).toHaveLength(1);
});
