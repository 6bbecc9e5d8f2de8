// `adainfc preview` end to end in temp projects: MNIST (the mnist package) with a
// generated npz written by NpzImageWriter; the PNG's rows and columns, a missing
// generated set (exit 1, the generate command to run), and size = N limiting the draw.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PNG } from "pngjs";
import { expect, it } from "vitest";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";
import { cli, project } from "../helpers.js";

it("preview draws one row per image (real and generated): the original and each view", async () => {
  const dir = project({
    "p.adainf": `pipeline p from simclr {
  data {
    real = mnist(split = train)
    gen = npz("gen.npz", channels = rgb)
    eval = mnist(split = test)
  }
  inflate { real x 10; gen x 1 }
  augment = asymmetric_adainf
  model { backbone = convnet }
}
`,
  });
  const w = NpzImageWriter.create(join(dir, "gen.npz"), { count: 5, shape: [28, 28, 1] });
  for (let i = 0; i < 5; i++) w.append(new Uint8Array(28 * 28).fill(40 * i));
  w.finish();
  const r = await cli(["preview", "p.adainf", "-o", "views.png", "--n", "2"], dir);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  expect(r.out).toContain("4 images x (original + 2 views)");
  const png = PNG.sync.read(readFileSync(join(dir, "views.png")));
  // three columns (original, view1, view2) and four rows, each cell a scaled 28x28 image
  expect(png.width).toBeGreaterThan(3 * 28 * 3);
  expect(png.height).toBeGreaterThan(4 * 28 * 3);

  const bad = await cli(["preview", "p.adainf", "-o", "v.png", "--n", "0"], dir);
  expect(bad.code).toBe(2);
});

it("a missing generated set: exit 1 with the command that makes it, nothing written", async () => {
  const dir = project({
    "p.adainf": `pipeline p from simclr {
  data {
    real = mnist(split = train)
    gen = npz("gen.npz", size = 1_000, channels = rgb)
    eval = mnist(split = test)
  }
  inflate { real x 10; gen x 1 }
  augment = symmetric_adainf
  model { backbone = convnet }
}
`,
  });
  const r = await cli(["preview", "p.adainf", "-o", "views.png"], dir);
  expect(r.code).toBe(1);
  expect(r.err).toContain("data source 'gen' not found: gen.npz");
  expect(r.err).toContain("adainfc generate --from mnist --first 7996 --fit-samples 7996 --count 1000 -o gen.npz");
  expect(r.err).not.toMatch(/at .*\.(js|ts):\d+/);
  expect(existsSync(join(dir, "views.png"))).toBe(false);
});

it("draws only from a source's declared subset (size = N: its first N images), as training does", async () => {
  const dir = project({
    "p.adainf": `pipeline p from simclr {
  data {
    real = npz("real.npz", origin = real, size = 3)
    eval = mnist(split = test)
  }
  inflate { real x 1 }
  augment {
    view x 2 {
      horizontal_flip(p = 0.5)
    }
  }
  model { backbone = convnet }
}
`,
  });
  // The first 3 images are grey level 7, the other 37 grey level 200.
  const w = NpzImageWriter.create(join(dir, "real.npz"), { count: 40, shape: [28, 28, 1] });
  for (let i = 0; i < 40; i++) w.append(new Uint8Array(28 * 28).fill(i < 3 ? 7 : 200));
  w.finish();
  const r = await cli(["preview", "p.adainf", "-o", "views.png", "--n", "12"], dir);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const png = PNG.sync.read(readFileSync(join(dir, "views.png")));
  let inside = 0;
  let outside = 0;
  for (let i = 0; i < png.width * png.height; i++) {
    const [red, green, blue] = [png.data[4 * i]!, png.data[4 * i + 1]!, png.data[4 * i + 2]!];
    if (red === 7 && green === 7 && blue === 7) inside++;
    if (red === 200 && green === 200 && blue === 200) outside++;
  }
  expect(inside).toBeGreaterThan(0);
  expect(outside).toBe(0);
});
