// `adainfc snapshot`: (re)build the start-up snapshot for the node running it. bin/adainfc
// runs `adainfc snapshot --background` by itself when a front-end command finds no
// snapshot for its node (a fresh install, a node upgrade): quiet, tried once per node.
import path from "node:path";
import { nonEmptyPath } from "../args.js";
import type { RegisterCommand } from "../command.js";
import { SNAPSHOT_COMMANDS } from "../command-summaries.js";
import { UserError } from "../context.js";

export const register: RegisterCommand = (program, ctx) => {
  program
    .command("snapshot")
    .description(`build the start-up snapshot (faster ${SNAPSHOT_COMMANDS.join(", ")}) for this node`)
    .option("--background", "quiet, and recorded so that a failure is not retried with the same node (what bin/adainfc runs)")
    .option("--package <dir>", "the adainf package folder to build it in (default: the one running; bin/adainfc names its own)")
    .action(async (opts: { background?: boolean; package?: string }) => {
      const { buildSnapshot, markAttempt, snapshotFiles, SnapshotError } = await import("../snapshot.js");
      const files = snapshotFiles(opts.package === undefined ? undefined : path.resolve(ctx.cwd, nonEmptyPath(opts.package, "--package", "folder")));
      if (opts.background) markAttempt(files);
      try {
        const b = buildSnapshot(SNAPSHOT_COMMANDS, files);
        if (!opts.background)
          ctx.out(
            `wrote ${b.blob} (${(b.bytes / 2 ** 20).toFixed(1)} MiB, ${Math.round(b.ms)} ms) for node ${process.version}: ${b.commands.join(", ")} now start from it\n`,
          );
      } catch (e) {
        if (e instanceof SnapshotError) throw new UserError(e.message);
        throw e;
      }
    });
};
