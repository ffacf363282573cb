/**
 * Consecutive plain SQL migrations sent together: one simple query holding each migration's own
 * transaction (BEGIN, its statements, its history row, COMMIT), one after another. Each migration
 * still commits on its own with its history row, and a failure is still located to its statement:
 * the server reports each statement as it completes, and stops at the first error, so the count of
 * completed statements names the migration and the statement that failed, and every migration
 * before it is committed. What goes is the round trip per migration (500 one-table migrations:
 * 0.9 s instead of 1.5 s, `npm run bench`, runner).
 */
import type { DbClient } from '../db/connect.js';
import { redactSecrets } from '../errors.js';
import { isBackfillMigration } from '../backfill/entry.js';
import { isSqlScript, type Migration } from '../migrations/types.js';
import type { Direction } from '../run/select.js';
import { migrationSteps, type Step, scriptOf } from './native-steps.js';
import type { MigrationError, MigrationResult } from './native-runner.js';

/** At most this many migrations, or this much SQL, in one query: a failure discards the rest of it. */
export const CHUNK_MIGRATIONS = 50;
const CHUNK_BYTES = 1 << 20;

type TransactionStep = Extract<Step, { kind: 'transaction' }>;

/** The error of a failed migration, as results carry it (secrets redacted). */
export function errorOf(err: unknown, location: string, statementIndex?: number): MigrationError {
  const e = err as { message?: string; code?: string };
  const sqlState = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  return {
    message: redactSecrets(String(e.message ?? err)),
    ...(sqlState ? { sqlState } : {}),
    ...(statementIndex !== undefined ? { statementIndex } : {}),
    location,
  };
}

/** Whether a migration can share a query with its neighbours: SQL, in a transaction, not a backfill. */
export function chunkable(m: Migration, direction: Direction): boolean {
  const script = scriptOf(m, direction);
  return isSqlScript(script) && !script.noTransaction && !(direction === 'up' && isBackfillMigration(m));
}

/** How many of `migrations`, from `start`, go in the next chunk (0 or 1: run it alone). */
export function chunkLength(migrations: Migration[], start: number, direction: Direction): number {
  let bytes = 0;
  let n = 0;
  for (let i = start; i < migrations.length && n < CHUNK_MIGRATIONS; i++) {
    const m = migrations[i]!;
    if (!chunkable(m, direction)) break;
    const script = scriptOf(m, direction);
    bytes += isSqlScript(script) ? script.text.length : 0;
    if (n > 0 && bytes > CHUNK_BYTES) break;
    n++;
  }
  return n;
}

/** What a chunk needs from the run. */
export interface ChunkRun {
  db: DbClient;
  direction: Direction;
  runId: string;
  log?: (message: string) => void;
  /** Whether the migration at this index of the chunk commits without waiting for the WAL flush. */
  asyncCommit: (indexInChunk: number) => boolean;
}

/**
 * Run `chunk` as one query. Returns a result for each migration up to and including the first
 * that failed (the ones after it did not run).
 */
export async function runChunk(run: ChunkRun, chunk: Migration[]): Promise<MigrationResult[]> {
  const { db, direction, runId, log } = run;
  const steps = chunk.map(
    (m, i) => migrationSteps(m, direction, runId, { asyncCommit: run.asyncCommit(i) })[0] as TransactionStep,
  );
  // ends[i]: the completed-statement count at which migration i has committed
  const ends: number[] = [];
  for (const s of steps) ends.push((ends.at(-1) ?? 0) + s.lead + s.statements.length + 2);
  const times: number[] = [performance.now()];
  let current = 0;
  log?.(`${direction === 'up' ? 'applying' : 'reverting'} ${chunk[0]!.name}`);
  const onCommand = (completed: number) => {
    while (current < chunk.length && completed >= ends[current]!) {
      times.push(performance.now());
      current++;
      if (current < chunk.length) log?.(`${direction === 'up' ? 'applying' : 'reverting'} ${chunk[current]!.name}`);
    }
  };
  const result = (i: number, extra: Partial<MigrationResult>): MigrationResult => ({
    version: chunk[i]!.version,
    name: chunk[i]!.name,
    direction,
    status: direction === 'up' ? 'applied' : 'reverted',
    durationMs: Math.round(((times[i + 1] ?? performance.now()) - times[i]!) * 100) / 100,
    transactional: true,
    statementsDone: steps[i]!.statements.length,
    ...extra,
  });
  try {
    await db.script(steps.map((s) => s.sql).join('\n'), onCommand);
    return chunk.map((_, i) => result(i, {}));
  } catch (err) {
    await db.query('ROLLBACK').catch(() => undefined);
    const completed = (err as { completedStatements?: number }).completedStatements ?? 0;
    const failed = ends.findIndex((end) => completed < end);
    const at = failed < 0 ? chunk.length - 1 : failed;
    const step = steps[at]!;
    const offset = completed - (at === 0 ? 0 : ends[at - 1]!) - step.lead;
    const statement = offset >= 0 ? step.statements[offset] : undefined;
    const location = statement
      ? `${step.file}:${statement.line}:${statement.column}`
      : `${step.file} (history bookkeeping)`;
    const failure = result(at, {
      status: 'failed',
      statementsDone: 0,
      error: errorOf(err, location, statement?.index),
    });
    return [...chunk.slice(0, at).map((_, i) => result(i, {})), failure];
  }
}
