/** `status` on a long history: applied ones summarised, pending ones listed, the order shown (no database). */
import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../src/cli/status.js';
import type { StatusReport } from '../../src/workflow/inspect.js';
import { describeOrdering } from '../../src/migrations/naming.js';

function report(applied: number, pending: number): StatusReport {
  const entry = (i: number, state: 'applied' | 'pending') => ({
    version: String(20250101000000 + i),
    name: `${20250101000000 + i}_Create table ${i}`,
    kind: 'sql' as const,
    state,
    reversible: true,
    noTransaction: false,
    file: `migrations/${i}/up.sql`,
    notes: [],
    ...(state === 'applied' ? { appliedAt: '2026-01-01T00:00:00.000Z' } : {}),
  });
  const entries = [
    ...Array.from({ length: applied }, (_, i) => entry(i, 'applied')),
    ...Array.from({ length: pending }, (_, i) => entry(applied + i, 'pending')),
  ];
  return {
    branch: 'main',
    entries,
    missing: [],
    partial: [],
    unfinished: [],
    counts: { applied, pending, drifted: 0, missing: 0, partial: 0, irreversible: 0, unverified: 0, interrupted: 0 },
    ordering: describeOrdering('auto', ['20260120162913', '202512291102420000']),
  };
}

describe('status text', () => {
  it('summarises 1,000 applied migrations in one line and lists the pending ones', () => {
    const lines = formatStatus(report(1000, 3)).split('\n');
    expect(lines[0]).toBe('branch main: 1000 applied, 3 pending, 0 drifted, 0 missing');
    expect(lines[1]).toBe('order: timestamp (auto)');
    expect(lines[2]).toMatch(
      /^warning: the history mixes version styles \(timestamp \(14 digits\), timestamp \(18 digits\)\)/,
    );
    expect(lines[3]).toBe(
      '  applied  1000 migrations, 20250101000000_Create table 0 … 20250101000999_Create table 999',
    );
    expect(lines.slice(4)).toEqual([0, 1, 2].map((i) => `  pending  ${20250101001000 + i}_Create table ${1000 + i}`));
  });

  it('lists a short history in full', () => {
    const text = formatStatus(report(2, 1));
    expect(text.split('\n').filter((l) => l.startsWith('  applied '))).toHaveLength(2);
  });
});
