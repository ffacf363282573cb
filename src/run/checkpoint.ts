/** Checkpoint branches (docs/architecture.md §2): taken right before a run touches a branch. */
import { ConflictError } from '../errors.js';
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
  meta: Pick<CreateBranchOptions, 'expiresAt' | 'annotations'> = {},
  log?: (line: string) => void,
): Promise<Branch> {
  const base = `checkpoint/${branch}/${utcStamp(now)}`;
  // Two runs within one second would collide on the name: suffix rather than fail.
  for (let i = 0; ; i++) {
    try {
      return await createToolBranch(platform, { name: i === 0 ? base : `${base}-${i}`, parent: branch, ...meta }, log);
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= 9) throw err;
    }
  }
}
