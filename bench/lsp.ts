// Benchmark of `adainfc lsp`: how long after an edit of a paper pipeline its diagnostics
// (check + lint) arrive, and whether memory stays steady over 10,000 edits. The server runs
// in this process (src/lsp/server.ts over in-memory streams) with the debounce at 0, so a
// latency is the time after the debounce: the analysis and the protocol's round trip.
// Each edit changes a replication count (`real x N`) to a value not used before, so every
// analysis parses, compiles and lints anew. The heap is measured after a full GC. Prints the load average too: on a loaded
// machine every number is larger.
// Then semantic tokens and inlay hints on the largest files of pipelines/ and stdlib/: right
// after each edit (a new comment line: a text not parsed before; the debounce is set long
// meanwhile, so no analysis runs first and parses it), the time of one
// textDocument/semanticTokens/full and then one textDocument/inlayHint over the whole file;
// and on one unsaved document of 1, 10 and 50 copies of two of them, how the time grows.
// Run: npm run build && node dist/bench/lsp.js [--edits 10000] [--latency 200] [--requests 200] [--json]
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
const requestEdits = flag("--requests", 200);
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

function open(name: string, folder = "pipelines"): Doc {
  const path = join(root, folder, `${name}.adainf`);
  const doc = { name, uri: pathToFileURL(path).href, text: readFileSync(path, "utf8"), version: 1 };
  void client.sendNotification("textDocument/didOpen", { textDocument: { uri: doc.uri, languageId: "adainf", version: 1, text: doc.text } });
  return doc;
}

/**
 * One edit (`real x 10` -> `real x <n>`, a new n each time: no two texts alike, so no cache
 * of the front end answers); resolves with the milliseconds until its diagnostics arrived.
 */
let n = 0;
function edit(doc: Doc, change = (text: string) => text.replace(/real x \d+/, `real x ${++n}`)): Promise<number> {
  const text = change(doc.text);
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
// Semantic tokens and inlay hints right after an edit; no diagnostics meanwhile (a long
// debounce), so the tokens' request parses the new text. After the memory's edits, so
// that the heap measured there does not hold these documents' parses.
void client.sendNotification("workspace/didChangeConfiguration", { settings: { adainf: { debounceMs: 3_600_000 } } });
const requests: Record<string, { tokens: number; hints: number; semantic_tokens_ms: number[]; inlay_hints_ms: number[] }> = {};
for (const [folder, name] of [
  ["pipelines", "story"],
  ["pipelines", "quickstart"],
  ["stdlib", "augment"],
  ["stdlib", "methods"],
] as const) {
  const doc = open(name, folder);
  const lines = doc.text.split("\n").length;
  const range = { start: { line: 0, character: 0 }, end: { line: lines, character: 0 } };
  const tokens: number[] = [];
  const hints: number[] = [];
  let counts = { tokens: 0, hints: 0 };
  for (let i = 0; i < requestEdits + 20; i++) {
    doc.text = `${doc.text}// edit ${++n}\n`;
    void client.sendNotification("textDocument/didChange", { textDocument: { uri: doc.uri, version: ++doc.version }, contentChanges: [{ text: doc.text }] });
    let t = performance.now();
    const st = await client.sendRequest<{ data: number[] }>("textDocument/semanticTokens/full", { textDocument: { uri: doc.uri } });
    const tokenMs = performance.now() - t;
    t = performance.now();
    const ih = await client.sendRequest<unknown[]>("textDocument/inlayHint", { textDocument: { uri: doc.uri }, range });
    const hintMs = performance.now() - t;
    if (i < 20) continue; // warm-up
    tokens.push(tokenMs);
    hints.push(hintMs);
    counts = { tokens: st.data.length / 5, hints: ih.length };
  }
  const stats = (xs: number[]) => [round(pct(xs, 50)), round(pct(xs, 95)), round(Math.max(...xs))];
  requests[`${folder}/${name}`] = { ...counts, semantic_tokens_ms: stats(tokens), inlay_hints_ms: stats(hints) };
  void client.sendNotification("textDocument/didClose", { textDocument: { uri: doc.uri } });
}

// How the time grows with the file: n copies of stdlib/augment.adainf and pipelines/story.adainf
// (declarations renamed apart) in one unsaved document, the median of 7 requests each.
const copies: Record<string, { kib: number; tokens: number; semantic_tokens_ms: number; inlay_hints_ms: number }> = {};
const unit = readFileSync(join(root, "stdlib", "augment.adainf"), "utf8") + readFileSync(join(root, "pipelines", "story.adainf"), "utf8");
for (const times of [1, 10, 50]) {
  let text = "";
  for (let i = 0; i < times; i++) text += `${unit.replace(/^(augment|pipeline) (\w+)/gm, `$1 $2_${i}`)}\n`;
  const uri = pathToFileURL(join(root, `bench-copies-${times}.adainf`)).href;
  void client.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "adainf", version: 1, text } });
  const tokenMs: number[] = [];
  const hintMs: number[] = [];
  let count = 0;
  for (let version = 2; version < 9; version++) {
    const changed = `${text}// ${version}\n`;
    void client.sendNotification("textDocument/didChange", { textDocument: { uri, version }, contentChanges: [{ text: changed }] });
    let t = performance.now();
    count = (await client.sendRequest<{ data: number[] }>("textDocument/semanticTokens/full", { textDocument: { uri } })).data.length / 5;
    tokenMs.push(performance.now() - t);
    t = performance.now();
    await client.sendRequest("textDocument/inlayHint", {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 1e6, character: 0 } },
    });
    hintMs.push(performance.now() - t);
  }
  copies[`${times}x`] = {
    kib: Math.round(text.length / 1024),
    tokens: count,
    semantic_tokens_ms: round(pct(tokenMs, 50)),
    inlay_hints_ms: round(pct(hintMs, 50)),
  };
  void client.sendNotification("textDocument/didClose", { textDocument: { uri } });
}

const result = {
  bench: "lsp",
  load_average: [round(load0), round(loadavg()[0]!)],
  latency_after_debounce: latency,
  budget_ms: 50,
  requests_ms_median_p95_max: requests,
  requests_on_copies_ms_median: copies,
  memory: { edits, seconds, heap },
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(`adainfc lsp, diagnostics after an edit (debounce 0), load average ${result.load_average.join(" -> ")} (2 shared cores)`);
  for (const [name, l] of Object.entries(latency)) {
    console.log(`  ${name}: median ${l.median_ms} ms, p95 ${l.p95_ms} ms, max ${l.max_ms} ms over ${latencyEdits} edits (budget ${result.budget_ms} ms)`);
  }
  console.log(`semantic tokens and inlay hints (whole file) right after an edit, median / p95 / max over ${requestEdits} edits:`);
  for (const [name, r] of Object.entries(requests)) {
    console.log(
      `  ${name}: semanticTokens/full ${r.semantic_tokens_ms.join(" / ")} ms (${r.tokens} tokens), inlayHint ${r.inlay_hints_ms.join(" / ")} ms (${r.hints} hints)`,
    );
  }
  console.log("the same on n copies of stdlib/augment + pipelines/story in one document (median of 7):");
  for (const [n, c] of Object.entries(copies))
    console.log(`  ${n} (${c.kib} KiB, ${c.tokens} tokens): semanticTokens/full ${c.semantic_tokens_ms} ms, inlayHint ${c.inlay_hints_ms} ms`);
  console.log(`memory over ${edits.toLocaleString("en-US")} edits of simclr_adainf (${seconds} s), heap after GC:`);
  console.log(`  ${heap.map((h) => `${h.edits}: ${h.heap_mib} MiB`).join(", ")}`);
}
client.dispose();
process.exit(0);
