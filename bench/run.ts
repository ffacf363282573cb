/**
 * `npm run bench`: runs each bench module in sequence; each prints its own side-by-side numbers.
 * Append a module here: { name, load: () => import('./your-bench.js') } exporting `run(): Promise<void>`.
 */
interface BenchEntry {
  name: string;
  load: () => Promise<{ run: () => Promise<void> }>;
}

export const benches: BenchEntry[] = [
  { name: 'engine', load: () => import('./engine.js') },
  { name: 'runner', load: () => import('./runner.js') },
  { name: 'alembic', load: () => import('./alembic.js') },
];

const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
for (const b of benches) {
  if (only && !only.includes(b.name)) continue;
  console.log(`\n== bench: ${b.name} ==`);
  await (await b.load()).run();
}
