import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  normaliseVersion,
  parseMigrationName,
  slugify,
  timestampVersion,
  versionArgument,
} from '../../src/migrations/naming.js';

describe('version ordering', () => {
  it('normalises separators and leading zeros away', () => {
    expect(normaliseVersion('2026-11-20')).toBe('20261120');
    expect(normaliseVersion('20261120T101500')).toBe('20261120101500');
    expect(normaliseVersion('0007')).toBe('7');
    expect(normaliseVersion('0')).toBe('0');
  });

  it('orders numerically, not as text', () => {
    expect(compareVersions('9', '10')).toBeLessThan(0);
    expect(compareVersions('10', '9')).toBeGreaterThan(0);
    expect(compareVersions('20261120', '20261121')).toBeLessThan(0);
    expect(compareVersions('42', '42')).toBe(0);
    const sorted = ['100', '2', '20261120101500', '11', '1'].sort(compareVersions);
    expect(sorted).toEqual(['1', '2', '11', '100', '20261120101500']);
  });

  it('parses migration names into version and description', () => {
    expect(parseMigrationName('20261120T101500_add_tasks')).toEqual({
      version: '20261120101500',
      description: 'add_tasks',
    });
    expect(parseMigrationName('001_init')).toEqual({ version: '1', description: 'init' });
    expect(parseMigrationName('2026-11-20_x-y')).toEqual({ version: '20261120', description: 'x-y' });
    expect(parseMigrationName('add_tasks')).toBeUndefined();
    expect(parseMigrationName('001_')).toBeUndefined();
    expect(parseMigrationName('001-init')).toBeUndefined();
  });

  it('accepts a version or a full name as --to, and refuses anything else', () => {
    expect(versionArgument('2026-11-20')).toBe('20261120');
    expect(versionArgument('003_add_index')).toBe('3');
    expect(() => versionArgument('latest')).toThrow(expect.objectContaining({ code: 'BAD_VERSION', exitCode: 2 }));
  });

  it('makes timestamp versions that sort in time order', () => {
    const a = timestampVersion(new Date('2026-01-02T03:04:05.678Z'));
    const b = timestampVersion(new Date('2026-01-02T03:04:06Z'));
    expect(a).toBe('20260102T030405');
    expect(compareVersions(normaliseVersion(a), normaliseVersion(b))).toBeLessThan(0);
  });

  it('slugifies descriptions', () => {
    expect(slugify('  Add subtasks! ')).toBe('add_subtasks');
    expect(() => slugify('!!!')).toThrow(expect.objectContaining({ code: 'BAD_NAME' }));
  });
});
