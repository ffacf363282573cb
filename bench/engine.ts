/**
 * The local engine against the physical limit, on one ~1 GB database (BENCH_SIZE_MB to change):
 * `cp -a` of the data dir against branch create + materialisation (first start) and against
 * point-in-time restore (rows checked).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { settingsSchema } from '../src/config/schema.js';
import { openLocalPlatform } from '../src/platform/local/index.js';
import { type BenchRow, progress, timed } from './table.js';

async function sql(uri: string, text: string): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: uri });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

/** Measure and return the rows. */
export async function bench(): Promise<BenchRow[]> {
  const sizeMb = Number(process.env.BENCH_SIZE_MB ?? 1024);
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-bench-'));
  chmodSync(dir, 0o755);
  const p = await openLocalPlatform({ projectDir: dir, env: process.env, settings: settingsSchema.parse({}) });
  try {
    const main = await p.connectionUri('main');
    // ~300 bytes per row
    const rows = Math.round((sizeMb * 1024 * 1024) / 300);
    progress(`engine: loading ~${sizeMb} MB (${rows} rows) into main...`);
    const [load] = await timed(() =>
      sql(
        main,
        `CREATE TABLE wide AS SELECT g AS id, repeat(md5(g::text), 8) AS payload FROM generate_series(1, ${rows}) g`,
      ),
    );
    const [{ size }] = await sql(main, "SELECT pg_size_pretty(pg_database_size('neondb')) AS size");
    progress(`engine: loaded in ${load.toFixed(1)} s; database size ${size}`);
    const dataDir = path.join(p.branchDir('main'), 'data');

    const copyDest = mkdtempSync(path.join(tmpdir(), 'nm-bench-cp-'));
    spawnSync('sync');
    const [cp] = await timed(() => spawnSync('cp', ['-a', `${dataDir}/.`, copyDest], { stdio: 'ignore' }));
    // a restored or materialised cluster fsyncs its copied data dir at startup (recovery_init_sync_method):
    // the durable copy is the physical limit of a durable restore, shown beside plain cp -a
    const [flush] = await timed(() => spawnSync('sync'));
    rmSync(copyDest, { recursive: true, force: true });

    const [firstCreate] = await timed(() => p.createBranch({ name: 'bench-1' }));
    const [materialize1] = await timed(() => p.connectionUri('bench-1'));
    await p.stopComputes('bench-1');
    await sql(main, 'INSERT INTO wide SELECT g, md5(g::text) FROM generate_series(1, 1000) g');
    const [create] = await timed(() => p.createBranch({ name: 'bench-2' }));
    const [materialize] = await timed(() => p.connectionUri('bench-2'));
    await p.stopComputes('bench-2');

    await sql(main, 'INSERT INTO wide VALUES (-1, $$before$$)');
    await new Promise((r) => setTimeout(r, 50));
    const t = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    const [{ n: expected }] = await sql(main, 'SELECT count(*)::int AS n FROM wide WHERE id < 1000');
    await sql(main, 'DELETE FROM wide WHERE id < 1000');
    const [pitr] = await timed(() =>
      p.restoreBranch('main', { source: 'main', at: { timestamp: t }, preserveUnderName: 'main_old_bench' }),
    );
    const [check] = await sql(main, 'SELECT count(*)::int AS n FROM wide WHERE id < 1000');
    const ref = `cp -a of main's data dir (${size})`;
    const durable = 'cp -a + sync (a durable copy)';
    return [
      {
        group: 'engine',
        what: 'branch create + materialise (first connect)',
        seconds: create + materialize,
        reference: ref,
        referenceSeconds: cp,
        maxRatio: 1.3,
      },
      {
        group: 'engine',
        what: '  the same, first after the load (+ base backup)',
        seconds: firstCreate + materialize1,
        reference: ref,
        referenceSeconds: cp,
      },
      {
        group: 'engine',
        what: 'point-in-time restore of main (timestamp)',
        seconds: pitr,
        reference: ref,
        referenceSeconds: cp,
        maxRatio: 1.5,
        note: `rows deleted after T back: ${check.n === expected ? `yes (${expected})` : `NO (${check.n} of ${expected})`}`,
      },
      {
        group: 'engine',
        what: '  point-in-time restore, against a durable copy',
        seconds: pitr,
        reference: durable,
        referenceSeconds: cp + flush,
      },
      {
        group: 'engine',
        what: '  create + materialise, against a durable copy',
        seconds: create + materialize,
        reference: durable,
        referenceSeconds: cp + flush,
      },
    ];
  } finally {
    await p.stopComputes().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
