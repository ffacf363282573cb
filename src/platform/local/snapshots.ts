/**
 * Snapshots on the local engine (Neon's snapshots, issue 13): a snapshot is a base backup of the
 * branch plus its WAL up to the snapshot's LSN, hard-linked under `<cluster root>/snapshots/<id>`
 * (as cheap as a branch pointer). It is no branch: it adds no lineage and no branch count, and the
 * history pruning of branches never touches it, so it outlives the history window. A branch made
 * from it (`branchFromSnapshot`) is a new root-level branch (`restoredFrom`), replayed to the LSN.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ConflictError, UsageError } from '../../errors.js';
import { checkExpiresAt } from '../expiry.js';
import type { Branch, CreateBranchOptions, CreateSnapshotOptions, Snapshot } from '../types.js';
import { listBackups } from './backup.js';
import { checkNewName, preparePoint, resolveBranch, toBranch } from './branch-ops.js';
import { checkAnnotations } from './branch-meta.js';
import { type EngineContext, handleFor } from './engine-context.js';
import type { BranchPaths } from './layout.js';
import { adopt } from './materialize.js';
import { pickPort } from './ports.js';
import { type BranchRecord, type EngineState, newId, type SnapshotRecord } from './state.js';
import { findByIdOrName } from '../find-by-ref.js';

/** Where a snapshot's files live (the same base/ + wal/ layout as a branch). */
export function snapshotPaths(clusterRoot: string, id: string): BranchPaths {
  const root = path.join(clusterRoot, 'snapshots', id);
  return { root, data: path.join(root, 'data'), wal: path.join(root, 'wal'), base: path.join(root, 'base'), log: '' };
}

/** The public view of a snapshot record. */
export function toSnapshot(r: SnapshotRecord): Snapshot {
  return {
    id: r.id,
    name: r.name,
    sourceBranchId: r.sourceBranchId,
    lsn: r.lsn,
    createdAt: r.createdAt,
    ...(r.expiresAt ? { expiresAt: r.expiresAt } : {}),
  };
}

/** Find a snapshot by id or name. */
export function resolveSnapshot(state: EngineState, ref: string): SnapshotRecord {
  return findByIdOrName(state.snapshots ?? [], ref);
}

/** Snapshot a branch's head (call under the engine lock). */
export async function createSnapshotLocked(
  ctx: EngineContext,
  state: EngineState,
  ref: string,
  options: CreateSnapshotOptions,
): Promise<Snapshot> {
  const source = resolveBranch(state, ref);
  if ((state.snapshots ?? []).some((s) => s.name === options.name))
    throw new ConflictError(`snapshot "${options.name}" already exists`, { code: 'CONFLICT' });
  const expiresAt = options.expiresAt ? checkExpiresAt(options.expiresAt, Date.now()) : undefined;
  const point = await preparePoint(ctx, state, source, undefined);
  const id = newId('snap');
  const dest = snapshotPaths(state.project.clusterRoot, id);
  mkdirSync(path.dirname(dest.root), { recursive: true, mode: 0o711 });
  try {
    const from = handleFor(ctx, state, source).paths;
    await adopt(ctx.runAs, from, dest, point.backup, state.project.walSegmentBytes, point.throughSegno);
  } catch (err) {
    rmSync(dest.root, { recursive: true, force: true });
    throw err;
  }
  const record: SnapshotRecord = {
    id,
    name: options.name,
    sourceBranchId: source.id,
    lsn: point.headLsn,
    throughSegno: point.throughSegno.toString(),
    backupLabel: point.backup.label,
    createdAt: new Date().toISOString(),
    ...(expiresAt ? { expiresAt } : {}),
  };
  state.snapshots = [...(state.snapshots ?? []), record];
  return toSnapshot(record);
}

/** A new root-level branch holding a snapshot's data (call under the engine lock). */
export async function branchFromSnapshotLocked(
  ctx: EngineContext,
  state: EngineState,
  ref: string,
  options: Pick<CreateBranchOptions, 'name' | 'expiresAt' | 'annotations'>,
): Promise<Branch> {
  const snap = resolveSnapshot(state, ref);
  checkNewName(state, options.name);
  const expiresAt = options.expiresAt ? checkExpiresAt(options.expiresAt, Date.now()) : undefined;
  const from = snapshotPaths(state.project.clusterRoot, snap.id);
  const backup = listBackups(from.base).find((b) => b.label === snap.backupLabel);
  if (!backup)
    throw new UsageError(`snapshot "${snap.name}" has lost its base backup`, {
      hint: 'delete it and take a new one',
      code: 'NO_BACKUP',
    });
  const record: BranchRecord = {
    id: newId('br'),
    name: options.name,
    createdAt: new Date().toISOString(),
    default: false,
    protected: false,
    port: await pickPort(new Set(state.branches.map((b) => b.port)), ctx.stateDir),
    status: 'pointer',
    target: { lsn: snap.lsn },
    restoredFrom: snap.id,
    ...(expiresAt ? { expiresAt, ttlIntervalSeconds: Math.round((Date.parse(expiresAt) - Date.now()) / 1000) } : {}),
    ...(options.annotations ? { annotations: checkAnnotations(options.annotations) } : {}),
  };
  const dest = handleFor(ctx, state, record).paths;
  try {
    await adopt(ctx.runAs, from, dest, backup, state.project.walSegmentBytes, BigInt(snap.throughSegno));
  } catch (err) {
    rmSync(dest.root, { recursive: true, force: true });
    throw err;
  }
  state.branches.push(record);
  return toBranch(record);
}

/** Delete a snapshot and its files (call under the engine lock). */
export function deleteSnapshotLocked(state: EngineState, ref: string): void {
  const snap = resolveSnapshot(state, ref);
  rmSync(snapshotPaths(state.project.clusterRoot, snap.id).root, { recursive: true, force: true });
  state.snapshots = (state.snapshots ?? []).filter((s) => s.id !== snap.id);
}
