// shownPath: a file under the working directory is named relative to it; anything else
// (outside it, the directory itself) as given.
import path from "node:path";
import { expect, test } from "vitest";
import { shownPath } from "../../src/util/shown-path.js";

test("relative under the working directory, as given elsewhere", () => {
  const cwd = path.resolve("/proj");
  expect(shownPath(cwd, path.join(cwd, "runs", "tiny"))).toBe(path.join("runs", "tiny"));
  expect(shownPath(cwd, "data/a.npz")).toBe(path.join("data", "a.npz"));
  expect(shownPath(cwd, path.resolve("/elsewhere/a.npz"))).toBe(path.resolve("/elsewhere/a.npz"));
  expect(shownPath(cwd, "../a.npz")).toBe("../a.npz");
  expect(shownPath(cwd, cwd)).toBe(cwd);
});
