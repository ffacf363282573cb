/**
 * Workload query latency before and after the migrations (`checks.queries` in the environment):
 * each query is timed N times on the branch (after one warm-up run) by the server, inside a
 * transaction that is rolled back so a workload write never changes the branch; p50 and p95 are compared and a p95
 * regression over the threshold is a violation.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { workloadQuerySchema } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import type { Queryable } from '../verify/queryable.js';

export type WorkloadQueryEntry = z.output<typeof workloadQuerySchema>;

export interface WorkloadQuery {
  /** The SQL file, relative to the project. */
  name: string;
  sql: string;
  params: unknown[];
  runs: number;
}

export interface QueryTiming {
  name: string;
  runs: number;
  p50Ms: number;
  p95Ms: number;
}

export interface LatencyChange {
  name: string;
  before: QueryTiming;
  after: QueryTiming;
  /** Relative change in percent (positive = slower). */
  p50ChangePct: number;
  p95ChangePct: number;
  /** p95 got slower than the threshold allows. */
  regressed: boolean;
}

/** The default number of timed runs per query. */
export const DEFAULT_QUERY_RUNS = 20;
/** The default allowed p95 regression, percent (the design's "p95 regression > 10 % fails"). */
export const DEFAULT_MAX_P95_REGRESSION_PCT = 10;

/** Read the environment's workload query files; a missing file is a config error (exit 2). */
export function loadWorkloadQueries(
  projectDir: string,
  entries: WorkloadQueryEntry[],
  envFile = 'environment',
): WorkloadQuery[] {
  return entries.map((entry, i) => {
    const e = typeof entry === 'string' ? { file: entry, params: [] } : entry;
    try {
      const sql = readFileSync(path.resolve(projectDir, e.file), 'utf8').trim().replace(/;\s*$/, '');
      return { name: e.file, sql, params: e.params, runs: ('runs' in e && e.runs) || DEFAULT_QUERY_RUNS };
    } catch (err) {
      throw new ConfigError([
        {
          file: envFile,
          key: `checks.queries.${i}`,
          message: `cannot read ${e.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        },
      ]);
    }
  });
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Statements EXPLAIN ANALYZE can time inside the server. */
const EXPLAINABLE = /^\s*(WITH|SELECT|INSERT|UPDATE|DELETE|MERGE|VALUES|TABLE)\b/i;

/**
 * One timed run, in ms. Explainable queries are timed by the server (EXPLAIN ANALYZE's planning +
 * execution time, without per-node timing): the database's cost of the query, free of network and
 * client scheduling noise, which on a busy machine is larger than the changes being looked for.
 * Other statements are timed by the client.
 */
async function runOnce(db: Queryable, q: WorkloadQuery): Promise<number> {
  const run = (sql: string) => (q.params.length ? db.query(sql, q.params) : db.query(sql));
  await db.query('BEGIN');
  try {
    if (EXPLAINABLE.test(q.sql)) {
      const { rows } = await run(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) ${q.sql}`);
      const plan = (
        rows[0]?.['QUERY PLAN'] as { 'Planning Time'?: number; 'Execution Time'?: number }[] | undefined
      )?.[0];
      return (plan?.['Planning Time'] ?? 0) + (plan?.['Execution Time'] ?? 0);
    }
    const start = performance.now();
    await run(q.sql);
    return performance.now() - start;
  } finally {
    await db.query('ROLLBACK');
  }
}

/** Time each query `runs` times (after a warm-up run); the branch's data is never changed. */
export async function timeQueries(db: Queryable, queries: WorkloadQuery[]): Promise<QueryTiming[]> {
  const out: QueryTiming[] = [];
  for (const q of queries) {
    await runOnce(db, q);
    const samples: number[] = [];
    for (let i = 0; i < q.runs; i++) samples.push(await runOnce(db, q));
    samples.sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 1000) / 1000;
    out.push({
      name: q.name,
      runs: q.runs,
      p50Ms: round(percentile(samples, 50)),
      p95Ms: round(percentile(samples, 95)),
    });
  }
  return out;
}

const pct = (before: number, after: number) => (before > 0 ? Math.round(((after - before) / before) * 1000) / 10 : 0);

/**
 * Timer noise on sub-millisecond queries: a p95 regression counts only when it is also larger than
 * this many milliseconds, so 0.10 → 0.12 ms (+20 %) does not fail a run.
 */
export const LATENCY_NOISE_FLOOR_MS = 0.5;

/** Compare timings taken before and after the migrations; a p95 slower by more than the threshold regressed. */
export function compareLatency(
  before: QueryTiming[],
  after: QueryTiming[],
  maxP95RegressionPct = DEFAULT_MAX_P95_REGRESSION_PCT,
  noiseFloorMs = LATENCY_NOISE_FLOOR_MS,
): LatencyChange[] {
  return before.flatMap((b) => {
    const a = after.find((x) => x.name === b.name);
    if (!a) return [];
    const p95ChangePct = pct(b.p95Ms, a.p95Ms);
    return [
      {
        name: b.name,
        before: b,
        after: a,
        p50ChangePct: pct(b.p50Ms, a.p50Ms),
        p95ChangePct,
        regressed: p95ChangePct > maxP95RegressionPct && a.p95Ms - b.p95Ms > noiseFloorMs,
      },
    ];
  });
}
