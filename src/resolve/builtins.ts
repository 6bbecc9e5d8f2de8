// `key = builtin(...)` where the builtin is one of a family (backbone, method,
// optimizer, schedule): looked up by name, its call checked by its definition
// (ir/builtins.ts), its IR node built from the definition, lengths left to `pending`.
import { nodeOf, type Block, type NodeOf } from "../ir/define.js";
import { interpretCall, lookupSpec, type Family } from "./calls.js";
import type { ResolveContext } from "./context.js";
import { callOf, pendingSteps, recordSpans, type PendingDuration } from "./entries.js";
import type { StmtEntry } from "./merge.js";

export interface FamilyCall {
  /** What the family is called in messages (`optimizer`). */
  what: string;
  /** JSON Pointer of the node in the IR. */
  base: string;
  /** Say which sibling takes a parameter this one does not (E023); off for schedules. */
  siblings?: boolean;
}

export function resolveFamilyCall<B extends Block>(
  e: StmtEntry,
  family: Family<B>,
  how: FamilyCall,
  ctx: ResolveContext,
  pending: PendingDuration[],
): NodeOf<B> | null {
  const c = callOf(e, family, ctx, how.what);
  if (!c) return null;
  const spec = lookupSpec(family, c.name, ctx, how.what);
  if (!spec) return null;
  const r = interpretCall(spec, c.args, c.overrides, ctx, c.span, how.siblings === false ? undefined : family);
  if (!r) return null;
  ctx.at(how.base, c.span);
  ctx.at(`${how.base}/name`, c.name.span);
  recordSpans(ctx, how.base, r.spans);
  return nodeOf(spec, r.values, pendingSteps(pending, r.spans));
}
