// Benchmark of `adainfc lsp`: how long after an edit of a paper pipeline its diagnostics
// (check + lint) arrive, and whether memory stays steady over 10,000 edits. The server runs
// in this process (src/lsp/server.ts over in-memory streams) with the debounce at 0, so a
// latency is the time after the debounce: the analysis and the protocol's round trip.
// Each edit changes a replication count (`real x N`) to a value not used before, so every
// analysis parses, compiles and lints anew. The heap is measured after a full GC. Prints the load average too: on a loaded
// machine every number is larger.
// Run: npm run build && node dist/bench/lsp.js [--edits 10000] [--latency 200] [--json]
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node.js";
import { startServer } from "../src/lsp/server.js";

const root = resolve(import.meta.dirname, "..", "..");
const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
const edits = flag("--edits", 10_000);
const latencyEdits = flag("--latency", 200);
const json = args.includes("--json");

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const heapMiB = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

// Server and client over two in-memory pipes.
const toServer = new PassThrough();
const toClient = new PassThrough();
startServer(new StreamMessageReader(toServer), new StreamMessageWriter(toClient), { debounceMs: 0 });
const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
let waiting: { uri: string; version: number; done: (n: number) => void } | null = null;
client.onNotification("textDocument/publishDiagnostics", (p: { uri: string; version?: number; diagnostics: unknown[] }) => {
  if (waiting && p.uri === waiting.uri && p.version === waiting.version) {
    const w = waiting;
    waiting = null;
    w.done(p.diagnostics.length);
  }
});
client.listen();
await client.sendRequest("initialize", { processId: null, rootUri: pathToFileURL(root).href, capabilities: {} });
client.sendNotification("initialized", {});

interface Doc {
  name: string;
  uri: string;
  text: string;
  version: number;
}

function open(name: string): Doc {
  const path = join(root, "pipelines", `${name}.adainf`);
  const doc = { name, uri: pathToFileURL(path).href, text: readFileSync(path, "utf8"), version: 1 };
  void client.sendNotification("textDocument/didOpen", { textDocument: { uri: doc.uri, languageId: "adainf", version: 1, text: doc.text } });
  return doc;
}

/**
 * One edit (`real x 10` -> `real x <n>`, a new n each time: no two texts alike, so no cache
 * of the front end answers); resolves with the milliseconds until its diagnostics arrived.
 */
let n = 0;
function edit(doc: Doc): Promise<number> {
  const text = doc.text.replace(/real x \d+/, `real x ${++n}`);
  const version = ++doc.version;
  const t0 = performance.now();
  return new Promise((done) => {
    waiting = { uri: doc.uri, version, done: () => done(performance.now() - t0) };
    void client.sendNotification("textDocument/didChange", { textDocument: { uri: doc.uri, version }, contentChanges: [{ text }] });
  });
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
const round = (x: number) => Number(x.toFixed(1));

const load0 = loadavg()[0]!;
const latency: Record<string, { median_ms: number; p95_ms: number; max_ms: number }> = {};
// simclr_adainf: one pipeline; story: a sweep of 45 points, each compiled and linted.
for (const name of ["simclr_adainf", "story"]) {
  const doc = open(name);
  for (let i = 0; i < 20; i++) await edit(doc); // warm-up
  const times: number[] = [];
  for (let i = 0; i < latencyEdits; i++) times.push(await edit(doc));
  latency[name] = { median_ms: round(pct(times, 50)), p95_ms: round(pct(times, 95)), max_ms: round(Math.max(...times)) };
  void client.sendNotification("textDocument/didClose", { textDocument: { uri: doc.uri } });
}

const doc = open("simclr_adainf");
for (let i = 0; i < 100; i++) await edit(doc);
const heap: { edits: number; heap_mib: number }[] = [{ edits: 0, heap_mib: round(heapMiB()) }];
const t0 = performance.now();
for (let i = 1; i <= edits; i++) {
  await edit(doc);
  if (i % Math.max(1, Math.floor(edits / 10)) === 0) heap.push({ edits: i, heap_mib: round(heapMiB()) });
}
const seconds = round((performance.now() - t0) / 1000);
const result = {
  bench: "lsp",
  load_average: [round(load0), round(loadavg()[0]!)],
  latency_after_debounce: latency,
  budget_ms: 50,
  memory: { edits, seconds, heap },
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(`adainfc lsp, diagnostics after an edit (debounce 0), load average ${result.load_average.join(" -> ")} (2 shared cores)`);
  for (const [name, l] of Object.entries(latency)) {
    console.log(`  ${name}: median ${l.median_ms} ms, p95 ${l.p95_ms} ms, max ${l.max_ms} ms over ${latencyEdits} edits (budget ${result.budget_ms} ms)`);
  }
  console.log(`memory over ${edits.toLocaleString("en-US")} edits of simclr_adainf (${seconds} s), heap after GC:`);
  console.log(`  ${heap.map((h) => `${h.edits}: ${h.heap_mib} MiB`).join(", ")}`);
}
client.dispose();
process.exit(0);
