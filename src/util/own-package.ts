// The adainf package this code runs from: its folder, version and dev dependency ranges,
// read from its package.json (the one definition of them), and where its documentation
// is. src/ (tests) and dist/src/ (installed) sit at different depths, so the folder is
// found by walking up to the package.json named adainf. Also where the build put a
// compiled WebAssembly module (dist/wasm/).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export interface OwnPackage {
  root: string;
  version: string;
  devDependencies: Record<string, string>;
}

let cached: OwnPackage | undefined;

export function ownPackage(): OwnPackage {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string; devDependencies?: Record<string, string> };
      if (pkg.name === "adainf") {
        cached = { root: dir, version: pkg.version ?? "unknown", devDependencies: pkg.devDependencies ?? {} };
        return cached;
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot find the adainf package.json above the compiler");
    dir = up;
  }
}

/**
 * The WebAssembly module `name` that `npm run build` compiles into dist/wasm/, or null
 * when it is not built or this code runs outside the package (a test's transpiled copy).
 */
export function builtWasm(name: string): string | null {
  let root: string;
  try {
    root = ownPackage().root;
  } catch {
    return null;
  }
  const file = join(root, "dist", "wasm", name);
  return existsSync(file) ? file : null;
}

/**
 * An absolute URI of a documentation file of the package (`README.md`, `docs/rules/balance.md`),
 * with `#fragment` when one is given (a section: `docs/diagnostics.md#e021`; written after
 * the path, which pathToFileURL would otherwise escape to `%23`).
 * The project has no public web address, so this is a file: URI into the installed
 * package (package.json ships README.md and docs/); give the project a homepage and
 * this is the one place to point at it.
 */
export function docsUri(relativePath: string, fragment?: string): string {
  const href = pathToFileURL(join(ownPackage().root, relativePath)).href;
  return fragment ? `${href}#${encodeURIComponent(fragment)}` : href;
}
