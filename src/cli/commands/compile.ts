import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { RegisterCommand } from "../command.js";
import { EXIT_ERRORS, EXIT_USAGE, UserError } from "../context.js";
import { compileFileSync } from "../../driver.js";
import { renderDiagnostics } from "../../check/render.js";
import { collect } from "./check.js";

// `adainfc compile <file> --emit ir`: the resolved IR as JSON. (TypeScript and
// solo-learn targets are issue 7.)

export const register: RegisterCommand = (program, ctx, setExit) => {
  program
    .command("compile")
    .description("compile a pipeline; --emit ir prints the resolved IR as JSON")
    .argument("<file>", "an .adainf file")
    .option("--emit <what>", "what to emit: ir", "ir")
    .option("--pipeline <name>", "only this pipeline of the file")
    .option("--spans", "include the source span of every value (for tools)")
    .option("--set <key=value>", "override a setting (repeatable)", collect, [])
    .option("-o, --out <file>", "write to a file instead of stdout")
    .action((file: string, opts: { emit: string; pipeline?: string; spans?: boolean; set: string[]; out?: string }) => {
      if (opts.emit !== "ir") throw new UserError(`--emit ${opts.emit} is not available yet (only: ir)`, EXIT_USAGE);
      const out = compileFileSync(file, { cwd: ctx.cwd, overrides: opts.set, ...(opts.pipeline ? { pipeline: opts.pipeline } : {}) });
      if (out.diagnostics.length) ctx.err(renderDiagnostics(out.diagnostics, (f) => out.sources.get(f) ?? null, { color: ctx.color }) + "\n");
      if (out.diagnostics.some((d) => d.severity === "error")) {
        setExit(EXIT_ERRORS);
        return;
      }
      if (out.pipelines.length === 0) throw new UserError(`${file} declares no pipeline`);
      const value = out.pipelines.map((p) => (opts.spans ? { ir: p.ir, spans: p.spans } : p.ir));
      const json = JSON.stringify(value.length === 1 ? value[0] : value, null, 2) + "\n";
      if (opts.out) writeAtomic(resolve(ctx.cwd, opts.out), json);
      else ctx.out(json);
    });
};

export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
