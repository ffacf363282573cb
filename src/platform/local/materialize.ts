/**
 * Branches from history. `adopt` makes a new branch self-contained at creation (hard links of the
 * source's base backup and archived WAL, near-zero cost); `materialize` turns that into a running
 * cluster on first use (copy the base backup, replay WAL to the target, promote).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { copyFileSync, chownSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../errors.js';
import type { PointInTime } from '../types.js';
import { linkArchive } from './archive.js';
import { type BackupMeta, copyTree, listBackups } from './backup.js';
import {
  adminClient,
  type ClusterHandle,
  logReason,
  runningPid,
  startCluster,
  stopCluster,
  writeOwned,
} from './cluster.js';
import { backupFor } from './history.js';
import type { BranchPaths } from './layout.js';
import { killProcessesUsing } from './orphans.js';
import { mkdirFor, type RunAs } from './osuser.js';

/** Give a new branch its own base backup and WAL archive (hard links), for replay to `target`. */
export async function adopt(
  runAs: RunAs | undefined,
  source: BranchPaths,
  dest: BranchPaths,
  backup: BackupMeta,
  segmentBytes: number,
  throughSegno: bigint,
): Promise<void> {
  mkdirFor(runAs, dest.root);
  mkdirFor(runAs, dest.wal);
  mkdirFor(runAs, dest.base);
  await copyTree(runAs, path.join(source.base, backup.label), path.join(dest.base, backup.label), { hardLink: true });
  const metaFile = path.join(dest.base, `${backup.label}.json`);
  copyFileSync(path.join(source.base, `${backup.label}.json`), metaFile);
  if (runAs) chownSync(metaFile, runAs.uid, runAs.gid);
  linkArchive(source.wal, dest.wal, segmentBytes, throughSegno);
}

/** Pick the source backup for a target, or explain why none fits. */
export function chooseBackup(source: BranchPaths, target: PointInTime, branchName: string): BackupMeta {
  const backup = backupFor(listBackups(source.base), target);
  if (!backup) {
    throw new PlatformError(
      `no base backup of branch "${branchName}" precedes ${'lsn' in target ? `LSN ${target.lsn}` : target.timestamp}`,
      { hint: 'pick a later point in its history', code: 'NO_BACKUP' },
    );
  }
  return backup;
}

/** Build data/ from the branch's own base backup and replay its own archive to the target, then promote. */
export async function materialize(c: ClusterHandle, target: PointInTime): Promise<void> {
  const backup = chooseBackup(c.paths, target, path.basename(c.paths.root));
  // a materialization cut short by a killed process may have left its cp or postgres running here
  await killProcessesUsing(c.paths.data);
  rmSync(c.paths.data, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  await copyTree(c.runAs, path.join(c.paths.base, backup.label), c.paths.data);
  writeOwned(c.runAs, path.join(c.paths.data, 'recovery.signal'), '');
  try {
    await startCluster(c, 'lsn' in target ? { lsn: target.lsn } : { timestamp: target.timestamp });
    await waitForPromotion(c);
  } catch (err) {
    await stopCluster(c).catch(() => undefined);
    throw err;
  }
}

/** Poll until the server has left recovery (promoted); fail with the server's reason if it died. */
export async function waitForPromotion(c: ClusterHandle, timeoutMs = 3600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (runningPid(c.paths) === undefined) {
      throw new PlatformError(`point-in-time replay failed: ${logReason(c.paths)}`, {
        hint: `see ${c.paths.log}`,
        code: 'REPLAY_FAILED',
      });
    }
    try {
      const client = await adminClient(c);
      try {
        const r = await client.query<{ rec: boolean }>('SELECT pg_is_in_recovery() AS rec');
        if (!r.rows[0].rec) return;
      } finally {
        await client.end().catch(() => undefined);
      }
    } catch {
      // starting up / not yet consistent: retry
    }
    if (Date.now() > deadline)
      throw new PlatformError('point-in-time replay did not finish in time', {
        hint: `see ${c.paths.log}`,
        code: 'REPLAY_TIMEOUT',
      });
    await sleep(100);
  }
}

/** True when the branch has a data directory (it has been materialized at some point). */
export function hasData(paths: BranchPaths): boolean {
  return existsSync(path.join(paths.data, 'PG_VERSION'));
}
