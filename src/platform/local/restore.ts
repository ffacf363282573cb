/**
 * Restore (Neon semantics): the target branch keeps its id, name, port and passwords (so its
 * connection URI is unchanged); its pre-restore state moves to a new backup branch; then it is
 * rebuilt from the source's head or history. Runs under the engine lock.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { ConflictError, PlatformError, UsageError } from '../../errors.js';
import { assertRestoreUnmasked } from '../masked-limits.js';
import { defaultPreserveName } from '../restore-request.js';
import type { RestoreOptions, RestoreResult } from '../types.js';
import { checkNewName, preparePoint, resolveBranch, toBranch } from './branch-ops.js';
import { renewedExpiry } from './branch-meta.js';
import { runningPid, startCluster, writeBranchConf } from './cluster.js';
import { pickPort } from './ports.js';
import { stopCompute } from './computes.js';
import { type EngineContext, handleFor } from './engine-context.js';
import { adopt, materialize } from './materialize.js';
import { clearRestoreJournal, writeRestoreJournal } from './restore-journal.js';
import { type BranchRecord, type EngineState, newId, writeState } from './state.js';

/** Restore `targetRef` per `options` on already-locked state; mutates state on success only. */
export async function restoreBranchLocked(
  ctx: EngineContext,
  state: EngineState,
  targetRef: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const target = resolveBranch(state, targetRef);
  const source = resolveBranch(state, options.source);
  assertRestoreUnmasked(toBranch(target), toBranch(source));
  const self = source.id === target.id;
  if (self && !options.at) {
    throw new UsageError(`restoring branch "${target.name}" from its own head changes nothing`, {
      hint: 'give a timestamp or LSN in its history, or another source branch',
      code: 'RESTORE_NOOP',
    });
  }
  if (self && target.parentId) {
    throw new ConflictError(
      `point-in-time restore of branch "${target.name}" from its own history is supported only for root branches`,
      {
        hint: 'restore it from its parent instead (--from-branch <parent>, optionally with --timestamp/--lsn)',
        code: 'PITR_ROOT_ONLY',
      },
    );
  }
  if (self && !options.preserveUnderName) {
    throw new PlatformError(
      `preserve_under_name is required when restoring branch "${target.name}" from its own history`,
      { hint: 'pass --preserve-under-name <name>', code: 'PRESERVE_NAME_REQUIRED', status: 400 },
    );
  }
  const restricted = target.restrictedActions?.find((r) => r.name === 'restore');
  if (restricted)
    throw new ConflictError(`restore of branch "${target.name}" is restricted: ${restricted.reason}`, {
      hint: 'lift the restriction first',
      code: 'BRANCH_RESTRICTED',
    });
  if (target.protected && source.id === target.parentId)
    throw new ConflictError(`branch "${target.name}" is protected and cannot be reset from its parent`, {
      hint: 'unprotect it first',
      code: 'BRANCH_PROTECTED',
    });
  // Neon may drop the old state of a restore from another branch; this engine always keeps it.
  const backupName = options.preserveUnderName ?? defaultPreserveName(target.name);
  checkNewName(state, backupName);

  const wasRunning = target.status === 'ready' && runningPid(handleFor(ctx, state, target).paths) !== undefined;
  // Validates the target and forces the source's WAL into its archive; the target is untouched so far.
  const point = await preparePoint(ctx, state, source, options.at);
  // Neon: the backup of a child branch becomes the restored branch's parent (its old parent above
  // it), so "reset from parent" undoes the restore. A root branch stays root; its backup is kept as
  // its child here so that it can be deleted (Neon keeps it as a separate root-level branch).
  const backup: BranchRecord = {
    ...target,
    id: newId('br'),
    name: backupName,
    parentId: target.parentId ?? target.id,
    parentTimestamp: new Date().toISOString(),
    createdAt: new Date().toISOString(),
    default: false,
    protected: false,
    port: await pickPort(new Set(state.branches.map((b) => b.port)), ctx.stateDir),
  };
  delete backup.parentLsn;
  // the backup becomes a parent, and Neon never lets a parent expire
  delete backup.expiresAt;
  delete backup.ttlIntervalSeconds;
  if (point.headLsn && self) backup.parentLsn = point.headLsn;
  const oldPaths = handleFor(ctx, state, target).paths;
  const backupPaths = handleFor(ctx, state, backup).paths;
  options.progress?.(`stopping ${target.name} and keeping its state as ${backupName}`);
  await stopCompute(ctx, state, target);
  // a crash from here until state.json names the backup is undone on the next locked operation
  writeRestoreJournal(ctx.stateDir, { targetId: target.id, backupId: backup.id });
  renameSync(oldPaths.root, backupPaths.root);
  const sourcePaths = self ? backupPaths : handleFor(ctx, state, source).paths;
  const fresh = handleFor(ctx, state, target);
  options.progress?.(`rebuilding ${target.name} from ${self ? 'its own history' : source.name}`);
  try {
    await adopt(ctx.runAs, sourcePaths, fresh.paths, point.backup, state.project.walSegmentBytes, point.throughSegno);
    await materialize(fresh, point.target);
    writeBranchConf(fresh);
  } catch (err) {
    // put the pre-restore state back exactly as it was
    rmSync(fresh.paths.root, { recursive: true, force: true });
    if (existsSync(backupPaths.root)) renameSync(backupPaths.root, oldPaths.root);
    clearRestoreJournal(ctx.stateDir);
    if (wasRunning) await startCluster(handleFor(ctx, state, target)).catch(() => undefined);
    throw err;
  }
  target.status = 'ready';
  delete target.target;
  // a reset from the parent restarts the branch's TTL with its original interval, as on Neon
  if (source.id === target.parentId) renewedExpiry(target);
  if (target.parentId) target.parentId = backup.id;
  state.branches.push(backup);
  // commit now (not only when the caller saves) so that the journal can go
  writeState(ctx.stateDir, state);
  clearRestoreJournal(ctx.stateDir);
  options.progress?.(`${target.name} restored`);
  return { branch: toBranch(target), backup: toBranch(backup) };
}
