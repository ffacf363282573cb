/**
 * `npm run bench`: every bench module in sequence, then ONE table with every figure as a ratio
 * against its reference. Progress goes to stderr; the table to stdout. BENCH_ONLY=engine,runner
 * runs a subset. Short mode: BENCH_SIZE_MB=64 NEON_MIGRATE_SEED_TASKS=2000 BENCH_ROUNDS=1 (see README).
 * A module exports `bench(): Promise<BenchRow[]>`; append it to `benches`.
 */
import { type BenchRow, progress, renderTable } from './table.js';

interface BenchEntry {
  name: string;
  load: () => Promise<{ bench: () => Promise<BenchRow[]> }>;
}

export const benches: BenchEntry[] = [
  { name: 'example', load: () => import('./example.js') },
  { name: 'engine', load: () => import('./engine.js') },
  { name: 'runner', load: () => import('./runner.js') },
  { name: 'histories', load: () => import('./histories.js') },
  { name: 'analysis', load: () => import('./analysis.js') },
  { name: 'backfill', load: () => import('./backfill.js') },
  { name: 'alembic', load: () => import('./alembic.js') },
];

const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
const rows: BenchRow[] = [];
const t0 = performance.now();
for (const b of benches) {
  if (only && !only.includes(b.name)) continue;
  progress(`== bench: ${b.name} ==`);
  try {
    rows.push(...(await (await b.load()).bench()));
  } catch (err) {
    rows.push({ group: b.name, what: 'failed', reference: '-', note: (err as Error).message });
  }
}
const settings = `BENCH_SIZE_MB=${process.env.BENCH_SIZE_MB ?? 1024} NEON_MIGRATE_SEED_TASKS=${process.env.NEON_MIGRATE_SEED_TASKS ?? '100000 (default)'}`;
console.log(`\nneon-migrate bench (${settings}; ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
console.log(renderTable(rows));
