import { AUGMENT_OPS, BACKBONES, DATASET_CALL, EVALUATORS, METHODS, OPTIMIZERS, SCHEDULES } from "../../ir/builtins.js";
import { byName, type Block as Builtin } from "../../ir/define.js";
import type { CallPlan, ImportPlan, ViewPlan } from "./interpret.js";
import { callText, litText, numberText, stringText, type CallArg } from "./literal.js";

// An ImportPlan as .adainf text: a list of statements, each tagged with its block, so
// the importer can leave out the ones the recipe already gives.

export type Block = "top" | "data" | "augment" | "inflate" | "model" | "train" | "evaluate" | "output" | "lint";

export interface Item {
  block: Block;
  key: string;
  text: string;
  /** May be left out when the recipe (`from <method>`) gives the same IR. */
  removable: boolean;
}

export type AugmentForm = "inline" | "named" | "declared";

const BLOCK_ORDER: Block[] = ["top", "data", "inflate", "augment", "model", "train", "evaluate", "output", "lint"];

function call(c: CallPlan, table: Readonly<Record<string, Builtin>>): string {
  return callText(c.name, c.args, byName(table, c.name) ?? null);
}

export function viewsText(views: ViewPlan[]): string {
  return views
    .map((v) => {
      const head = v.name === null ? `view x ${v.count}` : `view ${v.name}`;
      const ops = v.ops.map((o) => `    ${callText(o.op, o.args, byName(AUGMENT_OPS, o.op) ?? null)}`);
      return `  ${head} {\n${ops.join("\n")}\n  }`;
    })
    .join("\n");
}

/** The augment statement in the chosen form (a declared preset also needs presetDecl). */
export function augmentText(plan: ImportPlan, form: AugmentForm): string {
  if (form === "inline" || plan.augmentPreset === null) return `augment {\n${viewsText(plan.views)}\n}`;
  return `augment = ${plan.augmentPreset}`;
}

export function presetDecl(plan: ImportPlan): string {
  return `augment ${plan.augmentPreset} {\n${viewsText(plan.views)}\n}\n`;
}

export function items(plan: ImportPlan, form: AugmentForm): Item[] {
  const out: Item[] = [];
  const add = (block: Block, key: string, text: string, removable: boolean) => out.push({ block, key, text, removable });
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
  add("augment", "augment", augmentText(plan, form), true);
  add("model", "backbone", `backbone = ${call(plan.backbone, BACKBONES)}`, true);
  add("model", "method", `method = ${call(plan.methodCall, METHODS)}`, true);
  add("train", "devices", `devices = ${numberText(plan.devices)}`, true);
  add("train", "batch_size", `batch_size = ${numberText(plan.batchSize)}`, true);
  add("train", "lr_scaling", `lr_scaling = ${plan.lrScaling}`, true);
  add("train", "steps", `steps = ${litText(plan.steps)}`, true);
  add("train", "optimizer", `optimizer = ${call(plan.optimizer, OPTIMIZERS)}`, true);
  add("train", "schedule", `schedule = ${plan.schedule === "constant" ? "constant" : call(plan.schedule, SCHEDULES)}`, true);
  if (!["eval", "test"].includes(plan.eval.name)) add("evaluate", "source", `source = ${plan.eval.name}`, false);
  add("evaluate", "online_linear", call(plan.onlineLinear, EVALUATORS), true);
  if (plan.knn) add("evaluate", "knn", call(plan.knn, EVALUATORS), true);
  add("output", "checkpoint_every", `checkpoint_every = ${plan.output.checkpointEvery ? litText(plan.output.checkpointEvery) : "none"}`, true);
  if (plan.output.keep !== null) add("output", "keep", `keep = ${numberText(plan.output.keep)}`, true);
  for (const [rule, sev] of plan.lint) add("lint", `lint:${rule}`, `${rule} = ${sev}`, false);
  return out;
}

/** One pipeline declaration from items; `dir` (when given) is written as output.dir. */
export function pipelineText(name: string, plan: ImportPlan, list: Item[], dir: string | null): string {
  const lines = [`pipeline ${name} from ${plan.method} {`];
  for (const block of BLOCK_ORDER) {
    const inBlock = list.filter((i) => i.block === block);
    const extra = block === "output" && dir !== null ? [`dir = ${stringText(dir)}`] : [];
    const texts = [...extra, ...inBlock.map((i) => i.text)];
    if (!texts.length) continue;
    if (block === "top" || block === "augment") lines.push(...texts.map((t) => indent(t, "  ")));
    else lines.push(`  ${block} {`, ...texts.map((t) => indent(t, "    ")), "  }");
  }
  lines.push("}");
  return lines.join("\n") + "\n";
}

function indent(text: string, pad: string): string {
  return text
    .split("\n")
    .map((l) => pad + l)
    .join("\n");
}
