/** The history window: which timestamps/LSNs a branch can be restored or branched to, and pruning by it. */
import { UsageError } from '../../errors.js';
import { describeWindow, parseRfc3339 } from '../time-text.js';
import type { PointInTime } from '../types.js';
import { pruneArchive } from './archive.js';
import { type BackupMeta, listBackups, removeBackup } from './backup.js';
import type { BranchPaths } from './layout.js';
import { formatLsn, parseLsn, segmentOf } from './lsn.js';

/** Parse an RFC 3339 timestamp; UsageError when malformed. */
export function parseTimestamp(text: string): Date {
  const d = parseRfc3339(text);
  if (!d) {
    throw new UsageError(`malformed timestamp "${text}"`, {
      hint: 'use RFC 3339 with a time zone, e.g. 2026-11-20T10:15:00Z',
      code: 'INVALID_TIMESTAMP',
    });
  }
  return d;
}

export { describeWindow };

export interface HistoryBounds {
  branchName: string;
  createdAt: string;
  retentionSeconds: number;
  backups: BackupMeta[];
  /** The branch's current LSN (its head). */
  currentLsn: string;
}

/** Validate a point in a branch's history (window, creation time, backups, head); returns it normalized. */
export function validatePointInTime(at: PointInTime, b: HistoryBounds, now = new Date()): PointInTime {
  if ('timestamp' in at) {
    const t = parseTimestamp(at.timestamp);
    const windowStart = new Date(now.getTime() - b.retentionSeconds * 1000);
    const firstBackup = b.backups[0] ? new Date(b.backups[0].stopTime) : now;
    const earliest = new Date(Math.max(windowStart.getTime(), new Date(b.createdAt).getTime(), firstBackup.getTime()));
    const range = `valid range for branch "${b.branchName}": ${earliest.toISOString()} to now (${now.toISOString()}); the history window is ${describeWindow(b.retentionSeconds)}`;
    if (t.getTime() > now.getTime()) {
      throw new UsageError(`timestamp ${at.timestamp} is in the future`, { hint: range, code: 'TARGET_OUT_OF_RANGE' });
    }
    if (t.getTime() < windowStart.getTime()) {
      throw new UsageError(
        `timestamp ${at.timestamp} is before the history window of ${describeWindow(b.retentionSeconds)}`,
        { hint: range, code: 'TARGET_OUT_OF_RANGE' },
      );
    }
    if (t.getTime() < earliest.getTime()) {
      throw new UsageError(`timestamp ${at.timestamp} is before the history of branch "${b.branchName}" begins`, {
        hint: range,
        code: 'TARGET_OUT_OF_RANGE',
      });
    }
    return { timestamp: t.toISOString() };
  }
  const lsn = parseLsn(at.lsn);
  const head = parseLsn(b.currentLsn);
  const first = b.backups[0] ? parseLsn(b.backups[0].stopLsn) : head;
  const range = `valid LSNs for branch "${b.branchName}": ${formatLsn(first)} to ${b.currentLsn} (the history window is ${describeWindow(b.retentionSeconds)})`;
  if (lsn > head)
    throw new UsageError(`LSN ${at.lsn} is beyond the current LSN of branch "${b.branchName}"`, {
      hint: range,
      code: 'TARGET_OUT_OF_RANGE',
    });
  if (lsn < first)
    throw new UsageError(`LSN ${at.lsn} is before the retained history of branch "${b.branchName}"`, {
      hint: range,
      code: 'TARGET_OUT_OF_RANGE',
    });
  return { lsn: formatLsn(lsn) };
}

/** The newest base backup that can be replayed forward to a target (LSN exclusive, time inclusive). */
export function backupFor(backups: BackupMeta[], target: PointInTime): BackupMeta | undefined {
  const fit = backups.filter((m) =>
    'lsn' in target ? parseLsn(m.stopLsn) <= parseLsn(target.lsn) : new Date(m.stopTime) <= new Date(target.timestamp),
  );
  return fit[fit.length - 1];
}

/**
 * Prune a branch's history by the window: keep every backup newer than the window start plus the
 * newest older one (the base for the window's earliest point), and WAL from that backup's start on.
 */
export function pruneHistory(
  paths: BranchPaths,
  retentionSeconds: number,
  segmentBytes: number,
  now = new Date(),
): { backups: number; segments: number } {
  const backups = listBackups(paths.base);
  if (backups.length === 0) return { backups: 0, segments: 0 };
  const windowStart = now.getTime() - retentionSeconds * 1000;
  let anchor = 0;
  backups.forEach((m, i) => {
    if (new Date(m.stopTime).getTime() <= windowStart) anchor = i;
  });
  for (const m of backups.slice(0, anchor)) removeBackup(paths.base, m.label);
  const keepFrom = segmentOf(parseLsn(backups[anchor].startLsn), segmentBytes);
  return { backups: anchor, segments: pruneArchive(paths.wal, segmentBytes, keepFrom) };
}
