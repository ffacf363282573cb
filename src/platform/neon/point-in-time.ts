/**
 * Checks a point in time before it is sent to Neon, so the user gets the same exit-2 usage error
 * (malformed, in the future, before the history window) that the local engine gives, and no API
 * round trip is spent on a value Neon would refuse anyway.
 */
import { UsageError } from '../../errors.js';
import { describeWindow, LSN_PATTERN, parseRfc3339 } from '../time-text.js';
import type { PointInTime } from '../types.js';

/** Clocks differ a little between us and Neon. */
const SKEW_MS = 5_000;

export { describeWindow };

/** Throw UsageError unless `at` is well-formed and inside [now - window, now]. */
export function checkPointInTime(at: PointInTime, now: number, historyRetentionSeconds: number): void {
  if ('lsn' in at) {
    if (!LSN_PATTERN.test(at.lsn)) {
      throw new UsageError(`malformed LSN "${at.lsn}"`, {
        hint: 'expected the form X/Y in hex, e.g. 0/16B3748 (as pg_current_wal_lsn() prints it)',
        code: 'INVALID_LSN',
      });
    }
    return;
  }
  const time = parseRfc3339(at.timestamp)?.getTime();
  if (time === undefined) {
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
