// Where a data path written in a pipeline points (`npz("gen.npz")`, `cifar10("datasets/
// cifar10")`, `folder(...)`): an absolute path as it is, a relative one against the
// project directory, which is the working directory adainfc runs in (the project root,
// as the reference scripts run) or the `cwd` a program passes to the runtime. Never the
// pipeline file's own folder: pipelines kept in a sub-folder (pipelines/*.adainf) name
// `datasets/...` of the project root. The one rule for the compiler (resolve), the
// linter, `import`, `data check` and the runtime (docs/language.md, "Data sources").
import path from "node:path";

export function dataPath(projectDir: string, p: string): string {
  return path.resolve(projectDir, p);
}
