/** The preflight from a branch's restrictions (issue 13): which action each restriction refuses, and how. */
import { describe, expect, it } from 'vitest';
import { GateError } from '../../src/errors.js';
import type { Branch } from '../../src/platform/types.js';
import { assertActionAllowed, restrictionOf } from '../../src/run/restrictions.js';

const main: Branch = { id: 'br-m', name: 'main', createdAt: '', default: true, protected: false, state: 'ready' };
const held = { ...main, restrictedActions: [{ name: 'restore', reason: 'a snapshot restore is being finalized' }] };

describe('restrictions preflight', () => {
  it("a restricted restore refuses restore, reset, test and promote with Neon's reason", () => {
    for (const action of ['restore', 'reset', 'test', 'promote'] as const)
      expect(restrictionOf(held, action)).toBe('Neon restricts restore on it: a snapshot restore is being finalized');
    let err: unknown;
    try {
      assertActionAllowed(held, 'promote');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GateError);
    expect(err).toMatchObject({ exitCode: 3, code: 'BRANCH_RESTRICTED' });
    expect((err as Error).message).toBe(
      'promote on branch "main" refused (a failed run could not be restored): Neon restricts restore on it: a snapshot restore is being finalized',
    );
  });

  it('protection refuses a reset only; other restrictions refuse nothing of ours', () => {
    const guarded = { ...main, protected: true };
    expect(restrictionOf(guarded, 'reset')).toMatch(/protected/);
    expect(restrictionOf(guarded, 'restore')).toBeUndefined();
    expect(restrictionOf(guarded, 'promote')).toBeUndefined();
    const other = { ...main, restrictedActions: [{ name: 'delete-rw-endpoint', reason: 'x' }] };
    expect(() => assertActionAllowed(other, 'restore')).not.toThrow();
  });
});
