/**
 * The run lock for commands that replace a branch's contents (`restore`, `rollback`, `branches
 * reset`, `test --fresh`): the same advisory lock `up`/`down`/`test`/`promote` hold for their whole
 * run (migrations/session), so a restore never swaps data under someone else's migration run.
 *
 * The lock is held through the checks before the replacement and released right before the platform
 * restore itself: the restore restarts the branch's compute, which ends every session on it — ours
 * included — so it cannot be held across the restore.
 */
import { LockedError } from '../errors.js';
import { openRunSession, type RunSession } from '../run/run-lock.js';
import { sweepScratchBranches } from '../run/scratch-sweep.js';
import type { WorkflowContext } from './workflow-context.js';

export interface BranchLock {
  branch: string;
  /** False when the branch could not be connected to: no lock was taken (as before locking existed). */
  held: boolean;
  /** Release the lock and close its session; safe to call more than once. */
  release(): Promise<void>;
}

export interface BranchLockOptions {
  /** Wait for another run to finish instead of failing with LockedError (exit 5). */
  wait?: boolean;
  /** A lock the caller already holds on this branch (taken before its own checks); used instead of a new one. */
  lock?: BranchLock;
}

/**
 * Take the branch's run lock before replacing its contents. A held lock is a LockedError (exit 5)
 * unless `wait`. A branch that cannot be connected to (missing, compute down) is not locked: nothing
 * can be running on it, and a restore must still be able to repair it.
 *
 * @example
 * ```ts
 * const lock = await lockBranch(ctx, 'dev', { wait: true });
 * try {
 *   // nothing else runs on dev meanwhile
 * } finally {
 *   await lock.release();
 * }
 * ```
 */
export async function lockBranch(
  ctx: WorkflowContext,
  branch: string,
  options: BranchLockOptions = {},
): Promise<BranchLock> {
  if (options.lock) return options.lock;
  let session: RunSession | undefined;
  try {
    const uri = await ctx.platform.connectionUri(branch);
    const open = (wait: boolean) => openRunSession(uri, { branch, wait, timeouts: ctx.settings.timeouts });
    session = await open(false).catch(async (err: unknown) => {
      if (!(err instanceof LockedError) || !options.wait) throw err;
      ctx.log?.(`${err.message}; waiting for it to finish`);
      return open(true);
    });
  } catch (err) {
    if (err instanceof LockedError) throw err;
    ctx.log?.(`could not connect to ${branch} to take its run lock (${(err as Error).message}); going on without it`);
  }
  if (session) await sweepScratchBranches(ctx.platform, branch, ctx.log);
  return {
    branch,
    held: session !== undefined,
    release: async () => {
      const s = session;
      session = undefined;
      await s?.close();
    },
  };
}
