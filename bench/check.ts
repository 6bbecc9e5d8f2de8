// Cold-start benchmark of `adainfc check`: median wall time of N fresh processes for one
// pipeline and for all of pipelines/, through bin/adainfc (the launcher: the start-up
// snapshot when built, docs/start-up.md) and through bin/adainfc.js (no snapshot), next to
// a bare `node -e 0` measured in the same rounds (the floor no CLI can go under). The
// commands take turns within each round, so a change in load hits them alike. Prints the
// load average too: a loaded machine makes every number larger and the ratios noisier.
// Run: npm run build && node dist/bench/check.js [--runs 21] [--json]
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..", "..");
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf("--runs") + 1]) || 21;
const json = args.includes("--json");
const files = readdirSync(join(root, "pipelines")).filter((f) => f.endsWith(".adainf"));
const one = "pipelines/simclr_adainf.adainf";
const snapshotBuilt = existsSync(join(root, "dist", "snapshot", "stamp"));

const commands: Record<string, string[]> = {
  node: [process.execPath, "-e", "0"],
  snapshot_one: [join(root, "bin", "adainfc"), "check", one],
  snapshot_all: [join(root, "bin", "adainfc"), "check", "pipelines"],
  js_one: [process.execPath, join(root, "bin", "adainfc.js"), "check", one],
  js_all: [process.execPath, join(root, "bin", "adainfc.js"), "check", "pipelines"],
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
const load0 = loadavg()[0]!;
for (let i = 0; i < runs + 1; i++) {
  for (const [name, cmd] of Object.entries(commands)) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd[0]!, cmd.slice(1), { cwd: root, stdio: "pipe" });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd.join(" ")} exited ${r.status}: ${r.stderr.toString()}`);
    if (i > 0) times[name]!.push(ms); // the first round warms the page cache
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, Math.round(median(v))])) as Record<string, number>;
const ratio = (k: string) => Number((m[k]! / m["node"]!).toFixed(2));
const result = {
  bench: "check",
  files: files.length,
  runs,
  snapshot_built: snapshotBuilt,
  load_average: [Number(load0.toFixed(2)), Number(loadavg()[0]!.toFixed(2))],
  median_ms: m,
  ratio_to_node: { snapshot_one: ratio("snapshot_one"), snapshot_all: ratio("snapshot_all"), js_one: ratio("js_one"), js_all: ratio("js_all") },
  target_ratio_one: 2,
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(`cold adainfc check, median of ${runs} runs each, load average ${result.load_average.join(" -> ")} (2 cores would be quiet below ~0.3)`);
  console.log(`  bare node -e 0:                      ${m["node"]} ms`);
  console.log(
    `  bin/adainfc    (snapshot${snapshotBuilt ? "" : ": NOT BUILT"}), 1 file: ${m["snapshot_one"]} ms = ${ratio("snapshot_one")}x node (target <= 2x)`,
  );
  console.log(`  bin/adainfc    (snapshot), ${files.length} files:   ${m["snapshot_all"]} ms = ${ratio("snapshot_all")}x node`);
  console.log(`  bin/adainfc.js (no snapshot), 1 file: ${m["js_one"]} ms = ${ratio("js_one")}x node`);
  console.log(`  bin/adainfc.js (no snapshot), ${files.length} files: ${m["js_all"]} ms = ${ratio("js_all")}x node`);
}
