// The entry point. Only the module of the command being run is imported, so
// `adainfc check` never loads tfjs (or the linter, or ts-morph).
import { runCli } from "./cli-core.js";
import type { CommandEntry, CommandModule } from "./command.js";
import { COMMAND_SUMMARIES, type CommandName } from "./command-summaries.js";
import type { CliContext } from "./context.js";

const LOADERS: Record<CommandName, () => Promise<CommandModule>> = {
  check: () => import("./commands/check.js"),
  fmt: () => import("./commands/fmt.js"),
  compile: () => import("./commands/compile.js"),
  schema: () => import("./commands/schema.js"),
  lint: () => import("./commands/lint.js"),
  explain: () => import("./commands/explain.js"),
  preview: () => import("./commands/preview.js"),
  data: () => import("./commands/data.js"),
  run: () => import("./commands/run.js"),
  eval: () => import("./commands/eval.js"),
  backends: () => import("./commands/backends.js"),
  bench: () => import("./commands/bench.js"),
  report: () => import("./commands/report.js"),
  import: () => import("./commands/import.js"),
  generate: () => import("./commands/generate.js"),
  snapshot: () => import("./commands/snapshot.js"),
  lsp: () => import("./commands/lsp.js"),
};

export const COMMANDS: CommandEntry[] = (Object.keys(COMMAND_SUMMARIES) as CommandName[]).map((name) => ({
  name,
  summary: COMMAND_SUMMARIES[name],
  load: LOADERS[name],
}));

export function main(argv: string[], ctxIn?: CliContext): Promise<number> {
  return runCli(argv, COMMANDS, ctxIn);
}
