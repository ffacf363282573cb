import { describe, expect, it } from 'vitest';
import { diffText } from '../../src/verify/catalog-text.js';
import type { CatalogFingerprint } from '../../src/verify/fingerprint.js';
import { diffFingerprints, renderSchemaDiff } from '../../src/verify/fingerprint-diff.js';

const fp = (hash: string, lines: string[]): CatalogFingerprint => ({ hash, lines, tables: {} });

describe('diffFingerprints', () => {
  it('is identical when the hashes match', () => {
    const d = diffFingerprints(fp('h', ['table public.a: ']), fp('h', ['table public.a: ']));
    expect(d).toEqual({ identical: true, missing: [], unexpected: [] });
    expect(renderSchemaDiff(d)).toBe('schemas are identical');
  });

  it('lists lines missing from and unexpected in the actual schema', () => {
    const expected = fp('1', ['column public.t.a: integer', 'column public.t.b: text', 'table public.t: ']);
    const actual = fp('2', ['column public.t.a: bigint', 'column public.t.b: text', 'table public.t: ']);
    const d = diffFingerprints(expected, actual);
    expect(d.identical).toBe(false);
    expect(d.missing).toEqual(['column public.t.a: integer']);
    expect(d.unexpected).toEqual(['column public.t.a: bigint']);
    // the -/+ pair of one object sits together, expected first
    expect(renderSchemaDiff(d)).toBe('- column public.t.a: integer\n+ column public.t.a: bigint');
  });

  it('cuts long output and says how much was left out', () => {
    const expected = fp(
      '1',
      Array.from({ length: 10 }, (_, i) => `table public.t${i}: `),
    );
    const d = diffFingerprints(expected, fp('2', []));
    const text = renderSchemaDiff(d, 3, 12);
    const lines = text.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('… and 7 more lines');
    expect(lines[0]!.length).toBeLessThanOrEqual(2 + 12);
    expect(lines[0]!.endsWith('…')).toBe(true);
  });
});

describe('diffText', () => {
  it('is empty for equal texts', () => {
    expect(diffText('a\nb', 'a\nb', ['x', 'y'])).toBe('');
    expect(diffText('', '', ['x', 'y'])).toBe('');
  });

  it('prints a unified-style diff keeping the common lines out', () => {
    const out = diffText('a\nb\nc', 'a\nc\nd', ['main', 'dev']);
    expect(out).toBe('--- main\n+++ dev\n-b\n+d\n');
  });

  it('handles one side empty', () => {
    expect(diffText('', 'x\ny', ['a', 'b'])).toBe('--- a\n+++ b\n+x\n+y\n');
    expect(diffText('x', '', ['a', 'b'])).toBe('--- a\n+++ b\n-x\n');
  });

  it('finds a minimal diff (longest common subsequence)', () => {
    const before = ['t1', 't2', 't3', 't4', 't5'].join('\n');
    const after = ['t0', 't1', 't2', 't4', 't5', 't6'].join('\n');
    const body = diffText(before, after, ['a', 'b']).trim().split('\n').slice(2);
    expect(body.sort()).toEqual(['+t0', '+t6', '-t3']);
  });
});
