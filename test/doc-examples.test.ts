// Every ```adainf block of README.md and docs/*.md compiles as a reader would paste it:
// a block that starts with a declaration (use, pipeline, recipe, dataset, augment NAME)
// as a file of its own, any other as statements of a pipeline body (inside `pipeline
// doc_example from simclr`, with CIFAR-10 data unless the block has its own). It must
// give no error; a block meant to fail names its codes after the language (```adainf E010)
// and must fail with exactly those.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileText, ROOT } from "./helpers.js";

interface Example {
  where: string;
  text: string;
  expected: string[];
}

function examples(): Example[] {
  const files = [
    "README.md",
    ...fs
      .readdirSync(path.join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const found: Example[] = [];
  for (const file of files) {
    const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s*)```adainf\b(.*)$/.exec(lines[i]!);
      if (!open) continue;
      const indent = open[1]!.length;
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !/^\s*```\s*$/.test(lines[j]!)) body.push(lines[j++]!.slice(indent));
      found.push({ where: `${file}:${i + 1}`, text: `${body.join("\n")}\n`, expected: open[2]!.trim().split(/\s+/).filter(Boolean).sort() });
      i = j;
    }
  }
  return found;
}

const DECLARATION = /^(use|pipeline|recipe|dataset)\b|^augment\s+\w+\s*[{=]/;

function asFile(text: string): string {
  const first = text.split("\n").find((l) => l.trim() !== "" && !l.trim().startsWith("//")) ?? "";
  if (DECLARATION.test(first.trim())) return text;
  const data = /^\s*data\s*\{/m.test(text)
    ? ""
    : '  data {\n    real = cifar10("datasets/cifar10", split = train)\n    eval = cifar10("datasets/cifar10", split = test)\n  }\n';
  return `pipeline doc_example from simclr {\n${data}${text}}\n`;
}

const all = examples();

describe("the .adainf examples of the docs", () => {
  it("there are some", () => {
    expect(all.length).toBeGreaterThan(0);
  });

  it.each(all.map((e) => [e.where, e] as const))("%s", (_where, e) => {
    const out = compileText(asFile(e.text));
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    expect(
      errors.map((d) => d.code).sort(),
      errors.map((d) => `${d.span ? `${d.span.line}:${d.span.column}: ` : ""}${d.code} ${d.message}`).join("\n"),
    ).toEqual(e.expected);
  });
});
