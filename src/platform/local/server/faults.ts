/**
 * Test-only fault injection for `local serve` (never reachable from the CLI): canned answers
 * (423/429/503/garbage), connections dropped after a request was applied, and operations that
 * end in `error` or never finish. Tests build a FaultPlan and pass it to startLocalServer.
 */

export interface FaultRule {
  method: string;
  /** Matched against the path after /api/v2, e.g. /^\/projects\/[^/]+\/branches$/. */
  path: RegExp;
  /** How many matching requests this rule applies to. */
  count: number;
  /** Answer with this status/body instead of handling the request... */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** ...or handle it, then drop the connection without answering. */
  dropAfterHandling?: boolean;
}

export class FaultPlan {
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
