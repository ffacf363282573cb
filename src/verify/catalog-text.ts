/**
 * The one routine that turns a database's catalog into text: sorted fingerprint lines (see
 * fingerprint.ts), shared by the catalog fingerprint, the local engine's schema diff, and the tests.
 */
import { collectFingerprintLines, renderLine } from './fingerprint.js';
import type { Queryable } from './queryable.js';

/** The user schema of a database as sorted, one-object-per-line text. */
export async function catalogText(db: Queryable): Promise<string> {
  return (await collectFingerprintLines(db)).map(renderLine).sort().join('\n');
}

/** A unified-style diff of two texts ("--- a" / "+++ b", then -/+ lines); empty when equal. */
export function diffText(before: string, after: string, labels: [string, string]): string {
  const a = before ? before.split('\n') : [];
  const b = after ? after.split('\n') : [];
  // Longest common subsequence table; schema texts are small (hundreds of lines).
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      out.push(`+${b[j++]}`);
    } else {
      out.push(`-${a[i++]}`);
    }
  }
  return out.length ? `${[`--- ${labels[0]}`, `+++ ${labels[1]}`, ...out].join('\n')}\n` : '';
}
