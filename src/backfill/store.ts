/**
 * Backfill progress in the branch itself, `neon_migrate.backfills`: one row per backfill, updated
 * in the same transaction as each batch, so a killed run resumes at the next batch and never
 * repeats a committed one. The row also keeps the SQL that counts the rows not yet done, so the
 * contract guard can check a backfill from the database alone (TypeScript backfills have no file
 * to re-read).
 */
import type { DbClient } from '../db/connect.js';
import type { BackfillSpec } from './spec.js';
import { literal, remainingSql } from './split.js';

/** Same key as the history DDL lock (history.ts): both create objects in schema neon_migrate. */
const DDL_LOCK_KEY = 7_355_608_001;

/** DDL of the progress table (idempotent); the lead may append it to HISTORY_DDL. */
export const BACKFILLS_DDL = `CREATE SCHEMA IF NOT EXISTS neon_migrate;
CREATE TABLE IF NOT EXISTS neon_migrate.backfills (
  id text PRIMARY KEY,
  version text NOT NULL,
  table_name text NOT NULL,
  key_column text NOT NULL,
  columns text[] NOT NULL,
  remaining_sql text NOT NULL,
  last_key text,
  sweep_key text,
  rows_done bigint NOT NULL DEFAULT 0,
  batches integer NOT NULL DEFAULT 0,
  started_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  elapsed_ms bigint NOT NULL DEFAULT 0,
  run_id text
)`;

/** A row of `neon_migrate.backfills`. */
export interface BackfillRow {
  id: string;
  version: string;
  table: string;
  key: string;
  columns: string[];
  remainingSql: string;
  /** The last key of the last committed range batch; null before the first. */
  lastKey: string | null;
  /** The last key of the last sweep batch (the sweep's cursor within a pass). */
  sweepKey: string | null;
  rowsDone: number;
  batches: number;
  startedAt: string;
  updatedAt: string;
  finishedAt: string | null;
  elapsedMs: number;
  runId: string | null;
}

/** Create the progress table if missing (safe against concurrent callers). */
export async function ensureBackfillTable(db: DbClient): Promise<void> {
  const res = await db.query<{ ok: boolean }>(`SELECT to_regclass('neon_migrate.backfills') IS NOT NULL AS ok`);
  if (res.rows[0]?.ok) return;
  await db.query(`BEGIN; SELECT pg_advisory_xact_lock(${DDL_LOCK_KEY}); ${BACKFILLS_DDL}; COMMIT`);
}

/** The columns of a BackfillRow, as SQL. */
export const COLUMNS = `id, version, table_name AS "table", key_column AS "key", columns,
  remaining_sql AS "remainingSql",
  last_key AS "lastKey", sweep_key AS "sweepKey", rows_done::float8 AS "rowsDone", batches,
  to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "startedAt",
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt",
  to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "finishedAt",
  elapsed_ms::float8 AS "elapsedMs", run_id AS "runId"`;

/** Every backfill recorded on the branch (none without the table); `status` shows unfinished ones as partial. */
export async function readBackfills(db: DbClient): Promise<BackfillRow[]> {
  const res = await db.query<{ ok: boolean }>(`SELECT to_regclass('neon_migrate.backfills') IS NOT NULL AS ok`);
  if (!res.rows[0]?.ok) return [];
  return (await db.query<BackfillRow>(`SELECT ${COLUMNS} FROM neon_migrate.backfills ORDER BY started_at, id`)).rows;
}

/**
 * The row a run continues from. An unfinished row is kept (resume); a finished one means the
 * migration was reverted since (or its history row was lost), so it starts over from the first key.
 */
export async function openProgress(
  db: DbClient,
  spec: BackfillSpec,
  runId: string | undefined,
): Promise<{ row: BackfillRow; resumed: boolean }> {
  await ensureBackfillTable(db);
  const values = [spec.id, spec.version, spec.table, spec.key].map(literal).join(', ');
  const columns = `ARRAY[${spec.columns.map(literal).join(', ')}]::text[]`;
  const remaining = literal(remainingSql(spec.shape));
  const run = runId ? literal(runId) : 'NULL';
  const existing = `SELECT ${COLUMNS} FROM neon_migrate.backfills WHERE id = ${literal(spec.id)}`;
  const before = (await db.query<BackfillRow>(existing)).rows[0];
  const resumed = Boolean(before && !before.finishedAt);
  const reset =
    before && !resumed
      ? `, last_key = NULL, sweep_key = NULL, rows_done = 0, batches = 0, started_at = now(), finished_at = NULL,
         elapsed_ms = 0`
      : '';
  const row = await db.query<BackfillRow>(
    `INSERT INTO neon_migrate.backfills (id, version, table_name, key_column, columns, remaining_sql, run_id)
     VALUES (${values}, ${columns}, ${remaining}, ${run})
     ON CONFLICT (id) DO UPDATE SET table_name = EXCLUDED.table_name, key_column = EXCLUDED.key_column,
       columns = EXCLUDED.columns,
       remaining_sql = EXCLUDED.remaining_sql, run_id = EXCLUDED.run_id, updated_at = now()${reset}
     RETURNING ${COLUMNS}`,
  );
  return { row: row.rows[0]!, resumed };
}

/** Mark a backfill finished. */
export async function finishProgress(db: DbClient, id: string, elapsedMs: number): Promise<void> {
  await db.query(
    `UPDATE neon_migrate.backfills SET finished_at = clock_timestamp(), updated_at = clock_timestamp(),
       elapsed_ms = ${Math.round(elapsedMs)} WHERE id = ${literal(id)}`,
  );
}
