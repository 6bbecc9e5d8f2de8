// Cold-start benchmark of `adainfc check` on every pipeline in pipelines/:
// median wall time of N fresh processes, next to a bare `node -e 0` measured in
// the same run (the floor no CLI can go under). Run: npm run build && node dist/bench/check.js [--runs 15] [--json]
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 15;
const json = args.includes("--json");

function medianMs(cmd: string[], n: number): number {
  const times: number[] = [];
  for (let i = 0; i < n + 1; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, stdio: "pipe" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
    if (i > 0) times.push(ms); // the first run warms the page cache
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const files = readdirSync(join(root, "pipelines")).filter((f) => f.endsWith(".adainf"));
const node = medianMs([process.execPath, "-e", "0"], runs);
const check = medianMs([process.execPath, join(root, "bin", "adainfc.js"), "check", "pipelines"], runs);
const result = { bench: "check", files: files.length, runs, node_ms_median: Math.round(node), check_ms_median: Math.round(check), overhead_ms: Math.round(check - node), target_ms: 300 };
if (json) console.log(JSON.stringify(result));
else {
  console.log(`adainfc check pipelines (${files.length} files), median of ${runs} cold runs: ${result.check_ms_median} ms (target < 300 ms)`);
  console.log(`bare node -e 0 in the same run: ${result.node_ms_median} ms; adainfc's own share: ${result.overhead_ms} ms`);
}
