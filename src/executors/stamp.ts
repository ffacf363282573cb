/**
 * The stamp executor (`baseline`): records our migrations as applied without running them, like
 * `alembic stamp`. It reads the branch as the native executor does, and its apply writes the whole
 * applied set in one transaction, so `baseline` goes through the run pipeline (lock, checkpoint,
 * run record) like every other write.
 */
import { insertAppliedSql } from '../history/store.js';
import type { NativeExecutor } from './native.js';
import type { Executor, ExecutorRunResult, ExecutorState, ExecutorTarget, ExecutorUnit } from './types.js';

/** Our files, stamped as applied instead of run. */
export class StampExecutor implements Executor {
  readonly kind = 'native' as const;
  readonly limits = { down: 'a baseline only records history; there is nothing to revert' };

  constructor(private readonly native: NativeExecutor) {}

  /** The files were validated when they were loaded. */
  async prepare(): Promise<void> {}

  /** Applied and pending files on the branch, as the native executor reads them. */
  state(target: ExecutorTarget): Promise<ExecutorState> {
    return this.native.state(target);
  }

  /** Record `units` as applied, all or none (one transaction); no migration runs. */
  async apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    const started = Date.now();
    const rows = units.map((u) => insertAppliedSql(this.native.migration(u), target.runId, 'now()'));
    try {
      await target.db.query(['BEGIN', ...rows, 'COMMIT'].join(';\n'));
    } catch (err) {
      await target.db.query('ROLLBACK').catch(() => undefined);
      const error = { message: (err as Error).message, location: 'neon_migrate.applied' };
      return {
        outcome: 'failed',
        results: units.map((u, i) => ({
          ...{ version: u.version, name: u.name, direction: 'up' as const, durationMs: 0, transactional: true },
          status: i === 0 ? ('failed' as const) : ('not-run' as const),
          ...(i === 0 ? { error } : {}),
        })),
      };
    }
    const durationMs = Date.now() - started;
    return {
      outcome: 'succeeded',
      results: units.map((u) => ({
        version: u.version,
        name: u.name,
        direction: 'up' as const,
        status: 'applied' as const,
        durationMs,
        transactional: true,
      })),
    };
  }

  /** Never called: `limits.down` says why. */
  async revert(): Promise<ExecutorRunResult> {
    throw new Error(this.limits.down);
  }

  /** What the files are: the native executor's fingerprint. */
  fingerprint() {
    return this.native.fingerprint();
  }
}
