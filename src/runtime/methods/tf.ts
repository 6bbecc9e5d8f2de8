// The tfjs-core module as a value type, the one type for it in the runtime (the backend
// selector returns it, models, methods, optimisers and the trainer take it). Code takes
// the module as a parameter instead of importing it, so that nothing the CLI loads for
// `check` or `lint` pulls tfjs in, and so that every caller shares one engine instance.
import type * as tfc from "@tensorflow/tfjs-core";

export type Tf = typeof tfc;
