// Build step: bundle the compiler front end (dist/src/cli/snapshot-entry.js and all it
// imports, chevrotain, commander and chalk included) into one script with rolldown, then
// build the V8 start-up snapshot from it for this node (dist/src/cli/snapshot.js).
// bin/adainfc starts check, fmt, lint, ... from that snapshot (docs/start-up.md).
// Without the bundler (a platform rolldown has no binary for) or a node that cannot
// build snapshots, the CLI still works, without the snapshot: a warning, not a failed
// install. ADAINF_REQUIRE_SNAPSHOT=1 (CI sets it) makes both failures.
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const required = process.env["ADAINF_REQUIRE_SNAPSHOT"] === "1";
function withoutSnapshot(why) {
  console.warn(`build-snapshot: ${why}; bin/adainfc will start without the snapshot`);
  process.exit(required ? 1 : 0);
}
let build;
try {
  ({ build } = await import("rolldown"));
} catch (e) {
  withoutSnapshot(`cannot load rolldown (${e instanceof Error ? e.message.split("\n")[0] : e})`);
}

const root = fileURLToPath(new URL("..", import.meta.url));
const { snapshotFiles, buildSnapshot, writeCommands, SnapshotError } = await import("../dist/src/cli/snapshot.js");
const { SNAPSHOT_COMMANDS } = await import("../dist/src/cli/command-summaries.js");
const files = snapshotFiles(root);
mkdirSync(files.dir, { recursive: true });

// What a front-end command must never pull in (native code, wasm, tfjs, the TypeScript
// compiler): if one of these is reachable from the
// entry, the bundle would be huge and the snapshot would fail or lie. Fail the build instead.
const FORBIDDEN = /@tensorflow|ts-morph|sharp|webgpu|assemblyscript|@rolldown/;
const reached = [];

await build({
  input: fileURLToPath(new URL("../dist/src/cli/snapshot-entry.js", import.meta.url)),
  platform: "node",
  logLevel: "warn",
  plugins: [
    {
      name: "adainf-snapshot",
      // grammar/chevrotain.ts finds chevrotain's one-file build at run time with a top-level
      // await, which a snapshot script cannot have; bundled, chevrotain is imported plainly.
      load(id) {
        if (id.endsWith("/dist/grammar/chevrotain.js")) return 'import * as c from "chevrotain";\nexport const chevrotain = c;\n';
        return null;
      },
      moduleParsed(info) {
        if (FORBIDDEN.test(info.id)) reached.push(info.id);
      },
    },
  ],
  output: { file: files.bundle, format: "cjs", codeSplitting: false },
});
if (reached.length) {
  console.error(`build-snapshot: the front end reaches modules a snapshot cannot hold:\n  ${reached.slice(0, 10).join("\n  ")}`);
  process.exit(1);
}
if (!existsSync(files.bundle)) throw new Error(`rolldown wrote no ${files.bundle}`);
// Shipped with the bundle: which commands bin/adainfc may start from a snapshot of it.
writeCommands(SNAPSHOT_COMMANDS, files);

try {
  const b = buildSnapshot(SNAPSHOT_COMMANDS, files);
  console.log(`wrote dist/snapshot/adainfc.blob (${(b.bytes / 2 ** 20).toFixed(1)} MiB, ${Math.round(b.ms)} ms) for node ${process.version}`);
} catch (e) {
  // A node that cannot build snapshots still gets a working CLI: bin/adainfc falls back.
  if (!(e instanceof SnapshotError)) throw e;
  withoutSnapshot(e.message);
}
