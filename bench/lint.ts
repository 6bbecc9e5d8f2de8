// Cold `adainfc lint pipelines`: a fresh node process per run, wall time from spawn to
// exit, median of N runs (issue 3's target: under 300 ms on the 2-core machines). A bare
// `node -e ""` is timed alongside, so the number can be read against node's own start-up.
// The default is the launcher bin/adainfc (the start-up snapshot, docs/start-up.md);
// `--bin bin/adainfc.js` times the plain node entry.
//
//   npm run build && node dist/bench/lint.js [runs=15] [--bin path/to/adainfc[.js]]
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./stats.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? "../.." : "..");
const args = process.argv.slice(2);
const binAt = args.indexOf("--bin");
const bin = binAt >= 0 ? path.resolve(args[binAt + 1]!) : path.join(repo, "bin/adainfc");
const runs = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== "--bin") ?? 15);

function time(argv: string[]): { ms: number; status: number | null; out: string } {
  const t0 = process.hrtime.bigint();
  // A .js entry runs under this node; the launcher is run as the program it is.
  const [cmd, ...rest] = argv[0] === bin && !bin.endsWith(".js") ? argv : [process.execPath, ...argv];
  const r = spawnSync(cmd!, rest, { cwd: repo, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, status: r.status, out: r.stdout + r.stderr };
}

const first = time([bin, "lint", "pipelines"]);
if (first.status !== 0) {
  console.error(`adainfc lint pipelines exited ${first.status}:\n${first.out}`);
  process.exit(1);
}
const pipelines = /\((\d+) pipelines?\)/.exec(first.out)?.[1] ?? "?";
const lint: number[] = [];
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  bare.push(time(["-e", ""]).ms);
  lint.push(time([bin, "lint", "pipelines"]).ms);
}
const ml = median(lint);
const mb = median(bare);
console.log(
  `cold ${path.relative(repo, bin)} lint pipelines (${pipelines} pipelines), median of ${runs}: ${ml.toFixed(0)} ms (min ${Math.min(...lint).toFixed(0)}, max ${Math.max(...lint).toFixed(0)})`,
);
console.log(`bare node start-up, median of ${runs}: ${mb.toFixed(0)} ms; lint's own share: ${(ml - mb).toFixed(0)} ms`);
console.log(`target 300 ms: ${ml < 300 ? "met" : "missed"}`);
