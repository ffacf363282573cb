/**
 * Errors that escape a phase of the run pipeline, made to name their phase and object: a raw
 * database error becomes one line with the phase, and a lock timeout on a user table names the
 * table and the session holding it (pid, application, for how long), with the fixes.
 */
import type { DbClient } from '../db/connect.js';
import { type ErrorCode, NeonMigrateError, PlatformError, redactSecrets } from '../errors.js';
import { TableLockedError } from '../errors.js';

interface DbErrorShape {
  message?: string;
  code?: string;
  table?: string;
}

/** Who holds a lock on `table` (best effort: the first other session with a granted lock on it). */
async function lockHolder(db: DbClient, table: string): Promise<string | undefined> {
  try {
    const res = await db.query<{ pid: number; app: string; held: string }>(
      `SELECT a.pid, coalesce(nullif(a.application_name, ''), 'unnamed') AS app,
              coalesce(to_char(now() - coalesce(a.xact_start, a.query_start), 'HH24:MI:SS'), '?') AS held
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.relation = to_regclass($1) AND l.granted AND l.pid <> pg_backend_pid()
        ORDER BY a.xact_start NULLS LAST LIMIT 1`,
      [table],
    );
    const h = res.rows[0];
    return h ? `pid ${h.pid}, application "${h.app}", holding it for ${h.held}` : undefined;
  } catch {
    return undefined;
  }
}

/** The error to report for `err`, thrown in `phase` of a run on `branch`. */
export async function phaseError(
  db: DbClient | undefined,
  phase: string,
  branch: string,
  err: unknown,
): Promise<unknown> {
  if (err instanceof NeonMigrateError) return err;
  const e = err as DbErrorShape;
  const message = redactSecrets(String(e?.message ?? err));
  if (e?.code === '55P03' && e.table) {
    const holder = db ? await lockHolder(db, e.table) : undefined;
    return new TableLockedError(
      `${phase} phase on branch "${branch}": table ${e.table} is locked by another session${holder ? ` (${holder})` : ''}; nothing was changed`,
      { hint: 'retry once that session is done, or raise timeouts.lockTimeout in neon-migrate.json', table: e.table },
    );
  }
  return new PlatformError(`${phase} phase on branch "${branch}": ${message}`, {
    code: `${phase.toUpperCase()}_FAILED` as ErrorCode,
    cause: err,
  });
}
