// One pthread of tfjs-backend-wasm's threaded build, started by ./wasm-threads.ts in
// place of the blob: worker tfjs asks for. It runs emscripten's own worker script (from
// the package), with the module's glue loaded from the package's file: the main thread
// sends that glue as a Blob of renamed bundled code, which cannot run here, so the
// script's import of it is skipped.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { THREADED_FILES } from "./wasm-threads.js";

const require = createRequire(import.meta.url);
const LOADED = "adainf:glue-loaded";
const g = globalThis as Record<string, unknown>;

const [WORKER_SCRIPT, GLUE] = THREADED_FILES;
g["WasmBackendModuleThreadedSimd"] = require(GLUE);
const { wasmWorkerContents } = require(WORKER_SCRIPT) as { wasmWorkerContents: string };
// The script expects CommonJS's names; tfjs escapes its newlines the same way before use.
Object.assign(g, { require, __filename: fileURLToPath(import.meta.url) });
vm.runInThisContext(wasmWorkerContents.replace(/\n/g, "\\n"), { filename: "tfjs-backend-wasm-threaded-simd.worker.js" });

const importScripts = g["importScripts"] as (file: string) => void;
g["importScripts"] = (file: string) => {
  if (file !== LOADED) importScripts(file);
};
// The script turns the Blob it is sent into a URL to import: that URL is LOADED.
URL.createObjectURL = () => LOADED;
URL.revokeObjectURL = () => {};
