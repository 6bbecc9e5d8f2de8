// adainfc check, compile, schema, fmt, --help and --version, run in-process (helpers'
// cli()) on the repo's pipelines/ and on temp projects: exit codes 0/1/2, the error
// format (file:line:col, code frame, hint, no stack trace, no colour; a --set argument's
// as `--set #n`), --format json.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BASE, cli, project } from "../helpers.js";

describe("adainfc CLI", () => {
  it("check: all paper pipelines pass", async () => {
    const r = await cli(["check", "pipelines"]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("13 files checked: no problems".replace("13", String(r.err.match(/(\d+) files/)?.[1])));
  });

  it("check: errors exit 1 with file:line:col, a code frame and a hint, no stack", async () => {
    const dir = project({ "p.adainf": BASE.replace("\n}\n", "\n  augment = symetric\n}\n") });
    const r = await cli(["check", "p.adainf"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain("p.adainf:6:13: error[E010]: unknown augmentation preset 'symetric'");
    expect(r.err).toContain("> 6 |   augment = symetric");
    expect(r.err).toContain("|             ^^^^^^^^");
    expect(r.err).toContain("hint: did you mean 'symmetric'?");
    expect(r.err).not.toMatch(/\bat .*\.(ts|js):\d+/);
    expect(r.err).not.toContain("\u001b["); // no colour when not asked
  });

  it("check --format json", async () => {
    const dir = project({ "p.adainf": "pipeline p { seed = }\n" });
    const r = await cli(["check", "--format", "json", "p.adainf"], dir);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.out) as { errors: number; files: { diagnostics: { code: string; line: number; column: number }[] }[] };
    expect(json.errors).toBe(1);
    expect(json.files[0]!.diagnostics[0]).toMatchObject({ code: "E002", line: 1, column: 21 });
  });

  it("check --set: a mistake is placed in the argument as typed (--set #n), with its frame, in text and json", async () => {
    const dir = project({ "p.adainf": BASE });
    const r = await cli(["check", "p.adainf", "--set", "seed=1", "--set", "train.step=5"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "--set #2:1:7: error[E011]: train has no setting 'step'\n> 1 | train.step=5\n    |       ^^^^\n  hint: did you mean 'steps'?\n\n1 file checked: 1 error\n",
    );
    const j = await cli(["check", "--format", "json", "p.adainf", "--set", "train.step=5"], dir);
    const json = JSON.parse(j.out) as { files: { diagnostics: object[] }[] };
    expect(json.files[0]!.diagnostics[0]).toMatchObject({ code: "E011", file: "--set #1", line: 1, column: 7, endColumn: 11, hint: "did you mean 'steps'?" });
  });

  it("usage errors exit 2", async () => {
    expect((await cli(["chek"])).code).toBe(2);
    expect((await cli(["chek"])).err).toContain("did you mean 'check'?");
    expect((await cli(["check"])).code).toBe(2);
    expect((await cli(["check", "--format", "xml", "pipelines"])).code).toBe(2);
    expect((await cli(["check", "--bogus", "pipelines"])).code).toBe(2);
  });

  it("a missing file is one clean line, exit 1", async () => {
    const r = await cli(["check", "nope.adainf"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: nope.adainf: no such file or folder\n");
  });

  it("--version and --help", async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, "..", "..", "package.json"), "utf8")) as { version: string };
    const v = await cli(["--version"]);
    expect(v.code).toBe(0);
    expect(v.out.trim()).toBe(pkg.version);
    const h = await cli(["--help"]);
    expect(h.code).toBe(0);
    expect(h.out).toContain("check");
    expect(h.out).toContain("lint");
    for (const c of ["check", "fmt", "compile", "schema"]) {
      const r = await cli([c, "--help"]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`Usage: adainfc ${c}`);
    }
  });

  it("compile --emit ir prints the IR; --set overrides", async () => {
    const r = await cli(["compile", "pipelines/simclr_adainf.adainf", "--emit", "ir", "--set", "train.steps=500"]);
    expect(r.code).toBe(0);
    const ir = JSON.parse(r.out) as { version: number; name: string; train: { steps: number } };
    expect(ir).toMatchObject({ version: 1, name: "simclr_adainf", train: { steps: 500 } });
  });

  it("schema prints the JSON Schema", async () => {
    const r = await cli(["schema"]);
    const schema = JSON.parse(r.out) as { title: string; required: string[] };
    expect(schema.title).toContain("IR");
    expect(schema.required).toContain("augment");
  });

  it("fmt --check / --write", async () => {
    const dir = project({ "p.adainf": "pipeline p{seed=1}\n" });
    const check = await cli(["fmt", "--check", "."], dir);
    expect(check.code).toBe(1);
    expect(check.out).toBe("p.adainf\n");
    const write = await cli(["fmt", "--write", "."], dir);
    expect(write.code).toBe(0);
    expect(readFileSync(join(dir, "p.adainf"), "utf8")).toBe("pipeline p {\n  seed = 1\n}\n");
    expect((await cli(["fmt", "--check", "."], dir)).code).toBe(0);
    expect((await cli(["fmt", "--check", "pipelines", "stdlib"])).code).toBe(0);
  });
});
