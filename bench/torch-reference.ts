// Where the benchmarks find the PyTorch reference script (torch_reference.py, kept by the
// team outside this repository) and the Python that runs it: only the `--torch-reference
// <file>` flag or ADAINF_TORCH_REFERENCE, and ADAINF_TORCH_PYTHON (default `python3` on
// the PATH). No path is guessed. README ("Benchmarks") documents both and the script's
// two commands (`augment`, `step --model m --batch n --threads t`), each printing JSON lines.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const TORCH_REFERENCE_HINT = "set ADAINF_TORCH_REFERENCE or pass --torch-reference <torch_reference.py>";

/** The script from `--torch-reference <file>` in argv or ADAINF_TORCH_REFERENCE, or why there is none. */
export function torchReferenceScript(argv: readonly string[] = process.argv): { script: string } | { missing: string } {
  const i = argv.indexOf("--torch-reference");
  const given = i >= 0 ? argv[i + 1] : process.env["ADAINF_TORCH_REFERENCE"];
  if (given === undefined || given === "") return { missing: `no PyTorch reference configured (${TORCH_REFERENCE_HINT})` };
  if (!existsSync(given)) return { missing: `PyTorch reference ${given} does not exist` };
  return { script: given };
}

/** Run the reference script with `args`; stdout, or the last line of what went wrong. */
export function runTorchReference(script: string, args: string[]): { stdout: string } | { failed: string } {
  const python = process.env["ADAINF_TORCH_PYTHON"] || "python3";
  const r = spawnSync(python, [script, ...args], { encoding: "utf8" });
  if (r.error) return { failed: `${python}: ${r.error.message} (set ADAINF_TORCH_PYTHON to a Python with torch)` };
  if (r.status !== 0) return { failed: (r.stderr || "").trim().split("\n").pop() || `exit ${r.status}` };
  return { stdout: r.stdout };
}
