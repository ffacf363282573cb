/** Restoring a branch from a checkpoint after a failed run, and proving it with the integrity snapshot. */
import { PlatformError } from '../errors.js';
import { compareSnapshots, type IntegritySnapshot, takeSnapshot } from '../verify/snapshot.js';
import { defaultPreserveName } from '../platform/restore-request.js';
import { snapshotNamed, withBranchAt } from './checkpoint-source.js';
import { nowOf, type RunContext, utcStamp } from './run-context.js';
import { toolBranchOptions } from './tool-branch.js';
import { withBranchDb } from './scoped.js';

/** What the report says about a restore. */
export interface ReportRestore {
  /** What the branch was restored from (a checkpoint branch, a branch, a point in time). */
  source: string;
  /** The branch holding the pre-restore state. */
  backup?: string;
  /** The restored branch's integrity snapshot equals the expected one (test/promote auto-restore). */
  snapshotMatches?: boolean;
  /** The preview branch the restored state was checked on before it went live (rollback, restore). */
  verifiedOn?: string;
}

export interface CheckpointRestore extends ReportRestore {
  after: IntegritySnapshot;
}

/** Restore `branch` from `checkpoint` (old state kept as `<branch>_old_<stamp>`) and compare with `expected`. */
export async function restoreFromCheckpoint(
  ctx: RunContext,
  branch: string,
  checkpoint: string,
  expected?: IntegritySnapshot,
): Promise<CheckpointRestore> {
  const backupName = defaultPreserveName(branch, nowOf(ctx));
  ctx.log?.(`restoring ${branch} from ${checkpoint} (current state kept as ${backupName})`);
  let backup: string;
  try {
    const snap = await snapshotNamed(ctx.platform, checkpoint);
    const result = snap
      ? await restoreFromSnapshot(ctx, branch, snap.name, backupName)
      : await ctx.platform.restoreBranch(branch, {
          source: checkpoint,
          preserveUnderName: backupName,
          ...restoreProgress(ctx),
        });
    backup = result.backup?.name ?? backupName;
  } catch (err) {
    throw new PlatformError(`restoring ${branch} from checkpoint ${checkpoint} failed: ${(err as Error).message}`, {
      hint: `the checkpoint branch ${checkpoint} is intact; retry with \`neon-migrate restore --branch ${branch} --from-checkpoint ${checkpoint}\``,
      code: 'AUTO_RESTORE_FAILED',
    });
  }
  const after = await withBranchDb(ctx.platform, branch, (db) => takeSnapshot(db));
  const snapshotMatches = expected ? compareSnapshots(expected, after).identical : undefined;
  return { source: checkpoint, backup, after, ...(snapshotMatches === undefined ? {} : { snapshotMatches }) };
}

/** A snapshot checkpoint: restore through a branch made from it, deleted afterwards. */
async function restoreFromSnapshot(ctx: RunContext, branch: string, snapshot: string, backupName: string) {
  const temp = `restore/${branch}/${utcStamp(nowOf(ctx))}`;
  const meta = toolBranchOptions(ctx, { kind: 'preview', command: 'restore' });
  return withBranchAt(ctx, snapshot, undefined, { name: temp, ...meta }, async () => {
    try {
      return await ctx.platform.restoreBranch(branch, {
        source: temp,
        preserveUnderName: backupName,
        ...restoreProgress(ctx),
      });
    } finally {
      await ctx.platform.deleteBranch(temp).catch(() => undefined);
    }
  });
}

/** A platform restore's progress lines (RestoreOptions.progress), sent to the run's log. */
export function restoreProgress(ctx: Pick<RunContext, 'log'>): { progress?: (line: string) => void } {
  return ctx.log ? { progress: ctx.log } : {};
}
