// Signature help through `adainfc lsp` driven by a real client (./client.ts): the call
// around the cursor with its parameters and defaults, each parameter's documentation as
// hover shows it, and the active parameter from the argument under the cursor (named,
// positional, half-typed, inside a tuple, empty), for optimizers, evaluators, ops, data
// sources and dataset presets, in finished and half-written text.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { at, BUILT, Client, type Position } from "./client.js";

const skip = BUILT ? false : "dist/ is not built (npm run build)";

interface SignatureHelp {
  signatures: { label: string; documentation: { value: string }; parameters: { label: [number, number]; documentation: { value: string } }[] }[];
  activeSignature: number;
  activeParameter: number;
}

const text = `pipeline p from simclr {
  data {
    real = cifar10("d", split = train, size = 100)
    gen = npz("g.npz", mean = (0.5, 0.5, 0.5), fid = 10)
    eval = cifar10("d", split = test, size = 100)
  }
  augment {
    view x 2 {
      random_resized_crop(scale = 0.2..1.0, ratio = 0.75..1.333)
    }
  }
  train {
    optimizer = lars(lr = 0.2, momentum = 0.9)
  }
  evaluate {
    knn(k = 20, distance = cosine)
  }
  lint {
    allow(generated-quality)
  }
}
`;

describe.skipIf(skip)("adainfc lsp signature help", () => {
  let client: Client;
  let uri: string;
  let dir: string;
  const help = (u: string, position: Position) => client.request<SignatureHelp | null>("textDocument/signatureHelp", { textDocument: { uri: u }, position });
  /** The label of the active parameter. */
  const active = (h: SignatureHelp | null) => {
    const s = h!.signatures[h!.activeSignature]!;
    const p = s.parameters[h!.activeParameter];
    return p ? s.label.slice(...p.label) : null;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "adainf-signature-"));
    client = await Client.start(dir);
    uri = client.open(join(dir, "p.adainf"), text);
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    expect(client.logs.filter((l) => l.includes("internal error"))).toEqual([]);
  });

  it("advertises signature help on ( and ,", () => {
    expect(client.capabilities.signatureHelpProvider).toEqual({ triggerCharacters: ["(", ","] });
  });

  it("shows an optimizer's parameters with their defaults and docs, and the named argument under the cursor", async () => {
    const h = await help(uri, at(text, "lars(", "lars(".length));
    const sig = h!.signatures[0]!;
    expect(sig.label).toBe("lars(lr, weight_decay = 1e-4, momentum = 0.9, eta = 0.02, clip_lr = true, exclude_bias_n_norm = true)");
    expect(sig.documentation.value).toBe("LARS as in solo-learn.");
    // The parameter's documentation is hover's.
    expect(sig.parameters[0]!.documentation.value).toBe("**lars.lr**: number > 0, required\n\nbase learning rate");
    expect(active(h)).toBe("lr");
    expect(active(await help(uri, at(text, "momentum = 0.9", "momentum = 0.".length)))).toBe("momentum = 0.9");
    // On the name itself, before its `=`.
    expect(active(await help(uri, at(text, "momentum = 0.9", 3)))).toBe("momentum = 0.9");
  });

  it("counts positional arguments and follows a tuple inside the call", async () => {
    const path = await help(uri, at(text, 'cifar10("d"', 'cifar10("'.length));
    expect(path!.signatures[0]!.label).toBe("cifar10(path = none, split = train, size = none)");
    expect(active(path)).toBe("path = none");
    expect(active(await help(uri, at(text, "split = train", 2)))).toBe("split = train");
    const mean = await help(uri, at(text, "(0.5, 0.5, 0.5)", "(0.5, 0.".length));
    expect(mean!.signatures[0]!.label.startsWith("npz(path, origin = generated, fid = none, ")).toBe(true);
    expect(active(mean)).toBe("mean = none");
  });

  it("works for ops and evaluators, and answers nothing outside a builtin's call", async () => {
    const crop = await help(uri, at(text, "ratio = 0.75", 1));
    expect(crop!.signatures[0]!.label).toBe("random_resized_crop(size = none, scale = 0.08..1.0, ratio = 0.75..1.333, interpolation = bicubic)");
    expect(active(crop)).toBe("ratio = 0.75..1.333");
    expect(active(await help(uri, at(text, "distance = cosine", "distance = co".length)))).toBe("distance = cosine");
    expect(await help(uri, at(text, "train {", 2))).toBeNull();
    expect(await help(uri, at(text, "allow(", "allow(".length))).toBeNull();
  });

  it("in half-written calls: the next parameter not given, a half-typed name, and none for an unknown name", async () => {
    const half = "pipeline p from simclr {\n  train {\n    optimizer = sgd(lr = 0.1, ";
    const u = client.open(join(dir, "half.adainf"), half);
    const end = at(half, half, half.length);
    const next = await help(u, end);
    expect(next!.signatures[0]!.label).toBe("sgd(lr, weight_decay = 1e-4, momentum = 0.9)");
    expect(active(next)).toBe("weight_decay = 1e-4");
    client.change(u, `${half}mom`);
    expect(active(await help(u, { line: end.line, character: end.character + 3 }))).toBe("momentum = 0.9");
    client.change(u, `${half}nesterov = `);
    const unknown = await help(u, { line: end.line, character: end.character + "nesterov = ".length });
    expect(unknown!.activeParameter).toBe(3);
    expect(active(unknown)).toBeNull();
  });
});
