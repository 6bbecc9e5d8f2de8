// Asynchronous read-back of tensors, the only kind a GPU backend allows in Node
// (tfjs-webgpu's synchronous reads need a canvas). The tensors are disposed once read;
// while they wait they are counted, so the trainer can report the live-tensor count
// of the model itself, the same after every step whether or not a step is in flight.
import type { Tensor } from "@tensorflow/tfjs-core";

type Values = Awaited<ReturnType<Tensor["data"]>>;

let held = 0;

/**
 * Starts reading `tensors` now (the device keeps working meanwhile), then calls `use`
 * on their values and disposes them. The tensors belong to this call from here on.
 */
export function readBack<T>(tensors: readonly Tensor[], use: (values: Values[]) => T): Promise<T> {
  held += tensors.length;
  const reads = Promise.all(tensors.map((t) => t.data()));
  return reads.then(use).finally(() => {
    held -= tensors.length;
    for (const t of tensors) t.dispose();
  });
}

/** Tensors handed to readBack and not yet read and disposed. */
export function heldForReadBack(): number {
  return held;
}
