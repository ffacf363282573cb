import { describe, expect, it } from 'vitest';
import { walDistance } from '../../src/platform/local/archive.js';
import {
  formatLsn,
  isLsn,
  parseLsn,
  parseSegmentFile,
  segmentFileName,
  segmentOf,
} from '../../src/platform/local/lsn.js';

const SEG_16MB = 16 * 1024 * 1024;
const SEG_4MB = 4 * 1024 * 1024;

describe('LSN math', () => {
  it('parses X/Y as (X << 32) | Y and formats it back', () => {
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) | 0xb374d848n);
    expect(formatLsn(parseLsn('16/b374d848'))).toBe('16/B374D848');
    expect(formatLsn(0n)).toBe('0/0');
  });

  it('orders LSNs across the 32-bit boundary', () => {
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
    expect(parseLsn('1/0') - parseLsn('0/FFFFFFFF')).toBe(1n);
  });

  it('refuses malformed LSNs with a usage error', () => {
    for (const bad of ['', '0', '0/', '/0', 'G/0', '123456789/0', '0/1/2']) {
      expect(isLsn(bad)).toBe(false);
      expect(() => parseLsn(bad)).toThrow(expect.objectContaining({ code: 'INVALID_LSN', exitCode: 2 }));
    }
  });

  it('maps LSNs to segments and segment file names both ways', () => {
    expect(segmentOf(parseLsn('0/1000000'), SEG_16MB)).toBe(1n);
    expect(segmentOf(parseLsn('1/0'), SEG_16MB)).toBe(256n);
    expect(segmentFileName(1, 256n, SEG_16MB)).toBe('000000010000000100000000');
    expect(parseSegmentFile('000000010000000100000000', SEG_16MB)).toEqual({ timeline: 1, segno: 256n });
    expect(parseSegmentFile('000000020000000000000003', SEG_4MB)).toEqual({ timeline: 2, segno: 3n });
    const name = segmentFileName(3, 1234n, SEG_4MB);
    expect(parseSegmentFile(name, SEG_4MB)).toEqual({ timeline: 3, segno: 1234n });
    expect(parseSegmentFile(`${name}.partial`, SEG_4MB)?.segno).toBe(1234n);
    expect(parseSegmentFile('00000001.history', SEG_4MB)).toBeUndefined();
  });

  it('measures WAL distance, never negative', () => {
    expect(walDistance(parseLsn('0/100'), parseLsn('0/300'))).toBe(0x200n);
    expect(walDistance(parseLsn('0/300'), parseLsn('0/100'))).toBe(0n);
  });
});
