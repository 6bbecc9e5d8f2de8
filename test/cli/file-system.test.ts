// File-system mistakes through the CLI, as a table: each is one line naming the path and
// the cause, exit 1 (never "internal error", never a hang, never a stack trace), and
// nothing the user had is changed.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { cli } from "../helpers.js";
import { tinyProject } from "../train/fixtures.js";

const dir = tinyProject({ steps: 1, checkpointEvery: null, evaluate: "knn(k = 5)" });
fs.writeFileSync(path.join(dir, "afile"), "keep me");
fs.mkdirSync(path.join(dir, "adir"));
fs.writeFileSync(path.join(dir, "big.adainf"), "a".repeat(5 * 2 ** 20));
const fifo = spawnSync("mkfifo", [path.join(dir, "pipe.adainf")]).status === 0;
const RUN = ["--backend", "cpu", "--no-worker"];

const cases: Array<[string, string[], RegExp, boolean?]> = [
  ["check of a device", ["check", "/dev/zero"], /^error: \/dev\/zero: not a regular file/],
  ["fmt of a device", ["fmt", "/dev/zero"], /^error: \/dev\/zero: not a regular file/],
  ["check of a 5 MiB file", ["check", "big.adainf"], /^error: big\.adainf: 5\.0 MiB, over the 4 MiB a pipeline file may have/],
  ["check of a fifo", ["check", "pipe.adainf"], /^error: pipe\.adainf: not a regular file/, !fifo],
  [
    "output.dir through a file",
    ["run", "tiny.adainf", ...RUN, "--set", 'output.dir="afile/run"'],
    /^error: cannot create the folder .*afile\/run: a part of the path is a file, not a folder \(ENOTDIR\)/,
  ],
  [
    "output.dir under /proc",
    ["run", "tiny.adainf", ...RUN, "--set", 'output.dir="/proc/adainf-run"'],
    /^error: cannot create the folder \/proc\/adainf-run: /,
    !fs.existsSync("/proc/self"),
  ],
  [
    "a TypeScript target over a file",
    ["compile", "tiny.adainf", "--target", "ts", "-o", "afile"],
    /^error: -o afile is a file, not a folder: choose another output folder$/,
  ],
  [
    "a preview onto a folder",
    ["preview", "tiny.adainf", "-o", "adir"],
    /^error: -o adir is a folder, not a file: give a file path \(e\.g\. -o adir\/preview\.png\)$/,
  ],
];

for (const [name, args, first, skip] of cases) {
  it.skipIf(Boolean(skip))(`${name}: one line, exit 1`, { timeout: 60_000 }, async () => {
    const r = await cli(args, dir);
    expect(r.code).toBe(1);
    const line = r.err.split("\n").find((l) => l.startsWith("error"));
    expect(line).toMatch(first);
    expect(r.err).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
    expect(fs.readFileSync(path.join(dir, "afile"), "utf8")).toBe("keep me");
    expect(fs.readdirSync(path.join(dir, "adir"))).toEqual([]);
  });
}
