import type { RegisterCommand } from "../command.js";
import { SNAPSHOT_COMMANDS } from "../command-summaries.js";
import { UserError } from "../context.js";

// `adainfc snapshot`: (re)build the start-up snapshot for the node running it, e.g.
// after node was upgraded (bin/adainfc then falls back to the slower start until this runs).

export const register: RegisterCommand = (program, ctx) => {
  program
    .command("snapshot")
    .description(`build the start-up snapshot (faster ${SNAPSHOT_COMMANDS.join(", ")}) for this node`)
    .action(async () => {
      const { buildSnapshot, SnapshotError } = await import("../snapshot.js");
      try {
        const b = buildSnapshot(SNAPSHOT_COMMANDS);
        ctx.out(
          `wrote ${b.blob} (${(b.bytes / 2 ** 20).toFixed(1)} MiB, ${Math.round(b.ms)} ms) for node ${process.version}: ${b.commands.join(", ")} now start from it\n`,
        );
      } catch (e) {
        if (e instanceof SnapshotError) throw new UserError(e.message);
        throw e;
      }
    });
};
