// What every method shares: heads with optional momentum targets, the EMA update after
// each step, and checkpoint state built from the heads' named variables.
import type { Scalar, Variable } from "@tensorflow/tfjs-core";
import type { Momentum, MethodName } from "../../ir/types.js";
import type { Head } from "./head.js";
import { emaUpdate, tauAt } from "./momentum.js";
import { emptyState, restoreVariable, saveTensor, type StateDict } from "./state-dict.js";
import type { Tf } from "./tf.js";
import type { LossInput, Method, MomentumPair, ParamInfo } from "./types.js";

export abstract class BaseMethod implements Method {
  abstract readonly name: MethodName;
  abstract readonly numViews: number;
  abstract readonly usesMomentumBackbone: boolean;

  protected constructor(
    protected readonly tf: Tf,
    /** Trained heads, in parameter order. */
    protected readonly online: readonly Head[],
    /** Momentum copies, one per entry of `online` that has one (same order). */
    protected readonly targets: readonly { online: Head; target: Head }[],
    protected readonly momentum: Momentum | null,
  ) {}

  abstract loss(input: LossInput): Scalar;

  params(): ParamInfo[] {
    return this.online.flatMap((h) => h.params());
  }

  momentumPairs(): MomentumPair[] {
    return this.targets.flatMap(({ online, target }) => online.pairsWith(target));
  }

  tau(step: number, totalSteps: number): number | null {
    return this.momentum === null ? null : tauAt(this.momentum, step, totalSteps);
  }

  afterStep(step: number, totalSteps: number, backbonePairs: readonly MomentumPair[] = []): void {
    const tau = this.tau(step, totalSteps);
    if (tau === null) {
      if (backbonePairs.length > 0) throw new Error(`${this.name} has no momentum backbone to update`);
      return;
    }
    emaUpdate(this.tf, [...backbonePairs, ...this.momentumPairs()], tau);
  }

  protected namedVariables(): { name: string; variable: Variable }[] {
    return [...this.online, ...this.targets.map((t) => t.target)].flatMap((h) => h.namedVariables());
  }

  async state(): Promise<StateDict> {
    const s = emptyState();
    for (const { name, variable } of this.namedVariables()) s.tensors[name] = await saveTensor(variable);
    return s;
  }

  loadState(state: StateDict): void {
    for (const { name, variable } of this.namedVariables()) restoreVariable(this.tf, variable, state, name);
  }

  dispose(): void {
    for (const h of this.online) h.dispose();
    for (const t of this.targets) t.target.dispose();
  }
}
