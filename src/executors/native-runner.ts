/**
 * The runner: applies or reverts migrations one by one on a session that holds the branch's run
 * lock. Each migration runs in its own transaction unless its file says no-transaction; a failure
 * stops the run, leaves earlier migrations applied, and is returned as a result, never thrown.
 */
import {
  type BackfillDisplay,
  type BackfillResult,
  backfillDisplay,
  backfillForContext,
  formatBackfillResult,
  runBackfillMigration,
} from '../backfill/index.js';
import type { RunBackfillOptions } from '../backfill/run.js';
import type { DbClient } from '../db/connect.js';
import type { Direction } from '../run/select.js';
import { type ResumePoint, recordPartialSql } from '../history/partial.js';
import { chunkLength, errorOf, runChunk } from './native-chunk.js';
import { inTransaction, migrationSteps } from './native-steps.js';
import type { Migration } from '../migrations/types.js';

export type MigrationStatus = 'applied' | 'reverted' | 'failed' | 'partial' | 'not-run';

export interface MigrationError {
  message: string;
  /** SQLSTATE, when Postgres raised it. */
  sqlState?: string;
  /** 0-based index of the statement that failed (SQL migrations). */
  statementIndex?: number;
  /** `file:line:column` of that statement, or the file of a TS migration. */
  location: string;
}

export interface MigrationResult {
  version: string;
  name: string;
  direction: Direction;
  status: MigrationStatus;
  durationMs: number;
  /** False when the migration ran outside a transaction. */
  transactional: boolean;
  /** Statements completed (a partial no-transaction migration left these in place). */
  statementsDone?: number;
  error?: MigrationError;
  /** A batched backfill's figures: rows, batches, slowest batch, longest lock wait. */
  backfill?: BackfillResult;
}

export type RunOutcome = 'succeeded' | 'failed' | 'partial';

export interface RunResult {
  outcome: RunOutcome;
  results: MigrationResult[];
}

export interface RunMigrationsOptions {
  /** A session holding the run lock (see session.ts). */
  db: DbClient;
  branch: string;
  direction: Direction;
  /** In execution order (see select.ts). */
  migrations: Migration[];
  runId: string;
  /** Called before each migration runs; a throw fails it without running it (the backfill contract guard). */
  beforeEach?: (m: Migration) => Promise<void>;
  /** Continue a migration that stopped partway (see partial.ts). */
  resume?: ResumePoint;
  log?: (message: string) => void;
  /** A terminal for a backfill's progress bar; without one, a progress line every few seconds through `log`. */
  progressStream?: NodeJS.WritableStream;
}

/** A backfill's progress display (a bar on a terminal, lines otherwise) and the options that feed it. */
function showProgress(
  options: Pick<RunMigrationsOptions, 'log' | 'progressStream'>,
  name: string,
): { display: BackfillDisplay; options: Pick<RunBackfillOptions, 'onProgress' | 'log'> } {
  const log = (msg: string) => options.log?.(`${name}: ${msg}`);
  const display = backfillDisplay({ tty: Boolean(options.progressStream), stream: options.progressStream, log });
  return { display, options: { onProgress: (p) => display.onProgress(p), log } };
}

/** Run one migration; returns its result (never throws for a failing migration). */
async function runOne(opts: RunMigrationsOptions, m: Migration, asyncCommit: boolean): Promise<MigrationResult> {
  const { db, direction, runId, branch, log } = opts;
  const transactional = inTransaction(m, direction);
  const started = performance.now();
  const result = (status: MigrationStatus, extra: Partial<MigrationResult> = {}): MigrationResult => ({
    version: m.version,
    name: m.name,
    direction,
    status,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
    transactional,
    ...extra,
  });
  const resumeFrom = opts.resume?.version === m.version ? opts.resume.fromStatement : undefined;
  let done = resumeFrom ?? 0;
  let inTx = false;
  const file = direction === 'up' ? m.upFile : (m.downFile ?? m.upFile);
  let location = file;
  let statementIndex: number | undefined;
  let backfill: BackfillResult | undefined;
  try {
    const stepOptions = { ...(resumeFrom === undefined ? {} : { resumeFrom }), asyncCommit };
    for (const step of migrationSteps(m, direction, runId, stepOptions)) {
      statementIndex = undefined;
      if (step.kind === 'control') {
        location = `${file} (history bookkeeping)`;
        await db.query(step.sql);
        if (step.sql.startsWith('BEGIN')) inTx = true;
        else if (step.sql.endsWith('COMMIT')) inTx = false;
      } else if (step.kind === 'transaction') {
        inTx = true;
        try {
          await db.script(step.sql);
        } catch (err) {
          // Completed = the lead commands (BEGIN…) + the statements before the failing one.
          const completed = (err as { completedStatements?: number }).completedStatements ?? 0;
          const failing = completed >= step.lead ? step.statements[completed - step.lead] : undefined;
          if (failing) {
            statementIndex = failing.index;
            location = `${step.file}:${failing.line}:${failing.column}`;
          } else {
            location = `${step.file} (history bookkeeping)`;
          }
          throw err;
        }
        inTx = false;
        done = step.statements.length;
      } else if (step.kind === 'statement') {
        location = `${step.file}:${step.line}:${step.column}`;
        statementIndex = step.index;
        await db.query(step.sql);
        done++;
      } else if (step.kind === 'backfill') {
        location = step.file;
        const shown = showProgress(opts, m.name);
        try {
          backfill = await runBackfillMigration(db, step.migration, { runId, ...shown.options });
        } finally {
          shown.display.stop();
        }
        log?.(`${m.name}: ${formatBackfillResult(backfill)}`);
        done = 1;
      } else {
        location = step.file;
        const fn = step.fn === 'up' ? step.module.up : step.module.down;
        // Outside a transaction, whatever the code did before failing stays: count it as partial.
        if (!transactional) done++;
        // Only `query`: the code must not close or script the run's session.
        const client = { query: <R>(sql: string, params?: unknown[]) => db.query<R>(sql, params) };
        const shown = showProgress(opts, m.name);
        const backfillFn = backfillForContext({
          db,
          version: m.version,
          file: step.file,
          noTransaction: !transactional,
          options: { runId, ...shown.options },
        });
        try {
          await fn!({ client, branch, log: (msg) => log?.(`${m.name}: ${msg}`), backfill: backfillFn });
        } finally {
          shown.display.stop();
        }
      }
    }
    return result(direction === 'up' ? 'applied' : 'reverted', {
      statementsDone: done,
      ...(backfill ? { backfill } : {}),
    });
  } catch (err) {
    if (inTx) await db.query('ROLLBACK').catch(() => undefined);
    const status: MigrationStatus = !transactional && done > 0 ? 'partial' : 'failed';
    return result(status, { statementsDone: transactional ? 0 : done, error: errorOf(err, location, statementIndex) });
  }
}

/**
 * Apply or revert `migrations` in order, stopping at the first failure. Runs of plain SQL
 * migrations share one query each (native-chunk.ts) unless `beforeEach` must run between them.
 */
export async function runMigrations(opts: RunMigrationsOptions): Promise<RunResult> {
  const results: MigrationResult[] = [];
  let outcome: RunOutcome = 'succeeded';
  const all = opts.migrations;
  // Every commit but the run's last skips the WAL flush wait (see BEGIN_ASYNC in native-steps.ts).
  const asyncAt = (index: number) => index < all.length - 1;
  for (let i = 0; i < all.length && outcome === 'succeeded'; ) {
    const m = all[i]!;
    const chunk = opts.beforeEach || opts.resume ? 0 : chunkLength(all, i, opts.direction);
    if (chunk > 1) {
      const start = i;
      const done = await runChunk(
        {
          db: opts.db,
          direction: opts.direction,
          runId: opts.runId,
          log: opts.log,
          asyncCommit: (k) => asyncAt(start + k),
        },
        all.slice(i, i + chunk),
      );
      results.push(...done);
      i += done.length;
      const failed = done.at(-1)?.status === 'failed' ? done.at(-1) : undefined;
      if (failed?.error) {
        outcome = 'failed';
        opts.log?.(`${failed.name} failed: ${failed.error.location}: ${failed.error.message}`);
      }
      continue;
    }
    opts.log?.(`${opts.direction === 'up' ? 'applying' : 'reverting'} ${m.name}`);
    const refused = await opts.beforeEach?.(m).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    const r: MigrationResult = refused
      ? {
          version: m.version,
          name: m.name,
          direction: opts.direction,
          status: 'failed',
          durationMs: 0,
          transactional: inTransaction(m, opts.direction),
          error: errorOf(refused, m.upFile),
        }
      : await runOne(opts, m, asyncAt(i));
    results.push(r);
    i++;
    if (r.status === 'partial') {
      // Without this record the next run would start the file from the top and repeat what took effect.
      const why = r.error ? `${r.error.location}: ${r.error.message}` : 'stopped';
      await opts.db
        .query(recordPartialSql(m, opts.direction, r.statementsDone ?? 0, opts.runId, why))
        .catch((err: unknown) => {
          opts.log?.(`could not record where ${m.name} stopped: ${(err as Error).message}`);
        });
    }
    if (r.status === 'failed') outcome = 'failed';
    if (r.status === 'partial') outcome = 'partial';
    if (r.error) opts.log?.(`${m.name} ${r.status}: ${r.error.location}: ${r.error.message}`);
  }
  for (const m of all.slice(results.length)) {
    results.push({
      version: m.version,
      name: m.name,
      direction: opts.direction,
      status: 'not-run',
      durationMs: 0,
      transactional: inTransaction(m, opts.direction),
    });
  }
  return { outcome, results };
}
