import { AUGMENT_OPS, BACKBONES, DATASET_CALL, EVALUATORS, METHODS, OPTIMIZERS, SCHEDULES } from "../../ir/builtins.js";
import { byName, type Block as Builtin } from "../../ir/define.js";
import type { CallPlan, ImportPlan, ViewPlan } from "./interpret.js";
import { callText, litText, markedCall, numberText, stringText, type CallArg, type Mark } from "./literal.js";

// An ImportPlan as .adainf text: a list of statements, each tagged with its block, so
// the importer can leave out the ones the recipe already gives. Each statement keeps
// the marks of the values read from a config key, so a compile error about one of them
// can be reported at that key's place.

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
  add("top", "seed", `seed = ${numberText(plan.seed)}`, true);
  const cifar = (path: string, split: "train" | "test") =>
    callText(
      plan.real.dataset,
      [
        { key: "path", value: { kind: "str", v: path } },
        { key: "split", value: { kind: "ident", v: split }, always: true },
      ],
      DATASET_CALL,
    ).replace("path = ", "");
  add("data", "real", `${plan.real.name} = ${cifar(plan.real.path, "train")}`, false);
  if (plan.extra) {
    const args: CallArg[] = plan.extra.args;
    const rest = args.length ? `, ${args.map((a) => `${a.key} = ${litText(a.value)}`).join(", ")}` : "";
    add("data", "extra", `${plan.extra.name} = npz(${stringText(plan.extra.path)}${rest})`, false);
  }
  add("data", "eval", `${plan.eval.name} = ${cifar(plan.eval.path, "test")}`, false);
  add("inflate", "real", `${plan.real.name} x ${numberText(plan.dup)}`, false);
  if (plan.extra) add("inflate", "extra", `${plan.extra.name} x 1`, false);
  const augment = augmentMarked(plan, form);
  add("augment", "augment", augment.text, true, augment.marks);
  add("model", "backbone", `backbone = ${call(plan.backbone, BACKBONES)}`, true);
  addCall("model", "method", "method = ", plan.methodCall, METHODS);
  add("train", "devices", `devices = ${numberText(plan.devices)}`, true);
  add("train", "batch_size", `batch_size = ${numberText(plan.batchSize)}`, true);
  add("train", "lr_scaling", `lr_scaling = ${plan.lrScaling}`, true);
  add("train", "steps", `steps = ${litText(plan.steps)}`, true);
  addCall("train", "optimizer", "optimizer = ", plan.optimizer, OPTIMIZERS);
  if (plan.schedule === "constant") add("train", "schedule", "schedule = constant", true);
  else addCall("train", "schedule", "schedule = ", plan.schedule, SCHEDULES);
  if (!["eval", "test"].includes(plan.eval.name)) add("evaluate", "source", `source = ${plan.eval.name}`, false);
  addCall("evaluate", "online_linear", "", plan.onlineLinear, EVALUATORS);
  if (plan.knn) addCall("evaluate", "knn", "", plan.knn, EVALUATORS);
  add("output", "checkpoint_every", `checkpoint_every = ${plan.output.checkpointEvery ? litText(plan.output.checkpointEvery) : "none"}`, true);
  if (plan.output.keep !== null) add("output", "keep", `keep = ${numberText(plan.output.keep)}`, true);
  for (const [rule, sev] of plan.lint) add("lint", `lint:${rule}`, `${rule} = ${sev}`, false);
  return out;
}

/** One pipeline declaration from items; `dir` (when given) is written as output.dir. */
export function pipelineText(name: string, plan: ImportPlan, list: Item[], dir: string | null): string {
  return pipelineMarked(name, plan, list, dir).text;
}

/** pipelineText, with the items' marks at their offsets in it. */
export function pipelineMarked(name: string, plan: ImportPlan, list: Item[], dir: string | null): { text: string; marks: Mark[] } {
  const out = new Marked().add(`pipeline ${name} from ${plan.method} {\n`);
  for (const block of BLOCK_ORDER) {
    const inBlock = list.filter((i) => i.block === block);
    const extra: Pick<Item, "text" | "marks">[] = block === "output" && dir !== null ? [{ text: `dir = ${stringText(dir)}`, marks: [] }] : [];
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
