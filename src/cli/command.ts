// The contract of a CLI command module (`register` over a CliContext, resolving to an exit
// code) and the shape of an entry in the command table the entry point reads.
import type { Command } from "commander";
import type { CliContext } from "./context.js";

/**
 * A command module (src/cli/commands/<name>.ts) exports `register`, which adds its
 * sub-command to the program. The action must resolve to an exit code and report
 * through `ctx`, never through process.exit or console.
 */
export type RegisterCommand = (program: Command, ctx: CliContext, setExit: (code: number) => void) => void;

export interface CommandModule {
  register: RegisterCommand;
  /**
   * Flags another tool spells in a way commander cannot take, read as this command's own
   * (`-cp` -> `--config-path`, Hydra's two-letter short flags): exact tokens, or `-cp=DIR`.
   */
  flagAliases?: Readonly<Record<string, string>>;
}

/** The table the entry point reads; modules are imported only when their command runs. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandModule>;
}

/** Commander's reducer for a repeatable option (`--set a=1 --set b=2`): the values in order. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
