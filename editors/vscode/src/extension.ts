// The extension's client: starts `adainfc lsp` (stdio) with vscode-languageclient for
// .adainf files, from the command server.ts finds (the adainf.server.path setting, else
// the workspace's node_modules); says plainly when there is none; restarts on the
// AdaInf: Restart Language Server command and when the server settings change. The
// `adainf.set`, `adainf.rules` and `adainf.inlayHints.*` settings go to the server at its
// start and on every change (the `adainf` section, synchronized). The server and the client log to the
// "AdaInf Language Server" output channel.

import { commands, type ExtensionContext, type OutputChannel, window, workspace } from "vscode";
import { LanguageClient, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { COMMANDS, describe, findServer, LANGUAGE_ID, SERVER_CONFIG, SETTINGS } from "./server";

let client: LanguageClient | undefined;
let output: OutputChannel;

export async function activate(context: ExtensionContext): Promise<void> {
  output = window.createOutputChannel("AdaInf Language Server");
  context.subscriptions.push(
    output,
    commands.registerCommand(COMMANDS.restart, () => restart()),
    commands.registerCommand(COMMANDS.showOutput, () => output.show()),
    workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(SETTINGS.section)) void restart();
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

async function restart(): Promise<void> {
  output.appendLine("restarting the language server");
  await stop();
  await start();
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  if (!running) return;
  try {
    await running.stop();
  } catch (e) {
    output.appendLine(`stopping the server: ${message(e)}`);
  }
}

async function start(): Promise<void> {
  const config = workspace.getConfiguration(SETTINGS.section);
  const folders = (workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === "file").map((f) => f.uri.fsPath);
  const found = findServer({ path: config.get<string>("path", ""), args: config.get<string[]>("args", []) }, folders);
  if ("error" in found) {
    output.appendLine(found.error);
    for (const path of found.tried) output.appendLine(`  not found: ${path}`);
    // Not awaited: activation does not wait for the user to read it.
    void window.showErrorMessage(found.error, "Open Settings", "Show Output").then((pick) => {
      if (pick === "Open Settings") void commands.executeCommand("workbench.action.openSettings", SETTINGS.path);
      if (pick === "Show Output") output.show();
    });
    return;
  }
  output.appendLine(`starting ${describe(found)} (from ${found.origin}${found.cwd ? `, in ${found.cwd}` : ""})`);
  // No transport: the client talks over the child's stdin/stdout and passes no --stdio.
  const run = { command: found.command, args: found.args, options: { cwd: found.cwd } };
  const serverOptions: ServerOptions = { run, debug: run };
  const served = workspace.getConfiguration(SERVER_CONFIG.section);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: LANGUAGE_ID },
      { scheme: "untitled", language: LANGUAGE_ID },
    ],
    outputChannel: output,
    // The server reads `set`, `rules` and `inlayHints` of its section; the rest of it (server.*, trace) it ignores.
    initializationOptions: {
      set: served.get<string[]>("set", []),
      rules: served.get<Record<string, string>>("rules", {}),
      inlayHints: served.get<Record<string, boolean>>("inlayHints", {}),
    },
    synchronize: { configurationSection: SERVER_CONFIG.section, fileEvents: workspace.createFileSystemWatcher("**/*.adainf") },
  };
  client = new LanguageClient(LANGUAGE_ID, "AdaInf Language Server", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (e) {
    const text = `AdaInf: the language server (${describe(found)}) did not start: ${message(e)}`;
    output.appendLine(text);
    void window.showErrorMessage(text, "Show Output").then((pick) => {
      if (pick) output.show();
    });
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
