/**
 * Checkpoints may be snapshots (issue 13, `checkpoints.kind`): wherever a checkpoint is a source
 * (a restore, a dry run, a verified restore's preview), a branch holding its data is made from the
 * snapshot; from a checkpoint branch, a child at the point (its expiry lifted meanwhile, as Neon
 * gives an expiring branch no children).
 */
import { NeonMigrateError } from '../errors.js';
import type { CreateBranchOptions, PointInTime, Platform, Snapshot } from '../platform/types.js';
import type { RunContext } from './run-context.js';
import { createToolBranch, withChildrenAllowed } from './tool-branch.js';

/**
 * The platform's snapshots; none where it has no snapshots, or the project's plan refuses the
 * (Beta) endpoints (403/404): a project that never took one must not fail on them.
 */
export async function snapshotsIfAvailable(platform: Platform): Promise<Snapshot[]> {
  if (!platform.listSnapshots) return [];
  try {
    return await platform.listSnapshots();
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (err instanceof NeonMigrateError && (status === 403 || status === 404 || err.code === 'NEON_FORBIDDEN'))
      return [];
    throw err;
  }
}

/** The snapshot `name` refers to, when no branch has that name and the platform has one. */
export async function snapshotNamed(platform: Platform, name: string): Promise<Snapshot | undefined> {
  if (!platform.listSnapshots) return undefined;
  if ((await platform.listBranches()).some((b) => b.name === name || b.id === name)) return undefined;
  return (await snapshotsIfAvailable(platform)).find((s) => s.name === name || s.id === name);
}

/**
 * Make branch `name` hold `source` (a branch, at `at` or its head; or a snapshot) and run `fn`,
 * which owns the new branch (deletes or keeps it).
 */
export async function withBranchAt<T>(
  ctx: Pick<RunContext, 'platform' | 'log'>,
  source: string,
  at: PointInTime | undefined,
  options: Pick<CreateBranchOptions, 'name' | 'expiresAt' | 'annotations'>,
  fn: () => Promise<T>,
): Promise<T> {
  const snap = await snapshotNamed(ctx.platform, source);
  if (snap) {
    await ctx.platform.branchFromSnapshot!(snap.id, options);
    return fn();
  }
  return withChildrenAllowed(
    ctx.platform,
    source,
    async () => {
      await createToolBranch(ctx.platform, { ...options, parent: source, ...(at ? { at } : {}) }, ctx.log);
      return fn();
    },
    ctx.log,
  );
}
