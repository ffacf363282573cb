/** Checkpoint branches (docs/architecture.md §2): taken right before a run touches a branch. */
import { ConflictError } from '../errors.js';
import type { Branch, Platform } from '../platform/types.js';
import { utcStamp } from './run-context.js';

/** Take a checkpoint branch of `branch`, named `checkpoint/<branch>/<UTC stamp>`. */
export async function createCheckpoint(platform: Platform, branch: string, now = new Date()): Promise<Branch> {
  const base = `checkpoint/${branch}/${utcStamp(now)}`;
  // Two runs within one second would collide on the name: suffix rather than fail.
  for (let i = 0; ; i++) {
    try {
      return await platform.createBranch({ name: i === 0 ? base : `${base}-${i}`, parent: branch });
    } catch (err) {
      if (!(err instanceof ConflictError) || i >= 9) throw err;
    }
  }
}
