// The entry of the compiler's start-up snapshot (scripts/build-snapshot.mjs bundles this
// file into one script and runs `node --build-snapshot` on it; bin/adainfc starts these
// commands with `node --snapshot-blob`). Everything is loaded and warmed up once, at build
// time: the modules, chevrotain's lexer and parser, the stdlib's parse, the IR validator.
// The table is SNAPSHOT_COMMANDS (command-summaries.ts); the launcher sends every other
// command to bin/adainfc.js.
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import precompiledValidator from "../ir/validate-ir.generated.cjs";
import { usePrecompiledValidator } from "../ir/validate.js";
import { compileFileSync } from "../driver.js";
import { runCli } from "./cli-core.js";
import type { CommandEntry, CommandModule } from "./command.js";
import { COMMAND_SUMMARIES, SNAPSHOT_COMMANDS, type SnapshotCommand } from "./command-summaries.js";
import * as check from "./commands/check.js";
import * as explain from "./commands/explain.js";
import * as fmt from "./commands/fmt.js";
import * as lint from "./commands/lint.js";
import * as schema from "./commands/schema.js";

const MODULES: Record<SnapshotCommand, CommandModule> = { check, explain, fmt, lint, schema };

const table: CommandEntry[] = SNAPSHOT_COMMANDS.map((name) => ({
  name,
  summary: COMMAND_SUMMARIES[name],
  load: async () => MODULES[name],
}));

usePrecompiledValidator(precompiledValidator);

if (v8.startupSnapshot?.isBuildingSnapshot()) {
  // Warm-up: compile a paper pipeline so the parser exists and the stdlib is parsed (the
  // parse cache keeps it, keyed by the name a file is shown under): once from outside the
  // package, as users run it, and once from its root, as its own tests and scripts do.
  const warm = process.env["ADAINF_SNAPSHOT_WARMUP"];
  if (warm) {
    compileFileSync(warm, { cwd: os.tmpdir() });
    compileFileSync(warm, { cwd: path.dirname(path.dirname(warm)) });
  }
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    // `node --snapshot-blob blob <args>`: there is no script in argv.
    if (process.env["ADAINF_TRACE_START"] === "1") process.stderr.write("adainfc: started from the snapshot\n");
    runCli(process.argv.slice(1), table).then((code) => {
      process.exitCode = code;
    });
  });
}
