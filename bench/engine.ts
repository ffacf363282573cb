/**
 * The local engine against the physical limits, measured side by side on one ~1 GB database
 * (BENCH_SIZE_MB to change): `cp -a` of the data dir, `CREATE DATABASE ... TEMPLATE`, branch
 * creation (a pointer), its materialization (first start), and point-in-time restore.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { settingsSchema } from '../src/config/schema.js';
import { openLocalPlatform } from '../src/platform/local/index.js';

async function sql(uri: string, text: string): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: uri });
  await c.connect();
  try {
    return (await c.query(text)).rows;
  } finally {
    await c.end();
  }
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now();
  const value = await fn();
  return [(performance.now() - t0) / 1000, value];
}

const fmt = (s: number) => `${s.toFixed(2)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

/** Run the engine bench and print its table. */
export async function run(): Promise<void> {
  const sizeMb = Number(process.env.BENCH_SIZE_MB ?? 1024);
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-bench-'));
  chmodSync(dir, 0o755);
  const p = await openLocalPlatform({ projectDir: dir, env: process.env, settings: settingsSchema.parse({}) });
  try {
    const main = await p.connectionUri('main');
    // ~300 bytes per row
    const rows = Math.round((sizeMb * 1024 * 1024) / 300);
    console.log(`loading ~${sizeMb} MB (${rows} rows) into main...`);
    const [load] = await timed(() => sql(main, `CREATE TABLE wide AS SELECT g AS id, repeat(md5(g::text), 8) AS payload FROM generate_series(1, ${rows}) g`));
    const [{ size }] = await sql(main, "SELECT pg_size_pretty(pg_database_size('neondb')) AS size");
    console.log(`loaded in ${fmt(load)}; database size ${size}`);
    const dataDir = path.join(p.branchDir('main'), 'data');

    const copyDest = mkdtempSync(path.join(tmpdir(), 'nm-bench-cp-'));
    const [cp] = await timed(() => spawnSync('cp', ['-a', `${dataDir}/.`, copyDest], { stdio: 'ignore' }));
    rmSync(copyDest, { recursive: true, force: true });

    const postgresDb = main.replace(/\/neondb$/, '/postgres');
    const [template] = await timed(() => sql(postgresDb, 'CREATE DATABASE bench_copy TEMPLATE neondb'));
    const [templateFileCopy] = await timed(() => sql(postgresDb, 'CREATE DATABASE bench_copy2 TEMPLATE neondb STRATEGY FILE_COPY'));
    await sql(postgresDb, 'DROP DATABASE bench_copy');
    await sql(postgresDb, 'DROP DATABASE bench_copy2');

    const [firstCreate] = await timed(() => p.createBranch({ name: 'bench-1' }));
    const [materialize1] = await timed(() => p.connectionUri('bench-1'));
    await sql(main, 'INSERT INTO wide SELECT g, md5(g::text) FROM generate_series(1, 1000) g');
    const [create] = await timed(() => p.createBranch({ name: 'bench-2' }));
    const [materialize] = await timed(() => p.connectionUri('bench-2'));

    await sql(main, 'INSERT INTO wide VALUES (-1, $$before$$)');
    await new Promise((r) => setTimeout(r, 50));
    const t = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 50));
    const [{ n: expected }] = await sql(main, 'SELECT count(*)::int AS n FROM wide WHERE id < 1000');
    await sql(main, 'DELETE FROM wide WHERE id < 1000');
    const [pitr] = await timed(() => p.restoreBranch('main', { source: 'main', at: { timestamp: t }, preserveUnderName: 'main_old_bench' }));
    const [[check]] = await Promise.all([sql(main, 'SELECT count(*)::int AS n FROM wide WHERE id < 1000')]);

    console.log('');
    console.log(`cp -a of main's data dir (physical limit)         ${fmt(cp)}`);
    console.log(`CREATE DATABASE ... TEMPLATE (WAL_LOG, default)    ${fmt(template)}   (${ratio(template, cp)} cp -a)`);
    console.log(`CREATE DATABASE ... TEMPLATE STRATEGY FILE_COPY    ${fmt(templateFileCopy)}   (${ratio(templateFileCopy, cp)} cp -a)`);
    console.log(`branch create, first after the load (+base backup) ${fmt(firstCreate)}   (${ratio(firstCreate, cp)} cp -a, ${ratio(firstCreate, template)} TEMPLATE)`);
    console.log(`  its materialization (first connect)              ${fmt(materialize1)}   (${ratio(materialize1, cp)} cp -a)`);
    console.log(`branch create (pointer)                            ${fmt(create)}   (${ratio(create, cp)} cp -a, ${ratio(create, template)} TEMPLATE)`);
    console.log(`  its materialization (first connect)              ${fmt(materialize)}   (${ratio(materialize, cp)} cp -a)`);
    console.log(`  create + materialize                             ${fmt(create + materialize)}   (${ratio(create + materialize, cp)} cp -a)`);
    console.log(`point-in-time restore of main (timestamp)          ${fmt(pitr)}   (${ratio(pitr, cp)} cp -a); rows deleted after T back: ${check.n === expected ? `yes (${expected})` : `NO (${check.n} of ${expected})`}`);
  } finally {
    await p.stopComputes().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
