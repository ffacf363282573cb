/** Readable differences between two catalog fingerprints. */
import type { CatalogFingerprint } from './fingerprint.js';

export interface SchemaDiff {
  identical: boolean;
  /** Lines only in the expected fingerprint (missing from the actual schema). */
  missing: string[];
  /** Lines only in the actual fingerprint (unexpected in the actual schema). */
  unexpected: string[];
}

/** Compare `actual` against `expected`, line by line. */
export function diffFingerprints(expected: CatalogFingerprint, actual: CatalogFingerprint): SchemaDiff {
  if (expected.hash === actual.hash) return { identical: true, missing: [], unexpected: [] };
  const want = new Set(expected.lines);
  const have = new Set(actual.lines);
  return {
    identical: false,
    missing: expected.lines.filter((l) => !have.has(l)),
    unexpected: actual.lines.filter((l) => !want.has(l)),
  };
}

/** The diff as unified-style text: `- expected` / `+ actual`, grouped by object name, long lines cut. */
export function renderSchemaDiff(diff: SchemaDiff, maxLines = 40, maxWidth = 160): string {
  if (diff.identical) return 'schemas are identical';
  const entries = [
    ...diff.missing.map((l) => ({ sign: '-', line: l })),
    ...diff.unexpected.map((l) => ({ sign: '+', line: l })),
  ].sort((a, b) => objectKey(a.line).localeCompare(objectKey(b.line)) || a.sign.localeCompare(b.sign));
  const cut = (s: string) => (s.length > maxWidth ? `${s.slice(0, maxWidth - 1)}…` : s);
  const out = entries.slice(0, maxLines).map((e) => `${e.sign} ${cut(e.line)}`);
  if (entries.length > maxLines) out.push(`… and ${entries.length - maxLines} more lines`);
  return out.join('\n');
}

/** `kind name` part of a line, so a changed object's -/+ lines sit together. */
function objectKey(line: string): string {
  const colon = line.indexOf(': ');
  return colon === -1 ? line : line.slice(0, colon);
}
