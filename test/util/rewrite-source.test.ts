// rewriteSourceFile, how fmt --write and lint --fix save a user's file: through a symlink
// to its target (the link stays a link), with the file's mode and owner kept, a file
// without write permission refused even as root, a hard link's other name left with the
// old text (documented), and failures in plain words without the temporary file's name:
// a temporary file a killed run left behind does not block the file, a failing close is
// a refusal (not an internal error), a file that cannot be renamed over (a bind mount)
// is refused saying why; the owner is set before the mode, so root keeps a setgid bit.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { RewriteRefused, rewriteSourceFile } from "../../src/util/rewrite-source.js";
import { nobodyCanRunCli, ROOT } from "../helpers.js";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "adainf-rewrite-"));

describe("rewriteSourceFile", () => {
  it("writes a symlink's target and keeps the link and the target's mode", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "real.adainf"), "old\n", { mode: 0o600 });
    fs.chmodSync(path.join(dir, "real.adainf"), 0o600);
    fs.symlinkSync("real.adainf", path.join(dir, "link.adainf"));
    rewriteSourceFile(path.join(dir, "link.adainf"), "new\n");
    expect(fs.lstatSync(path.join(dir, "link.adainf")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "real.adainf"), "utf8")).toBe("new\n");
    expect(fs.statSync(path.join(dir, "real.adainf")).mode & 0o7777).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual(["link.adainf", "real.adainf"]); // no temporary file left
  });

  it("keeps an unusual mode exactly (not the umask's)", () => {
    const dir = tmp();
    const f = path.join(dir, "p.adainf");
    fs.writeFileSync(f, "old\n");
    fs.chmodSync(f, 0o664);
    rewriteSourceFile(f, "new\n");
    expect(fs.statSync(f).mode & 0o7777).toBe(0o664);
  });

  it("refuses a read-only file by its mode bits, even as root, and leaves it alone", () => {
    const dir = tmp();
    const f = path.join(dir, "ro.adainf");
    fs.writeFileSync(f, "old\n");
    fs.chmodSync(f, 0o444);
    expect(() => rewriteSourceFile(f, "new\n")).toThrow(new RewriteRefused("it is read-only (mode 0444)"));
    expect(fs.readFileSync(f, "utf8")).toBe("old\n");
    expect(fs.statSync(f).mode & 0o7777).toBe(0o444);
  });

  it("replaces a file with other hard links: the other name keeps the old text (docs/lint.md)", () => {
    const dir = tmp();
    const f = path.join(dir, "a.adainf");
    fs.writeFileSync(f, "old\n");
    fs.linkSync(f, path.join(dir, "b.adainf"));
    rewriteSourceFile(f, "new\n");
    expect(fs.readFileSync(f, "utf8")).toBe("new\n");
    expect(fs.readFileSync(path.join(dir, "b.adainf"), "utf8")).toBe("old\n");
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("is not blocked by a temporary file a killed run left (same pid, as in a container)", () => {
    const dir = tmp();
    const f = path.join(dir, "p.adainf");
    fs.writeFileSync(f, "old\n");
    const stale = path.join(dir, `.p.adainf.${process.pid}.tmp`);
    fs.writeFileSync(stale, "half");
    rewriteSourceFile(f, "new\n");
    expect(fs.readFileSync(f, "utf8")).toBe("new\n");
  });

  it("a failing close is a refusal in words, the file left as it was and no temporary file", () => {
    const dir = tmp();
    const f = path.join(dir, "p.adainf");
    fs.writeFileSync(f, "old\n");
    vi.spyOn(fs, "closeSync").mockImplementationOnce(() => {
      throw Object.assign(new Error("EIO: i/o error, close"), { code: "EIO", syscall: "close" });
    });
    expect(() => rewriteSourceFile(f, "new\n")).toThrow(RewriteRefused);
    expect(() => rewriteSourceFile(f, "new\n")).not.toThrow();
    expect(fs.readdirSync(dir)).toEqual(["p.adainf"]);
  });

  it("a file that cannot be renamed over (a bind-mounted file: EBUSY) is refused saying so, and left alone", () => {
    const dir = tmp();
    const f = path.join(dir, "p.adainf");
    fs.writeFileSync(f, "old\n");
    vi.spyOn(fs, "renameSync").mockImplementation(() => {
      throw Object.assign(new Error("EBUSY: resource busy or locked, rename"), { code: "EBUSY", syscall: "rename" });
    });
    expect(() => rewriteSourceFile(f, "new\n")).toThrow(/^cannot replace it: the file or folder is busy \(a file mounted on its own/);
    expect(fs.readFileSync(f, "utf8")).toBe("old\n");
    expect(fs.readdirSync(dir)).toEqual(["p.adainf"]);
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)("as root, keeps another user's setgid file theirs, the setgid bit kept (the owner is set first)", () => {
    const dir = tmp();
    const f = path.join(dir, "sg.adainf");
    fs.writeFileSync(f, "old\n");
    fs.chownSync(f, 65534, 65534);
    fs.chmodSync(f, 0o2775);
    rewriteSourceFile(f, "new\n");
    expect(fs.statSync(f)).toMatchObject({ uid: 65534, gid: 65534 });
    expect(fs.statSync(f).mode & 0o7777).toBe(0o2775);
  });

  it.skipIf(!root)("as root, keeps another user's file theirs", () => {
    const dir = tmp();
    const f = path.join(dir, "theirs.adainf");
    fs.writeFileSync(f, "old\n");
    fs.chownSync(f, 65534, 65534);
    rewriteSourceFile(f, "new\n");
    expect(fs.statSync(f)).toMatchObject({ uid: 65534, gid: 65534 });
  });

  // chmod means nothing to root: run the CLI as nobody (the built bin, `npm run build`).
  // (skipped unless root with setpriv, in a checkout nobody can read: test/helpers.ts)
  const asNobody = nobodyCanRunCli();
  it.skipIf(!asNobody)("as another user: a folder it cannot write is named in plain words, and later files are still done", { timeout: 60_000 }, () => {
    const dir = fs.mkdtempSync("/tmp/adainf-nobody-");
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.mkdirSync(path.join(dir, "ro"));
    fs.mkdirSync(path.join(dir, "rw"));
    const messy = "pipeline a from simclr {   seed = 1 }\n";
    fs.writeFileSync(path.join(dir, "ro", "u.adainf"), messy);
    fs.writeFileSync(path.join(dir, "rw", "z.adainf"), messy);
    for (const p of ["", "ro", "rw", "ro/u.adainf", "rw/z.adainf"]) fs.chownSync(path.join(dir, p), 65534, 65534);
    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, "ro"), 0o555);
    const nobody = (args: string[]) =>
      spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, path.join(ROOT, "bin", "adainfc.js"), ...args], {
        cwd: dir,
        encoding: "utf8",
        timeout: 30_000,
      });
    const fmt = nobody(["fmt", "--write", "ro/u.adainf", "rw/z.adainf"]);
    expect(fmt.status).toBe(1);
    expect(fmt.stderr).toBe("error: ro/u.adainf: not formatted: cannot write its folder: permission denied\n");
    expect(fmt.stdout).toBe("formatted rw/z.adainf\n");
    expect(fs.readFileSync(path.join(dir, "ro", "u.adainf"), "utf8")).toBe(messy);
    const vanilla = fs.readFileSync(path.join(ROOT, "pipelines", "simclr_vanilla.adainf"), "utf8");
    fs.chmodSync(path.join(dir, "ro"), 0o755);
    fs.writeFileSync(path.join(dir, "ro", "v.adainf"), vanilla);
    fs.chownSync(path.join(dir, "ro", "v.adainf"), 65534, 65534);
    fs.chmodSync(path.join(dir, "ro"), 0o555);
    const fix = nobody(["lint", "ro/v.adainf", "--fix"]);
    expect(fix.stdout.split("\n")[0]).toBe("not fixed ro/v.adainf: cannot write its folder: permission denied");
    // Someone else's file the user may not write (0644, owned by root) is refused by access().
    fs.chmodSync(path.join(dir, "rw"), 0o755);
    fs.writeFileSync(path.join(dir, "rw", "roots.adainf"), messy);
    const theirs = nobody(["fmt", "--write", "rw/roots.adainf"]);
    expect(theirs.stderr).toBe("error: rw/roots.adainf: not formatted: you may not write it: permission denied\n");
  });
});
