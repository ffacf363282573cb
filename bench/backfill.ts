/**
 * Batched backfill against one UPDATE of the whole table, side by side on a 1M-row table (two
 * identical fresh tables, one per form, in alternating order), each with a concurrent writer updating random rows:
 * throughput (target: batched ≥ 0.8× the single statement's rows/s) and the longest time the
 * writer was blocked (target for the batched form: < 100 ms). The seed's floor, 1,000 rows/s,
 * puts the figures in context. BENCH_BACKFILL_ROWS changes the size.
 */
import { type BenchRow, progress } from './table.js';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { formatBackfillResult } from '../src/backfill/display.js';
import { type BackfillResult, runBackfill } from '../src/backfill/run.js';
import { backfillSpecFromSql } from '../src/backfill/spec.js';
import { settingsSchema } from '../src/config/schema.js';
import { connect, type DbClient } from '../src/db/connect.js';
import { openLocalPlatform } from '../src/platform/local/index.js';

export const name = 'batched backfill vs one UPDATE';
const ROWS = Number(process.env.BENCH_BACKFILL_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_BACKFILL_ROUNDS ?? 2);
const SEED_FLOOR = 1000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function tableSql(table: string): string {
  return `CREATE TABLE ${table} (id bigint PRIMARY KEY, a integer NOT NULL, b integer, note text NOT NULL);
INSERT INTO ${table} SELECT g, g % 1000, NULL, 'row ' || g FROM generate_series(1, ${ROWS}) AS g`;
}

/**
 * A writer updating one random row at a time until stopped. Each write first runs under
 * lock_timeout = 100 ms: a write that times out waited longer than that for a row lock (whatever
 * the machine's load, which lock_timeout does not count), and is then retried without a limit.
 * Reports the longest write (lock waits and CPU delays together) and the writes that waited > 100 ms.
 */
function writer(db: DbClient, table: string) {
  let running = true;
  let longest = 0;
  let writes = 0;
  let waitedOver100 = 0;
  const done = (async () => {
    while (running) {
      const update = `UPDATE ${table} SET note = 'touched' WHERE id = ${1 + Math.floor(Math.random() * ROWS)}`;
      const t0 = performance.now();
      try {
        await db.query(`SET lock_timeout = '100ms'; ${update}`);
      } catch (err) {
        if ((err as { code?: string }).code !== '55P03') throw err;
        waitedOver100++;
        await db.query(`SET lock_timeout = 0; ${update}`);
      }
      longest = Math.max(longest, performance.now() - t0);
      writes++;
      await sleep(5);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      return { longestMs: longest, writes, waitedOver100 };
    },
  };
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mean = (xs: number[]) => sum(xs) / xs.length;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Measure and return the report lines. */
export async function bench(): Promise<BenchRow[]> {
  const engineDir = mkdtempSync(path.join(tmpdir(), 'nm-bench-backfill-'));
  chmodSync(engineDir, 0o755);
  const p = await openLocalPlatform({ projectDir: engineDir, env: process.env, settings: settingsSchema.parse({}) });
  try {
    await p.createBranch({ name: 'bench-backfill', parent: 'main' });
    const uri = await p.connectionUri('bench-backfill');
    const db = await connect(uri);
    const other = await connect(uri);
    type WriterFigures = { blockedMs: number; writes: number; waitedOver100: number };
    const figures = (w: { longestMs: number; writes: number; waitedOver100: number }): WriterFigures => ({
      blockedMs: w.longestMs,
      writes: w.writes,
      waitedOver100: w.waitedOver100,
    });
    const singles: ({ ms: number; rows: number } & WriterFigures)[] = [];
    const batches: ({ ms: number; result: BackfillResult; left: string } & WriterFigures)[] = [];
    // Rounds alternate which form goes first, so neither always pays for the other's checkpoint.
    for (let round = 0; round < ROUNDS; round++) {
      const forms = round % 2 === 0 ? ['single', 'batched'] : ['batched', 'single'];
      for (const form of forms) {
        const table = `${form}_${round}`;
        await db.query(tableSql(table));
        await db.query(`VACUUM ANALYZE ${table}`); // not in the script above: VACUUM refuses a transaction block
        const w = writer(other, table);
        await sleep(200);
        const t0 = performance.now();
        if (form === 'single') {
          // The reference: one statement, every row it updated locked until it commits.
          const res = await db.query(`UPDATE ${table} SET b = a * 2 WHERE b IS NULL`);
          const ms = performance.now() - t0;
          const wr = await w.stop();
          singles.push({ ms, rows: res.rowCount, ...figures(wr) });
        } else {
          // The batched form, end to end (count, ranges, sweep, progress rows).
          const text = `-- neon-migrate:backfill table=${table} key=id batch=5000
UPDATE ${table} SET b = a * 2 WHERE b IS NULL;`;
          const spec = await backfillSpecFromSql(`${table}.up.sql`, String(round + 1), text);
          const result = await runBackfill(db, spec);
          const ms = performance.now() - t0;
          const wr = await w.stop();
          const wrong = `SELECT count(*) AS n FROM ${table} WHERE b IS NULL OR b <> a * 2`;
          const left = (await db.query<{ n: string }>(wrong)).rows[0]!.n;
          batches.push({ ms, result, left, ...figures(wr) });
        }
        await db.query(`DROP TABLE ${table}`);
      }
    }
    // Control: the same writer with nothing else running, for the machine's own latency (shared cores).
    await db.query(tableSql('control'));
    const control = writer(other, 'control');
    await sleep(5000);
    const quiet = await control.stop();
    await db.close();
    await other.close();

    const rate = (rows: number, ms: number) => rows / (ms / 1000);
    const singleRate = mean(singles.map((x) => rate(x.rows, x.ms)));
    const batchedRate = mean(batches.map((x) => rate(x.result.rows, x.ms)));
    const singleBlocked = Math.max(...singles.map((x) => x.blockedMs));
    const batchedBlocked = Math.max(...batches.map((x) => x.blockedMs));
    const over = (xs: WriterFigures[]) => `${sum(xs.map((x) => x.waitedOver100))} of ${sum(xs.map((x) => x.writes))}`;
    const ratio = batchedRate / singleRate;
    for (const x of batches) progress(`  ${formatBackfillResult(x.result)}; rows left unfilled: ${x.left}`);
    const meanSeconds = (xs: { ms: number }[]) => xs.reduce((a, x) => a + x.ms, 0) / xs.length / 1000;
    return [
      {
        group: 'backfill',
        what: `batched backfill of ${fmt(ROWS)} rows (${fmt(batchedRate)} rows/s)`,
        seconds: meanSeconds(batches),
        reference: `one UPDATE (${fmt(singleRate)} rows/s)`,
        referenceSeconds: meanSeconds(singles),
        maxRatio: 1.25,
        note: `${ratio.toFixed(2)}x its rows/s (target >= 0.8x); ${fmt(batchedRate / SEED_FLOOR)}x the seed floor of 1,000 rows/s`,
      },
      {
        group: 'backfill',
        what: 'longest write of a concurrent writer, batched form',
        seconds: batchedBlocked / 1000,
        reference: 'same, one UPDATE',
        referenceSeconds: singleBlocked / 1000,
        note: `writes waiting > 100 ms for a lock: ${over(batches)} batched (target 0), ${over(singles)} one UPDATE; writer alone: ${fmt(quiet.longestMs)} ms`,
      },
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
  for (const row of await bench()) console.log(row);
}
