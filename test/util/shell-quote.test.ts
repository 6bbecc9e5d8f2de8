// Printed commands are safe to paste: each word survives a real bash unchanged, and
// nothing in it runs; the stand-in generator command quotes its words the same way.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { shellCommand, shellQuote } from "../../src/util/shell-quote.js";
import { planCommand } from "../../src/ir/stand-in-plan.js";

describe("shellQuote", () => {
  it("leaves plain words alone and quotes the rest", () => {
    expect(shellQuote("pipelines/quickstart.adainf")).toBe("pipelines/quickstart.adainf");
    expect(shellQuote("output.dir=runs/x")).toBe("output.dir=runs/x");
    expect(shellQuote("")).toBe("''");
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });

  it("every word comes back from bash as it was, and $(...) does not run", () => {
    const words = ["run", 'output.dir="$(touch /tmp/adainf-pwned)"', "it's here", "a\nb", "`id`", "*", "~", "x;y", "\\", "é ü"];
    const r = spawnSync("bash", ["-c", `printf '%s\\0' ${shellCommand(words)}`], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(words);
  });
});

describe("one quoting for every printed command", () => {
  it("the stand-in generator command quotes its output path as shellQuote does", () => {
    for (const out of ["gen,v2.npz", "data/100%.npz", "my gen.npz"]) {
      expect(planCommand({ from: "mnist", count: 10, out, first: null, channels: "rgb" })).toBe(
        `adainfc generate --from mnist --count 10 -o ${shellQuote(out)}`,
      );
    }
  });
});
