// `adainfc data` info/convert/fetch through commander, on files made here (a small npz,
// a fake CIFAR-10 binary folder, PNGs from sharp) and the mnist package: --json keys, a
// bad file is one `error: <path>: ...` line and exit 1 (fetch hits closed port 9), and
// runDataCheck's D008 summary and D001 error; convert stopped by Ctrl-C or SIGTERM.
import fs from "node:fs";
import path from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { register, runDataCheck } from "../../src/cli/commands/data.js";
import type { CliContext } from "../../src/cli/context.js";
import { pipelineIR, sourceIR, writeNpz } from "./fixtures.js";
import { bytes, npyArray, tempDir, zipBytes } from "./helpers.js";

async function run(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const ctx: CliContext = { cwd, color: false, out: (t) => void (out += t), err: (t) => void (err += t) };
  let code = 0;
  const program = new Command("adainfc").exitOverride();
  register(program, ctx, (c) => void (code = Math.max(code, c)));
  await program.parseAsync(["data", ...args], { from: "user" });
  return { code, out, err };
}

describe("adainfc data", () => {
  const dir = tempDir();
  const px = bytes(4 * 2 * 2 * 3, 5);
  writeNpz(path.join(dir, "set.npz"), px, 4, [2, 2, 3], [1, -1, 3, -1]);

  it("info --json prints exactly the documented keys", async () => {
    const { code, out, err } = await run(dir, "info", "set.npz", "--json");
    expect([code, err]).toEqual([0, ""]);
    const info = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(info)).toEqual(["format", "count", "shape", "dtype", "labeled", "unlabeled", "channelMeans", "mixedSizes"]);
    expect(info).toMatchObject({ format: "npz", count: 4, shape: [2, 2, 3], dtype: "uint8", labeled: 2, unlabeled: 2 });
    const means = [0, 1, 2].map((c) => [...px].filter((_, i) => i % 3 === c).reduce((a, b) => a + b, 0) / 16 / 255);
    (info.channelMeans as number[]).forEach((m, c) => expect(m).toBeCloseTo(means[c]!, 10));
  });

  it("info works on CIFAR folders, image folders and mnist", async () => {
    const cifar = path.join(dir, "c10", "cifar-10-batches-bin");
    fs.mkdirSync(cifar, { recursive: true });
    const rec = Buffer.concat([Buffer.from([4]), Buffer.alloc(1024, 255), Buffer.alloc(1024, 0), Buffer.alloc(1024, 51)]);
    for (const f of ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"])
      fs.writeFileSync(path.join(cifar, f), Buffer.concat([rec, rec]));
    const c = JSON.parse((await run(dir, "info", "c10", "--json")).out) as Record<string, unknown>;
    expect(c).toMatchObject({ format: "cifar10", count: 10, shape: [32, 32, 3], labeled: 10, unlabeled: 0, channelMeans: [1, 0, 0.2] });
    const m = JSON.parse((await run(dir, "info", "mnist", "--json", "--split", "test")).out) as Record<string, unknown>;
    expect(m).toMatchObject({ format: "mnist", count: 2004, shape: [28, 28, 1], labeled: 2004 });
    const text = await run(dir, "info", "set.npz");
    expect(text.out).toMatch(/count: +4\n/);
    expect(text.out).toMatch(/unlabeled: 2/);
  });

  it("convert writes an npz that info reads back", async () => {
    const sharp = (await import("sharp")).default;
    const folder = path.join(dir, "imgs");
    fs.mkdirSync(folder);
    for (let i = 0; i < 3; i++)
      await sharp(Buffer.from(bytes(48, i)), { raw: { width: 4, height: 4, channels: 3 } })
        .png()
        .toFile(path.join(folder, `${i}.png`));
    const res = await run(dir, "convert", "imgs", "-o", "out/gen.npz");
    expect(res.code).toBe(0);
    expect(res.out).toBe("wrote out/gen.npz: 3 images, 4x4x3 uint8 RGB, labels -1\n");
    // stderr is not a terminal here: progress comes as plain lines, not silence
    expect(res.err).toContain("  converting images\n");
    expect(res.err).toContain("    3 / 3 images\n");
    const info = JSON.parse((await run(dir, "info", "out/gen.npz", "--json")).out) as Record<string, unknown>;
    expect(info).toMatchObject({ format: "npz", count: 3, shape: [4, 4, 3], labeled: 0, unlabeled: 3 });
    // The folder itself: same count, shape and means as its conversion.
    const fromFolder = JSON.parse((await run(dir, "info", "imgs", "--json")).out) as Record<string, unknown>;
    expect(fromFolder).toMatchObject({ format: "folder", count: 3, shape: [4, 4, 3], dtype: "uint8", labeled: 0, unlabeled: 3 });
    (fromFolder.channelMeans as number[]).forEach((m, c) => expect(m).toBeCloseTo((info.channelMeans as number[])[c]!, 12));
  });

  it("any bad file: exit 1 and one line `error: <path>: <what>`", async () => {
    fs.writeFileSync(path.join(dir, "bad.npz"), "PK but not really a zip archive");
    fs.writeFileSync(path.join(dir, "cut.npz"), fs.readFileSync(path.join(dir, "set.npz")).subarray(0, 300));
    fs.writeFileSync(path.join(dir, "obj.npz"), zipBytes([{ name: "image.npy", data: npyArray("|O", [2], new Uint8Array(0)) }]));
    for (const [args, pattern] of [
      [["info", "bad.npz"], /^error: bad\.npz: not a zip\/npz archive$/],
      [["info", "cut.npz"], /^error: cut\.npz: truncated zip\/npz archive/],
      [["info", "obj.npz", "--json"], /^error: obj\.npz: member image\.npy: object arrays \(dtype '\|O'\) hold pickled Python objects and are refused/],
      [["info", "missing.npz"], /^error: missing\.npz: no such file or directory$/],
      [["convert", "nothing-here", "-o", "x.npz"], /^error: nothing-here: no such file or directory$/],
      [
        ["fetch", "cifar10", "--dir", "dl", "--url", "http://127.0.0.1:9/x.tar.gz"],
        /^error: http:\/\/127\.0\.0\.1:9\/x\.tar\.gz: cannot download \(ECONNREFUSED/,
      ],
    ] as Array<[string[], RegExp]>) {
      const r = await run(dir, ...args);
      expect(r.code).toBe(1);
      expect(r.out).toBe("");
      expect(r.err.trimEnd().split("\n")).toHaveLength(1);
      expect(r.err.trimEnd()).toMatch(pattern);
    }
    expect(fs.existsSync(path.join(dir, "dl"))).toBe(false); // the failed fetch left no folder behind
  });

  it("runDataCheck prints diagnostics and returns 1 only on errors", async () => {
    let err = "";
    const ctx: CliContext = { cwd: dir, color: false, out: () => undefined, err: (t) => void (err += t) };
    const ok = pipelineIR([sourceIR({ name: "real", format: "npz", path: "set.npz", shape: [2, 2, 3] })], [{ source: "real", replicate: 2 }], { crop: 2 });
    expect(await runDataCheck(ok, ctx)).toBe(0);
    expect(err).toContain("info[D008]: training mixture: real 4 x2 = 8 samples per epoch, generated share 0.0%");
    err = "";
    const bad = pipelineIR([sourceIR({ name: "real", format: "npz", path: "bad.npz", shape: [2, 2, 3] })], [{ source: "real", replicate: 1 }]);
    expect(await runDataCheck(bad, ctx)).toBe(1);
    expect(err).toContain("error[D001]");
  });

  it.each([
    ["SIGINT", 130, "interrupted"],
    ["SIGTERM", 143, "stopped by SIGTERM"],
  ] as const)("convert stopped by %s: one line, exit %i, no temporary file, an older output intact", async (signal, exit, who) => {
    const sharp = (await import("sharp")).default;
    const folder = path.join(dir, "many");
    fs.mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 24; i++)
      await sharp(Buffer.from(bytes(48, i)), { raw: { width: 4, height: 4, channels: 3 } })
        .png()
        .toFile(path.join(folder, `${String(i).padStart(2, "0")}.png`));
    fs.mkdirSync(path.join(dir, "stopped"), { recursive: true });
    expect((await run(dir, "convert", "imgs", "-o", "stopped/out.npz")).code).toBe(0); // an older output, kept
    const older = fs.readFileSync(path.join(dir, "stopped", "out.npz"));
    let err = "";
    let sent = false;
    const ctx: CliContext = {
      cwd: dir,
      color: false,
      out: () => undefined,
      err: (t) => {
        err += t;
        // the signal as the process gets it, once the conversion is under way (handlers are all adainfc's)
        if (!sent && err.includes("converting images")) {
          sent = true;
          process.emit(signal, signal);
        }
      },
    };
    let code = 0;
    const program = new Command("adainfc").exitOverride();
    register(program, ctx, (c) => void (code = Math.max(code, c)));
    await program.parseAsync(["data", "convert", "many", "-o", "stopped/out.npz"], { from: "user" });
    expect(sent).toBe(true);
    expect(code).toBe(exit);
    expect(err.trimEnd().split("\n").at(-1)).toBe(`${who} while converting many to stopped/out.npz: nothing was written`);
    expect(fs.readdirSync(path.join(dir, "stopped"))).toEqual(["out.npz"]);
    expect(fs.readFileSync(path.join(dir, "stopped", "out.npz")).equals(older)).toBe(true);
    expect(process.listenerCount(signal)).toBe(0); // handed back
  });
});
