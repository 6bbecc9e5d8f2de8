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
