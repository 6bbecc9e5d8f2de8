// Two pipelines of one file may not share a run directory (E012 at the later one's
// output.dir, or at its name when the dir is defaulted), nor may one write into the
// folder of another's sweep points; points of two sweeps that land in one folder are
// the same mistake. Distinct directories, however written, compile.
import { describe, expect, it } from "vitest";
import { compileText } from "../helpers.js";

const body = (name: string, output: string, extra = ""): string => `pipeline ${name} from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = test)
  }
${output}${extra}}
`;

const e012 = (text: string, overrides: string[] = []) =>
  compileText(text, overrides)
    .diagnostics.filter((d) => d.code === "E012")
    .map((d) => ({ message: d.message, hint: d.hint, at: d.span ? `${d.span.line}:${d.span.column}` : null }));

const HINT = "give each pipeline its own output.dir: a run directory holds one run, and --resume or --overwrite would take one run for the other";

describe("one run directory per pipeline", () => {
  it("the same output.dir twice: E012 at the second", () => {
    const text = body("tiny", '  output { dir = "runs/same" }\n') + body("tiny2", '  output { dir = "./runs/same/" }\n');
    expect(e012(text)).toEqual([{ message: "tiny2 writes its run to ./runs/same/, as tiny (line 1) does", hint: HINT, at: "13:18" }]);
  });

  it("a defaulted dir that another pipeline names: at the output.dir, or at the name when it is the defaulted one", () => {
    expect(e012(body("a", "") + body("b", '  output { dir = "runs/a" }\n'))).toEqual([
      { message: "b writes its run to runs/a, as a (line 1) does", hint: HINT, at: "12:18" },
    ]);
    expect(e012(body("a", '  output { dir = "runs/b" }\n') + body("b", ""))).toEqual([
      { message: "b writes its run to runs/b, as a (line 1) does", hint: HINT, at: "8:10" },
    ]);
  });

  it("--set output.dir gives every pipeline of the file one directory: refused", () => {
    const found = e012(body("a", "") + body("b", ""), ['output.dir="runs/x"']);
    expect(found.map((f) => f.message)).toEqual(["b writes its run to runs/x, as a (line 1) does"]);
  });

  it("points of two sweeps in one folder, and a pipeline in a sweep's folder", () => {
    const sweep = "  sweep { seed = [0, 1] }\n";
    const two = body("s1", '  output { dir = "runs/s" }\n', sweep) + body("s2", '  output { dir = "runs/s" }\n', sweep);
    expect(e012(two).map((f) => f.message)).toEqual(["s2[seed=0] writes its run to runs/s/seed=0, as s1[seed=0] (line 1) does"]);
    const into = body("s", "", sweep) + body("t", '  output { dir = "runs/s" }\n');
    expect(e012(into)).toEqual([
      {
        message: "t writes its run to runs/s, the folder of the points of sweep 's'",
        hint: "give each pipeline its own output.dir: a run directory inside a sweep's folder would be read as one of its points",
        at: "13:18",
      },
    ]);
    const after = body("t", '  output { dir = "runs/s" }\n') + body("s", "", sweep);
    expect(e012(after).map((f) => [f.message, f.at])).toEqual([["t writes its run to runs/s, the folder of the points of sweep 's'", "8:10"]]);
  });

  it("distinct directories compile, sweeps with other folders too", () => {
    const text = body("a", "") + body("b", "") + body("s", '  output { dir = "runs/a2" }\n', "  sweep { seed = [0, 1] }\n");
    const out = compileText(text);
    expect(out.diagnostics).toEqual([]);
    expect(out.pipelines.map((p) => p.ir.output.dir)).toEqual(["runs/a", "runs/b", "runs/a2/seed=0", "runs/a2/seed=1"]);
  });
});
