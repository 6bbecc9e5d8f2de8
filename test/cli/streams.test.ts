// The CLI's own stdout and stderr (the built CLI, bin/adainfc.js, as a child process): a
// stdout that cannot be written (a full disk, /dev/full) is one `error: stdout:` line and
// exit 1, never a stack trace; a stderr that cannot be written ends the command quietly
// with a non-zero code and leaves no temporary file. Colour is decided per stream (a
// terminal's stderr is coloured, a redirected one is not) and follows NO_COLOR and
// FORCE_COLOR as no-color.org and chalk read them. The test closes the /dev/full it opens.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { wantsColor } from "../../src/cli/cli-core.js";
import { NpzImageWriter } from "../../src/runtime/data/npz-writer.js";
import { project, ROOT } from "../helpers.js";

const BIN = path.join(ROOT, "bin/adainfc.js");
const FULL = "/dev/full";
const hasFull = fs.existsSync(FULL);
const hasScript = spawnSync("script", ["--version"]).status === 0;
const ESC = "\u001b[";

/** Runs the built CLI with stdout and stderr each a pipe or /dev/full. */
function run(args: string[], cwd: string, io: { out?: "full"; err?: "full" } = {}, env: NodeJS.ProcessEnv = {}) {
  const opened: number[] = [];
  const full = (): number => {
    const fd = fs.openSync(FULL, "w");
    opened.push(fd);
    return fd;
  };
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "", FORCE_COLOR: undefined, ...env },
      stdio: ["ignore", io.out === "full" ? full() : "pipe", io.err === "full" ? full() : "pipe"],
    });
  } finally {
    // The child has its own copies: ours would leak, one a run.
    for (const fd of opened) fs.closeSync(fd);
  }
  let out = "";
  let err = "";
  child.stdout?.on("data", (b: Buffer) => void (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => void (err += b.toString()));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on("close", (code) => resolve({ code, out, err })));
}

const BAD = "pipeline p {\n  bogus = 1\n}\n";

describe.skipIf(!hasFull)("a stream that cannot be written", () => {
  it("a full stdout: one line naming stdout and the cause, exit 1, no stack trace", async () => {
    const dir = project({ "bad.adainf": BAD });
    for (const args of [
      ["schema"],
      ["compile", path.join(ROOT, "pipelines/quickstart.adainf")],
      ["check", "--format", "json", path.join(ROOT, "pipelines/quickstart.adainf")],
    ]) {
      const r = await run(args, dir, { out: "full" });
      expect(r.err).toBe("error: stdout: no space left on the device\n");
      expect(r.code).toBe(1);
    }
    // run() closed the /dev/full it opened for each child
    if (fs.existsSync("/proc/self/fd")) {
      const ours = fs.readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`) === FULL;
        } catch {
          return false;
        }
      });
      expect(ours).toEqual([]);
    }
  });

  it("a full stderr: a non-zero exit, nothing printed in its place, no temporary file left", async () => {
    const dir = project({ "bad.adainf": BAD });
    const bad = await run(["check", "bad.adainf"], dir, { err: "full" });
    expect(bad.code).toBe(1);
    expect(bad.out).not.toMatch(/\n\s+at |internal error/);
    // generate writes progress to stderr from its first step: the set is still made whole.
    const w = NpzImageWriter.create(path.join(dir, "src.npz"), { count: 50, shape: [28, 28, 1] });
    for (let i = 0; i < 50; i++) w.append(new Uint8Array(28 * 28).fill(5 * i));
    w.finish();
    const gen = await run(["generate", "--from", "src.npz", "--count", "5", "--dims", "2", "--components", "1", "-o", "g.npz"], dir, { err: "full" });
    expect(gen.code).not.toBe(0);
    expect(gen.out).toContain("wrote g.npz: 5 images");
    expect(fs.existsSync(path.join(dir, "g.npz"))).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("colour", () => {
  it("follows --color/--no-color, then NO_COLOR (when not empty), then FORCE_COLOR (0 and false turn it off), then the stream", () => {
    expect(wantsColor([], {}, true)).toBe(true);
    expect(wantsColor([], {}, false)).toBe(false);
    expect(wantsColor([], { NO_COLOR: "1" }, true)).toBe(false);
    expect(wantsColor([], { NO_COLOR: "" }, true)).toBe(true);
    expect(wantsColor([], { FORCE_COLOR: "0" }, true)).toBe(false);
    expect(wantsColor([], { FORCE_COLOR: "false" }, true)).toBe(false);
    expect(wantsColor([], { FORCE_COLOR: "1" }, false)).toBe(true);
    expect(wantsColor([], { FORCE_COLOR: "" }, false)).toBe(true);
    expect(wantsColor(["--color"], { NO_COLOR: "1" }, false)).toBe(true);
    expect(wantsColor(["--no-color"], { FORCE_COLOR: "1" }, true)).toBe(false);
  });

  it("FORCE_COLOR=0 is no colour; FORCE_COLOR=1 colours a pipe", async () => {
    const dir = project({ "bad.adainf": BAD });
    const off = await run(["check", "bad.adainf"], dir, {}, { FORCE_COLOR: "0" });
    expect(off.err).toContain("error[E022]");
    expect(off.err).not.toContain(ESC);
    const on = await run(["check", "bad.adainf"], dir, {}, { FORCE_COLOR: "1" });
    expect(on.err).toContain(ESC);
  });

  it.skipIf(!hasScript)("on a terminal: stderr redirected to a file gets no escapes; a terminal's stderr is coloured with stdout redirected", () => {
    const dir = project({ "bad.adainf": BAD });
    const cmd = `'${process.execPath}' '${BIN}' check bad.adainf`;
    const env = { ...process.env, NO_COLOR: "", FORCE_COLOR: undefined };
    spawnSync("script", ["-qc", `${cmd} 2>err.log`, "/dev/null"], { cwd: dir, env });
    const log = fs.readFileSync(path.join(dir, "err.log"), "utf8");
    expect(log).toContain("error[E022]");
    expect(log).not.toContain(ESC);
    const tty = spawnSync("script", ["-qc", `${cmd} >out.log`, "/dev/null"], { cwd: dir, env, encoding: "utf8" });
    expect(tty.stdout).toContain(ESC);
  });
});
