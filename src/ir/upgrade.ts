// IR files written by older versions of adainfc (a run's ir.json) read as today's IR:
// version 1 gained train.devices, train.batchPerDevice and train.lrScaling; an IR
// without them trained on one device with its rates as written, which is what is filled in.

export function upgradeIR(raw: unknown): unknown {
  if (!raw || typeof raw !== "object") return raw;
  const train = (raw as { train?: unknown }).train;
  if (!train || typeof train !== "object") return raw;
  const t = train as Record<string, unknown>;
  if (t["devices"] !== undefined || t["batchPerDevice"] !== undefined || t["lrScaling"] !== undefined) return raw;
  const upgraded = { devices: 1, batchPerDevice: t["batchSize"], lrScaling: { rule: "none", factor: 1 } };
  return { ...(raw as object), train: { ...t, ...upgraded } };
}
