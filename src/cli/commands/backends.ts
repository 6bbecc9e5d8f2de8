// `adainfc backends`: every TensorFlow.js backend in auto-selection order, whether it
// can run here and why not, and which one `run` would pick. For webgpu: the adapter
// (vendor, architecture, description, software or hardware) and the limits that bound
// the batch size. Starts no backend (webgpu: the adapter is looked up, no device made).
import type { RegisterCommand } from "../command.js";
import { EXIT_OK, type CliContext } from "../context.js";

interface BackendsFlags {
  json?: boolean;
}

export const register: RegisterCommand = (program, ctx, setExit) => {
  program
    .command("backends")
    .description("list the TensorFlow.js backends: available here or why not, the GPU adapter and its limits")
    .option("--json", "print the list as JSON")
    .action(async (opts: BackendsFlags) => {
      setExit(await backendsCommand(ctx, opts));
    });
};

export async function backendsCommand(ctx: CliContext, opts: BackendsFlags): Promise<number> {
  const { backendStatuses, releaseBackends } = await import("../../runtime/backend/select.js");
  const { largestBatchFor } = await import("../../runtime/backend/limits.js");
  try {
    const { statuses, auto } = await backendStatuses();
    if (opts.json) {
      ctx.out(`${JSON.stringify({ auto, backends: statuses }, null, 2)}\n`);
      return EXIT_OK;
    }
    const width = Math.max(...statuses.map((s) => s.name.length));
    const lines = ["TensorFlow.js backends, in auto-selection order:"];
    for (const s of statuses) {
      const mark = s.name === auto ? "*" : " ";
      lines.push(`${mark} ${s.name.padEnd(width)}  ${s.available ? "available" : "not available"}: ${s.detail}`);
      if (s.adapter) {
        const pad = " ".repeat(width + 4);
        const l = s.adapter.limits;
        lines.push(`${pad}largest buffer ${bytes(l.maxBufferSize)}; largest storage binding ${bytes(l.maxStorageBufferBindingSize)} (the largest one tensor)`);
        const r18 = largestBatchFor(l, { name: "resnet18", stem: "cifar" }, [32, 32, 3]);
        lines.push(`${pad}so ResNet-18 (CIFAR stem) on 32x32 views: at most ${r18.toLocaleString("en-US")} images per view in one step`);
        if (s.adapter.software) lines.push(`${pad}a software adapter: auto-selection skips it; --backend webgpu uses it`);
        if (s.adapter.nullBackend)
          lines.push(
            `${pad}Dawn's null backend (ADAINF_DAWN_FLAGS): nothing trains on it; \`adainfc bench step --backend webgpu\` times the host's share of a step`,
          );
      }
    }
    lines.push(auto ? `* = what \`adainfc run\` picks without --backend (${auto})` : "no backend can run here");
    ctx.out(`${lines.join("\n")}\n`);
    return EXIT_OK;
  } finally {
    await releaseBackends();
  }
}

function bytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(0)} MiB`;
  return `${(n / 1024).toFixed(0)} KiB`;
}
