// The small package around the emitted programs: package.json (ES module, depends on
// adainf, `npm start` compiles and runs) and a strict tsconfig.json. tsc writes each
// program's .js beside its .ts, so a program finds the project folder the same way
// whether it runs compiled or through a TypeScript runner.
import { relative, sep } from "node:path";

export interface PackageOptions {
  /** File names of the programs, without extension, in run order. */
  programs: string[];
  /** The `adainf` dependency spec (default: `file:` the compiler's own package, relative to the output folder). */
  dependency: string;
}

/** `file:<path>` from the output folder to the compiler's package, with forward slashes. */
export function localDependency(outDir: string, root: string): string {
  const rel = relative(outDir, root).split(sep).join("/");
  return `file:${rel || "."}`;
}

export function packageJson(opts: PackageOptions, devDependencies: Record<string, string>): string {
  const run = (name: string): string => `node ${name}.js`;
  const scripts: Record<string, string> = { build: "tsc", start: ["tsc", ...opts.programs.map(run)].join(" && ") };
  if (opts.programs.length > 1) for (const p of opts.programs) scripts[`start:${p}`] = `tsc && ${run(p)}`;
  const pkg = {
    name: packageName(opts.programs[0] ?? "pipeline"),
    version: "0.0.0",
    private: true,
    description: "adainf pipelines compiled to TypeScript by `adainfc compile --target ts`",
    type: "module",
    scripts,
    dependencies: { adainf: opts.dependency },
    devDependencies: {
      "@types/node": devDependencies["@types/node"] ?? "^20.0.0",
      typescript: devDependencies["typescript"] ?? "^5.0.0",
    },
  };
  return JSON.stringify(pkg, null, 2) + "\n";
}

/** npm names are lower case, URL-safe and at most 214 characters. */
function packageName(program: string): string {
  const base = program
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+/, "")
    .slice(0, 100);
  return `adainf-${base || "pipeline"}`;
}

export function tsconfigJson(): string {
  const config = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      lib: ["ES2022"],
      types: ["node"],
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmitOnError: true,
      skipLibCheck: true,
    },
    include: ["*.ts"],
  };
  return JSON.stringify(config, null, 2) + "\n";
}
