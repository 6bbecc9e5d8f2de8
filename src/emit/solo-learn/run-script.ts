// run.sh: the main_pretrain.py command in the style of the AdaInf README, one Hydra
// override per line. A value passes two parsers before solo-learn sees it: bash, then
// Hydra's override grammar (which also resolves `${...}`). So each value is first made
// a Hydra literal (quoted when it is not a plain path-like word, `${` escaped) and the
// whole `key=value` word is then quoted for the shell.
import type { SoloConfig } from "./config.js";
import { escapeInterpolation } from "./render.js";
import { shellQuote } from "../../util/shell-quote.js";

// A bare Hydra value that stays a string: path-like characters, not starting like a
// number, not one of the grammar's keywords.
const HYDRA_BARE = /^[A-Za-z_./][A-Za-z0-9_./-]*$/;
const HYDRA_KEYWORDS = /^(null|true|false|inf|nan)$/i;

/** A string as a Hydra override value. */
export function hydraString(value: string): string {
  if (HYDRA_BARE.test(value) && !HYDRA_KEYWORDS.test(value)) return value;
  // Quoted value: `\'` is a quote; backslashes before a quote or the end are doubled.
  const body = escapeInterpolation(value).replace(/(\\*)('|$)/g, (_m, bs: string, q: string) => `${bs}${bs}${q === "'" ? "\\'" : ""}`);
  return `'${body}'`;
}

export function renderRunScript(
  config: SoloConfig,
  configName: string,
  augmentationFile: string,
  origin: string,
  flavour: "adainf" | "upstream" = "adainf",
): string {
  const overrides: string[] = [`augmentations=${hydraString(augmentationFile)}`, `name=${hydraString(config.name)}`];
  if (config.data.extra_data !== null && config.data.extra_data !== undefined) {
    overrides.push(`data.extra_data=${hydraString(config.data.extra_data)}`, `data.dup=${config.data.dup}`);
  }
  overrides.push(`max_steps=${config.max_steps}`);
  const lines = [
    "#!/usr/bin/env bash",
    `# Pretrain '${oneLine(config.name)}' with ${flavour === "adainf" ? "solo-learn (AdaInf fork)" : "upstream solo-learn"}; written by adainfc from ${oneLine(origin)}.`,
    "# A bash script (BASH_SOURCE, pipefail): run it as ./run.sh or bash run.sh, not sh.",
    flavour === "adainf"
      ? "# Run it from the root of a PKU-ML/adainf checkout (where ./solo-learn is); data paths are"
      : "# Run it from the folder that holds a vturrisi/solo-learn checkout as ./solo-learn; data paths are",
    "# relative to that folder. Extra Hydra overrides can follow (./run.sh seed=1).",
    `# It trains on ${config.devices.length} GPU${config.devices.length === 1 ? "" : "s"} x ${config.optimizer.batch_size} images (batch_size is per GPU); to spread the same`,
    "# total batch over another number of GPUs, compile again with --devices N.",
    "set -euo pipefail",
    'config_dir="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"',
    `python3 ./solo-learn/main_pretrain.py --config-path "$config_dir" --config-name ${shellQuote(configName)} \\`,
    ...overrides.map((o) => `  ${shellQuote(o)} \\`),
    '  "$@"',
    "",
  ];
  return lines.join("\n");
}

/** Text for a comment line: no newline can end the comment early. */
function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]/g, " ");
}
