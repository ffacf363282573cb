/**
 * The runner's overhead: 500 small migrations through `migrate` (load + parse + lock + checkpoint +
 * execution + history) against executing the same SQL over one connection (same driver and relay).
 * Rounds alternate baseline and runner on fresh databases; medians are reported. Target: ≤ 3 ms
 * added per migration.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { settingsSchema } from '../src/config/schema.js';
import { connect } from '../src/db/connect.js';
import { migrate } from '../src/workflow/migrate.js';
import { type LocalPlatform, openLocalPlatform } from '../src/platform/local/index.js';

export const name = 'runner overhead (500 small migrations)';
const COUNT = 500;
const ROUNDS = 3;

function migrationSql(i: number): string {
  return `CREATE TABLE t_${i} (id int PRIMARY KEY, v text NOT NULL);\nINSERT INTO t_${i} VALUES (1, 'row ${i}');\n`;
}

function writeProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-bench-'));
  mkdirSync(path.join(dir, 'migrations'));
  for (let i = 1; i <= COUNT; i++) {
    const base = `${String(i).padStart(4, '0')}_t${i}`;
    writeFileSync(path.join(dir, 'migrations', `${base}.up.sql`), migrationSql(i));
    writeFileSync(path.join(dir, 'migrations', `${base}.down.sql`), `DROP TABLE t_${i};\n`);
  }
  return dir;
}

/** A fresh branch of the (empty) main branch, its compute started. */
async function freshBranch(p: LocalPlatform, name: string): Promise<string> {
  await p.createBranch({ name, parent: 'main' });
  return p.connectionUri(name);
}

async function baselineRound(p: LocalPlatform, round: number): Promise<number> {
  const db = await connect(await freshBranch(p, `bench-baseline-${round}`));
  await db.query('SELECT 1');
  const t0 = performance.now();
  for (let i = 1; i <= COUNT; i++) await db.query(migrationSql(i));
  const ms = performance.now() - t0;
  await db.close();
  await p.stopComputes(`bench-baseline-${round}`);
  return ms;
}

async function runnerRound(p: LocalPlatform, dir: string, round: number): Promise<{ total: number; beforeFirst: number }> {
  const branch = `bench-runner-${round}`;
  await freshBranch(p, branch);
  let firstAt = 0;
  const log = (m: string) => {
    if (!firstAt && m.startsWith('applying')) firstAt = performance.now();
  };
  const project = { projectDir: dir, settings: settingsSchema.parse({}), platform: p, log };
  const t0 = performance.now();
  const report = await migrate(project, { direction: 'up', branch });
  const total = performance.now() - t0;
  if (report.outcome !== 'succeeded' || report.results.length !== COUNT) throw new Error(`bench run did not apply ${COUNT} migrations: ${report.outcome}`);
  await p.stopComputes(branch);
  return { total, beforeFirst: firstAt - t0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Measure and return the report lines. */
export async function bench(): Promise<string[]> {
  const engineDir = mkdtempSync(path.join(tmpdir(), 'nm-bench-engine-'));
  chmodSync(engineDir, 0o755);
  const p = await openLocalPlatform({ projectDir: engineDir, env: process.env, settings: settingsSchema.parse({}) });
  const dir = writeProject();
  try {
    const base: number[] = [];
    const run: number[] = [];
    const fixed: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      base.push(await baselineRound(p, r));
      const x = await runnerRound(p, dir, r);
      run.push(x.total);
      fixed.push(x.beforeFirst);
    }
    const b = median(base);
    const t = median(run);
    const f = median(fixed);
    return [
      `baseline (same SQL, one connection): ${b.toFixed(0)} ms (${(b / COUNT).toFixed(2)} ms/migration), rounds ${base.map((x) => x.toFixed(0)).join('/')}`,
      `runner (migrate up):                 ${t.toFixed(0)} ms (${(t / COUNT).toFixed(2)} ms/migration), rounds ${run.map((x) => x.toFixed(0)).join('/')}`,
      `  of which once per run (load+parse ${COUNT * 2} files, lock, history, checkpoint): ${f.toFixed(0)} ms`,
      `overhead: ${((t - b) / COUNT).toFixed(2)} ms per migration all-in, ${((t - f - b) / COUNT).toFixed(2)} ms excluding the once-per-run part (target ≤ 3 ms) · ratio runner/baseline ${(t / b).toFixed(2)}x`,
    ];
  } finally {
    await p.stopComputes();
    await p.close();
    // the engine holds real clusters: leave nothing behind in TMPDIR
    rmSync(dir, { recursive: true, force: true });
    rmSync(engineDir, { recursive: true, force: true });
  }
}

/** `bench/run.ts` entry: measure and print. */
export async function run(): Promise<void> {
  for (const line of await bench()) console.log(line);
}
