// What import does with each key of a mapping it reads: one table per mapping (the keys it
// turns into the pipeline, what solo-learn and Lightning do with the others, their
// defaults), checked once over the composed config, so that no key there is dropped
// silently. A key that changes the training in a way a pipeline cannot say is refused
// at its line unless it holds its default; one that changes nothing a pipeline trains or
// evaluates gets a note naming it (or, for speed and logging switches, nothing).

import type { MethodName } from "../../ir/types.js";
import { ImportError, isMap, jsonText, type Note, ownValue, type YamlMap } from "./read-config.js";

/** A key whose value other than `default` (or null; `also`: other spellings of it) changes the run; `why`: what it does. */
interface Kept {
  default: unknown;
  also?: readonly unknown[];
  why: string;
}

interface MappingRules {
  /** Keys import turns into the pipeline's settings, refuses, or notes itself. */
  read: readonly string[];
  /** Keys that change neither what is trained nor what is measured (speed, logging, where it runs): nothing is said. */
  silent?: readonly string[];
  /** Keys refused at their line when not at their default: adainf cannot say what they do. */
  refuse?: Record<string, Kept>;
  /** Keys noted when not at their default: they change nothing the pipeline trains. */
  note?: Record<string, Kept>;
  /** Any other key: refused (`why` says what solo-learn does with it) or noted as dropped. */
  other: { refuse: (key: string) => string } | "note";
}

const METHOD_KWARGS: Record<MethodName, readonly string[]> = {
  simclr: ["proj_hidden_dim", "proj_output_dim", "temperature"],
  mocov2plus: ["proj_hidden_dim", "proj_output_dim", "queue_size", "temperature"],
  byol: ["proj_hidden_dim", "proj_output_dim", "pred_hidden_dim"],
  barlow: ["proj_hidden_dim", "proj_output_dim", "scale_loss", "lamb"],
};

/** The optimizer.kwargs import maps, per optimizer (solo-learn's parse_cfg fills in the same ones). */
const OPTIMIZER_KWARGS: Record<string, readonly string[]> = {
  lars: ["momentum", "eta", "clip_lr", "exclude_bias_n_norm"],
  sgd: ["momentum"],
  adamw: ["betas"],
};

/** Arguments of the optimizer at their torch (and solo-learn LARS) defaults: passing them changes nothing. */
const MAXIMIZE: Kept = { default: false, why: "gradient ascent (torch's maximize)" };
const OPTIMIZER_DEFAULTS: Record<string, Record<string, Kept>> = {
  lars: {
    nesterov: { default: false, why: "Nesterov momentum, which adainf's lars(...) does not have" },
    dampening: { default: 0, why: "momentum dampening, which adainf's lars(...) does not have" },
    eps: { default: 1e-8, why: "LARS's epsilon in the trust ratio, which adainf's lars(...) fixes at 1e-8" },
  },
  sgd: {
    nesterov: { default: false, why: "Nesterov momentum, which adainf's sgd(...) does not have" },
    dampening: { default: 0, why: "momentum dampening, which adainf's sgd(...) does not have" },
    maximize: MAXIMIZE,
  },
  adamw: {
    eps: { default: 1e-8, why: "AdamW's epsilon, which adainf's adamw(...) fixes at 1e-8" },
    amsgrad: { default: false, why: "the AMSGrad variant, which adainf's adamw(...) does not have" },
    maximize: MAXIMIZE,
  },
};

/** torch.optim's switches of how SGD and AdamW compute, not what: nothing is said of them. */
const TORCH_IMPLEMENTATION = ["foreach", "fused", "capturable", "differentiable"];

/**
 * Lightning Trainer arguments (solo-learn's main_pretrain.py passes every top-level key
 * that is one to the Trainer) that change the training and that a pipeline cannot say.
 */
const TRAINER_REFUSED: Record<string, Kept> = {
  gradient_clip_val: { default: 0, why: "gradient clipping, which a pipeline does not have" },
  max_time: { default: null, why: "a wall-clock limit on the run, which a pipeline does not have (it runs its steps)" },
  overfit_batches: { default: 0, why: "training on the same few batches over and over" },
  fast_dev_run: { default: false, also: [0], why: "a debugging run of a few batches" },
};

/** Top-level keys noted when not at the value compile --target solo-learn writes. */
const TOP_NOTED: Record<string, Kept> = {
  precision: { default: 16, also: ["16", "16-mixed"], why: "a pipeline has no precision setting (compile --target solo-learn writes 16)" },
  resume_from_checkpoint: { default: null, why: "resuming from a checkpoint has no setting in a pipeline (`adainfc run --resume` continues a run)" },
  auto_umap: { default: false, why: "UMAP plots of the features, which adainf does not make" },
};

/**
 * Top-level keys that change neither what is trained nor what is measured: where and how
 * fast it runs (accelerator, strategy, dali, performance, benchmark, deterministic),
 * logging (log_every_n_steps, num_sanity_val_steps, debug_augmentations), Hydra's own.
 */
const TOP_SILENT = [
  "accelerator",
  "strategy",
  "dali",
  "performance",
  "log_every_n_steps",
  "num_sanity_val_steps",
  "benchmark",
  "deterministic",
  "debug_augmentations",
  "hydra",
  "enable_progress_bar",
  "enable_model_summary",
];

/** The rules for each mapping import reads (`""`: the top level), for a config of `method` with optimizer `optimizer`. */
function rules(method: MethodName, optimizer: string, topRead: readonly string[]): Record<string, MappingRules> {
  const momentumMethod = method === "mocov2plus" || method === "byol";
  return {
    "": {
      read: topRead,
      silent: TOP_SILENT,
      refuse: TRAINER_REFUSED,
      note: TOP_NOTED,
      other: "note",
    },
    backbone: {
      read: ["name"],
      refuse: { kwargs: { default: {}, why: "arguments solo-learn passes to the backbone's constructor; adainf's resnet18 takes none" } },
      other: "note",
    },
    method_kwargs: { read: METHOD_KWARGS[method], other: "note" },
    ...(momentumMethod
      ? {
          momentum: {
            read: ["base_tau", "final_tau"],
            note: {
              classifier: {
                default: false,
                why: "a second online classifier on the momentum backbone (an evaluation only; the backbone trains the same), which a pipeline does not have",
              },
            },
            other: "note",
          } satisfies MappingRules,
        }
      : // solo-learn reads momentum.* only for methods with a momentum encoder.
        { momentum: { read: [], other: "note" } satisfies MappingRules }),
    data: {
      read: ["dataset", "train_path", "val_path", "fraction", "dup", "extra_data"],
      // CIFAR is read by torchvision whatever data.format says; num_workers sets loading speed only.
      silent: ["format", "num_workers"],
      note: { no_labels: { default: false, why: "solo-learn reads it for a custom dataset only, not for CIFAR" } },
      other: "note",
    },
    optimizer: {
      read: ["name", "batch_size", "lr", "classifier_lr", "weight_decay", "kwargs", "exclude_bias_n_norm_wd"],
      other: "note",
    },
    "optimizer.kwargs": {
      read: Object.hasOwn(OPTIMIZER_KWARGS, optimizer) ? OPTIMIZER_KWARGS[optimizer]! : [],
      refuse: Object.hasOwn(OPTIMIZER_DEFAULTS, optimizer) ? OPTIMIZER_DEFAULTS[optimizer]! : {},
      // solo-learn's own LARS takes none of torch's switches (a TypeError there): refused as other keys.
      ...(optimizer === "sgd" || optimizer === "adamw" ? { silent: TORCH_IMPLEMENTATION } : {}),
      other: {
        refuse: (key) =>
          `solo-learn passes optimizer.kwargs to the optimizer as they are, so it changes the ${optimizer} run or fails it, and adainf's ${optimizer}(...) has no ${key}`,
      },
    },
    scheduler: { read: ["name", "warmup_epochs", "warmup_start_lr", "min_lr", "interval"], other: "note" },
    checkpoint: { read: ["enabled", "dir", "frequency", "keep_prev"], other: "note" },
    knn_eval: { read: ["enabled", "k", "distance_func"], other: "note" },
  };
}

/** Whether `v` is the default `k` names (null and a missing key are every key's default; an empty mapping is {}). */
function isDefault(v: unknown, k: Kept): boolean {
  if (v === undefined || v === null) return true;
  if (isMap(k.default) && isMap(v)) return Object.keys(v).length === 0;
  return v === k.default || (k.also ?? []).includes(v);
}

/**
 * The notes about keys of the read mappings that import does not turn into the pipeline,
 * and an ImportError for the first that changes the training in a way it cannot say.
 * `value`: the config's value at a dotted key, as solo-learn reads it ("None" as null
 * where its omegaconf_select reads it). `covered`: top-level keys said once elsewhere.
 */
export function unreadKeyNotes(
  c: YamlMap,
  value: (key: string) => unknown,
  method: MethodName,
  optimizer: string,
  topRead: readonly string[],
  covered: Set<string>,
): Note[] {
  const notes: Note[] = [];
  for (const [mapping, r] of Object.entries(rules(method, optimizer, topRead))) {
    const m = mapping === "" ? c : value(mapping);
    if (!isMap(m)) continue;
    for (const k of Object.keys(m)) {
      const key = mapping === "" ? k : `${mapping}.${k}`;
      if (r.read.includes(k) || r.silent?.includes(k) || covered.has(key)) continue;
      const refused = r.refuse && Object.hasOwn(r.refuse, k) ? r.refuse[k] : undefined;
      if (refused) {
        const v = value(key);
        if (!isDefault(v, refused)) throw new ImportError(`${key} = ${jsonText(v)}: ${refused.why}; remove it, or set it to ${jsonText(refused.default)}`, key);
        continue;
      }
      const noted = r.note && Object.hasOwn(r.note, k) ? r.note[k] : undefined;
      if (noted) {
        const v = value(key);
        if (!isDefault(v, noted)) notes.push({ at: key, text: `${key} = ${jsonText(v)} is dropped: ${noted.why}` });
        continue;
      }
      // Not read: its value is not looked at (an interpolation in it that cannot be resolved is no error, as in OmegaConf).
      if (r.other === "note") notes.push({ at: key, text: `${key}: adainf does not read this key; dropped` });
      // A key holding a dot is no dotted path to its value.
      else throw new ImportError(`${key} = ${jsonText(k.includes(".") ? ownValue(m, k) : value(key))}: ${r.other.refuse(k)}; remove it`, key);
    }
  }
  return notes;
}
