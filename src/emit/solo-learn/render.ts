// Config objects -> YAML text that PyYAML/OmegaConf read back to the same values.
// Every string is double-quoted: PyYAML speaks YAML 1.1, where a bare `yes`, `on` or
// `1_000` is not a string, and double quotes mean the same in 1.1 and 1.2. OmegaConf
// resolves `${...}` inside any string, so a literal one in a path is escaped.

import { Document } from "yaml";
import type { SoloAugmentation, SoloConfig } from "./config.js";

/** A string OmegaConf reads back literally: `\${` for `${`, backslashes before it doubled. */
export function escapeInterpolation(s: string): string {
  return s.replace(/(\\*)\$\{/g, (_m, bs: string) => `${bs}${bs}\\\${`);
}

function escapeStrings(v: unknown): unknown {
  if (typeof v === "string") return escapeInterpolation(v);
  if (Array.isArray(v)) return v.map(escapeStrings);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeStrings(x)]));
  return v;
}

function toYaml(value: unknown, comment: string): string {
  const doc = new Document(escapeStrings(value));
  doc.commentBefore = comment;
  return doc.toString({ defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0 });
}

export function renderConfig(config: SoloConfig, origin: string, flavour: "adainf" | "upstream" = "adainf"): string {
  return toYaml(
    config,
    [
      ` solo-learn pretrain config (${flavour === "adainf" ? "AdaInf fork" : "upstream solo-learn"}) for pipeline '${config.name}',`,
      ` written by \`adainfc compile --target solo-learn${flavour === "upstream" ? " --flavour upstream" : ""}\` from ${origin}.`,
      " optimizer.lr and classifier_lr are scaled by solo-learn by batch_size * len(devices) / 256.",
      flavour === "adainf"
        ? " The fork warms up for scheduler.warmup_epochs * max_steps / compute_warm_step_epoch steps."
        : " Upstream warms up for scheduler.warmup_epochs * max_steps / max_epochs steps; max_epochs epochs hold max_steps.",
      " The `adainf` block is read only by `adainfc import` (solo-learn ignores it).",
    ].join("\n"),
  );
}

export function renderAugmentations(entries: SoloAugmentation[], name: string): string {
  return toYaml(entries, ` solo-learn augmentation pipelines '${name}', written by adainfc (one entry per distinct view).`);
}
