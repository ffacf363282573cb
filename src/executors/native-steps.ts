/**
 * The exact SQL a run sends for one migration, in order: used by the runner to execute and by
 * `plan --sql` to print, so the two cannot disagree.
 */
import { isBackfillMigration } from '../backfill/entry.js';
import { deleteAppliedSql, insertAppliedSql } from '../history/store.js';
import { clearPartialSql } from '../history/partial.js';
import type { Direction } from '../run/select.js';
import type { SqlScript } from '../migrations/sql.js';
import { isSqlScript, type Migration, type TsModule } from '../migrations/types.js';

/** Where a no-transaction migration's start time is kept for its duration. */
const STARTED_SETTING = 'neon_migrate.started_at';

export type Step =
  /** Runner bookkeeping (BEGIN, COMMIT, history rows). */
  | { kind: 'control'; sql: string }
  /** A statement of the migration file. */
  | { kind: 'statement'; sql: string; index: number; file: string; line: number; column: number }
  /**
   * A transactional SQL migration as one simple query: BEGIN, its statements, the history row,
   * COMMIT (one round trip; a failure is located by counting the statements that completed).
   */
  | {
      kind: 'transaction';
      sql: string;
      file: string;
      /** Commands before the migration's first statement (BEGIN, and the commit setting). */
      lead: number;
      statements: { index: number; line: number; column: number }[];
    }
  /** A TypeScript migration function. */
  | { kind: 'code'; file: string; fn: 'up' | 'down'; module: TsModule }
  /** A batched backfill (src/backfill): batches over key ranges, each its own transaction. */
  | { kind: 'backfill'; file: string; migration: Migration };

/** The script or module a direction runs. */
export function scriptOf(m: Migration, direction: Direction): SqlScript | TsModule {
  const s = direction === 'up' ? m.up : m.down;
  if (!s) throw new Error(`${m.name} has no ${direction}`); // selectMigrations refuses this earlier
  return s;
}

/** Whether a migration runs inside a transaction in this direction. */
export function inTransaction(m: Migration, direction: Direction): boolean {
  return !scriptOf(m, direction).noTransaction;
}

/**
 * Opens a migration's transaction whose commit need not wait for the WAL flush. The runner gives
 * it to every migration of a run but the last: the last one's synchronous commit flushes the WAL
 * of every commit before it, so when the run reports success everything is durable, and 500
 * one-table migrations run in 1.5 s instead of 3.5 s (`npm run bench`, runner). A server crash
 * mid-run can lose the newest of those commits, each together with its history row: the branch is
 * then behind, never inconsistent, and the next run applies them again.
 */
const BEGIN_ASYNC = 'BEGIN; SET LOCAL synchronous_commit = off';

/** How a migration's steps are built. */
export interface StepOptions {
  /** A migration that stopped partway (see partial.ts): skip what already ran, clear its record. */
  resumeFrom?: number;
  /** Commit without waiting for the WAL flush (see BEGIN_ASYNC). */
  asyncCommit?: boolean;
}

/** The steps of one migration in one direction. */
export function migrationSteps(m: Migration, direction: Direction, runId: string, options: StepOptions = {}): Step[] {
  const { resumeFrom, asyncCommit = false } = options;
  const begin = asyncCommit ? BEGIN_ASYNC : 'BEGIN';
  const script = scriptOf(m, direction);
  const tx = !script.noTransaction;
  const startedExpr = tx ? 'now()' : `current_setting('${STARTED_SETTING}')::timestamptz`;
  const statements = isSqlScript(script) ? script.statements.filter((s) => s.index >= (resumeFrom ?? 0)) : [];
  const body: Step[] =
    direction === 'up' && isBackfillMigration(m)
      ? [{ kind: 'backfill', file: (script as SqlScript).file, migration: m }]
      : isSqlScript(script)
        ? statements.map((s) => ({
            kind: 'statement',
            sql: s.sql,
            index: s.index,
            file: script.file,
            line: s.line,
            column: s.column,
          }))
        : [{ kind: 'code', file: script.file, fn: direction, module: script }];
  const applied = direction === 'up' ? insertAppliedSql(m, runId, startedExpr) : deleteAppliedSql(m.version);
  const record = resumeFrom === undefined ? applied : `${applied}; ${clearPartialSql(m.version)}`;
  if (tx && isSqlScript(script)) {
    const parts = [begin, ...statements.map((s) => s.sql), record, 'COMMIT'];
    return [
      {
        kind: 'transaction',
        sql: joinStatements(parts),
        file: script.file,
        lead: asyncCommit ? 2 : 1,
        statements: statements.map(({ index, line, column }) => ({ index, line, column })),
      },
    ];
  }
  if (tx) return [{ kind: 'control', sql: begin }, ...body, { kind: 'control', sql: `${record}; COMMIT` }];
  return [
    { kind: 'control', sql: `SELECT set_config('${STARTED_SETTING}', clock_timestamp()::text, false)` },
    ...body,
    { kind: 'control', sql: record },
  ];
}

/** Join statements into one script; a trailing line comment would swallow the `;`, so break the line. */
export function joinStatements(statements: string[]): string {
  return statements.map((s) => (/--[^\n]*$/.test(s) ? `${s}\n;` : `${s};`)).join('\n');
}
