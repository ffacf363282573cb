/**
 * Batched backfill against one UPDATE of the whole table, side by side on a 1M-row table (two
 * identical copies, one per form), each with a concurrent writer updating random rows:
 * throughput (target: batched ≥ 0.8× the single statement's rows/s) and the longest time the
 * writer was blocked (target for the batched form: < 100 ms). The seed's floor, 1,000 rows/s,
 * puts the figures in context. BENCH_BACKFILL_ROWS changes the size.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatBackfillResult } from '../src/backfill/display.js';
import { runBackfill } from '../src/backfill/run.js';
import { backfillSpecFromSql } from '../src/backfill/spec.js';
import { settingsSchema } from '../src/config/schema.js';
import { connect, type DbClient } from '../src/db/connect.js';
import { openLocalPlatform } from '../src/platform/local/index.js';

export const name = 'batched backfill vs one UPDATE';
const ROWS = Number(process.env.BENCH_BACKFILL_ROWS ?? 1_000_000);
const SEED_FLOOR = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tableSql(table: string): string {
  return `CREATE TABLE ${table} (id bigint PRIMARY KEY, a integer NOT NULL, b integer, note text NOT NULL);
INSERT INTO ${table} SELECT g, g % 1000, NULL, 'row ' || g FROM generate_series(1, ${ROWS}) AS g`;
}

/** A writer updating one random row at a time until stopped; reports its longest statement. */
function writer(db: DbClient, table: string) {
  let running = true;
  let longest = 0;
  let writes = 0;
  const done = (async () => {
    while (running) {
      const id = 1 + Math.floor(Math.random() * ROWS);
      const t0 = performance.now();
      await db.query(`UPDATE ${table} SET note = 'touched' WHERE id = ${id}`);
      longest = Math.max(longest, performance.now() - t0);
      writes++;
      await sleep(5);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { longestMs: longest, writes };
    },
  };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Measure and return the report lines. */
export async function bench(): Promise<string[]> {
  const engineDir = mkdtempSync(path.join(tmpdir(), 'nm-bench-backfill-'));
  chmodSync(engineDir, 0o755);
  const p = await openLocalPlatform({ projectDir: engineDir, env: process.env, settings: settingsSchema.parse({}) });
  try {
    await p.createBranch({ name: 'bench-backfill', parent: 'main' });
    const uri = await p.connectionUri('bench-backfill');
    const db = await connect(uri);
    const other = await connect(uri);
    for (const table of ['single_form', 'batched_form']) {
      await db.query(tableSql(table));
      await db.query(`VACUUM ANALYZE ${table}`); // not in the script above: VACUUM refuses a transaction block
    }

    // The reference: one statement, every row locked until it commits.
    let w = writer(other, 'single_form');
    await sleep(200);
    let t0 = performance.now();
    const single = await db.query(`UPDATE single_form SET b = a * 2 WHERE b IS NULL`);
    const singleMs = performance.now() - t0;
    const singleWriter = await w.stop();
    const singleRate = single.rowCount / (singleMs / 1000);

    // The batched form, end to end (count, ranges, sweep, progress rows).
    const spec = await backfillSpecFromSql('bench_backfill.up.sql', '1', `-- neon-migrate:backfill table=batched_form key=id batch=5000
UPDATE batched_form SET b = a * 2 WHERE b IS NULL;`);
    w = writer(other, 'batched_form');
    await sleep(200);
    t0 = performance.now();
    const batched = await runBackfill(db, spec);
    const batchedMs = performance.now() - t0;
    const batchedWriter = await w.stop();
    const batchedRate = batched.rows / (batchedMs / 1000);
    const left = await db.query<{ n: string }>(`SELECT count(*) AS n FROM batched_form WHERE b IS NULL OR b <> a * 2`);
    await db.close();
    await other.close();

    const ratio = batchedRate / singleRate;
    return [
      `table: ${fmt(ROWS)} rows (bigint key), fill b = a * 2; a writer updates one random row every ~5 ms during each form`,
      `one UPDATE:       ${fmt(single.rowCount)} rows in ${(singleMs / 1000).toFixed(2)} s = ${fmt(singleRate)} rows/s; writer longest blocked ${fmt(singleWriter.longestMs)} ms (${singleWriter.writes} writes)`,
      `batched backfill: ${fmt(batched.rows)} rows in ${(batchedMs / 1000).toFixed(2)} s = ${fmt(batchedRate)} rows/s (${ratio.toFixed(2)}x the single UPDATE, target ≥ 0.8x); writer longest blocked ${fmt(batchedWriter.longestMs)} ms (${batchedWriter.writes} writes, target < 100 ms)`,
      `  ${formatBackfillResult(batched)}; rows left unfilled: ${left.rows[0]!.n}`,
      `seed floor: ${fmt(SEED_FLOOR)} rows/s → the batched backfill is ${fmt(batchedRate / SEED_FLOOR)}x the floor`,
      `targets: throughput ${ratio >= 0.8 ? 'met' : 'MISSED'}; writer blocked < 100 ms ${batchedWriter.longestMs < 100 ? 'met' : 'MISSED'}`,
    ];
  } finally {
    await p.stopComputes();
    await p.close();
    // the engine holds real clusters: leave nothing behind in TMPDIR
    rmSync(engineDir, { recursive: true, force: true });
  }
}

/** `bench/run.ts` entry: measure and print. */
export async function run(): Promise<void> {
  for (const line of await bench()) console.log(line);
}
