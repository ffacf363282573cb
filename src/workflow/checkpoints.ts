/**
 * `checkpoints list|prune`: retention by settings.checkpoints — per branch, keep the newest
 * `keepLast`, and anything younger than `maxAge`; never the checkpoint of the branch's latest run,
 * unless it is past its TTL (`checkpoints.ttl`: an expiry the platform could not apply itself).
 */
import { durationMs, nowOf, type WorkflowContext } from './workflow-context.js';
import { checkpointOwner, latestRunCheckpoint, listCheckpoints } from './checkpoint-list.js';
import { findBranch } from './environment-branches.js';
import { intendedExpiry } from '../run/tool-branch.js';

export interface CheckpointInfo {
  name: string;
  id: string;
  branch: string;
  createdAt: string;
  /** Why it is kept, or `prune` (by policy) or `expired` (past its TTL). */
  retention: 'latest run' | 'keepLast' | 'maxAge' | 'prune' | 'expired';
  /** Its expiry: set on the platform, or intended by the tool where the platform could not. */
  expiresAt?: string;
  /** A checkpoint branch, or a snapshot (`checkpoints.kind`). */
  kind: 'branch' | 'snapshot';
}

/**
 * Every checkpoint (of one branch when given) with its retention verdict.
 *
 * @example
 * ```ts
 * const list = await checkpointRetention(ctx, 'main');
 * console.log(previewPrune(list).wouldDelete.map((c) => c.name));
 * ```
 */
export async function checkpointRetention(ctx: WorkflowContext, branch?: string): Promise<CheckpointInfo[]> {
  const { keepLast, maxAge } = ctx.settings.checkpoints;
  const maxAgeMs = durationMs(maxAge);
  const now = nowOf(ctx).getTime();
  const all = await listCheckpoints(ctx, branch);
  const owners = [...new Set(all.map((c) => checkpointOwner(c.name)!))];
  const latest = new Map<string, string | undefined>();
  for (const owner of owners)
    latest.set(owner, (await findBranch(ctx, owner)) ? await latestRunCheckpoint(ctx, owner) : undefined);
  const seen = new Map<string, number>();
  return all.map((c) => {
    const owner = checkpointOwner(c.name)!;
    const index = seen.get(owner) ?? 0;
    seen.set(owner, index + 1);
    const expiresAt = intendedExpiry(c);
    // past its TTL it goes even if it is the latest run's: the TTL is the user's retention limit
    const retention: CheckpointInfo['retention'] =
      expiresAt && Date.parse(expiresAt) <= now
        ? 'expired'
        : latest.get(owner) === c.name
          ? 'latest run'
          : index < keepLast
            ? 'keepLast'
            : now - Date.parse(c.createdAt) < maxAgeMs
              ? 'maxAge'
              : 'prune';
    return {
      name: c.name,
      id: c.id,
      branch: owner,
      createdAt: c.createdAt,
      retention,
      kind: c.state === 'snapshot' ? 'snapshot' : 'branch',
      ...(expiresAt ? { expiresAt } : {}),
    };
  });
}

/** True when prune deletes the checkpoint: by policy, or past its TTL. */
export function doomed(c: CheckpointInfo): boolean {
  return c.retention === 'prune' || c.retention === 'expired';
}

export interface PrunePreview {
  dryRun: true;
  /** What `prune` would delete now. */
  wouldDelete: CheckpointInfo[];
  /** What it would keep, each with its reason. */
  keep: CheckpointInfo[];
}

/**
 * `prune --dry-run`: split a retention list into what would be deleted and kept; changes nothing.
 *
 * @example
 * ```ts
 * const { wouldDelete, keep } = previewPrune(await checkpointRetention(ctx));
 * ```
 */
export function previewPrune(list: CheckpointInfo[]): PrunePreview {
  return {
    dryRun: true,
    wouldDelete: list.filter(doomed),
    keep: list.filter((c) => !doomed(c)),
  };
}

export interface PruneResult {
  deleted: string[];
  /** Checkpoints the policy selected but the platform refused to delete (e.g. they have children). */
  failed: { name: string; reason: string }[];
  kept: number;
}

/**
 * Delete the checkpoints the policy selects.
 *
 * @example
 * ```ts
 * const pruned = await pruneCheckpoints(ctx, await checkpointRetention(ctx, 'main'));
 * ```
 */
export async function pruneCheckpoints(ctx: WorkflowContext, list: CheckpointInfo[]): Promise<PruneResult> {
  const result: PruneResult = { deleted: [], failed: [], kept: list.filter((c) => !doomed(c)).length };
  for (const c of list.filter(doomed)) {
    try {
      if (c.kind === 'snapshot') await ctx.platform.deleteSnapshot!(c.id);
      else await ctx.platform.deleteBranch(c.id);
      result.deleted.push(c.name);
    } catch (err) {
      result.failed.push({ name: c.name, reason: (err as Error).message });
    }
  }
  return result;
}
