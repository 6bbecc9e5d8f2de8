// A solo-learn config -> the settings of a pipeline, in the language's terms. Values
// solo-learn would fill in itself (args/pretrain.py, methods/base.py) are filled in
// the same way; anything adainf cannot run is an ImportError naming the key (and
// carrying it, for its place), and each note carries the key it is about. Every value
// written into the pipeline keeps its key too (Valued.at), so a compile error about it
// is reported at the key's place. The config's interpolations are resolved already
// (compose.ts); one that could not be is raised here, only if its value is read.

import type { MethodName } from "../../ir/types.js";
import { LR_SCALING_BASE_BATCH } from "../../ir/builtins.js";
import { npzHeaderAt } from "../../formats/npz-header.js";
import { bool, dur, ident, num, range, str, type CallArg, type Lit, type Valued } from "./literal.js";
import type { LoadedSoloConfig } from "./compose.js";
import { unreadKeyNotes } from "./key-rules.js";
import { get, ImportError, isMap, jsonText, type Note, ownValue, plain, Unresolved, type YamlMap } from "./read-config.js";

export interface OpPlan {
  op: string;
  args: CallArg[];
}
export interface ViewPlan {
  /** null: `view x count`; else `view <name>`. */
  name: string | null;
  count: number;
  ops: OpPlan[];
}
export interface CallPlan {
  name: string;
  args: CallArg[];
}

export interface ImportPlan {
  name: string;
  method: MethodName;
  seed: Valued;
  real: { name: string; dataset: "cifar10" | "cifar100"; path: Valued };
  extra: { name: string; path: Valued; args: CallArg[] } | null;
  eval: { name: string; path: Valued };
  /** How many times the real data is used (the `real x N` of inflate). */
  dup: Valued;
  /** The preset to name (`augment = x`), or null for an inline block. */
  augmentPreset: string | null;
  views: ViewPlan[];
  backbone: CallPlan;
  methodCall: CallPlan;
  /** The total batch over all devices (solo-learn's per-device batch_size x devices x nodes). */
  batchSize: Valued;
  /** Data-parallel replicas: len(devices) x num_nodes. */
  devices: Valued;
  /** How the plan's rates are written: `none` = as trained, `linear` = the config's per-256 values. */
  lrScaling: Valued;
  steps: Valued;
  optimizer: CallPlan;
  schedule: CallPlan | "constant";
  onlineLinear: CallPlan;
  knn: CallPlan | null;
  /** `checkpointEvery` is `none` (only at the end) when the epoch length is unknown or the config says so. */
  output: { dir: Valued | null; checkpointEvery: Valued; keep: Valued | null };
  /** `rule = severity` lines, from the provenance mapping (`adainf.lint.<rule>`). */
  lint: { rule: string; severity: string; at: string }[];
  /** What solo-learn does that the pipeline cannot say, for the user to read. */
  notes: Note[];
  /** Read without the epoch length, which decides the run's length or warm-up: read it again with it (interpret's stepsPerEpoch). */
  needsEpochLength: boolean;
}

const METHODS: Record<string, MethodName> = { simclr: "simclr", mocov2plus: "mocov2plus", byol: "byol", barlow_twins: "barlow" };

/**
 * Keys solo-learn reads with its `omegaconf_select` (solo/args/pretrain.py, the checkpointer
 * and auto-resumer), which turns the string "None" into None: `val_path: None` in a YAML
 * file is text to OmegaConf, but no validation path to solo-learn.
 */
const SELECTED_KEYS =
  /^(?:data\.(?:val_path|format|no_labels|fraction)|debug_augmentations|wandb(?:\..+)?|seed|resume_from_checkpoint|strategy|num_nodes|optimizer\.kwargs(?:\..+)?|checkpoint\..+|auto_resume\..+)$/;

/**
 * The value at `path` (`base`: where `m` sits in the config), with solo-learn's "None" as
 * null at the keys it reads that way (SELECTED_KEYS); a key on the way that holds
 * a list or a scalar instead of a mapping (an `optimizer` group file that is a list) is
 * an error at that key, not "`optimizer.batch_size` is missing"; so is a value on the way
 * whose interpolation cannot be resolved.
 */
function valueAt(m: YamlMap, path: string, base = ""): unknown {
  const parts = path.split(".");
  let cur: unknown = m;
  for (const [i, k] of parts.entries()) {
    if (cur instanceof Unresolved) throw cur.error(base + parts.slice(0, i).join("."));
    if (cur === undefined || cur === null) return undefined;
    if (!isMap(cur)) {
      const key = base + parts.slice(0, i).join(".");
      const found = Array.isArray(cur) ? "a list" : jsonText(cur);
      throw new ImportError(`${key} must be a mapping (it holds ${parts.slice(i).join(".")}), found ${found}`, key);
    }
    cur = ownValue(cur, k);
  }
  const value = plain(cur, base + path);
  return value === "None" && base === "" && SELECTED_KEYS.test(path) ? null : value;
}

function numberAt(m: YamlMap, path: string, fallback?: number): number {
  const v = valueAt(m, path);
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw new ImportError(`${path} is missing`, path);
  }
  if (typeof v !== "number") throw new ImportError(`${path} must be a number, found ${jsonText(v)}`, path);
  return finite(v, path);
}

/**
 * A number read at config key `key` (named `what` in the message): ±inf and nan (`.inf`,
 * `1e400`, `.nan`, an override's `inf`) are refused there, as no value of a pipeline holds one.
 */
function finite<T>(v: T, key: string, what = key): T {
  if (typeof v === "number" && !Number.isFinite(v)) throw new ImportError(`${what} must be a finite number, found ${jsonText(v)}`, key);
  return v;
}

function boolAt(m: YamlMap, path: string, fallback: boolean): boolean {
  const v = valueAt(m, path);
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "boolean") throw new ImportError(`${path} must be true or false, found ${jsonText(v)}`, path);
  return v;
}

/** `base`: where `m` sits in the config (`adainf.` for the provenance mapping), for the key's place. */
function stringAt(m: YamlMap, path: string, base = ""): string | null {
  const v = valueAt(m, path, base);
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new ImportError(`${path} must be a string, found ${jsonText(v)}`, base + path);
  return v;
}

/** A name the language accepts (letters, digits, `_`, single dashes inside: `a--b` is `a-b`). */
export function identifier(s: string): string {
  let t = s
    .replace(/[^A-Za-z0-9_-]/g, "_")
    .replace(/-+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!/^[A-Za-z_]/.test(t)) t = `p_${t}`;
  return t;
}

/** A name the provenance mapping gives (`adainf.<path>`): written as it is, so it must be one. */
function nameAt(prov: YamlMap, path: string): string | null {
  const v = stringAt(prov, path, "adainf.");
  if (v !== null && identifier(v) !== v)
    throw new ImportError(`adainf.${path}: '${v}' is not a name (letters, digits, _ and inner dashes, not starting with a digit)`, `adainf.${path}`);
  return v;
}

/** A whole number >= 1 at `path` (solo-learn's `num_nodes`, ...). */
function countAt(m: YamlMap, path: string, fallback: number): number {
  const v = numberAt(m, path, fallback);
  if (!Number.isInteger(v) || v < 1) throw new ImportError(`${path} must be a whole number >= 1, found ${v}`, path);
  return v;
}

/** Lightning's `devices`: a count or a list of device ids (1 when not given). */
function devicesAt(c: YamlMap): number {
  const v = get(c, "devices");
  if (v === undefined || v === null) return 1;
  if (Array.isArray(v) && v.length > 0) return v.length;
  if (typeof v === "number" && Number.isInteger(v) && v >= 1) return v;
  throw new ImportError(`devices must be a number of devices or a list of device ids, found ${jsonText(v)}`, "devices");
}

/**
 * `stepsPerEpoch`: the epoch length of the imported pipeline in steps (null: unknown, its
 * npz's size is); undefined on the first reading, before it is known. A config that
 * needs it (max_steps with max_epochs: whichever stops training first counts) says so
 * in `needsEpochLength`, and is read again with it (import.ts).
 */
export function interpret(loaded: LoadedSoloConfig, cwd: string, stepsPerEpoch?: number | null): ImportPlan {
  const c = loaded.config;
  const notes: Note[] = [];
  const provRaw = get(c, "adainf");
  const prov = isMap(provRaw) ? provRaw : null;
  /** A key of the provenance mapping compile --target solo-learn writes (`adainf.<key>`). */
  const pv = (key: string) => (prov ? get(prov, key, "adainf.") : undefined);

  const methodKey = stringAt(c, "method");
  const method = methodKey && Object.hasOwn(METHODS, methodKey) ? METHODS[methodKey] : undefined;
  if (!method) throw new ImportError(`method: '${methodKey ?? ""}' has no adainf equivalent (supported: ${Object.keys(METHODS).join(", ")})`, "method");
  const backbone = stringAt(c, "backbone.name");
  if (backbone !== "resnet18")
    throw new ImportError(`backbone.name: '${backbone ?? ""}' is not available (adainf builds resnet18 and a small convnet)`, "backbone.name");
  const dataset = stringAt(c, "data.dataset");
  if (dataset !== "cifar10" && dataset !== "cifar100")
    throw new ImportError(`data.dataset: '${dataset ?? ""}' is not available (adainf reads cifar10 and cifar100)`, "data.dataset");
  const trainPath = stringAt(c, "data.train_path");
  if (trainPath === null) throw new ImportError("data.train_path is missing", "data.train_path");
  const fraction = finite(valueAt(c, "data.fraction"), "data.fraction");
  if (typeof fraction === "number" && fraction > 0)
    throw new ImportError("data.fraction: a random stratified subset has no adainf equivalent (cifar10(size = N) takes the first N images)", "data.fraction");
  if (numberAt(c, "accumulate_grad_batches", 1) !== 1)
    throw new ImportError("accumulate_grad_batches: gradient accumulation has no adainf equivalent", "accumulate_grad_batches");

  const names = {
    train: (prov && nameAt(prov, "sources.train")) ?? "real",
    extra: (prov && nameAt(prov, "sources.extra")) ?? "generated",
    eval: (prov && nameAt(prov, "sources.eval")) ?? "eval",
  };
  const extraPath = stringAt(c, "data.extra_data");
  const dupRaw = finite(get(c, "data.dup"), "data.dup");
  const dup: Valued = extraPath !== null ? { value: num(numberAt(c, "data.dup", 1)), at: "data.dup" } : { value: num(1), at: null };
  if (extraPath === null) {
    // The fork's own configs leave inflation to the command line (data.dup=10 data.extra_data=...):
    // importing one alone gives none. One note, with a data.dup the reference ignores without it.
    const plus = (key: string) => (get(c, key) === undefined ? "+" : "");
    const ignored = typeof dupRaw === "number" && dupRaw !== 1;
    notes.push({
      at: ignored ? "data.dup" : get(c, "data.extra_data") === undefined ? "data" : "data.extra_data",
      text: `no generated data: data.extra_data is not set, so the pipeline trains on the real data alone, once${ignored ? ` (data.dup = ${dupRaw} without data.extra_data: the reference ignores it)` : ""}. To inflate as the AdaInf fork's commands do, give the overrides after the config: ${plus("data.extra_data")}data.extra_data=<file.npz> ${plus("data.dup")}data.dup=<N>; or write an inflate { } block in the pipeline`,
    });
  }

  // Global batch and the lr scaling solo-learn applies (lr * batch_size * devices * nodes / 256).
  const devices = devicesAt(c);
  const nodes = countAt(c, "num_nodes", 1);
  // solo-learn's batch_size is per device: a whole number, checked as written (before it is multiplied, and the rates with it).
  const perDevice = numberAt(c, "optimizer.batch_size");
  if (!Number.isInteger(perDevice) || perDevice < 1)
    throw new ImportError(`optimizer.batch_size must be a positive whole number (images per device), found ${jsonText(perDevice)}`, "optimizer.batch_size");
  const batchSize = perDevice * devices * nodes;
  if (nodes > 1)
    notes.push({
      at: "num_nodes",
      text: `num_nodes = ${nodes}: written as devices = ${devices * nodes} (${devices} per node); compile --target solo-learn writes them on one node`,
    });
  // Lightning's sync_batchnorm (default false): batch-norm statistics per GPU unless true;
  // adainfc run takes them over the whole batch, as compile --target solo-learn's true.
  if (devices * nodes > 1 && valueAt(c, "sync_batchnorm") !== true)
    notes.push({
      at: "sync_batchnorm",
      text: `sync_batchnorm is ${valueAt(c, "sync_batchnorm") === undefined ? "not set (Lightning's default: false)" : jsonText(valueAt(c, "sync_batchnorm"))}: on ${devices * nodes} GPUs each normalises its own ${batchSize / (devices * nodes)} images; the pipeline takes batch-norm statistics over the whole batch (as sync_batchnorm: true, which compile --target solo-learn writes)`,
    });
  // Rates are written as trained (lr_scaling = none, as the recipes), unless the config
  // came from a pipeline written with lr_scaling = linear (adainf.lr_scaling).
  const lrScaling = pv("lr_scaling") === "linear" ? "linear" : "none";
  const scale = lrScaling === "linear" ? 1 : batchSize / LR_SCALING_BASE_BATCH;
  const clean = (x: number) => Number(x.toPrecision(15));

  const optName = stringAt(c, "optimizer.name");
  const lr = clean(numberAt(c, "optimizer.lr") * scale);
  const wd = numberAt(c, "optimizer.weight_decay");
  let optimizer: CallPlan;
  if (optName === "lars") {
    optimizer = {
      name: "lars",
      args: [
        { key: "lr", value: num(lr), always: true, at: "optimizer.lr" },
        { key: "weight_decay", value: num(wd), always: true, at: "optimizer.weight_decay" },
        { key: "momentum", value: num(numberAt(c, "optimizer.kwargs.momentum", 0.9)), at: "optimizer.kwargs.momentum" },
        { key: "eta", value: num(numberAt(c, "optimizer.kwargs.eta", 1e-3)), at: "optimizer.kwargs.eta" },
        { key: "clip_lr", value: bool(boolAt(c, "optimizer.kwargs.clip_lr", false)), at: "optimizer.kwargs.clip_lr" },
        { key: "exclude_bias_n_norm", value: bool(boolAt(c, "optimizer.kwargs.exclude_bias_n_norm", false)), at: "optimizer.kwargs.exclude_bias_n_norm" },
      ],
    };
  } else if (optName === "sgd") {
    optimizer = {
      name: "sgd",
      args: [
        { key: "lr", value: num(lr), always: true, at: "optimizer.lr" },
        { key: "weight_decay", value: num(wd), always: true, at: "optimizer.weight_decay" },
        { key: "momentum", value: num(numberAt(c, "optimizer.kwargs.momentum", 0.9)), at: "optimizer.kwargs.momentum" },
      ],
    };
  } else if (optName === "adamw") {
    const given = get(c, "optimizer.kwargs.betas") ?? [0.9, 0.999];
    const betas = Array.isArray(given) ? given.map((b, i) => finite(plain(b, `optimizer.kwargs.betas.${i}`), `optimizer.kwargs.betas.${i}`)) : given;
    if (!Array.isArray(betas) || betas.length !== 2 || !betas.every((b) => typeof b === "number"))
      throw new ImportError("optimizer.kwargs.betas must be two numbers", "optimizer.kwargs.betas");
    optimizer = {
      name: "adamw",
      args: [
        { key: "lr", value: num(lr), always: true, at: "optimizer.lr" },
        { key: "weight_decay", value: num(wd), always: true, at: "optimizer.weight_decay" },
        { key: "beta1", value: num(betas[0] as number), at: "optimizer.kwargs.betas" },
        { key: "beta2", value: num(betas[1] as number), at: "optimizer.kwargs.betas" },
      ],
    };
  } else throw new ImportError(`optimizer.name: '${optName ?? ""}' is not available (lars, sgd, adamw)`, "optimizer.name");
  if (boolAt(c, "optimizer.exclude_bias_n_norm_wd", false))
    notes.push({
      at: "optimizer.exclude_bias_n_norm_wd",
      text: "optimizer.exclude_bias_n_norm_wd: adainf has no separate switch for it (LARS's exclude_bias_n_norm covers biases and norms)",
    });

  // The npz and whether its size is known: settings in epochs need it.
  const extraProvRaw = pv("extra_data");
  const extraProv = isMap(extraProvRaw) ? extraProvRaw : null;
  const extra =
    extraPath === null
      ? null
      : {
          name: names.extra,
          path: { value: str(extraPath), at: "data.extra_data" },
          args: extraArgs(extraProv, cwd, extraPath),
        };
  const sizeKnown = !extra || extra.args.some((a) => a.key === "size");
  if (!sizeKnown)
    notes.push({ at: "data.extra_data", text: `the size of ${extraPath} is unknown (file not found): settings in epochs cannot be converted to steps` });
  /** Why the epoch length is unknown, for a message. */
  const unknownSize = `the size of ${extraPath} is unknown (file not found), so an epoch has no known length in steps`;

  // Lightning's limit_train_batches: each epoch is only its first L batches, so every
  // setting in epochs is converted to steps with L (the pipeline's epoch is the whole data).
  const limit = trainLimit(c, loaded.isFloat("limit_train_batches"));
  let needsLimitLength = false;
  let L = stepsPerEpoch;
  if (limit !== null) {
    if (stepsPerEpoch === undefined) needsLimitLength = true;
    else if (stepsPerEpoch !== null) {
      L = limit.fraction !== undefined ? Math.floor(stepsPerEpoch * limit.fraction) : Math.min(stepsPerEpoch, limit.batches!);
      if (L < 1)
        throw new ImportError(
          `limit_train_batches = ${limit.text}: ${limit.text} of an epoch of ${stepsPerEpoch} steps is no batch (Lightning refuses it)`,
          "limit_train_batches",
        );
    }
  }
  /** A duration of the pipeline: in epochs of L steps when limit_train_batches shortens them, then in steps. */
  const inSteps = (lit: Lit): Lit => {
    if (limit === null || lit.kind !== "dur" || lit.unit !== "epochs" || L === undefined) return lit;
    if (L === null)
      throw new ImportError(
        `limit_train_batches = ${limit.text} shortens every epoch, and ${unknownSize}: put the npz there, or give the run's settings in steps`,
        "limit_train_batches",
      );
    return dur(Math.round(lit.v * L), "steps");
  };
  if (limit !== null && typeof L === "number")
    notes.push({
      at: "limit_train_batches",
      text: `limit_train_batches = ${limit.text}: each epoch is ${L} of its ${stepsPerEpoch} steps, so the settings in epochs are written in steps of such epochs`,
    });

  // Length and warm-up (lengthAndWarmup), counted as Lightning and solo-learn count them.
  const facts = lengthFacts(c);
  const length = lengthAndWarmup(facts, L);
  notes.push(...length.notes);
  const steps: Valued = { ...length.steps, value: inSteps(length.steps.value) };
  const schedName = stringAt(c, "scheduler.name") ?? "none";
  let schedule: CallPlan | "constant";
  if (schedName === "warmup_cosine") {
    if ((stringAt(c, "scheduler.interval") ?? "step") !== "step")
      throw new ImportError("scheduler.interval: only 'step' has an adainf equivalent", "scheduler.interval");
    const warmup = inSteps(length.warmup(numberAt(c, "scheduler.warmup_epochs", 10)));
    schedule = {
      name: "warmup_cosine",
      args: [
        { key: "warmup", value: warmup, at: "scheduler.warmup_epochs" },
        { key: "warmup_start_lr", value: num(numberAt(c, "scheduler.warmup_start_lr", 3e-5)), at: "scheduler.warmup_start_lr" },
        { key: "min_lr", value: num(numberAt(c, "scheduler.min_lr", 0)), at: "scheduler.min_lr" },
      ],
    };
  } else if (schedName === "none") schedule = "constant";
  else throw new ImportError(`scheduler.name: '${schedName}' is not available (warmup_cosine, none)`, "scheduler.name");

  const validation = validationInterval(c, loaded.isFloat("val_check_interval"), L, notes);
  const { every: everyRaw, at: everyAt, text: everyText } = validation;
  if (everyRaw.kind === "dur" && everyRaw.unit === "epochs" && !sizeKnown)
    throw new ImportError(
      `${everyText}, but ${unknownSize}: put the npz there, or write val_check_interval: <steps> with check_val_every_n_epoch: null`,
      everyAt,
    );
  const every = inSteps(everyRaw);
  // solo-learn scales classifier_lr by the batch only with a val_path (parse_cfg), and
  // without one validates on the CIFAR test split in its own folder (solo/datasets).
  const valPath = stringAt(c, "data.val_path");
  const classifierLr = clean(numberAt(c, "optimizer.classifier_lr") * (valPath === null ? 1 : scale));
  if (valPath === null)
    notes.push({
      at: "data.val_path",
      text: `data.val_path is not set: solo-learn validates on the ${dataset} test split it reads (or downloads) into its own solo/datasets folder, and does not scale classifier_lr by the batch, so online_linear trains at ${classifierLr}; the pipeline evaluates on the test split at data.train_path (${trainPath})`,
    });
  const onlineLinear: CallPlan = {
    name: "online_linear",
    args: [
      { key: "lr", value: num(classifierLr), always: true, at: "optimizer.classifier_lr" },
      { key: "every", value: every, at: everyAt },
    ],
  };
  const knn: CallPlan | null = boolAt(c, "knn_eval.enabled", false)
    ? {
        name: "knn",
        args: [
          { key: "k", value: num(numberAt(c, "knn_eval.k", 20)), at: "knn_eval.k" },
          { key: "temperature", value: num(0.07), at: null },
          { key: "distance", value: ident(stringAt(c, "knn_eval.distance_func") ?? "euclidean"), at: "knn_eval.distance_func" },
          { key: "every", value: every, at: everyAt },
        ],
      }
    : null;

  const { preset, views } = interpretViews(loaded, prov);
  let ckptEvery: Valued;
  const provEvery = finite(pv("checkpoint_every"), "adainf.checkpoint_every");
  if (typeof provEvery === "number") ckptEvery = { value: dur(provEvery, "steps"), at: "adainf.checkpoint_every" };
  else if (prov && provEvery === null) ckptEvery = { value: ident("none"), at: "adainf.checkpoint_every" };
  else if (!boolAt(c, "checkpoint.enabled", false)) {
    // solo-learn saves no checkpoint unless checkpoint.enabled (its default: false, solo/utils/checkpointer.py);
    // a run of adainf always saves its final one.
    ckptEvery = { value: ident("none"), at: "checkpoint.enabled" };
    notes.push({
      at: "checkpoint.enabled",
      text: `checkpoint.enabled is ${get(c, "checkpoint.enabled") === false ? "false" : "not set (solo-learn's default: false)"}: solo-learn saves no checkpoints; the pipeline saves only its final one (checkpoint_every = none)`,
    });
  } else if (sizeKnown) ckptEvery = { value: inSteps(dur(numberAt(c, "checkpoint.frequency", 1), "epochs")), at: "checkpoint.frequency" };
  else {
    ckptEvery = { value: ident("none"), at: "checkpoint.frequency" };
    notes.push({
      at: "checkpoint.frequency",
      text: `checkpoint.frequency (every ${numberAt(c, "checkpoint.frequency", 1)} epoch(s)) dropped: the epoch length is unknown; the run checkpoints at its end`,
    });
  }
  const provKeep = finite(pv("keep"), "adainf.keep");
  const keep: Valued | null =
    typeof provKeep === "number"
      ? { value: num(provKeep), at: "adainf.keep" }
      : boolAt(c, "checkpoint.keep_prev", false)
        ? null
        : { value: num(1), at: "checkpoint.keep_prev" };
  const lintGiven = pv("lint");
  const lintRaw = isMap(lintGiven) ? lintGiven : {};
  const dir = stringAt(c, "checkpoint.dir");

  const fromDefaults = defaultsNotes(loaded);
  notes.unshift(...loaded.notes, ...fromDefaults.notes);
  notes.push(...behaviourChanges(c, loaded, fromDefaults.covered));
  // Every other key of a mapping read: refused, noted, or (speed, logging) nothing said.
  notes.push(...unreadKeyNotes(c, (key) => valueAt(c, key), method, optName!, TOP_LEVEL_READ, fromDefaults.covered));
  return writable({
    name: identifier(stringAt(c, "name") ?? loaded.configPath.replace(/^.*[\\/]/, "").replace(/\.ya?ml$/, "")),
    method,
    seed: { value: num(numberAt(c, "seed", 5)), at: "seed" },
    real: { name: names.train, dataset, path: { value: str(trainPath), at: "data.train_path" } },
    extra,
    // Without val_path, the training path's test split (a note says so).
    eval: { name: names.eval, path: valPath === null ? { value: str(trainPath), at: "data.train_path" } : { value: str(valPath), at: "data.val_path" } },
    dup,
    augmentPreset: preset,
    views,
    backbone: { name: "resnet18", args: [{ key: "stem", value: ident("cifar"), at: null }] },
    methodCall: methodCall(c, method),
    batchSize: { value: num(batchSize), at: "optimizer.batch_size" },
    devices: { value: num(devices * nodes), at: "devices" },
    lrScaling: { value: ident(lrScaling), at: lrScaling === "linear" ? "adainf.lr_scaling" : null },
    steps,
    optimizer,
    schedule,
    onlineLinear,
    knn,
    output: { dir: dir === null ? null : { value: str(dir), at: "checkpoint.dir" }, checkpointEvery: ckptEvery, keep },
    lint: Object.entries(lintRaw).map(([rule, v]) => ({ rule, severity: String(plain(v, `adainf.lint.${rule}`)), at: `adainf.lint.${rule}` })),
    notes,
    needsEpochLength: length.needsEpochLength || needsLimitLength || validation.needsLength,
  });
}

/**
 * The plan, once every number it writes is finite: one computed from finite values may not
 * be (`optimizer.lr: 1e308` times the batch scaling), an error at the key it came from.
 */
function writable(plan: ImportPlan): ImportPlan {
  const walk = (x: unknown, at: string | null): void => {
    if (Array.isArray(x)) {
      for (const e of x) walk(e, at);
      return;
    }
    if (typeof x !== "object" || x === null) return;
    const o = x as Partial<Lit> & { at?: unknown };
    if (o.kind === "num" || o.kind === "dur" || o.kind === "range") {
      const bad = (Array.isArray(o.v) ? o.v : [o.v]).find((v) => !Number.isFinite(v));
      if (bad !== undefined)
        throw new ImportError(`${at ?? "a value"}: the value the pipeline would get from it is ${jsonText(bad)}, which is no finite number`, at ?? undefined);
      return;
    }
    const here = typeof o.at === "string" ? o.at : at;
    for (const v of Object.values(x)) walk(v, here);
  };
  walk(plan, null);
  return plan;
}

/**
 * Lightning's limit_train_batches: a float in (0, 1) is that fraction of each epoch's
 * batches, a whole number that many batches; null when every batch is trained (not set,
 * null, the float 1.0: OmegaConf keeps `1` and `1.0` apart, `writtenFloat`).
 */
function trainLimit(c: YamlMap, writtenFloat: boolean): { fraction?: number; batches?: number; text: string } | null {
  const key = "limit_train_batches";
  const v = valueAt(c, key);
  if (v === undefined || v === null) return null;
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
    throw new ImportError(`${key} must be a fraction of an epoch (0.0 to 1.0) or a number of batches, found ${jsonText(v)}`, key);
  const text = writtenFloat && Number.isInteger(v) ? `${v}.0` : String(v);
  if (v === 0) throw new ImportError(`${key} = ${text}: Lightning then trains on no batch`, key);
  if (writtenFloat || !Number.isInteger(v)) {
    if (v > 1)
      throw new ImportError(`${key} = ${text}: a float is a fraction of an epoch, at most 1.0 (Lightning refuses more); write a whole number of batches`, key);
    return v === 1 ? null : { fraction: v, text };
  }
  return { batches: v, text };
}

/**
 * Lightning's validation interval: val_check_interval (a whole number: batches; a float
 * in (0, 1]: a fraction of an epoch; 1.0 when not set) with check_val_every_n_epoch (1 when
 * not set; null: the whole number counts the run's steps, as the fork's configs have it).
 * `L`: the epoch length in steps (undefined: not known yet, `needsLength`; null: unknown).
 * `at`: the key it is placed at; `text`: what it is, for a message.
 */
function validationInterval(
  c: YamlMap,
  vciWrittenFloat: boolean,
  L: number | null | undefined,
  notes: Note[],
): { every: Lit; at: string; text: string; needsLength: boolean } {
  const vci = finite(get(c, "val_check_interval"), "val_check_interval");
  const cvneKey = "check_val_every_n_epoch";
  const cvneRaw = get(c, cvneKey);
  let cvne: number | null = 1;
  if (cvneRaw === null) cvne = null;
  else if (cvneRaw !== undefined) {
    if (typeof cvneRaw !== "number" || !Number.isInteger(cvneRaw) || cvneRaw < 1)
      throw new ImportError(`${cvneKey} must be a whole number >= 1 or null, found ${jsonText(cvneRaw)}`, cvneKey);
    cvne = cvneRaw;
  }
  // Lightning: an int is a number of training batches, a float in (0, 1] a fraction of an
  // epoch (OmegaConf's loader keeps `1` and `1.0` apart).
  const vciFloat = typeof vci === "number" && (!Number.isInteger(vci) || vciWrittenFloat);
  if (vci === undefined || vci === null || (vciFloat && vci === 1)) {
    const given =
      vci === undefined || vci === null
        ? "val_check_interval is not set (Lightning's default: 1.0, once an epoch)"
        : "val_check_interval = 1.0 (once an epoch)";
    if (cvne === null)
      throw new ImportError(
        `${cvneKey}: null with ${given}: Lightning refuses a fractional interval without epochs; write val_check_interval: <steps>`,
        cvneKey,
      );
    if (cvneRaw === undefined || cvne === 1)
      return {
        every: dur(1, "epochs"),
        at: cvneRaw === undefined ? "val_check_interval" : cvneKey,
        text: `${given}, so Lightning validates every epoch`,
        needsLength: false,
      };
    return { every: dur(cvne, "epochs"), at: cvneKey, text: `${cvneKey} = ${cvne}: Lightning validates every ${cvne} epochs`, needsLength: false };
  }
  if (typeof vci === "number" && !vciFloat && vci >= 1) {
    if (cvne === null) return { every: dur(vci, "steps"), at: "val_check_interval", text: "", needsLength: false };
    if (cvne > 1)
      throw new ImportError(
        `${cvneKey} = ${cvne} with val_check_interval = ${vci}: validation after every ${vci} batches of every ${cvne}th epoch has no adainf equivalent; write ${cvneKey}: null (every ${vci} steps of the run) or val_check_interval: 1.0 (every ${cvne} epochs)`,
        cvneKey,
      );
    // check_val_every_n_epoch = 1: every vci batches of each epoch, counted from its start.
    if (typeof L === "number" && vci > L)
      throw new ImportError(
        `val_check_interval = ${vci} is more than an epoch's ${L} steps, which Lightning refuses with ${cvneKey} = 1 (${cvneRaw === undefined ? "its default" : "given"}); write ${cvneKey}: null to count the run's steps`,
        "val_check_interval",
      );
    if (typeof L !== "number" || L % vci !== 0) {
      if (L !== undefined)
        notes.push({
          at: "val_check_interval",
          text: `val_check_interval = ${vci} with ${cvneKey} = 1 (${cvneRaw === undefined ? "Lightning's default" : "given"}): Lightning validates after every ${vci} batches of each epoch, counting again from each epoch's start (${typeof L === "number" ? `an epoch is ${L} steps` : "the epoch length is unknown"}); the pipeline validates every ${vci} steps of the run, as ${cvneKey}: null does`,
        });
    }
    return { every: dur(vci, "steps"), at: "val_check_interval", text: "", needsLength: L === undefined };
  }
  if (vciFloat && (vci as number) > 1)
    throw new ImportError(
      `val_check_interval = ${Number.isInteger(vci) ? `${vci}.0` : vci}: a float is a fraction of an epoch, at most 1.0 (Lightning refuses more); write a whole number of steps`,
      "val_check_interval",
    );
  throw new ImportError(`val_check_interval = ${jsonText(vci)}: a fraction of an epoch has no adainf equivalent; give a number of steps`, "val_check_interval");
}

/** What sets a run's length and warm-up: `max_steps`, `max_epochs`, the warm-up's epochs and what divides them. */
interface LengthFacts {
  /** max_steps; null when not set (or -1, Lightning's "no limit"). */
  maxSteps: number | null;
  /** max_epochs; null when not set (or -1). */
  maxEpochs: number | null;
  /** What warmup_epochs x the run's steps is divided by: the fork's compute_warm_step_epoch, else max_epochs; null with neither. */
  divisor: { value: number; key: string } | null;
}

function lengthFacts(c: YamlMap): LengthFacts {
  /** A limit; -1 is Lightning's "none". */
  const limit = (key: string, must: string): number | null => {
    const v = valueAt(c, key);
    if (v === undefined || v === null || v === -1) return null;
    if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || (key === "max_steps" && !Number.isInteger(v)))
      throw new ImportError(`${key} must be ${must}, found ${jsonText(v)}`, key);
    return v;
  };
  const maxSteps = limit("max_steps", "a positive whole number (or -1 with max_epochs)");
  const maxEpochs = limit("max_epochs", "a positive number");
  if (maxSteps === null && maxEpochs === null) throw new ImportError("neither max_steps nor max_epochs is set", "max_steps");
  const cwse = finite(valueAt(c, "compute_warm_step_epoch"), "compute_warm_step_epoch");
  const divisor =
    typeof cwse === "number" && Number.isFinite(cwse) && cwse > 0
      ? { value: cwse, key: "compute_warm_step_epoch" }
      : maxEpochs !== null
        ? { value: maxEpochs, key: "max_epochs" }
        : null;
  return { maxSteps, maxEpochs, divisor };
}

/**
 * The run's length, and its warm-up in the pipeline's terms (read only for warmup_cosine).
 * Lightning stops at max_steps or after max_epochs epochs, whichever comes first, and
 * solo-learn (methods/base.py) warms up for warmup_epochs x (the steps the trainer will
 * run / max_epochs) steps; the AdaInf fork divides by compute_warm_step_epoch instead.
 * With both limits the epoch length `E` decides which stops training: unknown (the npz's
 * size is), max_steps is taken and a note says so; undefined (not yet known), the same
 * provisional length, and `needsEpochLength`.
 */
function lengthAndWarmup(
  f: LengthFacts,
  E: number | null | undefined,
): { steps: Valued; warmup: (warmupEpochs: number) => Lit; notes: Note[]; needsEpochLength: boolean } {
  const notes: Note[] = [];
  const { maxSteps: S, maxEpochs: M, divisor: D } = f;
  let needsEpochLength = false;
  // The run's length: in steps, or in epochs (M epochs) when max_epochs stops it first.
  let total: { steps: number } | { epochs: number };
  if (S !== null && M !== null) {
    if (E === undefined) needsEpochLength = true;
    if (typeof E === "number" && E > 0 && M * E < S) {
      total = { epochs: M };
      notes.push({
        at: "max_steps",
        text: `max_steps = ${S} is not reached: max_epochs = ${M} (${M} x ${E} steps) stops training first, so the pipeline runs ${M} epochs`,
      });
    } else {
      total = { steps: S };
      if (E === null)
        notes.push({
          at: "max_epochs",
          text: `max_epochs = ${M} is dropped: the epoch length is unknown (the npz's size is), so the run is taken to stop at max_steps = ${S}, and its warm-up is counted so`,
        });
    }
  } else total = S !== null ? { steps: S } : { epochs: M! };
  const steps: Valued = "steps" in total ? { value: dur(total.steps, "steps"), at: "max_steps" } : { value: dur(total.epochs, "epochs"), at: "max_epochs" };
  /** `we`: scheduler.warmup_epochs. */
  const warmup = (we: number): Lit => {
    const at = "scheduler.warmup_epochs";
    if ("steps" in total) {
      if (D !== null) {
        // (we x steps) / D, as solo-learn computes it; the other way round where that product
        // overflows (max_steps: 1e308), so that a run too long is the error, at max_steps.
        const product = we * total.steps;
        return dur(Math.round(Number.isFinite(product) ? product / D.value : we * (total.steps / D.value)), "steps");
      }
    } else if (D !== null && D.key === "max_epochs") {
      // warmup_epochs x (M x E) / M: warmup_epochs epochs.
      if (Number.isInteger(we)) return dur(we, "epochs");
      if (typeof E === "number") return dur(Math.round(we * E), "steps");
      if (E === undefined) {
        needsEpochLength = true;
        return dur(0, "steps");
      }
    } else if (D !== null) {
      // The fork with max_epochs alone: warmup_epochs x (M x E) / compute_warm_step_epoch.
      if (typeof E === "number") return dur(Math.round((we * total.epochs * E) / D.value), "steps");
      if (E === undefined) {
        needsEpochLength = true;
        return dur(0, "steps");
      }
      throw new ImportError(
        `scheduler.warmup_epochs = ${we} with compute_warm_step_epoch and max_epochs: the warm-up needs the epoch length, which is unknown`,
        at,
      );
    }
    if (Number.isInteger(we)) return dur(we, "epochs");
    throw new ImportError(`scheduler.warmup_epochs = ${we}: a fraction of an epoch needs the epoch length, or compute_warm_step_epoch and max_steps`, at);
  };
  return {
    steps,
    warmup,
    notes,
    get needsEpochLength() {
      return needsEpochLength;
    },
  };
}

/** Top-level keys import turns into the pipeline's settings (or refuses). */
const READ_TOP_LEVEL = new Set([
  "name",
  "method",
  "backbone",
  "method_kwargs",
  "momentum",
  "data",
  "optimizer",
  "scheduler",
  "checkpoint",
  "max_epochs",
  "max_steps",
  "devices",
  "num_nodes",
  "seed",
  "knn_eval",
  "augmentations",
  "adainf",
  "accumulate_grad_batches",
  "compute_warm_step_epoch",
  "val_check_interval",
  "check_val_every_n_epoch",
  "limit_train_batches",
  "limit_val_batches",
]);

/** The top-level keys whose every key is accounted for here (unreadKeyNotes says what becomes of the others). */
const TOP_LEVEL_READ = [...READ_TOP_LEVEL, "wandb", "auto_resume", "sync_batchnorm"];

/**
 * One note for each file of the defaults list that adds nothing to the pipeline: not
 * there, or merged at a key the pipeline does not take its settings from (solo-learn's
 * `wandb: private.yaml`). `covered`: those keys, of which nothing more is said.
 */
/**
 * The notes of composing that may explain an error about `key` (a dotted config key),
 * printed before it: the defaults entries not followed and group files' own lists (what
 * they hold is unknown), and each file not there that would have been merged at `key`,
 * inside it, around it or at the top level. (`wandb: private.yaml` missing does not
 * explain a bad `method`.)
 */
export function notesBefore(loaded: LoadedSoloConfig, key: string | undefined): Note[] {
  const related = (k: string) => key !== undefined && (k === "" || k === key || key.startsWith(`${k}.`) || k.startsWith(`${key}.`));
  return [...loaded.notes, ...loaded.defaults.filter((d) => !d.merged && related(d.key)).map(missingNote)];
}

function missingNote(d: LoadedSoloConfig["defaults"][number]): Note {
  return { at: d.at, text: `defaults: '${d.label}' names ${d.shown}, which does not exist${d.optional ? " (optional)" : ""}: nothing is merged from it` };
}

function defaultsNotes(loaded: LoadedSoloConfig): { notes: Note[]; covered: Set<string> } {
  const notes: Note[] = [];
  const covered = new Set<string>();
  for (const d of loaded.defaults) {
    if (!d.merged) {
      notes.push(missingNote(d));
    } else if (d.key !== "" && !READ_TOP_LEVEL.has(d.key.split(".")[0]!)) {
      covered.add(d.key.split(".")[0]!);
      notes.push({ at: d.at, text: `defaults: '${d.label}' (${d.shown}) sets ${d.key}, which the imported pipeline does not take settings from` });
    }
  }
  return { notes, covered };
}

/**
 * What the pipeline will do differently from the config, said rather than changed
 * silently: a random seed, auto-resume, W&B logging, and keys nobody reads (except keys
 * a defaults file set, said at its entry: `covered`).
 */
function behaviourChanges(c: YamlMap, loaded: LoadedSoloConfig, covered: Set<string>): Note[] {
  const out: Note[] = [];
  if (valueAt(c, "seed") === null)
    out.push({
      at: "seed",
      text: `seed: ${get(c, "seed") === null ? "null" : "None"} (a new random seed each run) becomes seed = 5: adainf runs are seeded and repeatable; set another seed to vary`,
    });
  if (get(c, "auto_resume.enabled") === true) {
    out.push({
      at: "auto_resume.enabled",
      text: "auto_resume.enabled: true has no setting in a pipeline: `adainfc run --resume` continues a run (sweep points resume by themselves)",
    });
  }
  if (get(c, "wandb.enabled") === true) {
    const where = [stringAt(c, "wandb.entity"), stringAt(c, "wandb.project")].filter(Boolean).join("/");
    out.push({
      at: "wandb.enabled",
      text: `wandb.enabled: true${where ? ` (${where})` : ""} is not kept: adainfc logs to the run directory (metrics.jsonl, adainfc report), and compile --target solo-learn writes wandb.enabled: false`,
    });
  }
  const lvb = valueAt(c, "limit_val_batches");
  if (lvb !== undefined && lvb !== null && !(lvb === 1 && loaded.isFloat("limit_val_batches")))
    out.push({
      at: "limit_val_batches",
      text: `limit_val_batches = ${jsonText(lvb)} is dropped: Lightning validates on ${lvb === 0 ? "no batch" : "part of the evaluation set"}; the pipeline evaluates on all of it`,
    });
  // A key a defaults file set, said once at that entry.
  return out.filter((n) => !covered.has(n.at.split(".")[0]!));
}

/**
 * The number of images in the npz the imported pipeline will name, from its header: the
 * path resolves as in every pipeline (src/formats/data-path.ts, against the project
 * directory), so the size is that of the file the pipeline will read. Null when there
 * is no such file or its header is unreadable.
 */
function npzCount(projectDir: string, path: string): number | null {
  try {
    return npzHeaderAt(projectDir, path)?.count ?? null;
  } catch {
    return null;
  }
}

/** The npz's arguments after its path: from the provenance mapping (`adainf.extra_data`), else its size from the file data.extra_data names. */
function extraArgs(p: YamlMap | null, projectDir: string, path: string): CallArg[] {
  if (!p) {
    const n = npzCount(projectDir, path);
    return n === null ? [] : [{ key: "size", value: num(n), at: "data.extra_data" }];
  }
  const args: CallArg[] = [];
  const at = (k: string) => `adainf.extra_data.${k}`;
  const v = (k: string) => finite(get(p, k, "adainf.extra_data."), at(k));
  const origin = v("origin");
  const size = v("size");
  const fid = v("fid");
  const channels = v("channels");
  const classes = v("classes");
  if (origin === "real") args.push({ key: "origin", value: ident("real"), at: at("origin") });
  if (typeof size === "number") args.push({ key: "size", value: num(size), at: at("size") });
  if (typeof fid === "number") args.push({ key: "fid", value: num(fid), at: at("fid") });
  if (channels === "rgb" || channels === "bgr") args.push({ key: "channels", value: ident(channels), at: at("channels") });
  if (typeof classes === "number") args.push({ key: "classes", value: num(classes), at: at("classes") });
  return args;
}

function methodCall(c: YamlMap, method: MethodName): CallPlan {
  /** The argument `arg` from method_kwargs.<key>. */
  const k = (arg: string, key = arg, fallback?: number): CallArg => ({
    key: arg,
    value: num(numberAt(c, `method_kwargs.${key}`, fallback)),
    at: `method_kwargs.${key}`,
  });
  const proj: CallArg[] = [k("proj_hidden_dim"), k("proj_output_dim")];
  const momentum: CallArg[] = [
    { key: "momentum_base", value: num(numberAt(c, "momentum.base_tau", 0.99)), at: "momentum.base_tau" },
    { key: "momentum_final", value: num(numberAt(c, "momentum.final_tau", 1.0)), at: "momentum.final_tau" },
  ];
  switch (method) {
    case "simclr":
      return { name: "simclr", args: [...proj, k("temperature")] };
    case "mocov2plus":
      return { name: "mocov2plus", args: [...proj, k("queue_size"), k("temperature"), ...momentum] };
    case "byol":
      return { name: "byol", args: [...proj, k("pred_hidden_dim"), ...momentum] };
    case "barlow":
      return { name: "barlow", args: [...proj, k("scale_loss", "scale_loss", 0.1), k("lambda", "lamb", 0.0051)] };
  }
}

function interpretViews(loaded: LoadedSoloConfig, prov: YamlMap | null): { preset: string | null; views: ViewPlan[] } {
  const entries = loaded.augmentations.map((e, i) => interpretEntry(e, i));
  const total = entries.reduce((n, e) => n + e.count, 0);
  if (total !== 2) {
    // At the num_crops that passes two (or the last one, when there are fewer).
    let sum = 0;
    const over = entries.findIndex((e) => (sum += e.count) > 2);
    const at = `augmentations.${over < 0 ? entries.length - 1 : over}.num_crops`;
    throw new ImportError(`${total} crops in all; adainf's methods take exactly two views`, at);
  }
  if (new Set(entries.map((e) => e.size)).size > 1) throw new ImportError("crops of different sizes (multi-crop) have no adainf equivalent", "augmentations");
  const given = prov ? get(prov, "views", "adainf.") : undefined;
  const provViews = Array.isArray(given) ? given.map((v, i) => plain(v, `adainf.views.${i}`)).filter((v): v is string => typeof v === "string") : [];
  let views: ViewPlan[];
  if (provViews.length === 2) {
    // Named views: one `view <name>` each (a symmetric entry counts twice).
    const flat = entries.flatMap((e) => Array.from({ length: e.count }, () => e.ops));
    views = flat.map((ops, i) => ({ name: identifier(provViews[i]!), count: 1, ops }));
  } else if (entries.length === 1) views = [{ name: null, count: 2, ops: entries[0]!.ops }];
  else views = entries.map((e, i) => ({ name: `view${i + 1}`, count: 1, ops: e.ops }));
  const provPreset = prov && "augment_preset" in prov ? get(prov, "augment_preset", "adainf.") : undefined;
  const preset = provPreset === null ? null : provPreset !== undefined ? nameAt(prov!, "augment_preset") : identifier(loaded.augmentationsName);
  return { preset, views };
}

/** Entry `i` of the augmentation list (the config key `augmentations.<i>`). */
function interpretEntry(e: YamlMap, i: number): { count: number; size: number; ops: OpPlan[] } {
  const where = `pipeline ${i + 1}`;
  const at = (path: string) => `augmentations.${i}.${path}`;
  /** The number at `path`; `fallback` when it is missing (undefined: missing is an error, `why` says why). */
  const n = (path: string, fallback?: number, why = "") => {
    const v = get(e, path, at(""));
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new ImportError(`${where}: ${path} is missing${why}`, at(path));
    }
    if (typeof v !== "number") throw new ImportError(`${where}: ${path} must be a number`, at(path));
    return finite(v, at(path), `${where}: ${path}`);
  };
  /** A number solo-learn reads: missing, it fails (a missing key of the entry's mapping). */
  const need = (path: string) => n(path, undefined, ": solo-learn reads it and fails without it");
  // solo-learn's build_transform_pipeline reads each of these sections (and fails without one).
  for (const section of ["rrc", "color_jitter", "grayscale", "gaussian_blur", "solarization", "equalization", "horizontal_flip"]) {
    const v = get(e, section, at(""));
    if (!isMap(v))
      throw new ImportError(
        `${where}: ${section} ${v === undefined || v === null ? "is missing" : `must be a mapping, found ${jsonText(v)}`}: solo-learn reads ${section}.${section === "rrc" ? "enabled" : "prob"} and fails without it (${section === "rrc" ? "write enabled: true with its scales" : "write prob: 0.0 for none"})`,
        v === undefined ? `augmentations.${i}` : at(section),
      );
  }
  const size = n("crop_size");
  if (!Number.isInteger(size)) throw new ImportError(`${where}: crop_size must be a whole number of pixels, found ${size}`, at("crop_size"));
  const count = n("num_crops");
  if (!Number.isInteger(count) || count < 1) throw new ImportError(`${where}: num_crops must be a whole number >= 1, found ${count}`, at("num_crops"));
  const ops: OpPlan[] = [];
  const rrc = get(e, "rrc.enabled", at(""));
  if (typeof rrc !== "boolean")
    throw new ImportError(
      `${where}: rrc.enabled ${rrc === undefined || rrc === null ? "is missing" : `must be true or false, found ${jsonText(rrc)}`}: solo-learn reads it`,
      at("rrc.enabled"),
    );
  if (rrc) {
    const args: CallArg[] = [];
    if (size !== 32) args.push({ key: "size", value: num(size), at: at("crop_size") });
    args.push({ key: "scale", value: range(need("rrc.crop_min_scale"), need("rrc.crop_max_scale")), always: true, at: at("rrc") });
    ops.push({ op: "random_resized_crop", args });
  } else if (size !== 32) throw new ImportError(`${where}: rrc disabled with crop_size ${size}: a plain resize has no adainf equivalent`, at("rrc.enabled"));
  const prob = (key: string): CallArg => ({ key: "p", value: num(need(`${key}.prob`)), always: true, at: at(`${key}.prob`) });
  // The jitter's strengths are read only when it is applied (prob > 0).
  const jitterOn = need("color_jitter.prob") > 0;
  const p = (op: string, key: string) => ops.push({ op, args: [prob(key)] });
  ops.push({
    op: "color_jitter",
    args: [
      prob("color_jitter"),
      ...(["brightness", "contrast", "saturation", "hue"] as const).map((k) => ({
        key: k,
        value: num(jitterOn ? need(`color_jitter.${k}`) : n(`color_jitter.${k}`, 0)),
        always: true,
        at: at(`color_jitter.${k}`),
      })),
    ],
  });
  p("grayscale", "grayscale");
  p("gaussian_blur", "gaussian_blur");
  p("solarize", "solarization");
  p("equalize", "equalization");
  p("horizontal_flip", "horizontal_flip");
  return { count, size, ops };
}
