/**
 * Fault injection for the local Neon-API server, for tests only: canned answers (423/429/503/garbage),
 * connections dropped after a request was applied, and operations that end in `error` or never
 * finish. Build a FaultPlan and pass it to startLocalServer as `faults`.
 */
import type { FaultRule, ServerFaults } from '../platform/local/server/fault-hooks.js';

export class FaultPlan implements ServerFaults {
  private readonly rules: FaultRule[] = [];
  private readonly outcomes: { action?: string; outcome: 'error' | 'stuck' }[] = [];
  /** Every request seen, "METHOD /path", for assertions (e.g. only one create was applied). */
  readonly seen: string[] = [];

  /** Add a rule (first matching rule with a remaining count wins). */
  add(rule: FaultRule): this {
    this.rules.push({ ...rule });
    return this;
  }

  /** The next operation (of this action, if given) ends in `error` or never finishes. */
  nextOperation(outcome: 'error' | 'stuck', action?: string): this {
    this.outcomes.push({ action, outcome });
    return this;
  }

  /** Forget every rule and planned outcome not used yet. */
  clear(): void {
    this.rules.length = 0;
    this.outcomes.length = 0;
  }

  /** Consume the rule matching this request, if any. */
  take(method: string, path: string): FaultRule | undefined {
    this.seen.push(`${method} ${path}`);
    const rule = this.rules.find((r) => r.count > 0 && r.method === method && r.path.test(path));
    if (rule) rule.count--;
    return rule;
  }

  /** Consume the outcome planned for an operation of this action, if any. */
  takeOperationOutcome(action: string): 'error' | 'stuck' | undefined {
    const index = this.outcomes.findIndex((o) => !o.action || o.action === action);
    if (index < 0) return undefined;
    return this.outcomes.splice(index, 1)[0]?.outcome;
  }
}
