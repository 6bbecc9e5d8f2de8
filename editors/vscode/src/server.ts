// Which command starts the language server (`adainfc lsp`, stdio): the configured path,
// else the first workspace folder that has adainf installed (node_modules/.bin/adainfc,
// node_modules/adainf/bin/adainfc.js) or is an adainf checkout itself. Plain node, no
// `vscode` import, so the root tests run it (test/editor/extension.test.ts); extension.ts
// reads the settings and hands them here.

import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";

export const LANGUAGE_ID = "adainf";

/** The settings the extension reads (package.json contributes them). */
export const SETTINGS = {
  /** Section of the server settings, for `workspace.getConfiguration`. */
  section: "adainf.server",
  path: "adainf.server.path",
  args: "adainf.server.args",
} as const;

/** The settings the server itself reads (docs/editor.md): the `adainf` section, passed at start and on every change. */
export const SERVER_CONFIG = {
  section: "adainf",
  /** `--set key=value` overrides. */
  set: "adainf.set",
  /** `--rule id=severity`, as an object by rule id. */
  rules: "adainf.rules",
  /** Which inlay hints the server gives (each a boolean). */
  inlayHintsDefaults: "adainf.inlayHints.defaults",
  inlayHintsInherited: "adainf.inlayHints.inherited",
  inlayHintsSteps: "adainf.inlayHints.steps",
} as const;

/** The commands the extension registers (package.json contributes them). */
export const COMMANDS = {
  restart: "adainf.restartServer",
  showOutput: "adainf.showOutput",
} as const;

/** The subcommand that runs the server; `adainf.server.args` come after it. */
export const SERVER_SUBCOMMAND = "lsp";

export interface ServerSettings {
  /** `adainf.server.path`: adainfc (or a .js file run with node); relative to the first workspace folder. Empty: look in the workspace. */
  path: string;
  /** `adainf.server.args`: extra arguments after `lsp`. */
  args: readonly string[];
}

export interface ServerCommand {
  command: string;
  args: string[];
  /** Where the server runs: its workspace folder (relative paths in pipelines are relative to the project root). */
  cwd: string | undefined;
  /** Where it was found, for the output channel. */
  origin: string;
}

export interface ServerNotFound {
  error: string;
  /** The paths looked at, for the output channel. */
  tried: string[];
}

/** What findServer needs from the file system (a test passes its own). */
export interface FileSystem {
  exists(path: string): boolean;
  readText(path: string): string | undefined;
}

export const nodeFileSystem: FileSystem = {
  exists: existsSync,
  readText: (path) => {
    try {
      return readFileSync(path, "utf8");
    } catch {
      return undefined;
    }
  },
};

/** A script that needs node to run it rather than being executable itself. */
const isScript = (path: string) => /\.[cm]?js$/.test(path);

function command(program: string, settings: ServerSettings, cwd: string | undefined, origin: string): ServerCommand {
  const args = [SERVER_SUBCOMMAND, ...settings.args];
  return isScript(program) ? { command: "node", args: [program, ...args], cwd, origin } : { command: program, args, cwd, origin };
}

/**
 * The server's command for these settings and workspace folders (file system paths, in
 * order). On Windows node_modules/.bin/adainfc (a shell script) is skipped for the .js.
 */
export function findServer(
  settings: ServerSettings,
  folders: readonly string[],
  platform: NodeJS.Platform = process.platform,
  fs: FileSystem = nodeFileSystem,
): ServerCommand | ServerNotFound {
  const first = folders[0];
  if (settings.path.trim() !== "") {
    const configured = settings.path.trim();
    const path = isAbsolute(configured) || first === undefined ? resolve(configured) : resolve(first, configured);
    if (!fs.exists(path)) {
      return {
        error: `AdaInf: ${SETTINGS.path} is set to "${configured}", which does not exist (${path}).`,
        tried: [path],
      };
    }
    return command(path, settings, first, `the setting ${SETTINGS.path}`);
  }
  const tried: string[] = [];
  for (const folder of folders) {
    const candidates: [string, string][] = [
      ...(platform === "win32" ? [] : ([[join(folder, "node_modules", ".bin", "adainfc"), "the workspace's node_modules/.bin"]] as [string, string][])),
      [join(folder, "node_modules", "adainf", "bin", "adainfc.js"), "the workspace's node_modules/adainf"],
    ];
    if (isAdainfCheckout(folder, fs)) {
      const bin = platform === "win32" ? join(folder, "bin", "adainfc.js") : join(folder, "bin", "adainfc");
      candidates.push([bin, "the adainf checkout open in the workspace"]);
    }
    for (const [path, origin] of candidates) {
      tried.push(path);
      if (fs.exists(path)) return command(path, settings, folder, origin);
    }
  }
  return {
    error:
      folders.length === 0
        ? `AdaInf: no language server: open the folder of a project that has adainf installed (npm install adainf), or set ${SETTINGS.path} to adainfc.`
        : `AdaInf: no language server: adainf is not installed in this workspace (no node_modules/.bin/adainfc). Run \`npm install adainf\`, or set ${SETTINGS.path} to adainfc.`,
    tried,
  };
}

/** The folder is adainf's own repository (its package.json names it adainf). */
function isAdainfCheckout(folder: string, fs: FileSystem): boolean {
  const text = fs.readText(join(folder, "package.json"));
  if (text === undefined) return false;
  try {
    return (JSON.parse(text) as { name?: unknown }).name === "adainf";
  } catch {
    return false;
  }
}

/** The command as one line, for the output channel. */
export function describe(c: ServerCommand): string {
  const quote = (a: string) => (/^[\w./:=@+-]+$/.test(a) ? a : JSON.stringify(a));
  return [c.command, ...c.args].map(quote).join(" ");
}
