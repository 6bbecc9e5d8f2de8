// The one contract for command-line paths (src/cli/files.ts), the same for every command
// that takes .adainf files or folders (check, fmt, lint) or one pipeline file (compile,
// run, preview, data check): a missing path (or one it cannot reach, by its cause), a folder without .adainf files (any folder
// where one file is wanted) and a file not named .adainf are each one line
// `error: <path>: <why>`, exit 1, and nothing is compiled, formatted, linted or run;
// the why names what the command takes (files or folders, or one pipeline file).
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BASE, cli, project } from "../helpers.js";

const dir = project({ "p.adainf": BASE, "notes.txt": BASE, "nested/q.adainf": BASE });
mkdirSync(join(dir, "empty"));
writeFileSync(join(dir, "empty", "readme.md"), "no pipelines here\n");
// In a hidden folder, which `.` (the folder test below) skips.
mkdirSync(join(dir, ".links"));
symlinkSync("loop.adainf", join(dir, ".links", "loop.adainf"));

const CASES: Array<[string, string, string]> = [
  ["a missing path", "nope.adainf", "error: nope.adainf: no such file or folder\n"],
  // The real cause, not "no such file" (a link to itself is there, but cannot be followed).
  ["a symlink loop", ".links/loop.adainf", "error: .links/loop.adainf: too many symbolic links (a loop?)\n"],
  ["a folder without .adainf files", "empty", "error: empty: no .adainf files in this folder\n"],
  ["a file not named .adainf", "notes.txt", "error: notes.txt: not a .adainf file (give .adainf files or folders)\n"],
];

describe.each([["check"], ["fmt", "--check"], ["lint"]])("%s", (...command) => {
  it.each(CASES)("%s: one line, exit 1", { timeout: 30_000 }, async (_name, input, line) => {
    const r = await cli([...command, "p.adainf", input], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(line);
    expect(r.out).toBe("");
  });

  it("a folder gives every .adainf file below it", { timeout: 30_000 }, async () => {
    const r = await cli([...command, "."], dir);
    expect(r.code).toBe(0);
    expect(r.err).not.toMatch(/^error/m);
  });
});

describe.each([
  [["compile"], []],
  [["run"], ["--backend", "cpu"]],
  [["preview"], ["-o", "views.png"]],
  [["data", "check"], []],
])("%j <file> %j", (command, flags) => {
  it.each([
    // These take one file, not folders: the message says so.
    ...CASES.filter(([name]) => name !== "a folder without .adainf files").map(([name, input, line]): [string, string, string] => [
      name,
      input,
      line.replace("(give .adainf files or folders)", "(give one pipeline file)"),
    ]),
    ["a folder", "nested", "error: nested: a folder, not a .adainf file (give one pipeline file)\n"],
  ])("%s: one line, exit 1", { timeout: 30_000 }, async (_name, input, line) => {
    const r = await cli([...command, input!, ...flags], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(line);
    expect(r.out).toBe("");
  });
});
