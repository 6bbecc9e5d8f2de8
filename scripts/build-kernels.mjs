// Compiles the AssemblyScript augmentation kernels to dist/wasm/augment.wasm (part of
// `npm run build`). The runtime falls back to the TypeScript kernels when the file is
// missing, so this only affects speed, never results.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = "src/runtime/augment/kernels/assembly/augment.ts";
const output = "dist/wasm/augment.wasm";
mkdirSync(resolve(root, "dist/wasm"), { recursive: true });
const { error, stderr } = await asc.main(
  [
    source,
    "--outFile",
    output,
    "-O3",
    "--runtime",
    "stub",
    "--noAssert",
    "--enable",
    "simd",
    "--enable",
    "bulk-memory",
    "--initialMemory",
    "1",
    "--baseDir",
    root,
  ],
  {},
);
if (error) {
  console.error(stderr.toString());
  console.error(`build-kernels: ${error.message}`);
  process.exit(1);
}
