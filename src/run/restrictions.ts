/**
 * Preflight from the branch's own restrictions (issue 13): before a restore, a reset (refresh) or a
 * guarded run (test, promote: their safety net is a restore from the checkpoint), read the branch's
 * `protected` flag and Neon's `restricted_actions`, and refuse early (exit 3, nothing touched) with
 * Neon's own reason, instead of failing half-way or, worse, after the migrations ran.
 */
import { GateError } from '../errors.js';
import { assertRestoreUnmasked } from '../platform/masked-limits.js';
import type { Branch } from '../platform/types.js';

/** What the tool is about to do to the branch. */
export type BranchAction = 'restore' | 'reset' | 'test' | 'promote';

/** Neon's restricted action each of ours needs (a reset and a guarded run's safety net are restores). */
const NEEDS: Record<BranchAction, string> = {
  restore: 'restore',
  reset: 'restore',
  test: 'restore',
  promote: 'restore',
};

/** Why the action is refused on the branch, or undefined when it is allowed. */
export function restrictionOf(branch: Branch, action: BranchAction): string | undefined {
  const restricted = branch.restrictedActions?.find((r) => r.name === NEEDS[action]);
  if (restricted) return `Neon restricts ${restricted.name} on it: ${restricted.reason}`;
  // Neon: protected branches cannot be reset from their parent
  if (action === 'reset' && branch.protected) return 'it is protected, and Neon does not reset protected branches';
  return undefined;
}

/** Throw the exit-3 refusal when the branch's restrictions forbid the action; nothing has been touched yet. */
export function assertActionAllowed(branch: Branch, action: BranchAction): void {
  // a masked branch is never a restore target (exit 2, MASKED_BRANCH); its reset creates it anew instead
  if (action === 'restore') assertRestoreUnmasked(branch, { name: branch.name });
  const why = restrictionOf(branch, action);
  if (!why) return;
  const safetyNet = action === 'test' || action === 'promote' ? ' (a failed run could not be restored)' : '';
  throw new GateError(`${action} on branch "${branch.name}" refused${safetyNet}: ${why}`, {
    hint:
      action === 'reset'
        ? 'nothing was changed; unprotect the branch first, or refresh another one'
        : 'nothing was changed; lift the restriction in the Neon console first (it names what holds it)',
    code: 'BRANCH_RESTRICTED',
  });
}
