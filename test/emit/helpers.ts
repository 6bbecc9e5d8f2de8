// What the solo-learn emitter tests share: a temporary folder, compiling a pipeline to
// solo-learn through the CLI and reading back its YAML, and a SimCLR pipeline to vary.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { cli } from "../helpers.js";

export type Y = Record<string, unknown>;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "adainf-emit-"));
}

/** Compile a pipeline to solo-learn through the CLI; returns the exit code, output and parsed files. */
export async function emitSolo(file: string, cwd?: string, extra: string[] = []) {
  const out = tempDir();
  const r = await cli(["compile", file, "--target", "solo-learn", "-o", out, ...extra], cwd);
  return { ...r, dir: out };
}

export function readYaml(path: string): unknown {
  return parse(readFileSync(path, "utf8"));
}

export function at(v: unknown, path: string): unknown {
  let cur = v;
  for (const k of path.split(".")) cur = (cur as Y | undefined)?.[k];
  return cur;
}

/** A SimCLR pipeline with extra data lines and an inflate block. */
export function pipeline(extraData: string, inflate: string, body = ""): string {
  return `pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    ${extraData}
    eval = cifar10("datasets/cifar10", split = test)
  }
  inflate {
    ${inflate}
  }
  ${body}
}
`;
}
