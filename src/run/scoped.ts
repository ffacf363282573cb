/**
 * Scoped resources (graphile-migrate's `withClient` / `withAdvisoryLock`): each helper opens a
 * resource, hands it to `fn`, and releases it however `fn` ends, so a release cannot be forgotten.
 */
import { randomUUID } from 'node:crypto';
import { connect, type DbClient } from '../db/connect.js';
import { finishRun, type NewRun, recordRun, type RunStatus } from '../history/store.js';
import type { Platform } from '../platform/types.js';
import { openRunSession, type RunSession, type Timeouts } from './run-lock.js';

/** Run `fn` with a plain connection to `branch` (no lock), closed afterwards. */
export async function withBranchDb<T>(
  platform: Platform,
  branch: string,
  fn: (db: DbClient, uri: string) => Promise<T>,
): Promise<T> {
  const uri = await platform.connectionUri(branch);
  const db = await connect(uri);
  try {
    return await fn(db, uri);
  } finally {
    await db.close();
  }
}

/** Run `fn` on a session holding the branch's run lock (LockedError, exit 5, unless `wait`). */
export async function withRunLock<T>(
  uri: string,
  options: { branch: string; wait?: boolean; timeouts?: Timeouts },
  fn: (session: RunSession) => Promise<T>,
): Promise<T> {
  const session = await openRunSession(uri, options);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/**
 * Record a run that is already over (rollback, restore, refresh, a restored failure): the
 * record-run / finish-run pair in one call. Returns the run id.
 */
export async function recordFinishedRun(
  db: DbClient,
  run: Omit<NewRun, 'id'> & { id?: string },
  status: RunStatus,
  report: unknown,
): Promise<string> {
  const id = run.id ?? randomUUID();
  await recordRun(db, { ...run, id });
  await finishRun(db, id, status, report);
  return id;
}
