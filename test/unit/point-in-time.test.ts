import { describe, expect, it } from 'vitest';
import type { BackupMeta } from '../../src/platform/local/backup.js';
import { backupFor, describeWindow, parseTimestamp, validatePointInTime } from '../../src/platform/local/history.js';
import { checkPointInTime } from '../../src/platform/neon/point-in-time.js';

const now = new Date('2026-11-20T12:00:00Z');
const DAY = 86_400;

function backup(label: string, stopLsn: string, stopTime: string): BackupMeta {
  return { label, startLsn: stopLsn, stopLsn, startTime: stopTime, stopTime, timeline: 1 };
}

const backups = [backup('a', '0/2000000', '2026-11-18T00:00:00Z'), backup('b', '0/5000000', '2026-11-19T00:00:00Z')];
const bounds = {
  branchName: 'main',
  createdAt: '2026-11-01T00:00:00Z',
  retentionSeconds: 7 * DAY,
  backups,
  currentLsn: '0/9000000',
};
const outOfRange = expect.objectContaining({ code: 'TARGET_OUT_OF_RANGE', exitCode: 2 });

describe('local point-in-time validation', () => {
  it('accepts RFC 3339 with a zone and normalises it to UTC', () => {
    expect(parseTimestamp('2026-11-20T10:15:00+02:00').toISOString()).toBe('2026-11-20T08:15:00.000Z');
    expect(validatePointInTime({ timestamp: '2026-11-19T13:00:00+01:00' }, bounds, now)).toEqual({
      timestamp: '2026-11-19T12:00:00.000Z',
    });
  });

  it('refuses timestamps without a zone or malformed', () => {
    for (const bad of ['2026-11-20T10:15:00', '2026-11-20', 'yesterday', '2026-13-40T10:15:00Z']) {
      expect(() => parseTimestamp(bad)).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
    }
  });

  it('refuses the future, before the window, and before the first backup', () => {
    expect(() => validatePointInTime({ timestamp: '2026-11-20T12:00:01Z' }, bounds, now)).toThrow(outOfRange);
    expect(() => validatePointInTime({ timestamp: '2026-11-10T00:00:00Z' }, bounds, now)).toThrow(
      /before the history window of 7 days/,
    );
    expect(() => validatePointInTime({ timestamp: '2026-11-17T00:00:00Z' }, bounds, now)).toThrow(
      /before the history of branch "main" begins/,
    );
  });

  it('validates LSNs between the first backup and the head', () => {
    expect(validatePointInTime({ lsn: '0/6000000' }, bounds, now)).toEqual({ lsn: '0/6000000' });
    expect(validatePointInTime({ lsn: '0/09000000' }, bounds, now)).toEqual({ lsn: '0/9000000' });
    expect(() => validatePointInTime({ lsn: '0/9000001' }, bounds, now)).toThrow(/beyond the current LSN/);
    expect(() => validatePointInTime({ lsn: '0/1000000' }, bounds, now)).toThrow(/before the retained history/);
  });

  it('picks the newest backup that can replay forward to the target', () => {
    expect(backupFor(backups, { lsn: '0/4FFFFFF' })?.label).toBe('a');
    expect(backupFor(backups, { lsn: '0/5000000' })?.label).toBe('b');
    expect(backupFor(backups, { lsn: '0/1000000' })).toBeUndefined();
    expect(backupFor(backups, { timestamp: '2026-11-19T00:00:00Z' })?.label).toBe('b');
    expect(backupFor(backups, { timestamp: '2026-11-18T23:59:59Z' })?.label).toBe('a');
  });

  it('describes windows in words', () => {
    expect(describeWindow(DAY)).toBe('1 day');
    expect(describeWindow(7 * DAY)).toBe('7 days');
    expect(describeWindow(7200)).toBe('2 hours');
    expect(describeWindow(90)).toBe('90 seconds');
  });
});

describe('Neon point-in-time check', () => {
  const t = now.getTime();
  it('accepts a well-formed point inside the window', () => {
    expect(() => checkPointInTime({ timestamp: '2026-11-20T11:00:00Z' }, t, DAY)).not.toThrow();
    expect(() => checkPointInTime({ lsn: '0/16B3748' }, t, DAY)).not.toThrow();
  });

  it('refuses malformed values, the future beyond clock skew, and points before the window', () => {
    expect(() => checkPointInTime({ lsn: 'nope' }, t, DAY)).toThrow(expect.objectContaining({ code: 'INVALID_LSN' }));
    expect(() => checkPointInTime({ timestamp: '2026-11-20 11:00' }, t, DAY)).toThrow(
      expect.objectContaining({ code: 'INVALID_TIMESTAMP' }),
    );
    expect(() => checkPointInTime({ timestamp: '2026-11-20T12:00:03Z' }, t, DAY)).not.toThrow();
    expect(() => checkPointInTime({ timestamp: '2026-11-20T12:01:00Z' }, t, DAY)).toThrow(outOfRange);
    expect(() => checkPointInTime({ timestamp: '2026-11-19T11:59:59Z' }, t, DAY)).toThrow(
      /before the history window of 1 day/,
    );
  });
});
