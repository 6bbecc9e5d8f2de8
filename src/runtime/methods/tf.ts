// The tfjs-core module as a value type. Everything in methods/, optim/ and eval/ takes
// the module as a parameter instead of importing it, so that nothing the CLI loads for
// `check` or `lint` pulls tfjs in, and so that every caller shares one engine instance.
import type * as tfc from "@tensorflow/tfjs-core";

export type Tf = typeof tfc;
