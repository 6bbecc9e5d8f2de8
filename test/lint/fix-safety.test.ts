// lint --fix and fmt --write save the user's file as an editor would (a symlink's target,
// the mode kept, a read-only file refused); one fix that would break the file holds back
// only itself, is named with the error it would cause, and is not offered as fixable;
// a file that is not UTF-8 is an error at the bad byte and never rewritten; SARIF paths
// are URIs; lint-config can be explained (and is refused by --rule with a reason).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, project, ROOT } from "../helpers.js";

const vanilla = fs.readFileSync(path.join(ROOT, "pipelines", "simclr_vanilla.adainf"), "utf8");
const story = fs.readFileSync(path.join(ROOT, "pipelines", "story.adainf"), "utf8");

describe("lint --fix and fmt --write save the file the path names", () => {
  it("lint --fix through a symlink fixes its target, keeps the link and the mode", { timeout: 30_000 }, async () => {
    const dir = project({ "m/real.adainf": vanilla, "m/p.adainf": vanilla });
    fs.chmodSync(path.join(dir, "m/real.adainf"), 0o600);
    fs.chmodSync(path.join(dir, "m/p.adainf"), 0o640);
    fs.symlinkSync("real.adainf", path.join(dir, "m/link.adainf"));
    const r = await cli(["lint", "m/link.adainf", "m/p.adainf", "--fix"], dir);
    expect(r.out).toContain("fixed m/link.adainf (2 edits)\nfixed m/p.adainf (2 edits)\n");
    expect(fs.lstatSync(path.join(dir, "m/link.adainf")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "m/real.adainf"), "utf8")).toContain("real x 10");
    expect(fs.statSync(path.join(dir, "m/real.adainf")).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, "m/p.adainf")).mode & 0o777).toBe(0o640);
  });

  it("a read-only file is refused in one line naming it, and the others are still done", { timeout: 30_000 }, async () => {
    const dir = project({ "ro.adainf": vanilla, "rw.adainf": vanilla, "fmt-ro.adainf": "pipeline a from simclr {   seed = 1 }\n" });
    fs.chmodSync(path.join(dir, "ro.adainf"), 0o444);
    fs.chmodSync(path.join(dir, "fmt-ro.adainf"), 0o444);
    const r = await cli(["lint", "ro.adainf", "rw.adainf", "--fix"], dir);
    expect(r.out).toContain("not fixed ro.adainf: it is read-only (mode 0444)\n");
    expect(r.out).toContain("fixed rw.adainf (2 edits)\n");
    expect(fs.readFileSync(path.join(dir, "ro.adainf"), "utf8")).toBe(vanilla);
    const f = await cli(["fmt", "--write", "fmt-ro.adainf"], dir);
    expect(f.code).toBe(1);
    expect(f.err).toBe("error: fmt-ro.adainf: not formatted: it is read-only (mode 0444)\n");
  });

  it("fmt --write through a symlink formats its target", { timeout: 30_000 }, async () => {
    const dir = project({ "real.adainf": "pipeline a from simclr {   seed = 1 }\n" });
    fs.symlinkSync("real.adainf", path.join(dir, "link.adainf"));
    const r = await cli(["fmt", "--write", "link.adainf"], dir);
    expect(r.out).toBe("formatted link.adainf\n");
    expect(fs.lstatSync(path.join(dir, "link.adainf")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(dir, "real.adainf"), "utf8")).toBe("pipeline a from simclr {\n  seed = 1\n}\n");
  });
});

interface SarifResult {
  ruleId: string;
  fixes?: unknown;
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown } }[];
}
const results = (out: string): SarifResult[] => JSON.parse(out).runs[0].results;

describe("a file with a byte order mark", () => {
  const BOM = "\uFEFF";
  it("is formatted when its text after the BOM is: fmt --check passes it", { timeout: 30_000 }, async () => {
    const dir = project({ "b.adainf": `${BOM}pipeline a from simclr {\n  seed = 1\n}\n` });
    const r = await cli(["fmt", "--check", "b.adainf"], dir);
    expect(r.out).toBe("");
    expect(r.code).toBe(0);
  });

  it("keeps its BOM under fmt --write and lint --fix", { timeout: 60_000 }, async () => {
    const dir = project({ "f.adainf": `${BOM}pipeline a from simclr {   seed = 1 }\n`, "v.adainf": BOM + vanilla });
    expect((await cli(["fmt", "--write", "f.adainf"], dir)).out).toBe("formatted f.adainf\n");
    expect(fs.readFileSync(path.join(dir, "f.adainf"), "utf8")).toBe(`${BOM}pipeline a from simclr {\n  seed = 1\n}\n`);
    expect((await cli(["lint", "v.adainf", "--fix"], dir)).out).toMatch(/^fixed v\.adainf/m);
    const fixed = fs.readFileSync(path.join(dir, "v.adainf"), "utf8");
    expect(fixed.startsWith(BOM)).toBe(true);
    expect(fixed.startsWith(BOM + BOM)).toBe(false);
    expect(fixed).not.toBe(BOM + vanilla);
  });
});

describe("a fix that would break the file", () => {
  const second = vanilla.replace(/simclr_vanilla/g, "second");
  it("is placed where the saved file has it, after formatting moved it", { timeout: 60_000 }, async () => {
    const dir = project({ "two.adainf": `\n\n\n\n${story}\n${second}` }); // fmt drops the leading blank lines
    const r = await cli(["lint", "two.adainf", "--fix"], dir);
    const at = /^fix not applied at two\.adainf:(\d+):(\d+) \(vanilla-inflation\)/m.exec(r.out);
    expect(at).not.toBeNull();
    const json = JSON.parse((await cli(["lint", "two.adainf", "--format", "json"], dir)).out) as {
      diagnostics: { code: string; line: number | null; column: number | null }[];
    };
    const places = json.diagnostics.filter((d) => d.code === "vanilla-inflation").map((d) => `${d.line}:${d.column}`);
    expect(places).toContain(`${at![1]}:${at![2]}`);
  });

  it("is named with the error it would cause; the other fixes of the file are applied", { timeout: 60_000 }, async () => {
    const dir = project({ "two.adainf": `${story}\n${second}` });
    const r = await cli(["lint", "two.adainf", "--fix"], dir);
    expect(r.out).toContain("fixed two.adainf (2 edits)\n");
    expect(r.out).toMatch(
      /^fix not applied at two\.adainf:\d+:\d+ \(vanilla-inflation\): it would cause error\[E012\]: sweep axis 'inflation': 'adainf' is the same setting as 'vanilla'/m,
    );
    expect(r.out).not.toContain("would not compile");
    const fixed = fs.readFileSync(path.join(dir, "two.adainf"), "utf8");
    expect(fixed.slice(fixed.indexOf("pipeline second"))).toContain("real x 10");
    expect((await cli(["check", "two.adainf"], dir)).code).toBe(0);
  });

  it("is not offered as fixable in JSON or SARIF", { timeout: 60_000 }, async () => {
    const dir = project({ "s.adainf": story });
    const json = JSON.parse((await cli(["lint", "s.adainf", "--format", "json"], dir)).out) as { diagnostics: { code: string; fixable?: boolean }[] };
    const vi = json.diagnostics.filter((d) => d.code === "vanilla-inflation");
    expect(vi.length).toBeGreaterThan(0);
    for (const d of vi) expect(d.fixable).toBe(false);
    const sarif = results((await cli(["lint", "s.adainf", "--format", "sarif"], dir)).out).filter((x) => x.ruleId === "vanilla-inflation");
    for (const x of sarif) expect(x.fixes).toBeUndefined();
  });
});

describe("a file that is not UTF-8", () => {
  const latin1 = Buffer.from("pipeline p from simclr { seed = 1 } // caf\xe9\n", "latin1");
  it("is an error at the byte's line and column, and fmt --write and lint --fix leave its bytes alone", { timeout: 30_000 }, async () => {
    const dir = project({});
    fs.writeFileSync(path.join(dir, "l.adainf"), latin1);
    fs.writeFileSync(path.join(dir, "v.adainf"), Buffer.from(vanilla.replace("// SimCLR", "// caf\xe9 SimCLR"), "latin1"));
    const check = await cli(["check", "l.adainf"], dir);
    expect(check.code).toBe(1);
    expect(check.out + check.err).toContain("l.adainf:1:43: error[E005]: byte 0xE9 is not UTF-8");
    const fmt = await cli(["fmt", "--write", "l.adainf"], dir);
    expect(fmt.code).toBe(1);
    expect(fs.readFileSync(path.join(dir, "l.adainf")).equals(latin1)).toBe(true);
    const before = fs.readFileSync(path.join(dir, "v.adainf"));
    const fix = await cli(["lint", "v.adainf", "--fix"], dir);
    expect(fix.out).not.toMatch(/^fixed v\.adainf/m);
    expect(fix.out).toContain("error[E005]: byte 0xE9 is not UTF-8");
    expect(fs.readFileSync(path.join(dir, "v.adainf")).equals(before)).toBe(true);
  });
});

describe("SARIF and lint-config", () => {
  it("artifact URIs are percent-encoded, absolute paths file: URIs", { timeout: 30_000 }, async () => {
    const dir = project({ "sp/dir with space/my #1 100%é.adainf": vanilla });
    const abs = path.join(project({ "abs.adainf": vanilla }), "abs.adainf");
    const sarif = results((await cli(["lint", "sp", abs, "--format", "sarif"], dir)).out);
    const uris = new Set(sarif.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri));
    expect(uris).toEqual(new Set(["sp/dir%20with%20space/my%20%231%20100%25%C3%A9.adainf", `file://${abs}`]));
  });

  it("an input that cannot be read has a location (line 1) in SARIF", { timeout: 30_000 }, async () => {
    const dir = project({ "dl/ok.adainf": vanilla });
    fs.symlinkSync("nowhere.adainf", path.join(dir, "dl/dangling.adainf"));
    const r = results((await cli(["lint", "dl", "--format", "sarif"], dir)).out).find((x) => x.ruleId === "E005");
    expect(r?.locations[0]?.physicalLocation).toMatchObject({ artifactLocation: { uri: "dl/dangling.adainf" }, region: { startLine: 1, startColumn: 1 } });
  });

  it("explain lint-config explains it; --rule lint-config says why it cannot be set", async () => {
    const e = await cli(["explain", "lint-config"]);
    expect(e.code).toBe(0);
    expect(e.out).toMatch(/^# lint-config\n/);
    const r = await cli(["lint", "pipelines/simclr_vanilla.adainf", "--rule", "lint-config=off"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("'lint-config' is not a rule and cannot be configured");
  });
});
