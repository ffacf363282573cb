/**
 * Checks a point in time before it is sent to Neon, so the user gets the same exit-2 usage error
 * (malformed, in the future, before the history window) that the local engine gives, and no API
 * round trip is spent on a value Neon would refuse anyway.
 */
import { UsageError } from '../../errors.js';
import type { PointInTime } from '../types.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$/;
const LSN = /^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/;
/** Clocks differ a little between us and Neon. */
const SKEW_MS = 5_000;

/** "7 days", "3 hours", "90 seconds". */
export function describeWindow(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  return `${seconds} seconds`;
}

/** Throw UsageError unless `at` is well-formed and inside [now - window, now]. */
export function checkPointInTime(at: PointInTime, now: number, historyRetentionSeconds: number): void {
  if ('lsn' in at) {
    if (!LSN.test(at.lsn)) {
      throw new UsageError(`malformed LSN "${at.lsn}"`, {
        hint: 'expected the form X/Y in hex, e.g. 0/16B3748 (as pg_current_wal_lsn() prints it)',
        code: 'INVALID_LSN',
      });
    }
    return;
  }
  const time = Date.parse(at.timestamp);
  if (!RFC3339.test(at.timestamp) || Number.isNaN(time)) {
    throw new UsageError(`malformed timestamp "${at.timestamp}"`, {
      hint: 'use RFC 3339 with a time zone, e.g. 2026-11-20T10:15:00Z',
      code: 'INVALID_TIMESTAMP',
    });
  }
  const window = describeWindow(historyRetentionSeconds);
  const range = `the project keeps ${window} of history (history_retention_seconds)`;
  if (time > now + SKEW_MS)
    throw new UsageError(`timestamp ${at.timestamp} is in the future`, { hint: range, code: 'TARGET_OUT_OF_RANGE' });
  if (time < now - historyRetentionSeconds * 1000) {
    throw new UsageError(`timestamp ${at.timestamp} is before the history window of ${window}`, {
      hint: range,
      code: 'TARGET_OUT_OF_RANGE',
    });
  }
}
