// An npz whose headers describe no usable data set (zero images, a zero dimension) is
// the user's file, not a bug: `check` reports E032 at the source's path argument
// (it used to end as "E040 internal error: IR does not match its schema").
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
