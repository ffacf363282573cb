/**
 * A restore as users ask for it (`restore --branch B --from-branch S | --timestamp T | --lsn L`),
 * turned into a Platform.restoreBranch call with Neon's default backup name.
 */
import { UsageError } from '../errors.js';
import { checkBranchName, checkLsn, checkTimestamp } from './input-checks.js';
import type { Platform, PointInTime, RestoreOptions, RestoreResult } from './types.js';

export interface RestoreRequest {
  /** The branch to restore (name or id). */
  branch: string;
  /** Source branch; omitted = the branch's own history. */
  fromBranch?: string;
  timestamp?: string;
  lsn?: string;
  /** Name for the pre-restore state; default `<branch>_old_<UTC timestamp>`. */
  preserveUnderName?: string;
}

export interface RestorePlan {
  target: string;
  options: RestoreOptions & { preserveUnderName: string };
  /** One line saying what will happen, for confirmations and reports. */
  description: string;
}

/**
 * Neon's default backup name: `<name>_old_<UTC timestamp>` (RFC 3339, seconds).
 *
 * @example
 * ```ts
 * defaultPreserveName('main', new Date('2026-11-20T10:15:00Z')); // 'main_old_2026-11-20T10:15:00Z'
 * ```
 */
export function defaultPreserveName(branchName: string, now = new Date()): string {
  return `${branchName}_old_${now.toISOString().replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * Check the flags' combination and build the platform call.
 *
 * @example
 * ```ts
 * const plan = planRestore({ branch: 'main', fromBranch: 'main', lsn: '0/16B3748' });
 * console.log(plan.description);
 * ```
 */
export function planRestore(req: RestoreRequest, now = new Date()): RestorePlan {
  if (req.timestamp !== undefined && req.lsn !== undefined) {
    throw new UsageError('--timestamp and --lsn are mutually exclusive', {
      hint: 'give one point in time',
      code: 'RESTORE_ARGS',
    });
  }
  if (req.fromBranch === undefined && req.timestamp === undefined && req.lsn === undefined) {
    throw new UsageError('restore needs a source', {
      hint: 'pass --from-branch NAME, --timestamp T (RFC 3339) or --lsn L',
      code: 'RESTORE_ARGS',
    });
  }
  if (req.timestamp !== undefined) checkTimestamp(req.timestamp);
  if (req.lsn !== undefined) checkLsn(req.lsn);
  if (req.preserveUnderName !== undefined) checkBranchName(req.preserveUnderName, '--preserve-under-name');
  const at: PointInTime | undefined =
    req.timestamp !== undefined ? { timestamp: req.timestamp } : req.lsn !== undefined ? { lsn: req.lsn } : undefined;
  const source = req.fromBranch ?? req.branch;
  const preserveUnderName = req.preserveUnderName ?? defaultPreserveName(req.branch, now);
  const where = at ? ('timestamp' in at ? ` at ${at.timestamp}` : ` at LSN ${at.lsn}`) : '';
  const from = req.fromBranch === undefined ? 'its own history' : `branch "${req.fromBranch}"${where ? '' : ' (head)'}`;
  return {
    target: req.branch,
    options: { source, ...(at ? { at } : {}), preserveUnderName },
    description: `restore branch "${req.branch}" from ${from}${where}; its current state is kept as branch "${preserveUnderName}"`,
  };
}

/**
 * Run a planned restore.
 *
 * @example
 * ```ts
 * const { branch, backup } = await executeRestore(platform, planRestore({ branch: 'dev', fromBranch: 'main' }));
 * ```
 */
export async function executeRestore(
  platform: Platform,
  plan: RestorePlan,
  progress?: (line: string) => void,
): Promise<RestoreResult> {
  return platform.restoreBranch(plan.target, { ...plan.options, ...(progress ? { progress } : {}) });
}
