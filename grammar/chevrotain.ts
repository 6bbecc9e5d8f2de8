// chevrotain's package entry is ~700 small ES modules (its sources and lodash-es);
// loading them costs ~1 s on a cold start. The same package ships a single-file
// build (lib/chevrotain.mjs) of the same version that loads ~10x faster, but its
// "exports" map hides it, so it is found through the entry's path. Falls back to
// the package entry if the layout ever changes.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

type Chevrotain = typeof import("chevrotain");

async function load(): Promise<Chevrotain> {
  try {
    const entry = createRequire(import.meta.url).resolve("chevrotain");
    const bundle = join(dirname(entry), "..", "chevrotain.mjs");
    if (existsSync(bundle)) return (await import(pathToFileURL(bundle).href)) as Chevrotain;
  } catch {
    // fall through to the package entry
  }
  return await import("chevrotain");
}

export const chevrotain: Chevrotain = await load();
