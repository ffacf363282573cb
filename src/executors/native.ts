/**
 * The native executor: our own migration files (SQL up/down pairs, folder form, TypeScript data
 * migrations), applied by the runner in native-runner.ts. Its history is `neon_migrate.applied`.
 */
import { contractGuard, isBackfillMigration } from '../backfill/index.js';
import { createHash } from 'node:crypto';
import { compareWithHistory, assertRunnable, type BranchState } from '../history/compare.js';
import { readPartial, resumePoint, type ResumePoint } from '../history/partial.js';
import { readApplied } from '../history/store.js';
import type { Migration } from '../migrations/types.js';
import type { Direction } from '../run/select.js';
import { tablesTouchedBy } from './native-touches.js';
import type { TouchedTables } from '../verify/touched.js';
import { runMigrations } from './native-runner.js';
import type {
  Executor,
  ExecutorFingerprint,
  ExecutorRunResult,
  ExecutorState,
  ExecutorTarget,
  ExecutorUnit,
} from './types.js';

/** The unit view of one of our migrations. */
export function unitOf(m: Migration): ExecutorUnit {
  return {
    version: m.version,
    name: m.name,
    checksum: m.checksum,
    downChecksum: m.downChecksum ?? null,
    reversible: m.reversible,
    file: m.upFile,
    ...(m.downFile ? { downFile: m.downFile } : {}),
  };
}

export interface NativeExecutorOptions {
  /** `--resume`: let the migration that stopped partway in this direction continue (see partial.ts). */
  resume?: Direction;
}

/** Our own files as an Executor. */
export class NativeExecutor implements Executor {
  readonly kind = 'native' as const;
  readonly limits = {};
  /** The branch state read by the last `state()` (status and selection need its detail). */
  lastState?: BranchState;
  /** Where a resumed migration continues, once `state()` has read the partial record. */
  resumeAt?: ResumePoint;
  private readonly byVersion: Map<string, Migration>;

  constructor(
    private readonly projectDir: string,
    readonly migrations: Migration[],
    private readonly options: NativeExecutorOptions = {},
  ) {
    this.byVersion = new Map(migrations.map((m) => [m.version, m]));
  }

  /** Files were loaded, parsed and validated when the migrations were loaded. */
  async prepare(): Promise<void> {}

  /** Applied and pending files on the branch; refuses drift, missing files, partial runs (exit 2). */
  async state(target: ExecutorTarget): Promise<ExecutorState> {
    const state = compareWithHistory(this.migrations, await readApplied(target.db), await readPartial(target.db));
    const resume = this.options.resume;
    // No partial migration: `--resume` may be continuing an interrupted run instead (the pipeline's call).
    if (resume && state.partial.length)
      this.resumeAt = resumePoint(state.partial, this.migrations, resume, target.branch);
    assertRunnable(state, { branch: target.branch, ...(resume ? { resume } : {}) });
    this.lastState = state;
    const applied = new Set(state.entries.filter((e) => e.state !== 'pending').map((e) => e.version));
    const units = this.migrations.map(unitOf);
    const newest = state.applied.at(-1)?.version ?? null;
    return {
      current: newest,
      applied: units.filter((u) => applied.has(u.version)),
      pending: units.filter((u) => !applied.has(u.version)),
    };
  }

  /** Apply `units` in order, stopping at the first failure. */
  apply(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    return this.run(target, units, 'up');
  }

  /** Revert `units` (newest first) with their down files. */
  revert(target: ExecutorTarget, units: ExecutorUnit[]): Promise<ExecutorRunResult> {
    return this.run(target, units, 'down');
  }

  /** SHA-256 over every file's checksums, plus the newest version. */
  async fingerprint(): Promise<ExecutorFingerprint> {
    const h = createHash('sha256');
    for (const m of this.migrations) h.update(`${m.version}\0${m.checksum}\0${m.downChecksum ?? ''}\n`);
    return { hash: h.digest('hex'), head: this.migrations.at(-1)?.version ?? null };
  }

  /** SQL files are parsed; TypeScript ones declare `touches`. */
  touches(units: ExecutorUnit[]): Promise<TouchedTables> {
    return tablesTouchedBy(
      this.projectDir,
      units.map((u) => this.migration(u)),
    );
  }

  /** The migration behind a unit. */
  migration(unit: ExecutorUnit): Migration {
    const m = this.byVersion.get(unit.version);
    if (!m) throw new Error(`no migration file has version ${unit.version}`); // units come from this executor
    return m;
  }

  private async run(target: ExecutorTarget, units: ExecutorUnit[], direction: Direction): Promise<ExecutorRunResult> {
    const resume = this.resumeAt && this.options.resume === direction ? this.resumeAt : undefined;
    const chosen = units.map((u) => this.migration(u));
    // A contract whose backfill is not in this run is checked before anything runs (exit 2, nothing
    // touched); one after a backfill of this run, right before it runs (the backfill fills first).
    const firstBackfill = direction === 'up' ? chosen.findIndex(isBackfillMigration) : -1;
    if (direction === 'up') {
      for (const [i, m] of chosen.entries()) {
        if (firstBackfill < 0 || i < firstBackfill) await contractGuard(target.db, m, this.migrations);
      }
    }
    const later = new Set(firstBackfill < 0 ? [] : chosen.slice(firstBackfill + 1).map((m) => m.version));
    return runMigrations({
      // only when a contract follows a backfill of this run (it also keeps those migrations unchunked)
      ...(later.size > 0
        ? {
            beforeEach: async (m: Migration) => {
              if (later.has(m.version)) await contractGuard(target.db, m, this.migrations);
            },
          }
        : {}),
      db: target.db,
      branch: target.branch,
      direction,
      migrations: units.map((u) => this.migration(u)),
      runId: target.runId,
      log: target.log,
      ...(target.progressStream ? { progressStream: target.progressStream } : {}),
      ...(resume ? { resume } : {}),
    });
  }
}
