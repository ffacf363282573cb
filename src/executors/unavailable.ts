/** An executor for a runner this installation cannot drive: it refuses in prepare(), before anything is touched. */
import { UsageError } from '../errors.js';
import type { Executor, ExecutorKind, ExecutorLimits } from './types.js';

/** Refuses every run with one line saying why (exit 2). */
export class UnavailableExecutor implements Executor {
  readonly limits: ExecutorLimits;

  constructor(
    readonly kind: ExecutorKind,
    private readonly reason: string,
    private readonly hint = 'choose another runner in neon-migrate.json, or wrap the tool with { "command": { "up": "..." } }',
  ) {
    this.limits = { down: reason, offlineSql: reason };
  }

  private refuse(): never {
    throw new UsageError(this.reason, { hint: this.hint, code: 'RUNNER_UNAVAILABLE' });
  }

  async prepare(): Promise<void> {
    this.refuse();
  }
  async state(): Promise<never> {
    this.refuse();
  }
  async apply(): Promise<never> {
    this.refuse();
  }
  async revert(): Promise<never> {
    this.refuse();
  }
  async fingerprint(): Promise<never> {
    this.refuse();
  }
}
