// What most tests share: the repository root, a temporary project with given files,
// compiling a pipeline text, running the CLI in-process, base pipelines to vary, and
// editing a JSON object at a dotted path.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { main } from "../src/cli/main.js";
import { compileFileSync, type CompileOutput } from "../src/driver.js";

export const ROOT = resolve(import.meta.dirname, "..");

/** A temporary project folder with the given files. */
export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "adainf-test-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Compile one pipeline text in a fresh project. */
export function compileText(text: string, overrides: string[] = []): CompileOutput {
  const dir = project({ "p.adainf": text });
  return compileFileSync("p.adainf", { cwd: dir, overrides });
}

export function codes(out: CompileOutput): string[] {
  return out.diagnostics.map((d) => d.code);
}

/** Run the CLI in-process; returns exit code and what it printed. */
export async function cli(args: string[], cwd = ROOT): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { cwd, color: false, out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

/**
 * Run the built CLI (bin/adainfc.js, `npm run build`) as a child process; resolves when it
 * has closed. A process kept alive (by Dawn, say) would hang here: the test's timeout
 * catches it, or `killAfterMs`: the child is then killed and `hung` is true.
 */
export function spawnCli(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  killAfterMs?: number,
): Promise<{ code: number | null; out: string; err: string; hung: boolean }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "adainfc.js"), ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let hung = false;
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            hung = true;
            child.kill("SIGKILL");
          }, killAfterMs);
    child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code, out, err, hung });
    });
  });
}

/** A minimal valid pipeline body on CIFAR-10, for tests that change one thing. */
export const BASE = `pipeline p from simclr {
  data {
    real = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = test)
  }
}
`;

/** A SimCLR pipeline with no recipe (only the language's defaults) and the given train-block lines. */
export const plainPipeline = (train: string): string => `pipeline p {
  data {
    real = cifar10("datasets/cifar10", split = train)
    eval = cifar10("datasets/cifar10", split = test)
  }
  augment = symmetric
  model {
    backbone = resnet18(stem = cifar)
    method = simclr
  }
  train {
    optimizer = sgd(lr = 0.2)
${train}
  }
  evaluate { online_linear(lr = 0.05) }
}
`;

/** Sets the value at a dotted path of a JSON object (`train.steps`, `augment.views.0.ops.0.op`); undefined deletes it. */
export function edit(json: unknown, at: string, value: unknown): void {
  const keys = at.split(".");
  const last = keys.pop()!;
  let node = json as Record<string, unknown>;
  for (const k of keys) node = node[k] as Record<string, unknown>;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/**
 * Whether a test can run the CLI as another user (nobody, 65534) to see what chmod does to
 * a user (root passes every permission check): as root, with setpriv, and with this
 * checkout readable by nobody. A clone under a root-only folder (mktemp -d is 0700) is not,
 * and those tests skip, saying so.
 */
export function nobodyCanRunCli(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync("setpriv", [
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    process.execPath,
    "-e",
    `require("fs").accessSync(${JSON.stringify(resolve(ROOT, "bin/adainfc.js"))}, 4)`,
  ]);
  return probe.status === 0;
}
