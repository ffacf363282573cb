/**
 * One batch as one round trip: pick the next range of keys, update the rows in it that are not yet
 * done, record the progress, commit, and read the progress back. Everything up to COMMIT is one
 * REPEATABLE READ transaction, so the rows and the progress row commit (or roll back) together.
 */
import type { BackfillSpec } from './spec.js';
import { batchUpdateSql, literal, notDoneSql } from './split.js';
import { COLUMNS } from './store.js';

/** CTE names unlikely to shadow a table the author's UPDATE reads. */
const RANGE = 'neon_migrate_range';
const BOUNDS = 'neon_migrate_bounds';
const BATCH = 'neon_migrate_batch';

/** What a batch walks: key ranges from a cursor (`walk`), or rows still not done after it (`sweep`). */
export interface BatchStep {
  mode: 'walk' | 'sweep';
  /** Keys strictly after this one; null from the first key. */
  after: string | null;
  size: number;
  lockTimeoutMs: number;
  /** Elapsed time to record (previous runs included). */
  elapsedMs: number;
}

/**
 * The batch's script. A data-modifying CTE runs exactly once whatever reads it; the range is
 * chosen inside the transaction so the whole batch sees one snapshot. `synchronous_commit = off`:
 * a batch lost to a server crash is lost with its progress row and simply redone, so waiting for
 * the WAL flush of every batch buys nothing.
 */
export function batchScript(spec: BackfillSpec, step: BatchStep): string {
  const { keyRef, relationSql } = spec.shape;
  const after = step.after === null ? '' : `${keyRef} > ${literal(step.after)}`;
  const condition = step.mode === 'walk' ? after || 'true' : `${notDoneSql(spec.shape)}${after ? ` AND ${after}` : ''}`;
  const cursor = step.mode === 'walk' ? 'last_key' : 'sweep_key';
  const id = literal(spec.id);
  // Window functions, not min/max: those do not exist for every key type (uuid has none).
  return `BEGIN ISOLATION LEVEL REPEATABLE READ;
SET LOCAL lock_timeout = '${Math.max(1, Math.round(step.lockTimeoutMs))}ms';
SET LOCAL synchronous_commit = off;
WITH ${RANGE} AS MATERIALIZED (
  SELECT ${keyRef} AS k FROM ${relationSql} WHERE ${condition} ORDER BY 1 LIMIT ${Math.max(1, Math.floor(step.size))}
), ${BOUNDS} AS (
  SELECT first_value(k) OVER w AS lo, last_value(k) OVER w AS hi FROM ${RANGE}
  WINDOW w AS (ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) LIMIT 1
), ${BATCH} AS (
${batchUpdateSql(spec.shape, `(SELECT lo FROM ${BOUNDS})`, `(SELECT hi FROM ${BOUNDS})`)}
RETURNING 1
)
UPDATE neon_migrate.backfills
   SET ${cursor} = (SELECT hi::text FROM ${BOUNDS}), rows_done = rows_done + (SELECT count(*) FROM ${BATCH}),
       batches = batches + 1, updated_at = clock_timestamp(), elapsed_ms = ${Math.round(step.elapsedMs)}
 WHERE id = ${id} AND EXISTS (SELECT 1 FROM ${BOUNDS});
COMMIT;
SELECT ${COLUMNS} FROM neon_migrate.backfills WHERE id = ${id}`;
}
