import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { writeFileAtomic, writeJsonAtomic } from "../../src/util/atomic-write.js";

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
