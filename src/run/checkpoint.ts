/** Checkpoint branches (docs/architecture.md §2): taken right before a run touches a branch. */
import { ConflictError, UsageError } from '../errors.js';
import type { Branch, CreateBranchOptions, Platform } from '../platform/types.js';
import { utcStamp } from './run-context.js';
import { createToolBranch } from './tool-branch.js';

/**
 * Take a checkpoint branch of `branch`, named `checkpoint/<branch>/<UTC stamp>`, with the expiry and
 * annotations of `meta` (run/tool-branch.ts `toolBranchOptions`).
 */
export async function createCheckpoint(
  platform: Platform,
  branch: string,
  now = new Date(),
  meta: Pick<CreateBranchOptions, 'expiresAt' | 'annotations'> & { kind?: CheckpointKind } = {},
  log?: (line: string) => void,
): Promise<Branch> {
  const base = `checkpoint/${branch}/${utcStamp(now)}`;
  const { kind = 'branch', ...options } = meta;
  if (kind !== 'branch') {
    const snap = await snapshotCheckpoint(platform, branch, base, kind, options.expiresAt, log);
    if (snap) return snap;
  }
  // Two runs within one second would collide on the name: suffix rather than fail.
  for (let i = 0; ; i++) {
    try {
      return await createToolBranch(
        platform,
        { name: i === 0 ? base : `${base}-${i}`, parent: branch, ...options },
        log,
      );
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= 9) throw err;
    }
  }
}

/** What a checkpoint is: a branch, a snapshot, or a snapshot of a root branch when possible (`auto`). */
export type CheckpointKind = 'branch' | 'snapshot' | 'auto';

/**
 * A snapshot checkpoint, shaped as the branch list shows checkpoints; undefined when `auto` falls
 * back to a branch (a child branch, or a platform or plan without snapshots).
 */
async function snapshotCheckpoint(
  platform: Platform,
  branch: string,
  name: string,
  kind: Exclude<CheckpointKind, 'branch'>,
  expiresAt: string | undefined,
  log?: (line: string) => void,
): Promise<Branch | undefined> {
  const source = await platform.getBranch(branch);
  if (kind === 'auto' && source.parentId) return undefined;
  if (!platform.createSnapshot) {
    if (kind === 'auto') return undefined;
    throw new UsageError(`checkpoints.kind is "snapshot" but the ${platform.kind} platform takes no snapshots`, {
      hint: 'set checkpoints.kind to "auto" or "branch"',
      code: 'CONFIG_INVALID',
    });
  }
  try {
    const snap = await platform.createSnapshot(branch, { name, ...(expiresAt ? { expiresAt } : {}) });
    return {
      id: snap.id,
      name: snap.name,
      parentId: source.id,
      createdAt: snap.createdAt,
      default: false,
      protected: false,
      state: 'snapshot',
      ...(snap.expiresAt ? { expiresAt: snap.expiresAt } : {}),
    };
  } catch (err) {
    if (kind === 'snapshot') throw err;
    log?.(`no snapshot of ${branch} (${(err as Error).message}); taking a checkpoint branch instead`);
    return undefined;
  }
}
