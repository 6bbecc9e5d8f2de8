// shownPath: a file under the working directory is named relative to it; anything else
// (outside it, the directory itself) as given; the runtime's lines (quitLine) use it too.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { shownPath } from "../../src/util/shown-path.js";
import { quitLine } from "../../src/runtime/stop-signals.js";

test("relative under the working directory, as given elsewhere", () => {
  const cwd = path.resolve("/proj");
  expect(shownPath(cwd, path.join(cwd, "runs", "tiny"))).toBe(path.join("runs", "tiny"));
  expect(shownPath(cwd, "data/a.npz")).toBe(path.join("data", "a.npz"));
  expect(shownPath(cwd, path.resolve("/elsewhere/a.npz"))).toBe(path.resolve("/elsewhere/a.npz"));
  expect(shownPath(cwd, "../a.npz")).toBe("../a.npz");
  expect(shownPath(cwd, cwd)).toBe(cwd);
});

test("the runtime's messages name paths the same way: a run outside the working directory by its absolute path", () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-shown-"));
  const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-run-"));
  const line = quitLine("SIGINT", { dir: elsewhere, again: "adainfc run p.adainf" }, cwd);
  expect(line).toContain(`${elsewhere} holds no checkpoint yet`);
  expect(line).not.toContain("..");
  expect(quitLine("SIGINT", { dir: path.join(cwd, "runs", "x"), again: "adainfc run p.adainf" }, cwd)).toContain(
    `${path.join("runs", "x")} holds no checkpoint yet`,
  );
});
