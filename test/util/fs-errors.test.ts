// File-system failures a user causes are one line naming the path and the cause; folders
// are created level by level (Node's recursive mkdir loops forever under /proc).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeFsError, ensureDir, writableDir } from "../../src/util/fs-errors.js";

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), "adainf-fs-"));

describe("ensureDir", () => {
  it("creates missing levels and accepts an existing folder", () => {
    const d = tmp();
    ensureDir(path.join(d, "a/b/c"));
    expect(fs.statSync(path.join(d, "a/b/c")).isDirectory()).toBe(true);
    ensureDir(path.join(d, "a/b/c"));
    fs.rmSync(d, { recursive: true });
  });

  it("returns the first folder it made, or undefined when all were there", () => {
    const d = tmp();
    expect(ensureDir(path.join(d, "a/b"))).toBe(path.join(d, "a"));
    expect(ensureDir(path.join(d, "a/b"))).toBeUndefined();
    fs.rmSync(d, { recursive: true });
  });

  it("writableDir: a file is 'a file, not a folder', a path through one says so, without a stack", () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, "f"), "");
    expect(() => writableDir(path.join(d, "f"))).toThrow(/^it is a file, not a folder$/);
    expect(() => writableDir(path.join(d, "f/x"))).toThrow(/a part of the path is a file, not a folder \(ENOTDIR\)$/);
    expect(writableDir(path.join(d, "n/m"))).toBe(path.join(d, "n"));
    fs.rmSync(d, { recursive: true });
  });

  it("a path through a file: ENOTDIR naming the path, described in one line", () => {
    const d = tmp();
    fs.writeFileSync(path.join(d, "f"), "");
    const e = (() => {
      try {
        ensureDir(path.join(d, "f/x"));
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(describeFsError(e)).toBe(`cannot create the folder ${path.join(d, "f/x")}: a part of the path is a file, not a folder (ENOTDIR)`);
    fs.rmSync(d, { recursive: true });
  });

  it.skipIf(!fs.existsSync("/proc/self"))("a folder under /proc: an error at once, not a hang", () => {
    let e: unknown = null;
    try {
      ensureDir("/proc/adainf-test/x");
    } catch (err) {
      e = err;
    }
    expect(describeFsError(e)).toMatch(/^cannot create the folder \/proc\/adainf-test: /);
  });
});

describe("describeFsError", () => {
  it("names the operation, the path and the cause; other errors are not its business", () => {
    const loop = (() => {
      const d = tmp();
      fs.symlinkSync(path.join(d, "b"), path.join(d, "a"));
      fs.symlinkSync(path.join(d, "a"), path.join(d, "b"));
      try {
        fs.readFileSync(path.join(d, "a"));
      } catch (err) {
        return { err, d };
      }
      return { err: null, d };
    })();
    expect(describeFsError(loop.err)).toBe(`cannot open ${path.join(loop.d, "a")}: too many symbolic links (a loop?) (ELOOP)`);
    expect(describeFsError(new Error("x"))).toBeNull();
    expect(describeFsError(Object.assign(new Error("x"), { code: "ENOENT" }))).toBeNull(); // no path
  });
});
