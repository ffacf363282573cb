/**
 * A run session: one direct (non-pooled) connection that holds the branch's advisory lock for the
 * whole run, with lock_timeout/statement_timeout set for the migration statements.
 */
import { connect, type DbClient } from '../db/connect.js';
import { LockedError } from '../errors.js';
import { listRuns } from '../history/store.js';

/** The advisory lock key of "a neon-migrate run on this database". */
export const RUN_LOCK_KEY = 7_355_608_000;

export interface Timeouts {
  /** Postgres duration text, e.g. `5s`. */
  lockTimeout: string;
  statementTimeout: string;
}

export const DEFAULT_TIMEOUTS: Timeouts = { lockTimeout: '5s', statementTimeout: '15min' };

export interface RunSession {
  db: DbClient;
  /** Release the lock and close the connection. */
  close(): Promise<void>;
}

/** Describe who holds the lock, from the branch's own run history (best effort). */
async function holderOf(db: DbClient): Promise<string> {
  try {
    const [run] = await listRuns(db, { status: 'running', limit: 1 });
    return run ? ` (run ${run.id}, \`${run.command}\`, started ${run.startedAt})` : '';
  } catch {
    return '';
  }
}

/**
 * Connect and take the branch's run lock. Without `wait`, a held lock is a LockedError (exit 5);
 * with `wait`, block until the other run finishes.
 */
export async function openRunSession(
  uri: string,
  options: { branch: string; wait?: boolean; timeouts?: Timeouts },
): Promise<RunSession> {
  const db = await connect(uri);
  try {
    if (options.wait) {
      await db.query(`SELECT pg_advisory_lock(${RUN_LOCK_KEY})`);
    } else {
      const res = await db.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${RUN_LOCK_KEY}) AS locked`);
      if (!res.rows[0]?.locked) {
        throw new LockedError(
          `another neon-migrate run holds the lock on branch "${options.branch}"${await holderOf(db)}`,
        );
      }
    }
    const t = options.timeouts ?? DEFAULT_TIMEOUTS;
    // Validated durations (config schema); set_config keeps them out of the SQL text anyway.
    await db.query(`SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)`, [
      t.lockTimeout,
      t.statementTimeout,
    ]);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  return {
    db,
    close: async () => {
      // Closing the session releases the lock too; the explicit unlock is for a clean log.
      await db.query(`SELECT pg_advisory_unlock(${RUN_LOCK_KEY})`).catch(() => undefined);
      await db.close();
    },
  };
}
