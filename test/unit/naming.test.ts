/** Names with any description, and the orderings of real histories (no database). */
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  describeOrdering,
  looksLikeTimestamp,
  numericDateConflict,
  parseMigrationName,
  resolveOrdering,
  versionArgument,
} from '../../src/migrations/naming.js';

describe('migration names', () => {
  it('takes any description after the version: spaces, dots, capitals, unicode', () => {
    expect(parseMigrationName('2019-11-15-182353_Add email to owners')).toEqual({
      version: '20191115182353',
      description: 'Add email to owners',
    });
    expect(parseMigrationName('20200101_v1.2 rename')).toEqual({ version: '20200101', description: 'v1.2 rename' });
    expect(parseMigrationName('0003_añadir_índice_Ü')).toEqual({ version: '3', description: 'añadir_índice_Ü' });
    expect(parseMigrationName('2025-12-29-110242-0000_create_posts')?.version).toBe('202512291102420000');
    expect(parseMigrationName('20261120T101500_x_y_z')?.description).toBe('x_y_z');
  });

  it('refuses what has no version or no description', () => {
    for (const bad of ['add_users', '_x', '12_', '12_   ', '12-_x', 'v12_x', '12x_y'])
      expect(parseMigrationName(bad)).toBeUndefined();
  });

  it('reads a --to given as a full name with spaces', () => {
    expect(versionArgument('2019-11-15-182353_Add email to owners')).toBe('20191115182353');
  });
});

describe('ordering', () => {
  const v14 = '20260120162913'; // 2026-01-20-162913
  const v18 = '202512291102420000'; // 2025-12-29-110242-0000

  it('timestamp order follows the dates whatever the lengths; numeric order does not', () => {
    expect(compareVersions(v18, v14, 'timestamp')).toBeLessThan(0);
    expect(compareVersions(v18, v14, 'numeric')).toBeGreaterThan(0);
    expect(compareVersions('2', '10', 'numeric')).toBeLessThan(0);
  });

  it('auto picks timestamp when every version is a date, else numeric', () => {
    expect(resolveOrdering('auto', [v14, v18])).toBe('timestamp');
    expect(resolveOrdering('auto', ['1', '2', '10'])).toBe('numeric');
    expect(resolveOrdering('auto', ['1', v14])).toBe('numeric');
    expect(resolveOrdering('numeric', [v14, v18])).toBe('numeric');
    expect(looksLikeTimestamp('20261399000000')).toBe(false);
    expect(looksLikeTimestamp('20261231250000')).toBe(false);
    expect(looksLikeTimestamp('20261231')).toBe(true);
  });

  it('finds the dates numeric order would run against their dates', () => {
    expect(numericDateConflict([v14, v18])).toEqual([v18, v14]);
    expect(numericDateConflict(['20250101000000', '20260101000000'])).toBeUndefined();
    expect(numericDateConflict(['1', '2', '10'])).toBeUndefined();
  });

  it('warns about mixed styles and names the order used', () => {
    const info = describeOrdering('auto', [v14, v18]);
    expect(info.used).toBe('timestamp');
    expect(info.styles).toEqual(['timestamp (14 digits)', 'timestamp (18 digits)']);
    expect(info.warning).toMatch(/mixes version styles .* timestamp order/);
    expect(describeOrdering('auto', ['1', '2']).warning).toBeUndefined();
  });
});
