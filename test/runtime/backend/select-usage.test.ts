// What selectBackend refuses as the user's to fix (BackendError, kind "usage", the CLI's
// exit 2): a name that is no backend, a wasm thread count outside the CLI's limits, and
// a bad ADAINF_TFJS_FLAGS, whether a backend is forced or picked (never a reason to skip
// one, nor a reason to install it). In its own file: a bad flag is left set in tfjs.
import { afterEach, expect, test } from "vitest";
import { BackendError } from "../../../src/runtime/backend/errors.js";
import { type BackendName, releaseBackends, selectBackend } from "../../../src/runtime/backend/select.js";
import { cli } from "../../helpers.js";
import { tinyProject } from "../../train/fixtures.js";

afterEach(async () => {
  delete process.env["ADAINF_TFJS_FLAGS"];
  await releaseBackends();
});

async function refusal(p: Promise<unknown>): Promise<BackendError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BackendError);
  expect((e as BackendError).kind).toBe("usage");
  return e as BackendError;
}

test("a name that is no backend is a usage BackendError with run's --backend line, not a TypeError", async () => {
  const e = await refusal(selectBackend("foo" as BackendName));
  expect(e.message).toBe("--backend must be one of tensorflow-gpu, webgpu, tensorflow, wasm, cpu, not 'foo'");
});

test.each([0, -1, 9, 999, 1.5, "abc"])("wasmThreads %o is refused with the CLI's limit (1 to 8), not clamped", async (n) => {
  const e = await refusal(selectBackend("wasm", { wasmThreads: n as number }));
  expect(e.message).toBe(`wasmThreads must be an integer from 1 to 8, not '${n}'`);
});

test("a bad ADAINF_TFJS_FLAGS is said as it is for a forced backend (no install advice)", async () => {
  process.env["ADAINF_TFJS_FLAGS"] = "NOPE=1";
  const e = await refusal(selectBackend("cpu"));
  expect(e.message).toBe("ADAINF_TFJS_FLAGS: tfjs has no flag 'NOPE' on this backend");
});

test("a bad ADAINF_TFJS_FLAGS stops auto-selection at once, as a usage error", async () => {
  process.env["ADAINF_TFJS_FLAGS"] = "WEBGL_VERSION=abc";
  const e = await refusal(selectBackend());
  expect(e.message).toBe("ADAINF_TFJS_FLAGS: WEBGL_VERSION needs a number, true or false, not 'abc'");
});

test("adainfc run with a bad ADAINF_TFJS_FLAGS: one error line, exit 2", async () => {
  const dir = tinyProject({ steps: 1 });
  process.env["ADAINF_TFJS_FLAGS"] = "NOPE=1";
  const r = await cli(["run", "tiny.adainf", "--backend", "cpu", "--no-worker"], dir);
  expect(r.code).toBe(2);
  expect(r.err).toBe("error: ADAINF_TFJS_FLAGS: tfjs has no flag 'NOPE' on this backend\n");
});
