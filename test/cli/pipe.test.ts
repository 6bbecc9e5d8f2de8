// A reader that stops early (`adainfc compile story.adainf | head -1`) closes the pipe
// under the CLI's stdout: the command finishes quietly, with its own exit code, instead of
// dying on an unhandled EPIPE with a stack trace. Runs the built CLI (bin/adainfc.js, dist/).
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";
import { ROOT } from "../helpers.js";

it("a stdout closed by its reader: no stack trace, the command's exit code", async () => {
  // A sweep of 45 points: its IR is far more than one pipe buffer, so writes outlive the reader.
  const child = spawn(process.execPath, [path.join(ROOT, "bin/adainfc.js"), "compile", "pipelines/story.adainf"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (b: Buffer) => {
    err += b.toString();
  });
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  expect(err).not.toMatch(/EPIPE|\n\s+at .*:\d+:\d+|internal error/);
  expect(code).toBe(0);
});
