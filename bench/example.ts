/**
 * Benches on a copy of the repository's example project (seeded with NEON_MIGRATE_SEED_TASKS demo
 * tasks, default 100000): CLI startup (`--help`, `status`) against node's own startup; the example's
 * SQL migrations applied on a local-engine branch against the same apply on a plain PostgreSQL 17
 * cluster (same binaries, default settings, no WAL archiving); `test --branch dev` against that
 * bare apply, once per reversibility mode (off, schema, data).
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { benchEnv, BIN, cli, copyExample, timeCommand } from './cli.js';
import { startPlainCluster } from './plain-cluster.js';
import { type BenchRow, median, progress } from './table.js';

const STARTUP_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 7);
const NO_TX = /^\s*--\s*neon-migrate:no-transaction/i;

/** The example's SQL up files, in version order, split at the seed's baseline version. */
function exampleSql(dir: string): { baseline: string[]; pending: string[] } {
  const seed = readFileSync(path.join(dir, 'scripts', 'seed', 'demo-data.sql'), 'utf8');
  const baselineVersion = /neon-migrate:seed-baseline\s+(\S+)/.exec(seed)?.[1] ?? '';
  const ups = readdirSync(path.join(dir, 'migrations'))
    .filter((f) => f.endsWith('.up.sql'))
    .sort();
  const version = (f: string) => f.split('_')[0]!;
  return {
    baseline: ups.filter((f) => version(f) <= baselineVersion).map((f) => path.join(dir, 'migrations', f)),
    pending: ups.filter((f) => version(f) > baselineVersion).map((f) => path.join(dir, 'migrations', f)),
  };
}

/** Apply files one by one, each in its own transaction (as `psql --single-transaction -f`); returns seconds. */
async function applyFiles(uri: string, files: string[], options: { seedTasks?: string } = {}): Promise<number> {
  const client = new pg.Client({ connectionString: uri });
  await client.connect();
  try {
    if (options.seedTasks !== undefined)
      await client.query(`SELECT set_config('neon_migrate.seed_tasks', $1, false)`, [options.seedTasks]);
    const t0 = performance.now();
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      await client.query(NO_TX.test(text) || f.includes('/seed/') ? text : `BEGIN;\n${text}\n;COMMIT;`);
    }
    return (performance.now() - t0) / 1000;
  } finally {
    await client.end();
  }
}

function startupRows(dir: string): BenchRow[] {
  const env = benchEnv();
  const runs = (args: string[], file = process.execPath) => {
    timeCommand(file, args, { cwd: dir, env }); // warm the page cache
    return median(Array.from({ length: STARTUP_RUNS }, () => timeCommand(file, args, { cwd: dir, env })));
  };
  const node = runs(['-e', '0']);
  const help = runs([BIN, '--help']);
  const status = runs([BIN, 'status', '--branch', 'main']);
  const ref = `node -e 0 (median of ${STARTUP_RUNS})`;
  return [
    {
      group: 'startup',
      what: 'neon-migrate --help',
      seconds: help,
      reference: ref,
      referenceSeconds: node,
      maxSeconds: 0.3,
    },
    {
      group: 'startup',
      what: 'neon-migrate status (example, main)',
      seconds: status,
      reference: ref,
      referenceSeconds: node,
      maxSeconds: 1,
    },
  ];
}

/** Measure and return the rows. */
export async function bench(): Promise<BenchRow[]> {
  const dir = copyExample();
  const env = benchEnv();
  const seedTasks = process.env.NEON_MIGRATE_SEED_TASKS ?? '';
  const rows: BenchRow[] = [];
  try {
    progress(`example: creating and seeding the local project (${seedTasks || 'default'} tasks)...`);
    cli(dir, ['branches', 'create', 'bench-apply'], env);
    const engineUri = cli(dir, ['connection-string', 'bench-apply'], env).stdout.trim();
    progress('example: startup times...');
    rows.push(...startupRows(dir));

    const { baseline, pending } = exampleSql(dir);
    progress(`example: applying ${pending.length} SQL migrations on an engine branch and on a plain cluster...`);
    const engineApply = await applyFiles(engineUri, pending);
    const plain = await startPlainCluster();
    let plainApply: number;
    try {
      await applyFiles(plain.uri, baseline);
      await applyFiles(plain.uri, [path.join(dir, 'scripts', 'seed', 'demo-data.sql')], { seedTasks });
      // the engine branch starts clean (materialised, end-of-recovery checkpoint): so does the plain one
      await new pg.Client({ connectionString: plain.uri })
        .connect()
        .then(async (c) => (await c.query('CHECKPOINT'), c.end()));
      plainApply = await applyFiles(plain.uri, pending);
    } finally {
      await plain.stop();
    }
    rows.push({
      group: 'engine',
      what: `example apply (${pending.length} SQL files) on an engine branch`,
      seconds: engineApply,
      reference: 'same apply, plain PG 17 (defaults, no archiving)',
      referenceSeconds: plainApply,
    });

    // One row per reversibility mode: dev is `schema`, staging `data` (the example's environments);
    // `off` on an extra environment shows what the rest of the protection costs.
    writeFileSync(
      path.join(dir, 'environments', 'bench-off.json'),
      JSON.stringify({ branch: 'bench-off', parent: 'main', checks: { reversibility: 'off' } }),
    );
    const modes: [string, string, number][] = [
      ['off', 'bench-off', 1.5],
      ['schema', 'dev', 1.5],
      ['data', 'staging', 2.5],
    ];
    for (const [mode, environment, maxRatio] of modes) {
      progress(`example: neon-migrate test --branch ${environment} (reversibility ${mode})...`);
      rows.push({
        group: 'workflow',
        what: `test --branch ${environment} (reversibility ${mode})`,
        seconds: cli(dir, ['test', '--branch', environment, '--yes'], env).seconds,
        reference: 'bare apply on an engine branch (above)',
        referenceSeconds: engineApply,
        maxRatio,
        note: 'test includes the TS migration, creating the branch, and whole-process startup',
      });
    }
    return rows;
  } finally {
    try {
      cli(dir, ['local', 'stop'], env);
    } catch {
      // nothing running
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
