/**
 * The two small entry points the run pipeline calls: a SQL migration marked as a backfill runs
 * through `runBackfillMigration` instead of as one statement, and a TypeScript migration gets
 * `ctx.backfill` from `backfillForContext`.
 */
import type { DbClient } from '../db/connect.js';
import { MigrationFileError } from '../errors.js';
import { isSqlScript, type Migration } from '../migrations/types.js';
import { type BackfillResult, type RunBackfillOptions, runBackfill } from './run.js';
import { type BackfillCallOptions, backfillSpecFromCall, backfillSpecFromSql, isBackfillSql } from './spec.js';

/** `ctx.backfill` in a TypeScript migration: runs (or continues) one batched backfill. */
export type BackfillFn = (options: BackfillCallOptions) => Promise<BackfillResult>;

/** True when a migration's up runs as a batched backfill (its SQL file carries the directive). */
export function isBackfillMigration(m: Migration): boolean {
  return isSqlScript(m.up) && isBackfillSql(m.up.text);
}

/** Run the up of a SQL backfill migration on `db` (a session outside any transaction). */
export async function runBackfillMigration(
  db: DbClient,
  m: Migration,
  options: RunBackfillOptions = {},
): Promise<BackfillResult> {
  if (!isSqlScript(m.up) || !isBackfillSql(m.up.text)) {
    const hint = 'add "-- neon-migrate:backfill table=<t> key=<column>"';
    throw new MigrationFileError(`${m.upFile} is not a backfill migration`, { hint, code: 'BACKFILL_SPEC' });
  }
  const spec = await backfillSpecFromSql(m.upFile, m.version, m.up.text);
  return runBackfill(db, spec, options);
}

/** What backfillForContext needs about the migration being run. */
export interface BackfillContextInput {
  db: DbClient;
  version: string;
  file: string;
  /** The module exports `transaction = false`; a backfill refuses to run inside a transaction. */
  noTransaction: boolean;
  options?: RunBackfillOptions;
  /** Collects each backfill's result for the run report. */
  onResult?: (result: BackfillResult) => void;
}

/** The `ctx.backfill` function for one TypeScript migration run. */
export function backfillForContext(input: BackfillContextInput): BackfillFn {
  return async (call) => {
    if (!input.noTransaction) {
      throw new MigrationFileError(
        `${input.file}: ctx.backfill runs batches that commit on their own, not inside the migration's transaction`,
        { hint: 'add `export const transaction = false` to the migration', code: 'BACKFILL_IN_TRANSACTION' },
      );
    }
    const spec = await backfillSpecFromCall(input.file, input.version, call);
    const result = await runBackfill(input.db, spec, input.options);
    input.onResult?.(result);
    return result;
  };
}
