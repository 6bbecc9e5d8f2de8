// writeFileAtomic: a whole file or none, folders made on the way, and a failure that
// names the target (what the user asked for), never the temporary file.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { writeFileAtomic, writeJsonAtomic } from "../../src/util/atomic-write.js";
import { describeFsError } from "../../src/util/fs-errors.js";

test("writes, replaces, makes folders; a failed write leaves the old state and no temp file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-atomic-"));
  const file = path.join(dir, "deep/er/results.csv");
  writeFileAtomic(file, "a\n");
  expect(fs.readFileSync(file, "utf8")).toBe("a\n");
  writeJsonAtomic(file, { b: 1 });
  expect(fs.readFileSync(file, "utf8")).toBe('{\n  "b": 1\n}\n');
  // The target is a non-empty folder: the rename fails, the error surfaces, nothing is left over.
  const blocked = path.join(dir, "blocked");
  fs.mkdirSync(blocked);
  fs.writeFileSync(path.join(blocked, "keep"), "x");
  expect(() => writeFileAtomic(blocked, "new")).toThrow();
  expect(fs.readdirSync(dir).sort()).toEqual(["blocked", "deep"]);
  expect(fs.readdirSync(path.join(dir, "deep/er"))).toEqual(["results.csv"]);
});

test("a failed write names the target, never the temporary file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-atomic-"));
  const blocked = path.join(dir, "blocked");
  fs.mkdirSync(blocked);
  fs.writeFileSync(path.join(blocked, "keep"), "x");
  let e: unknown = null;
  try {
    writeFileAtomic(blocked, "new");
  } catch (err) {
    e = err;
  }
  expect(describeFsError(e)).toMatch(new RegExp(`^cannot write ${blocked}: `));
  expect(describeFsError(e, "blocked")).toMatch(/^cannot write blocked: /);
  expect(String((e as Error).message)).not.toContain(".tmp");
});

test.skipIf(!fs.existsSync("/proc/self"))("a file system that takes no new files (/proc): said so, naming the target", () => {
  let e: unknown = null;
  try {
    writeFileAtomic("/proc/adainf-x.html", "x");
  } catch (err) {
    e = err;
  }
  expect(describeFsError(e)).toBe("cannot write /proc/adainf-x.html: the file system does not allow a new file there (ENOENT)");
});

test("a mode applies to the new file (a script made executable)", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-atomic-"));
  writeFileAtomic(path.join(dir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
  expect(fs.statSync(path.join(dir, "run.sh")).mode & 0o777).toBe(0o755);
});
