/** Finding checkpoint branches (`checkpoint/<branch>/<UTC stamp>`) of a branch. */
import { withBranchDb } from '../run/scoped.js';
import { snapshotsIfAvailable } from '../run/checkpoint-source.js';
import { UsageError } from '../errors.js';
import { listRuns } from '../history/store.js';
import type { Branch } from '../platform/types.js';
import type { WorkflowContext } from './workflow-context.js';

const PREFIX = 'checkpoint/';

/** The branch a checkpoint belongs to, from its name; undefined when not a checkpoint. */
export function checkpointOwner(name: string): string | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const rest = name.slice(PREFIX.length);
  const slash = rest.lastIndexOf('/');
  return slash > 0 ? rest.slice(0, slash) : undefined;
}

/**
 * Checkpoints of `branch` (all checkpoints when omitted), newest first.
 *
 * @example
 * ```ts
 * for (const c of await listCheckpoints(ctx, 'main')) console.log(c.name, c.createdAt);
 * ```
 */
export async function listCheckpoints(ctx: WorkflowContext, branch?: string): Promise<Branch[]> {
  const all = [...(await ctx.platform.listBranches()), ...(await snapshotCheckpoints(ctx))];
  return all
    .filter((b) => {
      const owner = checkpointOwner(b.name);
      return owner !== undefined && (branch === undefined || owner === branch);
    })
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.name.localeCompare(a.name));
}

/** Snapshots shown as checkpoints (`state: 'snapshot'`), on platforms that have them. */
async function snapshotCheckpoints(ctx: WorkflowContext): Promise<Branch[]> {
  return (await snapshotsIfAvailable(ctx.platform)).map((s) => ({
    id: s.id,
    name: s.name,
    parentId: s.sourceBranchId,
    createdAt: s.createdAt,
    default: false,
    protected: false,
    state: 'snapshot',
    ...(s.expiresAt ? { expiresAt: s.expiresAt } : {}),
  }));
}

/**
 * Resolve `--from-checkpoint ID|latest`: a full name, a branch id, or the stamp part of the name.
 *
 * @example
 * ```ts
 * const checkpoint = await resolveCheckpoint(ctx, 'main', 'latest');
 * ```
 */
export async function resolveCheckpoint(ctx: WorkflowContext, branch: string, id: string): Promise<Branch> {
  const mine = await listCheckpoints(ctx, branch);
  const found =
    id === 'latest' ? mine[0] : mine.find((b) => b.name === id || b.id === id || b.name === `${PREFIX}${branch}/${id}`);
  if (found) return found;
  const known = mine.slice(0, 5).map((b) => b.name.slice(`${PREFIX}${branch}/`.length));
  throw new UsageError(
    id === 'latest' ? `branch "${branch}" has no checkpoints` : `no checkpoint "${id}" of branch "${branch}"`,
    {
      hint: known.length
        ? `newest checkpoints: ${known.join(', ')} (run \`neon-migrate checkpoints list --branch ${branch}\`)`
        : 'checkpoints are taken by test, promote, up and down runs',
      code: 'UNKNOWN_CHECKPOINT',
    },
  );
}

/**
 * The checkpoint name recorded by the latest run on `branch` that took one (read from its history).
 *
 * @example
 * ```ts
 * const name = await latestRunCheckpoint(ctx, 'main'); // e.g. checkpoint/main/20261120T101500Z
 * ```
 */
export async function latestRunCheckpoint(ctx: WorkflowContext, branch: string): Promise<string | undefined> {
  return withBranchDb(
    ctx.platform,
    branch,
    async (db) =>
      (await listRuns(db, { limit: 50 })).find((r) => r.branch === branch && r.checkpoint)?.checkpoint ?? undefined,
  );
}
