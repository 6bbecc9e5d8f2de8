// An npz whose headers describe no usable data set (zero images, a zero dimension) is
// the user's file, not a bug: `check` reports E032 at the source's path argument
// (it used to end as "E040 internal error: IR does not match its schema"). A declared
// `size` larger than the file's header says is E021 at that size (from the file or
// --set), as for a preset's split; a smaller one selects the first images.
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
