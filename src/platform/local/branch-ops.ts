/** Shared branch logic: resolving refs, Neon-like naming rules, and preparing a point in a source's history. */
import { ConflictError, UsageError } from '../../errors.js';
import type { Branch, PointInTime } from '../types.js';
import { archiveUpToNow } from './archive.js';
import { listBackups, takeBaseBackup } from './backup.js';
import { adminQuery } from './cluster.js';
import { ensureRunning } from './computes.js';
import { type EngineContext, handleFor } from './engine-context.js';
import { validatePointInTime } from './history.js';
import { parseLsn } from './lsn.js';
import { chooseBackup } from './materialize.js';
import type { BackupMeta } from './backup.js';
import type { BranchRecord, EngineState } from './state.js';
import { findByIdOrName } from '../find-by-ref.js';

/**
 * When to take a fresh base backup before recording a head branch point: replay runs at roughly a
 * tenth of copy speed here, so once the WAL since the newest backup exceeds 1/8 of the cluster's
 * size (and a floor of 32 MB), copying anew is cheaper than replaying it on materialization.
 */
export function needsFreshBackup(walSinceBackup: bigint, clusterBytes: bigint): boolean {
  const floor = 32n * 1024n * 1024n;
  return walSinceBackup > floor && walSinceBackup * 8n > clusterBytes;
}

/** Find a branch by name or id; BranchNotFoundError listing the names. */
export function resolveBranch(state: EngineState, ref: string): BranchRecord {
  return findByIdOrName(state.branches, ref);
}

/** Refuse an invalid or taken branch name (409 like Neon). */
export function checkNewName(state: EngineState, name: string): void {
  if (!name || name.length > 256 || /[\u0000-\u001f]/.test(name)) {
    throw new UsageError(`invalid branch name "${name}"`, {
      hint: 'use 1-256 printable characters',
      code: 'INVALID_BRANCH_NAME',
    });
  }
  if (state.branches.some((b) => b.name === name)) {
    throw new ConflictError(`branch "${name}" already exists`, {
      hint: 'pick another name, or delete the existing branch first',
      code: 'BRANCH_EXISTS',
    });
  }
}

/** The public view of a branch record. */
export function toBranch(b: BranchRecord): Branch {
  return {
    id: b.id,
    name: b.name,
    ...(b.parentId ? { parentId: b.parentId } : {}),
    ...(b.parentLsn ? { parentLsn: b.parentLsn } : {}),
    ...(b.parentTimestamp ? { parentTimestamp: b.parentTimestamp } : {}),
    createdAt: b.createdAt,
    default: b.default,
    protected: b.protected,
    state: 'ready',
    ...(b.expiresAt ? { expiresAt: b.expiresAt } : {}),
    ...(b.annotations ? { annotations: { ...b.annotations } } : {}),
    ...(b.initSource ? { initSource: b.initSource } : {}),
    ...(b.restrictedActions?.length ? { restrictedActions: b.restrictedActions.map((r) => ({ ...r })) } : {}),
    ...(b.restoredFrom ? { restoredFrom: b.restoredFrom } : {}),
    ...(b.masking ? { masking: { rules: b.masking.rules.length } } : {}),
  };
}

/** A point in a source branch's history, ready to be adopted: the backup to start from and the WAL to link. */
export interface PreparedPoint {
  target: PointInTime;
  backup: BackupMeta;
  throughSegno: bigint;
  /** The source's head LSN when the point is its head. */
  headLsn: string;
}

/**
 * Prepare a point in `source`'s history (call under the lock): make its compute run, validate the
 * target against its history window, and force the WAL up to now into its archive.
 */
export async function preparePoint(
  ctx: EngineContext,
  state: EngineState,
  source: BranchRecord,
  at: PointInTime | undefined,
): Promise<PreparedPoint> {
  await ensureRunning(ctx, state, source);
  const c = handleFor(ctx, state, source);
  const segBytes = state.project.walSegmentBytes;
  const [{ lsn: current }] = await adminQuery<{ lsn: string }>(c, 'SELECT pg_current_wal_lsn()::text AS lsn');
  let target: PointInTime | undefined;
  if (at) {
    target = validatePointInTime(at, {
      branchName: source.name,
      createdAt: source.createdAt,
      retentionSeconds: ctx.retentionSeconds,
      backups: listBackups(c.paths.base),
      currentLsn: current,
    });
  } else {
    // a head branch: keep replay short by taking a fresh base backup when much WAL accumulated
    const backups = listBackups(c.paths.base);
    const newest = backups[backups.length - 1];
    const [{ bytes }] = await adminQuery<{ bytes: string }>(
      c,
      'SELECT sum(pg_database_size(oid))::text AS bytes FROM pg_database',
    );
    if (!newest || needsFreshBackup(parseLsn(current) - parseLsn(newest.stopLsn), BigInt(bytes)))
      await takeBaseBackup(c);
  }
  const archived = await archiveUpToNow(c, segBytes);
  target ??= { lsn: archived.lsn };
  const backup = chooseBackup(c.paths, target, source.name);
  return { target, backup, throughSegno: archived.archivedThroughSegno, headLsn: archived.lsn };
}
