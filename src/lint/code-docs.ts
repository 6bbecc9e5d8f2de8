// Where a diagnostic code is documented: a lint rule's generated page (docs/rules/<id>.md),
// a compiler code's section of docs/diagnostics.md (generated from the registry), a bad
// `lint { ... }` entry's (lint-config) lint configuration section, else the language reference.
// SARIF's helpUri and the language server's links are this.
import { LINT_CONFIG_CODE, REGISTRY } from "../check/registry.js";
import { docsUri } from "../util/own-package.js";
import { findRule } from "./rules/index.js";

export function codeDocsUri(code: string): string {
  if (findRule(code)) return docsUri(`docs/rules/${code}.md`);
  if (Object.hasOwn(REGISTRY, code)) return docsUri("docs/diagnostics.md", code.toLowerCase());
  if (code === LINT_CONFIG_CODE) return docsUri("docs/lint.md", "configuration");
  return docsUri("docs/language.md");
}
