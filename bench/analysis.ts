/**
 * The measuring probe (src/analysis): what it reports for real migrations on a 200k-row table, and
 * what it costs: the same migration's duration with and without the probe (median of rounds).
 */
import type { BenchRow } from './table.js';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measureRun } from '../src/analysis/measure.js';
import { settingsSchema } from '../src/config/schema.js';
import { connect, type DbClient } from '../src/db/connect.js';
import { openLocalPlatform } from '../src/platform/local/index.js';

const ROWS = 200_000;
const ROUNDS = 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const CASES: { name: string; up: string; down: string }[] = [
  { name: 'CREATE INDEX', up: 'CREATE INDEX tasks_title ON tasks (title)', down: 'DROP INDEX tasks_title' },
  {
    name: 'SET NOT NULL',
    up: 'ALTER TABLE tasks ALTER COLUMN title SET NOT NULL',
    down: 'ALTER TABLE tasks ALTER COLUMN title DROP NOT NULL',
  },
  {
    name: 'ADD COLUMN DEFAULT clock_timestamp()',
    up: 'ALTER TABLE tasks ADD COLUMN seen timestamptz DEFAULT clock_timestamp()',
    down: 'ALTER TABLE tasks DROP COLUMN seen',
  },
];

async function timed(db: DbClient, sql: string): Promise<number> {
  const t0 = performance.now();
  await db.query(`BEGIN; ${sql}; COMMIT`);
  return performance.now() - t0;
}

/** Measure and return the report lines. */
export async function bench(): Promise<BenchRow[]> {
  const engineDir = mkdtempSync(path.join(tmpdir(), 'nm-bench-analysis-'));
  chmodSync(engineDir, 0o755);
  const p = await openLocalPlatform({ projectDir: engineDir, env: process.env, settings: settingsSchema.parse({}) });
  const lines: BenchRow[] = [];
  try {
    await p.createBranch({ name: 'bench-analysis', parent: 'main' });
    const uri = await p.connectionUri('bench-analysis');
    const db = await connect(uri);
    await db.query(`CREATE TABLE tasks (id bigint PRIMARY KEY, title text, done boolean);
      INSERT INTO tasks SELECT g, 'task ' || g, false FROM generate_series(1, ${ROWS}) g`);
    await db.query('VACUUM ANALYZE tasks');
    for (const c of CASES) {
      const plain: number[] = [];
      const probed: number[] = [];
      let last = '';
      for (let r = 0; r < ROUNDS; r++) {
        plain.push(await timed(db, c.up));
        await db.query(c.down);
        const { result, measurement } = await measureRun(uri, ['tasks'], () => timed(db, c.up), { statsSession: db });
        probed.push(result);
        const t = measurement.tables[0]!;
        const wal = (measurement.walBytes / 1048576).toFixed(1);
        last =
          `blocked writes ${t.maxWriteBlockedMs} ms / reads ${t.maxReadBlockedMs} ms, lock ${t.strongestMode ?? '-'}, ` +
          `rewrite ${t.rewritten}, WAL ${wal} MB, ${t.attempts} probe attempts`;
        await db.query(c.down);
      }
      const a = median(plain);
      const b = median(probed);
      lines.push({
        group: 'analysis',
        what: `${c.name} on ${ROWS} rows, under the probe`,
        seconds: b / 1000,
        reference: 'the same migration alone',
        referenceSeconds: a / 1000,
        note: last,
      });
    }
    await db.close();
  } finally {
    await p.stopComputes();
    await p.close();
    rmSync(engineDir, { recursive: true, force: true });
  }
  return lines;
}

export async function run(): Promise<void> {
  for (const row of await bench()) console.log(row);
}
