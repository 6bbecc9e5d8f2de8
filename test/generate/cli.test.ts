// `adainfc generate` from the command line: its progress when stderr is not a terminal,
// the set it writes and what it prints, its --help, usage errors (exit 2) and missing or
// bad inputs and unwritable outputs (exit 1, one line), a --count the disk cannot hold
// (refused before the fit); Ctrl-C or SIGTERM during a long
// generation (the built CLI as a child process): the temporary file is removed, one line
// says nothing was written, exit 130 or 143.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { ROOT } from "../helpers.js";
import { GENERATE_PROGRESS } from "../../src/cli/commands/generate.js";
import { plainProgress } from "../../src/cli/progress.js";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";
import { tempDir } from "./helpers.js";

async function cli(cwd: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(["generate", ...args], { cwd, color: false, out: (s) => void (out += s), err: (s) => void (err += s) });
  return { code, out, err };
}

/** A user error is one line, starting with `error:` (after any progress lines), and never a stack trace. */
function oneLine(err: string): void {
  const lines = err
    .trimEnd()
    .split("\n")
    .filter((l) => !l.startsWith("  "));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: /);
  expect(err).not.toMatch(/\n\s+at /);
}

describe("plain progress (stderr not a terminal)", () => {
  it("prints each phase, a line every few seconds while it goes on, and the last count", () => {
    const lines: string[] = [];
    let t = 0;
    const p = plainProgress((s) => lines.push(s), { ...GENERATE_PROGRESS, everyMs: 5000, now: () => t });
    for (let done = 0; done <= 1000; done += 10) {
      t = done * 100; // 10 images a second: 100 s in all
      p.update("sampling", done, 1000);
    }
    p.update("sampling", 1000, 1000); // repeated end: not printed again
    expect(lines[0]).toBe("  sampling\n");
    expect(lines.at(-1)).toBe("    1,000 / 1,000 images\n");
    // the phase, then one line per 5 s of the 100 s (the one at 100 s is the end)
    expect(lines).toHaveLength(21);
    expect(lines.filter((l) => l === "    1,000 / 1,000 images\n")).toHaveLength(1);
  });

  it("a quick phase prints only its name and its end", () => {
    const lines: string[] = [];
    const p = plainProgress((s) => lines.push(s), { ...GENERATE_PROGRESS, now: () => 0 });
    p.update("pca", 1, 1);
    for (let i = 1; i <= 3; i++) p.update("em", i, 3);
    expect(lines).toEqual(["  PCA\n", "  fitting the Gaussian mixture (EM)\n", "    3 / 3 EM steps (at most)\n"]);
  });
});

describe("adainfc generate", () => {
  const dir = tempDir();

  it("writes the set and prints what it did, with the quality numbers called what they are", async () => {
    const { code, out, err } = await cli(
      dir,
      "--from",
      "mnist",
      "--count",
      "200",
      "-o",
      "gen.npz",
      "--components",
      "4",
      "--dims",
      "12",
      "--fit-samples",
      "800",
      "--seed",
      "5",
    );
    expect(code).toBe(0);
    // stderr is not a terminal here: progress comes as plain lines, one per phase and the last count
    expect(err).toMatch(/^ {2}reading real images\n {4}800 \/ 800 images\n {2}PCA\n {2}fitting the Gaussian mixture \(EM\)\n/);
    expect(err).toMatch(/\n {2}sampling\n(?: {4}\d+ \/ 200 images\n)* {4}200 \/ 200 images\n$/);
    expect(out).toMatch(/^wrote gen\.npz: 200 images, 28x28x1 uint8, labels -1 \(sidecar gen\.npz\.json\)\n/);
    expect(out).toMatch(/fit on 800 real images of mnist \(train split\): PCA 12 dims/);
    expect(out).toMatch(/quality \(not FID\): Fréchet distance in PCA space \d+\.\d{4}/);
    expect(out).toMatch(/weak stand-in for a diffusion model/);
    const side = JSON.parse(fs.readFileSync(path.join(dir, "gen.npz.json"), "utf8")) as { seed: number; count: number; components: number; dims: number };
    expect(side).toMatchObject({ seed: 5, count: 200, components: 4, dims: 12 });
    const info = await main(["data", "info", "gen.npz", "--json"], { cwd: dir, color: false, out: (s) => void (infoOut += s), err: () => undefined });
    expect(info).toBe(0);
    expect(JSON.parse(infoOut)).toMatchObject({ format: "npz", count: 200, shape: [28, 28, 1], labeled: 0, unlabeled: 200 });
  });
  let infoOut = "";

  it("--help says plainly that it is a weak stand-in", async () => {
    const { code, out } = await cli(dir, "--help");
    expect(code).toBe(0);
    expect(out).toMatch(/WEAK stand-in for the diffusion models/);
    expect(out).toMatch(/--components <k>/);
    expect(out).toMatch(/mnist:test/);
  });

  it("usage errors exit 2 with one line", async () => {
    const cases: [string[], RegExp][] = [
      [["--from", "mnist", "--count", "0", "-o", "x.npz"], /--count must be an integer >= 1, not '0'/],
      [["--from", "mnist", "--count", "ten", "-o", "x.npz"], /--count must be an integer >= 1, not 'ten'/],
      [["--count", "5", "-o", "x.npz"], /--from <source> is required/],
      [["--from", "mnist", "-o", "x.npz"], /--count <n> is required/],
      [["--from", "mnist", "--count", "5"], /--out <file> is required/],
      [["--from", "mnist", "--count", "5", "-o", "x.npz", "--covariance", "tied"], /--covariance must be full or diag/],
      [["--from", "mnist", "--count", "5", "-o", "x.npz", "--seed", "-1"], /--seed must be an integer from 0 to 4294967295, not '-1'/],
      [["--from", "mnist", "--count", "5", "-o", "x.npz", "--dims", "5000"], /--dims 5000 is too many: at most 784/],
      [
        ["--from", "mnist", "--count", "5", "-o", "x.npz", "--components", "20", "--fit-samples", "10", "--dims", "4"],
        /--components 20 is more than the 10 images fitted/,
      ],
      [["--from", "mnist:valid", "--count", "5", "-o", "x.npz"], /unknown split in 'mnist:valid'/],
      [["--from", "mnist", "--count", "5", "-o", "x.npz", "--first", "0"], /--first must be an integer >= 1, not '0'/],
    ];
    for (const [args, message] of cases) {
      const { code, out, err } = await cli(dir, ...args);
      expect(code, args.join(" ")).toBe(2);
      expect(out).toBe("");
      oneLine(err);
      expect(err).toMatch(message);
    }
    expect(fs.existsSync(path.join(dir, "x.npz"))).toBe(false);
  });

  it("a missing source, a bad data file or an unwritable output exits 1 with one line naming it", async () => {
    let r = await cli(dir, "--from", "nowhere.npz", "--count", "5", "-o", "x.npz");
    expect(r.code).toBe(1);
    oneLine(r.err);
    expect(r.err).toBe("error: nowhere.npz: no such file or directory\n");

    fs.writeFileSync(path.join(dir, "junk.npz"), "not a zip at all");
    r = await cli(dir, "--from", "junk.npz", "--count", "5", "-o", "x.npz");
    expect(r.code).toBe(1);
    oneLine(r.err);
    expect(r.err).toMatch(/^error: junk\.npz: /);

    // A path under a regular file cannot be created, even by root: said before the source is read.
    fs.writeFileSync(path.join(dir, "plain.txt"), "x");
    r = await cli(dir, "--from", "mnist", "--count", "5", "-o", "plain.txt/gen.npz", "--fit-samples", "50", "--dims", "4", "--components", "2");
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: -o plain.txt/gen.npz: plain.txt is a file, not a folder: choose another output\n");

    const w = NpzImageWriter.create(path.join(dir, "real.npz"), { count: 4, shape: [2, 2, 1] });
    w.append(new Uint8Array(16).map((_, i) => i * 9));
    w.finish();
    r = await cli(dir, "--from", "real.npz:train", "--count", "5", "-o", "x.npz");
    expect(r.code).toBe(2);
    oneLine(r.err);
    expect(r.err).toMatch(/npz sources have no splits/);
  });
});

describe("adainfc generate: paths named as the user named them", () => {
  it("-o equal to a --from whose name ends in :test (a file that exists as typed) is refused; the input is untouched", async () => {
    const dir = tempDir();
    const w = NpzImageWriter.create(path.join(dir, "g2.npz:test"), { count: 6, shape: [2, 2, 1] });
    w.append(new Uint8Array(24).map((_, i) => i * 7));
    w.finish();
    const before = fs.readFileSync(path.join(dir, "g2.npz:test"));
    const r = await cli(dir, "--from", "g2.npz:test", "--count", "3", "--dims", "2", "--components", "1", "--fit-samples", "6", "-o", "g2.npz:test");
    expect(r.code).toBe(2);
    oneLine(r.err);
    expect(r.err).toMatch(/^error: -o g2\.npz:test .*input/);
    expect(fs.readFileSync(path.join(dir, "g2.npz:test")).equals(before)).toBe(true);
  });

  it("counts of one are singular: 1 image, 1 dim, 1 Gaussian, 1 EM step", async () => {
    const dir = tempDir();
    const r = await cli(
      dir,
      "--from",
      "mnist",
      "--count",
      "1",
      "--dims",
      "1",
      "--components",
      "1",
      "--iterations",
      "1",
      "--fit-samples",
      "20",
      "-o",
      "one.npz",
    );
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote one\.npz: 1 image, 28x28x1/);
    expect(r.out).toMatch(/PCA 1 dim \(.*\), 1 full-covariance Gaussian, 1 EM step\b/);
    expect(r.out).not.toMatch(/\b1 (images|dims|Gaussians|EM steps)\b/);
  });

  it("an empty --from is a usage error naming the flag, not the working folder", async () => {
    const dir = tempDir();
    fs.mkdirSync(path.join(dir, "sub"));
    fs.writeFileSync(path.join(dir, "sub", "z.png"), "junk");
    const r = await cli(dir, "--from", "", "--count", "2", "-o", "g.npz");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe("error: --from '' is empty: give a file or folder path, or mnist (e.g. --from mnist)\n");
  });

  it("an image folder's conversion is shown with the folder as typed, counted in images", async () => {
    const dir = tempDir();
    const sharp = (await import("sharp")).default;
    fs.mkdirSync(path.join(dir, "imgs"));
    for (let i = 0; i < 4; i++)
      await sharp(Buffer.from(new Uint8Array(48).map((_, j) => (i * 31 + j * 5) % 256)), { raw: { width: 4, height: 4, channels: 3 } })
        .png()
        .toFile(path.join(dir, "imgs", `${i}.png`));
    const r = await cli(dir, "--from", "imgs", "--count", "2", "--dims", "2", "--components", "1", "-o", "g.npz");
    expect(r.code).toBe(0);
    expect(r.err).toContain("  converting imgs\n");
    expect(r.err).toContain("    4 / 4 images\n");
    expect(r.err).not.toContain(dir);
  });
});

/** The built CLI's `generate` as a child; `signal` is sent once stderr matches `at` (the child is killed after 60 s). */
function interrupted(cwd: string, args: string[], at: RegExp, signal: NodeJS.Signals): Promise<{ code: number | null; err: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, "bin", "adainfc.js"), "generate", ...args], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    let err = "";
    let sentAt = 0;
    child.stderr.setEncoding("utf8").on("data", (c: string) => {
      err += c;
      if (sentAt === 0 && at.test(err)) {
        sentAt = performance.now();
        child.kill(signal);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, err, ms: sentAt === 0 ? -1 : performance.now() - sentAt });
    });
  });
}

describe("adainfc generate --count larger than the disk", () => {
  it("is refused before the fit, with the size it needs and the space free; nothing is written", async () => {
    const dir = tempDir();
    const r = await cli(dir, "--from", "mnist", "--count", "99999999999999", "-o", "out/gbig.npz", "--fit-samples", "200", "--dims", "4", "--components", "2");
    expect(r.code).toBe(1);
    oneLine(r.err);
    expect(r.err).toMatch(
      /^error: --count 99,999,999,999,999 needs 79\.2 PB for 28x28x1 images, but \S+ has [\d.]+ [kMGTP]?B free: ask for fewer images, or write elsewhere\n$/,
    );
    expect(r.err).not.toContain("sampling"); // at once, not after the fit
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe("adainfc generate, stopped", () => {
  const args = ["--from", "mnist", "--count", "3000000", "--fit-samples", "2000", "-o", "big.npz"];

  it.each([
    ["SIGINT", /sampling/, 130, "interrupted"],
    ["SIGTERM", /fitting the Gaussian mixture/, 143, "stopped by SIGTERM"],
  ] as const)("%s (at %s): no temporary file left, one line that nothing was written, exit %i", { timeout: 90_000 }, async (signal, at, code, who) => {
    const dir = tempDir();
    const r = await interrupted(dir, args, at, signal);
    expect(r.ms).toBeGreaterThan(0);
    expect(r.code).toBe(code);
    expect(r.ms).toBeLessThan(5000); // at the next EM step or chunk of samples, not at the end of the 3,000,000
    expect(r.err.trimEnd().split("\n").at(-1)).toBe(`${who} while generating big.npz: nothing was written`);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
