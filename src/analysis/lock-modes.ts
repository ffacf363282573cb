/** Postgres table lock modes, weakest first, and what each one blocks (docs: "Table-Level Locks"). */

export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

/** The stronger of two modes (by the conflict order above). */
export function strongerMode(a: string | undefined, b: string | undefined): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return LOCK_MODES.indexOf(b as LockMode) > LOCK_MODES.indexOf(a as LockMode) ? b : a;
}

/** What other sessions cannot do while `mode` is held: reads need ACCESS SHARE, writes ROW EXCLUSIVE. */
export function lockBlocks(mode: string): 'reads and writes' | 'writes' | 'nothing of reads or writes' {
  if (mode === 'AccessExclusiveLock') return 'reads and writes';
  if (['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock'].includes(mode)) return 'writes';
  return 'nothing of reads or writes';
}
