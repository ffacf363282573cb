/** Each branch's WAL archive (`wal/`): forcing a segment out, linking archives into a new branch, pruning. */
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, linkSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../errors.js';
import { adminClient, type ClusterHandle, logReason, runningPid } from './cluster.js';
import { parseSegmentFile } from './lsn.js';

export interface ArchivedPoint {
  /** pg_current_wal_lsn() before the marker: the branch point of a head branch. */
  lsn: string;
  /** Segment number of the switched-out segment: everything up to it is now in the archive. */
  archivedThroughSegno: bigint;
  /** WAL file name of that segment. */
  walFile: string;
}

/**
 * Make the archive cover everything up to now: write a tiny commit (so a record and a commit
 * timestamp exist after the current point, which replay to an LSN or time needs), switch WAL
 * segment, and wait until the archiver has copied that segment into wal/.
 */
export async function archiveUpToNow(
  c: ClusterHandle,
  segmentBytes: number,
  timeoutMs = 120_000,
): Promise<ArchivedPoint> {
  const client = await adminClient(c);
  let lsn: string;
  let walFile: string;
  try {
    lsn = (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
    await client.query('SELECT pg_current_xact_id()');
    walFile = (await client.query<{ f: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS f')).rows[0].f;
  } finally {
    await client.end().catch(() => undefined);
  }
  const parsed = parseSegmentFile(walFile, segmentBytes);
  if (!parsed) throw new PlatformError(`unexpected WAL file name ${walFile}`, { code: 'WAL' });
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(path.join(c.paths.wal, walFile))) {
    if (runningPid(c.paths) === undefined)
      throw new PlatformError(`PostgreSQL stopped while archiving WAL: ${logReason(c.paths)}`, {
        hint: `see ${c.paths.log}`,
        code: 'ARCHIVE_FAILED',
      });
    if (Date.now() > deadline) {
      throw new PlatformError(`WAL segment ${walFile} was not archived within ${timeoutMs / 1000}s`, {
        hint: `check free disk space and ${c.paths.log} (archive_command errors)`,
        code: 'ARCHIVE_TIMEOUT',
      });
    }
    await sleep(20);
  }
  return { lsn, archivedThroughSegno: parsed.segno, walFile };
}

/** Hard-link a source archive's history files and segments (up to a segment number) into another archive. */
export function linkArchive(srcWal: string, destWal: string, segmentBytes: number, throughSegno?: bigint): number {
  let linked = 0;
  for (const f of readdirSync(srcWal)) {
    let take = f.endsWith('.history');
    if (!take) {
      const seg = parseSegmentFile(f, segmentBytes);
      take = seg !== undefined && !f.endsWith('.partial') && (throughSegno === undefined || seg.segno <= throughSegno);
    }
    if (!take) continue;
    try {
      linkSync(path.join(srcWal, f), path.join(destWal, f));
      linked++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return linked;
}

/** Remove archived segments older than a segment number (the oldest kept base backup's start). */
export function pruneArchive(wal: string, segmentBytes: number, keepFromSegno: bigint): number {
  let removed = 0;
  for (const f of readdirSync(wal)) {
    const seg = parseSegmentFile(f, segmentBytes);
    if (seg && seg.segno < keepFromSegno) {
      rmSync(path.join(wal, f), { force: true });
      removed++;
    }
  }
  return removed;
}

/** Bytes of WAL between two LSN values (for "is replay from the newest backup long?"). */
export function walDistance(fromLsn: bigint, toLsn: bigint): bigint {
  return toLsn > fromLsn ? toLsn - fromLsn : 0n;
}
