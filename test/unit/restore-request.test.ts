import { describe, expect, it } from 'vitest';
import { defaultPreserveName, planRestore } from '../../src/platform/restore-request.js';

const now = new Date('2026-11-20T10:15:00.123Z');

describe('restore planning', () => {
  it("names the backup Neon's way: <name>_old_<RFC 3339 seconds>", () => {
    expect(defaultPreserveName('main', now)).toBe('main_old_2026-11-20T10:15:00Z');
  });

  it('restores from another branch head', () => {
    const plan = planRestore({ branch: 'main', fromBranch: 'checkpoint/main/20261120T101500Z' }, now);
    expect(plan.target).toBe('main');
    expect(plan.options).toEqual({
      source: 'checkpoint/main/20261120T101500Z',
      preserveUnderName: 'main_old_2026-11-20T10:15:00Z',
    });
    expect(plan.description).toBe(
      'restore branch "main" from branch "checkpoint/main/20261120T101500Z" (head); its current state is kept as branch "main_old_2026-11-20T10:15:00Z"',
    );
  });

  it('restores from its own history at a timestamp or LSN', () => {
    const byTime = planRestore({ branch: 'main', timestamp: '2026-11-20T09:00:00Z', preserveUnderName: 'before' }, now);
    expect(byTime.options).toEqual({
      source: 'main',
      at: { timestamp: '2026-11-20T09:00:00Z' },
      preserveUnderName: 'before',
    });
    expect(byTime.description).toContain('from its own history at 2026-11-20T09:00:00Z');
    const byLsn = planRestore({ branch: 'main', lsn: '0/16B3748' }, now);
    expect(byLsn.options.at).toEqual({ lsn: '0/16B3748' });
    expect(byLsn.description).toContain('at LSN 0/16B3748');
  });

  it('restores from another branch at a point in its history', () => {
    const plan = planRestore({ branch: 'dev', fromBranch: 'main', lsn: '0/1' }, now);
    expect(plan.options.source).toBe('main');
    expect(plan.description).toMatch(/^restore branch "dev" from branch "main" at LSN 0\/1;/);
  });

  it('refuses a timestamp with an LSN, and a request with no source', () => {
    const args = expect.objectContaining({ code: 'RESTORE_ARGS', exitCode: 2 });
    expect(() => planRestore({ branch: 'main', timestamp: '2026-11-20T09:00:00Z', lsn: '0/1' }, now)).toThrow(args);
    expect(() => planRestore({ branch: 'main' }, now)).toThrow(args);
  });
});
