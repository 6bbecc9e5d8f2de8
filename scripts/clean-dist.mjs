// Build step, first: empties dist/ of what the build writes again (tsc's dist/src,
// dist/grammar and dist/bench, build-kernels' dist/wasm) and of anything an older build
// left that nothing writes any more (a module whose source is gone, a dist/test), so that
// the package never ships compiled code without a source. dist/snapshot stays: its script
// (build-snapshot.mjs) manages it, and its blob is never packed.
//   node scripts/clean-dist.mjs [dir]   (dir: another dist/, for the tests)
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dist = process.argv[2] ?? fileURLToPath(new URL("../dist/", import.meta.url));
const KEEP = new Set(["snapshot"]);
if (existsSync(dist)) {
  for (const entry of readdirSync(dist)) {
    if (!KEEP.has(entry)) rmSync(join(dist, entry), { recursive: true, force: true });
  }
}
