// Flag mistakes found by a user-journey audit, each a usage error (exit 2) with one
// `error:` line naming the flag: a bad --backend for bench step (as for run and eval),
// an unknown rule or code for explain, --spans with a target other than the IR,
// --no-worker with --augment-threads, a --wasm-threads that is not 1-8 or auto for bench
// step (as for run) or is not written in digits; and bench step forcing a backend that
// cannot start here (exit 2 and run's own `error:` line, as run and eval); bench step's
// --batch limit, as docs/run.md states it, and its other counts checked as every
// command's integers are (src/cli/args.ts).
import { expect, test } from "vitest";
import fs from "node:fs";
import path from "node:path";
import { MAX_BENCH_BATCH } from "../../src/cli/commands/bench.js";
import { cli, ROOT } from "../helpers.js";

test("bench step --backend with an unknown name: exit 2, the same message as run and eval", async () => {
  const r = await cli(["bench", "step", "--backend", "foo"], ROOT);
  expect(r.code).toBe(2);
  expect(r.err).toContain("error: --backend must be one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu, not 'foo'");
});

test("bench step --backend webgpu with no Vulkan driver: exit 2 with run's error line", async () => {
  const saved = { files: process.env.VK_DRIVER_FILES, icd: process.env.VK_ICD_FILENAMES };
  process.env.VK_DRIVER_FILES = "/nonexistent/icd.json"; // the benchmark's child process inherits it
  process.env.VK_ICD_FILENAMES = "/nonexistent/icd.json";
  try {
    const r = await cli(["bench", "step", "--backend", "webgpu", "--no-torch", "--steps", "1"], ROOT);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: backend 'webgpu' is not available: /m);
    expect(r.err).not.toContain("bench step:");
  } finally {
    for (const [k, v] of [
      ["VK_DRIVER_FILES", saved.files],
      ["VK_ICD_FILENAMES", saved.icd],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test("explain with an unknown rule or code: exit 2 with an error: line and the closest rule", async () => {
  const rule = await cli(["explain", "vanila-inflation"], ROOT);
  expect(rule.code).toBe(2);
  expect(rule.err).toBe("error: unknown rule 'vanila-inflation'; did you mean 'vanilla-inflation'? (adainfc explain --list shows them)\n");
  const code = await cli(["explain", "E999"], ROOT);
  expect(code.code).toBe(2);
  expect(code.err).toBe("error: unknown diagnostic code 'E999' (docs/diagnostics.md lists them)\n");
});

test("compile --spans goes with the IR only", async () => {
  const r = await cli(["compile", "pipelines/quickstart.adainf", "--spans", "--target", "ts", "-o", "/tmp/never-written"], ROOT);
  expect(r.code).toBe(2);
  expect(r.err).toContain("error: --spans goes with the IR (--emit ir), not --target ts");
});

test("run --no-worker with --augment-threads: exit 2 before anything loads", async () => {
  const r = await cli(["run", "pipelines/quickstart.adainf", "--no-worker", "--augment-threads", "4"], ROOT);
  expect(r.code).toBe(2);
  expect(r.err).toContain("error: --augment-threads 4 needs the worker threads that --no-worker turns off: give one or the other");
});

test("--wasm-threads: bench step refuses what run refuses (over 8 is not clamped), and only digits are a count", async () => {
  for (const bad of ["20", "0", "2e0", "0x2", " 2"]) {
    const r = await cli(["bench", "step", "--no-torch", "--wasm-threads", bad], ROOT);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: --wasm-threads must be auto or an integer from 1 to 8, not '${bad}'\n`);
  }
  for (const bad of ["2e0", "0x2", " 2"]) {
    const r = await cli(["run", "pipelines/quickstart.adainf", "--wasm-threads", bad], ROOT);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`error: --wasm-threads must be auto or an integer from 1 to 8, not '${bad}'`);
  }
});

test("a command group without its subcommand (adainfc bench, adainfc data) is a usage error; --help is not", async () => {
  for (const group of ["bench", "data"]) {
    const r = await cli([group], ROOT);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`Usage: adainfc ${group}`);
  }
  expect((await cli(["bench", "--help"], ROOT)).code).toBe(0);
});

test("bench augment --threads has run's --augment-threads limit (1 to 64)", async () => {
  for (const bad of ["999", "65", "0", "abc"]) {
    const r = await cli(["bench", "augment", "--threads", bad], ROOT);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: --threads must be an integer from 1 to 64, not '${bad}'\n`);
  }
});

test("bench step --batch too large for memory is a usage error naming the limit, not a RangeError", async () => {
  const r = await cli(["bench", "step", "--batch", "999999999", "--no-torch"], ROOT);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(new RegExp(`^error: --batch must be an integer from 1 to ${MAX_BENCH_BATCH}, not '999999999' \\(.*\\)\n$`));
  // docs/run.md states the same limit.
  expect(fs.readFileSync(path.join(ROOT, "docs", "run.md"), "utf8")).toContain(`(default 64, at most ${MAX_BENCH_BATCH})`);
});

test("bench step's counts are integerFlag's: digits within range (no 2^53+ passed on to the child); an empty --torch-reference is nonEmpty's", async () => {
  for (const [flag, bad, line] of [
    ["--warmup", "-1", "--warmup must be an integer >= 0, not '-1'"],
    ["--steps", "0", "--steps must be an integer >= 1, not '0'"],
    ["--steps", "99999999999999999999", "--steps must be an integer >= 1, not '99999999999999999999'"],
    ["--feature-dim", "0x4", "--feature-dim must be an integer >= 1, not '0x4'"],
    [
      "--batch",
      "0",
      `--batch must be an integer from 1 to ${MAX_BENCH_BATCH}, not '0' (2 views of 32x32x3 per image: ${MAX_BENCH_BATCH} is already 1.5 GiB of input)`,
    ],
    ["--torch-reference", "", "--torch-reference '' is empty: give the PyTorch reference script (torch_reference.py)"],
  ]) {
    const r = await cli(["bench", "step", "--no-torch", flag!, bad!], ROOT);
    expect(r.code, `${flag} ${bad}`).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toBe(`error: ${line}\n`);
  }
});

test("run --resume --overwrite: the runtime's own sentence, exit 2", async () => {
  const r = await cli(["run", "pipelines/quickstart.adainf", "--resume", "--overwrite"], ROOT);
  expect(r.code).toBe(2);
  expect(r.err).toBe(
    "error: --resume and --overwrite contradict each other: --resume continues the run in its directory, --overwrite deletes it and starts over\n",
  );
});
