// An ImportPlan as .adainf text: a list of statements, each tagged with its block, so
// the importer can leave out the ones the recipe already gives. Each statement keeps
// the marks of the values read from a config key (every value is a Valued, written by
// valueStatement or markedCall), so a compile error about one of them can be reported at
// that key's place.

import { AUGMENT_OPS, BACKBONES, DATASET_CALL, EVALUATORS, METHODS, OPTIMIZERS, SCHEDULES } from "../../ir/builtins.js";
import { byName, type Block as Builtin } from "../../ir/define.js";
import type { CallPlan, ImportPlan, ViewPlan } from "./interpret.js";
import { callText, litText, markedCall, type CallArg, type Mark, type Valued } from "./literal.js";

export type Block = "top" | "data" | "augment" | "inflate" | "model" | "train" | "evaluate" | "output" | "lint";

export interface Item {
  block: Block;
  key: string;
  text: string;
  /** May be left out when the recipe (`from <method>`) gives the same IR. */
  removable: boolean;
  /** Values read from a config key, as offsets into `text`. */
  marks: Mark[];
}

export type AugmentForm = "inline" | "named" | "declared";

const BLOCK_ORDER: Block[] = ["top", "data", "inflate", "augment", "model", "train", "evaluate", "output", "lint"];

function call(c: CallPlan, table: Readonly<Record<string, Builtin>>): string {
  return callText(c.name, c.args, byName(table, c.name) ?? null);
}

/** Text built piece by piece, keeping the marks of the pieces at their offsets. */
class Marked {
  text = "";
  marks: Mark[] = [];
  add(text: string, marks: Mark[] = []): this {
    for (const m of marks) this.marks.push({ at: m.at, start: m.start + this.text.length, end: m.end + this.text.length });
    this.text += text;
    return this;
  }
}

function viewsMarked(views: ViewPlan[]): Marked {
  const out = new Marked();
  views.forEach((v, i) => {
    out.add(`${i ? "\n" : ""}  ${v.name === null ? `view x ${v.count}` : `view ${v.name}`} {\n`);
    for (const o of v.ops) {
      const c = markedCall(o.op, o.args, byName(AUGMENT_OPS, o.op) ?? null);
      out.add("    ").add(c.text, c.marks).add("\n");
    }
    out.add("  }");
  });
  return out;
}

/** The augment statement in the chosen form (a declared preset also needs presetDecl). */
function augmentMarked(plan: ImportPlan, form: AugmentForm): Marked {
  if (form === "inline" || plan.augmentPreset === null) {
    const views = viewsMarked(plan.views);
    return new Marked().add("augment {\n").add(views.text, views.marks).add("\n}");
  }
  return new Marked().add(`augment = ${plan.augmentPreset}`);
}

export function presetDecl(plan: ImportPlan): string {
  return `augment ${plan.augmentPreset} {\n${viewsMarked(plan.views).text}\n}\n`;
}

export function items(plan: ImportPlan, form: AugmentForm): Item[] {
  const out: Item[] = [];
  const add = (block: Block, key: string, text: string, removable: boolean, marks: Mark[] = []) => out.push({ block, key, text, removable, marks });
  /** `<prefix><call>`, keeping the call's marks. */
  const addCall = (block: Block, key: string, prefix: string, c: CallPlan, table: Readonly<Record<string, Builtin>>) => {
    const call = markedCall(c.name, c.args, byName(table, c.name) ?? null);
    const m = new Marked().add(prefix).add(call.text, call.marks);
    add(block, key, m.text, true, m.marks);
  };
  /** `<prefix><value>` (`seed = 5`, `real x 10`): the whole statement is about the value's key. */
  const addValue = (block: Block, key: string, prefix: string, v: Valued, removable: boolean) => {
    const m = valueStatement(prefix, v);
    add(block, key, m.text, removable, m.marks);
  };
  addValue("top", "seed", "seed = ", plan.seed, true);
  const cifar = (name: string, path: Valued, split: "train" | "test") => {
    const args: CallArg[] = [
      { key: "path", ...path, positional: true, always: true },
      { key: "split", value: { kind: "ident", v: split }, at: null, always: true },
    ];
    const c = markedCall(plan.real.dataset, args, DATASET_CALL);
    return new Marked().add(`${name} = `).add(c.text, c.marks);
  };
  const real = cifar(plan.real.name, plan.real.path, "train");
  add("data", "real", real.text, false, real.marks);
  if (plan.extra) {
    const args: CallArg[] = [{ key: "path", ...plan.extra.path, positional: true, always: true }, ...plan.extra.args];
    const c = markedCall("npz", args, null);
    const extra = new Marked().add(`${plan.extra.name} = `).add(c.text, c.marks);
    add("data", "extra", extra.text, false, extra.marks);
  }
  const evalData = cifar(plan.eval.name, plan.eval.path, "test");
  add("data", "eval", evalData.text, false, evalData.marks);
  addValue("inflate", "real", `${plan.real.name} x `, plan.dup, false);
  if (plan.extra) add("inflate", "extra", `${plan.extra.name} x 1`, false);
  const augment = augmentMarked(plan, form);
  add("augment", "augment", augment.text, true, augment.marks);
  add("model", "backbone", `backbone = ${call(plan.backbone, BACKBONES)}`, true);
  addCall("model", "method", "method = ", plan.methodCall, METHODS);
  addValue("train", "devices", "devices = ", plan.devices, true);
  addValue("train", "batch_size", "batch_size = ", plan.batchSize, true);
  addValue("train", "lr_scaling", "lr_scaling = ", plan.lrScaling, true);
  addValue("train", "steps", "steps = ", plan.steps, true);
  addCall("train", "optimizer", "optimizer = ", plan.optimizer, OPTIMIZERS);
  if (plan.schedule === "constant") add("train", "schedule", "schedule = constant", true);
  else addCall("train", "schedule", "schedule = ", plan.schedule, SCHEDULES);
  if (!["eval", "test"].includes(plan.eval.name)) add("evaluate", "source", `source = ${plan.eval.name}`, false);
  addCall("evaluate", "online_linear", "", plan.onlineLinear, EVALUATORS);
  if (plan.knn) addCall("evaluate", "knn", "", plan.knn, EVALUATORS);
  addValue("output", "checkpoint_every", "checkpoint_every = ", plan.output.checkpointEvery, true);
  if (plan.output.keep !== null) addValue("output", "keep", "keep = ", plan.output.keep, true);
  for (const l of plan.lint) {
    const text = `${l.rule} = ${l.severity}`;
    add("lint", `lint:${l.rule}`, text, false, [{ at: l.at, start: 0, end: text.length }]);
  }
  return out;
}

/** `<prefix><value>`, marked as a whole with the value's key (an error may point at either part). */
function valueStatement(prefix: string, v: Valued): Marked {
  const out = new Marked().add(prefix + litText(v.value));
  if (v.at !== null) out.marks.push({ at: v.at, start: 0, end: out.text.length });
  return out;
}

/** One pipeline declaration from items; `dir` (when given) is written as output.dir. */
export function pipelineText(name: string, plan: ImportPlan, list: Item[], dir: Valued | null): string {
  return pipelineMarked(name, plan, list, dir).text;
}

/** pipelineText, with the items' marks at their offsets in it. */
export function pipelineMarked(name: string, plan: ImportPlan, list: Item[], dir: Valued | null): { text: string; marks: Mark[] } {
  const out = new Marked().add(`pipeline ${name} from ${plan.method} {\n`);
  for (const block of BLOCK_ORDER) {
    const inBlock = list.filter((i) => i.block === block);
    const extra: Pick<Item, "text" | "marks">[] = block === "output" && dir !== null ? [valueStatement("dir = ", dir)] : [];
    const texts = [...extra, ...inBlock];
    if (!texts.length) continue;
    const nested = block !== "top" && block !== "augment";
    if (nested) out.add(`  ${block} {\n`);
    for (const t of texts) indented(out, t, nested ? "    " : "  ");
    if (nested) out.add("  }\n");
  }
  return out.add("}\n");
}

/** Adds `text` with each line indented by `pad` (and a final newline), moving its marks along. */
function indented(out: Marked, item: Pick<Item, "text" | "marks">, pad: string): void {
  let offset = 0;
  for (const line of item.text.split("\n")) {
    const inLine = item.marks
      .filter((m) => m.start >= offset && m.start < offset + line.length)
      .map((m) => ({ at: m.at, start: m.start - offset + pad.length, end: m.end - offset + pad.length }));
    out.add(`${pad}${line}\n`, inLine);
    offset += line.length + 1;
  }
}
