/**
 * Estimating a run on the target (main) from what was measured on staging: durations and blocked
 * times scale with the data, so they are multiplied by the ratio of the target's database size to
 * the measured branch's. A first-order estimate (scans and rewrites are linear in size; index
 * builds are n log n, so large ratios underestimate slightly), shown as such in the promote prompt.
 */
import type { Queryable } from '../verify/queryable.js';
import type { RunMeasurement } from './measure.js';

/** pg_database_size of the current database, bytes. */
export async function databaseSize(db: Queryable): Promise<number> {
  const { rows } = await db.query(`SELECT pg_database_size(current_database())::bigint::text AS n`);
  return Number(rows[0]?.n ?? 0);
}

export interface TargetEstimate {
  /** Target size / measured size. */
  sizeRatio: number;
  durationMs: number;
  /** Per table: the longest time reads or writes would be blocked. */
  blockedMs: { table: string; ms: number; mode?: string }[];
}

/** Scale measured runs by the size ratio; tables never blocked are left out. */
export function estimateOnTarget(
  measurements: RunMeasurement[],
  measuredBytes: number,
  targetBytes: number,
): TargetEstimate {
  const sizeRatio = measuredBytes > 0 ? targetBytes / measuredBytes : 1;
  const scale = (ms: number) => Math.round(ms * sizeRatio);
  const blocked = new Map<string, { ms: number; mode?: string }>();
  for (const m of measurements) {
    for (const t of m.tables) {
      const ms = Math.max(t.maxWriteBlockedMs, t.maxReadBlockedMs);
      if (ms === 0) continue;
      const prev = blocked.get(t.table);
      if (!prev || ms > prev.ms) blocked.set(t.table, { ms, ...(t.strongestMode ? { mode: t.strongestMode } : {}) });
    }
  }
  return {
    sizeRatio: Math.round(sizeRatio * 100) / 100,
    durationMs: scale(measurements.reduce((sum, m) => sum + m.durationMs, 0)),
    blockedMs: [...blocked].map(([table, b]) => ({ table, ms: scale(b.ms), ...(b.mode ? { mode: b.mode } : {}) })),
  };
}
