// The Ctrl-C handling of `adainfc run` and the TypeScript target's programs
// (src/runtime/stop-signals.ts) in a child process that, like a cpu or wasm training step, computes synchronously for seconds: the first signal is
// answered once; a second, of either kind, says its line (quit) and exits 130 or 143 as
// soon as a handler can run (after that synchronous work: no signal is lost to a handler
// removed meanwhile). A repeat of the first signal within REPEAT_MS (GNU timeout signals
// the process and its group: two deliveries) is the same request, also when both come
// during the same work; a later one quits. Uses the build (dist/).
import { spawn } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";

const MODULE = pathToFileURL(path.resolve(import.meta.dirname, "../../dist/src/runtime/stop-signals.js")).href;

/**
 * A child that installs the handlers; on the first signal it prints "first <signal>" and
 * then computes synchronously for `busyMs` (after `busyFirst`, it computes first and
 * prints "ready" before); it prints "done" when that work is over, and stays alive.
 */
function child(busyMs: number, busyFirst: boolean) {
  const script = `
    import { stopSignals } from ${JSON.stringify(MODULE)};
    const busy = (ms) => { const t = Date.now(); while (Date.now() - t < ms); };
    stopSignals((s) => {
      process.stderr.write("first " + s + "\\n");
      setTimeout(() => { process.stderr.write("busy\\n"); busy(${busyMs}); process.stderr.write("done\\n"); }, 50);
    }, (s) => process.stderr.write("quit " + s + "\\n"));
    process.stderr.write("ready\\n");
    ${busyFirst ? `busy(${busyMs}); process.stderr.write("busy over\\n");` : ""}
    setTimeout(() => {}, 60000);
  `;
  return spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "ignore", "pipe"] });
}

interface End {
  code: number | null;
  signal: NodeJS.Signals | null;
  err: string;
  /** Milliseconds from the last signal sent to the exit. */
  ms: number;
}

function ended(c: ReturnType<typeof child>, onErr: (err: string, send: (s: NodeJS.Signals) => void) => void): Promise<End> {
  return new Promise((resolve, reject) => {
    let err = "";
    let sentAt = 0;
    const send = (s: NodeJS.Signals): void => {
      sentAt = performance.now();
      c.kill(s);
    };
    c.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
      onErr(err, send);
    });
    c.on("error", reject);
    c.on("close", (code, signal) => resolve({ code, signal, err, ms: performance.now() - sentAt }));
  });
}

test("a second Ctrl-C during synchronous work exits 130 when the work ends, never lost", { timeout: 60_000 }, async () => {
  let sent = 0;
  const r = await ended(child(2000, false), (err, send) => {
    if (sent === 0 && err.includes("ready")) {
      sent = 1;
      send("SIGINT");
    } else if (sent === 1 && err.includes("busy")) {
      // the first was answered and 2 s of synchronous work began: the second
      sent = 2;
      setTimeout(() => send("SIGINT"), 300);
    }
  });
  expect(r.err).toContain("first SIGINT\nbusy\n");
  expect(r.err.match(/first/g)).toHaveLength(1);
  // the handler ran once the work was over, and exited before the child's own end
  expect(r.err).toContain("done");
  expect(r.code).toBe(130);
});

test("SIGTERM right after Ctrl-C: one is answered, the other exits (neither is lost)", { timeout: 60_000 }, async () => {
  let sent = 0;
  const r = await ended(child(2000, false), (err, send) => {
    if (sent === 0 && err.includes("ready")) {
      sent = 1;
      send("SIGINT");
      send("SIGTERM");
    }
  });
  // Sent back to back, the two may reach the process's threads in either order (seen:
  // 1 run in 4 handled SIGTERM first), so the one answered decides the exit code: the
  // other's, 143 after Ctrl-C, 130 after SIGTERM.
  const first = r.err.match(/first (SIGINT|SIGTERM)/g) ?? [];
  expect(first).toHaveLength(1);
  expect(r.code).toBe(first[0] === "first SIGINT" ? 143 : 130);
});

test("two Ctrl-C during the same synchronous work are one request; a later one quits, saying so", { timeout: 60_000 }, async () => {
  let sent = 0;
  const r = await ended(child(3000, true), (err, send) => {
    if (sent === 0 && err.includes("ready")) {
      sent = 1;
      setTimeout(() => send("SIGINT"), 300);
      setTimeout(() => send("SIGINT"), 600);
    } else if (sent === 1 && err.includes("busy\n")) {
      // both were handled when the work ended: one answered, the other taken as the same
      sent = 2;
      setTimeout(() => send("SIGINT"), 500);
    }
  });
  expect(r.err.match(/first SIGINT/g)).toHaveLength(1);
  expect(r.err).toContain("busy over\nfirst SIGINT\nbusy\n");
  expect(r.err.match(/quit SIGINT/g)).toHaveLength(1);
  expect(r.err.indexOf("quit SIGINT")).toBeGreaterThan(r.err.indexOf("busy\n"));
  expect(r.code).toBe(130);
});

test("the same signal twice at once (GNU timeout: the process, then its group) is one request", { timeout: 60_000 }, async () => {
  let sent = 0;
  const r = await ended(child(300, false), (err, send) => {
    if (sent === 0 && err.includes("ready")) {
      sent = 1;
      send("SIGINT");
      send("SIGINT");
    } else if (sent === 1 && err.includes("done")) {
      sent = 2;
      send("SIGTERM");
    }
  });
  // not quit by the repeat: the work after the first ran to its end, then SIGTERM quit
  expect(r.err).toBe("ready\nfirst SIGINT\nbusy\ndone\nquit SIGTERM\n");
  expect(r.code).toBe(143);
});
