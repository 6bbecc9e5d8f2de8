// Every test run gets one temporary folder of its own (TMPDIR for the test processes,
// which os.tmpdir() and mkdtemp honour), removed when the run ends: the suite leaves
// nothing behind in the system's temp folder. ADAINF_KEEP_TEST_TMP=1 keeps it to look at.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "adainf-tests-"));
  process.env["TMPDIR"] = dir;
  return () => {
    if (process.env["ADAINF_KEEP_TEST_TMP"] === "1") return;
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
