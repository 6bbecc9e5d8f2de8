// run.sh must hand every value to main_pretrain.py as exactly one argument, with
// nothing executed on the way: paths with spaces, quotes, $(...), backticks, newlines.

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { project } from "../helpers.js";
import { hydraString } from "../../src/emit/solo-learn/run-script.js";
import { shellQuote } from "../../src/util/shell-quote.js";
import { escapeInterpolation } from "../../src/emit/solo-learn/render.js";
import { resolveInterpolations } from "../../src/emit/import/interpolate.js";
import { emitSolo, pipeline, tempDir } from "./helpers.js";

const NASTY = [
  "plain/path.npz",
  "with space/gen.npz",
  'it\'s "quoted".npz',
  "$(touch PWNED).npz",
  "`touch PWNED2`.npz",
  "semi;colon && echo hi | cat > x.npz",
  "new\nline.npz",
  "back\\slash\\",
  "${HOME}/${oc.env:USER}.npz",
  "-starts-with-dash.npz",
  "null",
  "10",
];

/** Decodes a Hydra override value as Hydra's grammar reads it (quoted or bare). */
function hydraDecode(v: string): string {
  if (!v.startsWith("'")) return v;
  expect(v.endsWith("'")).toBe(true);
  const body = v.slice(1, -1);
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === "\\") {
      let j = i;
      while (body[j] === "\\") j++;
      const run = j - i;
      const next = body[j];
      if (next === "'" || next === undefined) {
        out += "\\".repeat(Math.floor(run / 2));
        if (next === "'") {
          expect(run % 2).toBe(1); // an escaped quote
          out += "'";
          j++;
        }
      } else out += "\\".repeat(run);
      i = j - 1;
    } else {
      expect(ch).not.toBe("'"); // an unescaped quote would end the value
      out += ch;
    }
  }
  return omegaconfText(out);
}

/** The text OmegaConf reads from a config value: its `${...}` resolved unless escaped as `\${` (the importer's resolver). */
function omegaconfText(v: string): string {
  const text = resolveInterpolations({ v }, { env: {}, isFloat: () => false, alias: () => {} })["v"];
  expect(typeof text).toBe("string");
  return text as string;
}

describe("run.sh quoting", () => {
  it("shellQuote: bash reads back exactly one word", () => {
    for (const s of NASTY) {
      const out = execFileSync("bash", ["-c", `printf '%s\\0' ${shellQuote(s)}`], { encoding: "utf8" });
      expect(out).toBe(s + "\0");
    }
  });

  it("hydraString + escapeInterpolation: decode back to the value", () => {
    for (const s of NASTY) expect(hydraDecode(hydraString(s))).toBe(s);
    expect(hydraString("datasets/generated/x.npz")).toBe("datasets/generated/x.npz");
    expect(hydraString("null")).toBe("'null'");
    for (const s of NASTY) expect(omegaconfText(escapeInterpolation(s))).toBe(s);
  });

  it("the generated run.sh passes bash -n and hands python3 each value intact, executing nothing", async () => {
    for (const path of NASTY.slice(1, 10)) {
      const dir = project({ "p.adainf": pipeline(`generated = npz(${JSON.stringify(path)}, size = 1_000)`, "real x 10\n    generated x 1") });
      const r = await emitSolo("p.adainf", dir);
      expect(r.code).toBe(0);
      const run = join(r.dir, "run.sh");
      execFileSync("bash", ["-n", run]);
      // A fake python3 that prints its arguments, NUL-separated.
      const work = tempDir();
      const bin = join(work, "bin");
      mkdirSync(bin);
      writeFileSync(join(bin, "python3"), "#!/usr/bin/env bash\nprintf '%s\\0' \"$@\"\n");
      chmodSync(join(bin, "python3"), 0o755);
      const out = execFileSync("bash", [run, "seed=7"], { cwd: work, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env["PATH"]}` } });
      const args = out.split("\0").slice(0, -1);
      expect(args[0]).toBe("./solo-learn/main_pretrain.py");
      expect(args.slice(1, 5)).toEqual(["--config-path", r.dir, "--config-name", "simclr.yaml"]);
      const extra = args.find((a) => a.startsWith("data.extra_data="))!;
      expect(hydraDecode(extra.slice("data.extra_data=".length))).toBe(path);
      expect(args).toContain("data.dup=10");
      expect(args).toContain("name=p");
      expect(args.at(-1)).toBe("seed=7");
      expect(existsSync(join(work, "PWNED"))).toBe(false);
      expect(existsSync(join(work, "PWNED2"))).toBe(false);
      expect(readFileSync(run, "utf8").startsWith("#!/usr/bin/env bash\n")).toBe(true);
    }
  });
});
