// The augmentation thread: executes the plans it is sent and transfers the float views
// back. Kept free of anything but the pipeline so the worker starts fast.

import { parentPort } from "node:worker_threads";
import { executePlan } from "./pipeline.js";
import type { AugmentRequest, AugmentResponse } from "./worker-protocol.js";

const port = parentPort;
if (port === null) throw new Error("worker-entry must run in a worker thread");

port.on("message", (req: AugmentRequest) => {
  let res: AugmentResponse;
  try {
    const t0 = performance.now();
    const outputs = req.plans.map((plan) => executePlan(req.batch, plan));
    res = { id: req.id, outputs, ms: performance.now() - t0 };
  } catch (e) {
    res = { id: req.id, error: e instanceof Error ? e.message : String(e) };
  }
  const transfer = "outputs" in res ? res.outputs.map((o) => o.buffer as ArrayBuffer) : [];
  port.postMessage(res, transfer);
});
