// Compiles the AssemblyScript kernels (part of `npm run build`):
// - src/runtime/augment/kernels/assembly/augment.ts -> dist/wasm/augment.wasm;
// - src/runtime/backend/wasm-kernels/assembly/train.ts -> dist/wasm/train.wasm and
//   dist/wasm/train-shared.wasm, which import tfjs-backend-wasm's memory (plain, or the
//   threaded build's shared one). Since they run inside tfjs's heap, the build checks
//   that each imports nothing but `env.memory` and has no data or start section (which
//   would write into memory tfjs owns).
// The runtime falls back to the TypeScript kernels when a file is missing, so this only
// affects speed, never results.
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
mkdirSync(resolve(root, "dist/wasm"), { recursive: true });

const common = ["-O3", "--runtime", "stub", "--noAssert", "--enable", "simd", "--enable", "bulk-memory", "--baseDir", root];

async function build(source, output, extra) {
  const { error, stderr } = await asc.main([source, "--outFile", output, ...common, ...extra], {});
  if (error) {
    console.error(stderr.toString());
    console.error(`build-kernels: ${output}: ${error.message}`);
    process.exit(1);
  }
}

/** The ids of a wasm binary's sections (0 custom, 8 start, 11 data, ...). */
function sectionIds(bytes) {
  const ids = [];
  let p = 8;
  while (p < bytes.length) {
    ids.push(bytes[p++]);
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[p++];
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    p += size;
  }
  return ids;
}

function checkInPlace(output) {
  const bytes = readFileSync(resolve(root, output));
  const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes));
  const bad = imports.filter((i) => !(i.module === "env" && i.name === "memory" && i.kind === "memory"));
  const ids = sectionIds(bytes);
  if (bad.length > 0 || imports.length !== 1 || ids.includes(8) || ids.includes(11)) {
    console.error(
      `build-kernels: ${output} must import only env.memory and have no start or data section; imports ${JSON.stringify(imports)}, sections ${ids.join(",")}`,
    );
    process.exit(1);
  }
}

await build("src/runtime/augment/kernels/assembly/augment.ts", "dist/wasm/augment.wasm", ["--initialMemory", "1"]);

const train = "src/runtime/backend/wasm-kernels/assembly/train.ts";
// --use abort= drops the abort import (and its message strings, which would be data).
const inPlace = ["--importMemory", "--initialMemory", "1", "--use", "abort="];
await build(train, "dist/wasm/train.wasm", inPlace);
await build(train, "dist/wasm/train-shared.wasm", [...inPlace, "--sharedMemory", "--maximumMemory", "65536", "--enable", "threads"]);
checkInPlace("dist/wasm/train.wasm");
checkInPlace("dist/wasm/train-shared.wasm");
