// The start-up snapshot (bin/adainfc + dist/snapshot, built by `npm run build`): the
// front-end commands print exactly what bin/adainfc.js prints, with the same exit codes;
// the launcher falls back to bin/adainfc.js whenever the snapshot does not belong to this
// node or this package folder, when node rejects the blob (exit 14), and when turned off.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SNAPSHOT_COMMANDS } from "../../src/cli/command-summaries.js";
import { buildSnapshot, snapshotFiles } from "../../src/cli/snapshot.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const LAUNCHER = path.join(ROOT, "bin", "adainfc");
const JS = path.join(ROOT, "bin", "adainfc.js");
const files = snapshotFiles(ROOT);
const built = fs.existsSync(files.blob) && fs.existsSync(files.stamp) && fs.existsSync(files.commands);
// CI requires it (ADAINF_REQUIRE_SNAPSHOT=1: the build fails without it, and so does this).
const required = process.env["ADAINF_REQUIRE_SNAPSHOT"] === "1";
const skip = built || required ? false : "dist/snapshot is not built (npm run build makes it)";

interface Run {
  code: number | null;
  out: string;
  err: string;
}
function run(cmd: string[], args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Run {
  const r = spawnSync(cmd[0]!, [...cmd.slice(1), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...opts.env },
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const traced = (r: Run) => r.err.includes("adainfc: started from the snapshot");
const untrace = (s: string) => s.replace("adainfc: started from the snapshot\n", "");
const TRACE = { ADAINF_TRACE_START: "1" };

describe.skipIf(skip)("start-up snapshot", () => {
  it("is built (dist/snapshot: the bundle, its commands, a blob and its stamp)", () => {
    expect(built).toBe(true);
  });

  const work = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-snap-"));
  fs.writeFileSync(path.join(work, "broken.adainf"), 'pipeline p from simclr {\n  data { real = cifar10("d") }\n  train { steps = -3 }\n}\n');
  fs.writeFileSync(path.join(work, "messy.adainf"), 'pipeline   p from simclr{\ndata{ real=cifar10("d") }\n}\n');
  const cases: [string, string[], string][] = [
    ["check, clean", ["check", "pipelines/simclr_adainf.adainf"], ROOT],
    ["check, every pipeline, json", ["check", "pipelines", "--format", "json"], ROOT],
    ["check, errors", ["check", "broken.adainf"], work],
    ["check, colour", ["--color", "check", "broken.adainf"], work],
    ["check, missing file", ["check", "nothere.adainf"], work],
    ["check, unknown option", ["check", "--frobnicate", "x.adainf"], work],
    ["check --help", ["check", "--help"], work],
    ["lint, text", ["lint", path.join(ROOT, "pipelines")], work],
    ["lint, sarif", ["lint", "pipelines/simclr_vanilla.adainf", "--format", "sarif"], ROOT],
    ["fmt --check", ["fmt", "--check", "messy.adainf"], work],
    ["explain", ["explain", "eval-on-train"], work],
    ["schema", ["schema"], work],
  ];
  it.each(cases)("%s: same output and exit code as bin/adainfc.js", (_name, args, cwd) => {
    const fast = run([LAUNCHER], args, { cwd, env: TRACE });
    const slow = run([process.execPath, JS], args, { cwd });
    expect(traced(fast)).toBe(true);
    expect({ code: fast.code, out: fast.out, err: untrace(fast.err) }).toEqual(slow);
  });

  it("sends every other command to bin/adainfc.js", () => {
    for (const args of [["--version"], ["compile", "pipelines/simclr_adainf.adainf", "--emit", "ir"], []]) {
      const r = run([LAUNCHER], args, { env: TRACE });
      expect(traced(r)).toBe(false);
      expect(r.code).toBe(0);
    }
  });

  it("ADAINF_NO_SNAPSHOT=1 turns it off", () => {
    const r = run([LAUNCHER], ["check", "pipelines/simclr_adainf.adainf"], { env: { ...TRACE, ADAINF_NO_SNAPSHOT: "1" } });
    expect(traced(r)).toBe(false);
    expect(r.code).toBe(0);
  });

  // A package folder of its own: bin/ and the bundle copied, the rest linked to this
  // checkout. `attempt` (default: this node tried already) keeps the launcher from starting
  // a background build in it; the test of that build passes false.
  const NODE = fs.realpathSync(process.execPath);
  interface Fake {
    stamp?: (lines: string[]) => string[];
    blob?: ((b: Buffer) => Buffer) | null;
    commands?: string;
    attempt?: boolean;
  }
  function fakePackage(opts: Fake = {}): string {
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-pkg-"));
    const snap = path.join(pkg, "dist", "snapshot");
    fs.mkdirSync(path.join(pkg, "bin"));
    fs.copyFileSync(LAUNCHER, path.join(pkg, "bin", "adainfc"));
    fs.chmodSync(path.join(pkg, "bin", "adainfc"), 0o755);
    fs.copyFileSync(JS, path.join(pkg, "bin", "adainfc.js"));
    fs.mkdirSync(snap, { recursive: true });
    for (const name of ["src", "grammar"]) fs.symlinkSync(path.join(ROOT, "dist", name), path.join(pkg, "dist", name));
    for (const name of ["package.json", "stdlib", "node_modules", "pipelines"]) fs.symlinkSync(path.join(ROOT, name), path.join(pkg, name));
    fs.copyFileSync(files.bundle, path.join(snap, "adainfc.cjs"));
    fs.writeFileSync(path.join(snap, "commands"), opts.commands ?? fs.readFileSync(files.commands, "utf8"));
    if (opts.blob !== null) {
      fs.writeFileSync(path.join(snap, "adainfc.blob"), (opts.blob ?? ((b) => b))(fs.readFileSync(files.blob)));
      const lines = [NODE, process.version, fs.realpathSync(pkg)];
      fs.writeFileSync(path.join(snap, "stamp"), (opts.stamp ?? ((l) => l))(lines).join("\n") + "\n");
    }
    if (opts.attempt !== false) fs.writeFileSync(path.join(snap, "attempt"), `${NODE}\n`);
    return pkg;
  }
  const checkIn = (pkg: string) => run([path.join(pkg, "bin", "adainfc")], ["check", "pipelines/simclr_adainf.adainf"], { env: TRACE });

  it("uses a snapshot whose stamp names this node and this folder", () => {
    const r = checkIn(fakePackage());
    expect(traced(r)).toBe(true);
    expect(r.code).toBe(0);
  });

  it("is found through npm's relative link (node_modules/.bin/adainfc -> ../../bin/adainfc)", () => {
    const pkg = fakePackage();
    fs.mkdirSync(path.join(pkg, "nm", ".bin"), { recursive: true });
    fs.symlinkSync("../../bin/adainfc", path.join(pkg, "nm", ".bin", "adainfc"));
    const viaLink = run([path.join(pkg, "nm", ".bin", "adainfc")], ["check", "pipelines/simclr_adainf.adainf"], { env: TRACE });
    expect(traced(viaLink)).toBe(true);
    expect(viaLink.code).toBe(0);
    // and run from its own folder by a relative name
    const relative = run(["sh", "adainfc"], ["--version"], { cwd: path.join(pkg, "bin") });
    expect(relative.code).toBe(0);
    expect(relative.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("falls back when the stamp names another node or another folder, or the command is not in the snapshot", () => {
    for (const opts of [
      { stamp: (l: string[]) => [path.join(os.tmpdir(), "other-node"), ...l.slice(1)] },
      { stamp: (l: string[]) => [l[0]!, l[1]!, "/somewhere/else"] },
      { commands: "fmt lint\n" },
    ]) {
      const r = checkIn(fakePackage(opts));
      expect(traced(r)).toBe(false);
      expect(r.code).toBe(0);
      expect(r.err).toContain("1 file checked");
    }
  });

  it("falls back when the node binary is newer than the blob", () => {
    const pkg = fakePackage();
    const old = new Date(fs.statSync(NODE).mtime.getTime() - 86_400_000);
    fs.utimesSync(path.join(pkg, "dist", "snapshot", "adainfc.blob"), old, old);
    const r = checkIn(pkg);
    expect(traced(r)).toBe(false);
    expect(r.code).toBe(0);
  });

  it("runs the command without it when node rejects the blob (exit 14), and forgets that snapshot", () => {
    // The blob's header holds the node version that built it; another version is refused.
    const pkg = fakePackage({
      blob: (b) => {
        const copy = Buffer.from(b);
        const at = copy.indexOf(process.version.slice(1));
        expect(at).toBeGreaterThanOrEqual(0);
        copy.write("9".repeat(process.version.length - 1), at, "latin1");
        return copy;
      },
    });
    // A folder the launcher cannot write to would keep the stamp; here it is removed
    // (with the attempt), so the next front-end command builds the snapshot again.
    const r = checkIn(pkg);
    expect(traced(r)).toBe(false);
    expect(r.err).toContain("Failed to load the startup snapshot");
    expect(r.code).toBe(0);
    expect(r.err).toContain("1 file checked: no problems");
    expect(fs.existsSync(path.join(pkg, "dist", "snapshot", "stamp"))).toBe(false);
  });

  it("without a snapshot for this node, builds one in the background for the next run, once per node", async () => {
    const pkg = fakePackage({ blob: null, attempt: false });
    const snap = snapshotFiles(pkg);
    const first = checkIn(pkg);
    expect(traced(first)).toBe(false);
    expect(first.code).toBe(0);
    for (let waited = 0; !fs.existsSync(snap.stamp) && waited < 90_000; waited += 250) await new Promise((r) => setTimeout(r, 250));
    expect(fs.readFileSync(snap.stamp, "utf8").split("\n").slice(0, 3)).toEqual([NODE, process.version, fs.realpathSync(pkg)]);
    expect(fs.readFileSync(snap.attempt, "utf8").trim()).toBe(NODE);
    const second = checkIn(pkg);
    expect(traced(second)).toBe(true);
    expect(second.code).toBe(0);
    // A try with this node that left no snapshot is not repeated on every run.
    fs.rmSync(snap.stamp);
    fs.rmSync(snap.blob);
    checkIn(pkg);
    await new Promise((r) => setTimeout(r, 3000));
    expect(fs.existsSync(snap.blob)).toBe(false);
  }, 120_000);

  it("buildSnapshot writes a blob and a stamp for this node", () => {
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-build-"));
    fs.mkdirSync(path.join(pkg, "dist", "snapshot"), { recursive: true });
    for (const name of ["pipelines", "stdlib"]) fs.symlinkSync(path.join(ROOT, name), path.join(pkg, name));
    const target = snapshotFiles(pkg);
    fs.copyFileSync(files.bundle, target.bundle);
    const b = buildSnapshot(SNAPSHOT_COMMANDS, target);
    expect(b.bytes).toBeGreaterThan(1e6);
    const stamp = fs.readFileSync(target.stamp, "utf8").trimEnd().split("\n");
    expect(stamp).toEqual([fs.realpathSync(process.execPath), process.version, fs.realpathSync(pkg)]);
    expect(fs.readFileSync(target.commands, "utf8")).toBe(`${SNAPSHOT_COMMANDS.join(" ")}\n`);
    const r = run([process.execPath, "--snapshot-blob", target.blob], ["schema"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).title).toContain("adainf");
  });
});
