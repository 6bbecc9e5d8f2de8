// One line per command, in the order `adainfc --help` lists them. main.ts pairs each
// with its module; the start-up snapshot (snapshot-entry.ts) reads the ones it holds.

export const COMMAND_SUMMARIES = {
  check: "parse, resolve and check pipelines",
  fmt: "format .adainf files canonically",
  compile: "emit a pipeline's IR, a TypeScript program or a solo-learn config",
  schema: "print the IR's JSON Schema",
  lint: "find harmful inflation/augmentation combinations",
  explain: "explain a lint rule or a diagnostic code",
  preview: "draw a PNG of source images and their augmented views",
  data: "inspect, convert, fetch and check data",
  run: "train a pipeline (every point of a sweep) on TensorFlow.js",
  eval: "offline linear probe and kNN of a run's last checkpoint",
  backends: "list the TensorFlow.js backends, the GPU adapter and its limits",
  bench: "benchmarks (bench step: ms per SimCLR step; bench augment: augmentation views/s)",
  report: "one self-contained HTML page for a run, a sweep or a folder of runs",
  import: "turn a solo-learn config into a pipeline",
  generate: "make a generated set offline with a small built-in generator (a weak stand-in)",
  snapshot: "build the start-up snapshot the front-end commands start from, for this node",
  lsp: "the language server for editors (stdio; docs/editor.md)",
} as const;

export type CommandName = keyof typeof COMMAND_SUMMARIES;

/**
 * The commands bin/adainfc starts from the V8 start-up snapshot (src/cli/snapshot-entry.ts
 * holds their modules): each must load no tfjs, no ts-morph, nothing native.
 */
export const SNAPSHOT_COMMANDS = ["check", "explain", "fmt", "lint", "schema"] as const satisfies readonly CommandName[];
export type SnapshotCommand = (typeof SNAPSHOT_COMMANDS)[number];
