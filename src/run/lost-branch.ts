/**
 * A run that loses its branch to a restore: another command (restore, rollback, branches reset)
 * replaced the branch while this run was on it, ending every session. The run must not then
 * "restore on failure" over the other command's result, nor report a raw "Connection terminated"
 * (exit 4): it ends with exit 5 and one clear line. The proof is the branch's own history: this
 * run's record is gone (the branch came back from a point before it), or a restore-type run was
 * recorded after this run started.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '../db/connect.js';
import { LockedError } from '../errors.js';
import type { ExecutorRunResult } from '../executors/types.js';
import type { RunContext } from './run-context.js';

const CONNECTION_LOST_STATES = new Set(['57P01', '57P02', '57P03', '08000', '08003', '08006']);
const CONNECTION_LOST_TEXT =
  /Connection terminated|terminating connection|ECONNRESET|ECONNREFUSED|socket hang up|server closed the connection|the database system is (shutting down|starting up)/i;

/** True when an error (or a failed unit's error) says the session to the branch was cut. */
export function isConnectionLoss(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; sqlState?: unknown };
  const state = typeof e?.code === 'string' ? e.code : typeof e?.sqlState === 'string' ? e.sqlState : undefined;
  if (state && CONNECTION_LOST_STATES.has(state)) return true;
  return CONNECTION_LOST_TEXT.test(String(e?.message ?? err));
}

/** The unit error of an apply that failed because its session was cut, if that is what happened. */
export function lostConnectionIn(result: ExecutorRunResult | undefined): boolean {
  return Boolean(result?.results.some((r) => r.error && isConnectionLoss(r.error)));
}

/**
 * Whether `branch` was replaced under run `runId` (started at `since`). Polls briefly: the compute
 * is restarting, and the restoring command records itself only once its restore is done.
 */
export async function branchWasReplaced(
  ctx: RunContext,
  branch: string,
  runId: string,
  since: Date,
  recorded: boolean,
): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const db = await connect(await ctx.platform.connectionUri(branch));
      try {
        const res = await db.query<{ mine: boolean; replaced: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM neon_migrate.runs WHERE id = $1) AS mine,
                  EXISTS (SELECT 1 FROM neon_migrate.runs WHERE command IN ('restore', 'rollback', 'refresh') AND started_at >= $2::timestamptz) AS replaced`,
          [runId, since.toISOString()],
        );
        const row = res.rows[0];
        if (row?.replaced || (recorded && row && !row.mine)) return true;
      } finally {
        await db.close();
      }
    } catch {
      // compute still restarting, or no history yet: try again
    }
    await sleep(500);
  }
  return false;
}

/** The exit-5 ending of a run that lost its branch to another command's restore. */
export function lostBranchError(branch: string, phase: string, command: string): LockedError {
  return new LockedError(
    `branch "${branch}" was replaced by another command's restore while this ${command} run was in its ${phase} phase; nothing of this run is left on it`,
    { hint: `check the branch with \`neon-migrate status --branch ${branch}\`, then run ${command} again` },
  );
}
