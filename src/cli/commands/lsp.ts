// `adainfc lsp`: the language server over stdin/stdout (docs/editor.md). stdout carries
// the protocol only: anything the compiler would print goes to the client's output
// instead, and so does an exception nothing caught (the server keeps running). The
// server module is loaded here, never at start-up of other commands; it loads no tfjs.
import type { RegisterCommand } from "../command.js";
import { integerFlag } from "../args.js";

/** The longest --debounce, in ms: a minute (setTimeout takes at most 2^31 - 1). */
const MAX_DEBOUNCE_MS = 60_000;

export const register: RegisterCommand = (program) => {
  program
    .command("lsp")
    .description("the language server (Language Server Protocol over stdin/stdout) for editors")
    .option("--stdio", "talk over stdin/stdout (the default and only transport; accepted for editors that pass it)")
    .option("--clientProcessId <pid>", "the editor's process id: the server exits when it is gone (vscode-languageserver reads it)")
    .option("--debounce <ms>", "milliseconds between the last edit and the diagnostics, 0 to 60000 (default 150)")
    .action(async (opts: { debounce?: string }) => {
      const debounceMs = opts.debounce === undefined ? undefined : integerFlag("--debounce", opts.debounce, 0, MAX_DEBOUNCE_MS);
      const { startServer } = await import("../../lsp/server.js");
      const connection = startServer(process.stdin, process.stdout, debounceMs === undefined ? {} : { debounceMs });
      const log = (...args: unknown[]) => connection.console.log(args.map(String).join(" "));
      console.log = log;
      console.info = log;
      console.warn = (...args: unknown[]) => connection.console.warn(args.map(String).join(" "));
      console.error = (...args: unknown[]) => connection.console.error(args.map(String).join(" "));
      process.on("uncaughtException", (e) => connection.console.error(`adainf: internal error: ${e.stack ?? e.message}`));
      process.on("unhandledRejection", (e) => connection.console.error(`adainf: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
      // The server runs until the client sends `exit` (or closes stdin): the process ends then.
      await new Promise<never>(() => {});
    });
};
