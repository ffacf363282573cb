/**
 * The safety analysis inside test and promote, through the built CLI on the local engine: what a
 * migration does is measured on the copy (the lock it held, for how long writes were blocked), a
 * budget over which test fails and restores, and a DROP COLUMN that promote refuses until approved.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchProject } from '../support/project.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/neon-migrate.js');
const p = scratchProject({
  '001_items.up.sql':
    "CREATE TABLE items (id int PRIMARY KEY, v int, note text);\nINSERT INTO items SELECT g, g % 97, 'n' || g FROM generate_series(1, 100000) g;\n",
  '001_items.down.sql': 'DROP TABLE items;\n',
  '002_index.up.sql': 'CREATE INDEX items_v ON items (v);\n',
  '002_index.down.sql': 'DROP INDEX items_v;\n',
  '003_drop_note.up.sql': 'ALTER TABLE items DROP COLUMN note;\n',
  '003_drop_note.down.sql': 'ALTER TABLE items ADD COLUMN note text;\n',
});
p.write('../environments/dev.json', JSON.stringify({ branch: 'dev', parent: 'main', budgets: { maxBlockedMs: 1 } }));
p.write('../environments/staging.json', JSON.stringify({ branch: 'staging', parent: 'main' }));
p.write('../environments/prod.json', JSON.stringify({ branch: 'main', requires: ['staging'] }));
const run = async (args: string[]) => {
  const r = await execa('node', [BIN, '-C', p.dir, ...args], { reject: false, stdin: 'ignore' });
  let json: any; // each command prints its own document; the test reads the fields it asserts on
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr, json };
};

beforeAll(async () => {
  const base = await run(['up', '--branch', 'main', '--to', '1', '--skip-gate', '--yes']);
  if (base.code !== 0) throw new Error(`setup: ${base.stderr}`);
});
afterAll(async () => {
  await run(['local', 'stop']);
});

describe('analysis in test and promote', () => {
  it('test on staging measures each migration: the index build held ShareLock and blocked writes; the drop is reported with its rows', async () => {
    const r = await run(['--json', 'test', '--branch', 'staging']);
    expect(r.code, r.stderr).toBe(0);
    const a = r.json.report.analysis;
    const index = a.migrations.find((m: { version: string }) => m.version === '2');
    const items = index.measurement.tables.find((t: { table: string }) => t.table.endsWith('items'));
    expect(items.strongestMode).toBe('ShareLock');
    expect(items.maxWriteBlockedMs).toBeGreaterThan(0);
    expect(items.maxReadBlockedMs).toBe(0);
    const drop = a.migrations.find((m: { version: string }) => m.version === '3');
    expect(drop.destructive[0]).toMatchObject({ kind: 'drop-column', rowsAtRisk: 100000 });
    expect(r.stdout).toContain('ShareLock');
  });

  it('a lock over the environment budget fails test, restores the branch, and names the safer form', async () => {
    const r = await run(['--json', 'test', '--branch', 'dev']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.report.outcome).toBe('failed');
    expect(r.json.report.failure).toMatch(/over budget: .*blocked writes on .*items/);
    expect(r.json.report.analysis.budgetViolations[0].safer).toMatch(/CONCURRENTLY/);
    expect(r.json.report.restore.snapshotMatches).toBe(true);
    const status = await run(['--json', 'status', '--branch', 'dev']);
    expect(status.json.counts).toMatchObject({ applied: 1, pending: 2 });
  });

  it('promote refuses the unapproved DROP COLUMN (exit 3, main untouched) and records the approval once given', async () => {
    const refused = await run(['promote', '--yes']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/003_drop_note/);
    expect((await run(['--json', 'status', '--branch', 'main'])).json.counts).toMatchObject({ applied: 1, pending: 2 });
    // main's own budget is checked against what staging measured: the index build blocked writes there
    const prod = { branch: 'main', requires: ['staging'], budgets: { maxBlockedMs: 1 } };
    p.write('../environments/prod.json', JSON.stringify(prod));
    const overBudget = await run(['promote', '--yes', '--allow-destructive', '3']);
    expect(overBudget.code).toBe(3);
    expect(overBudget.stderr).toMatch(
      /staging measured 2 blocked writes on .*items for \d+ ms \(ShareLock\); budget 1 ms/,
    );
    expect((await run(['--json', 'status', '--branch', 'main'])).json.counts).toMatchObject({ applied: 1, pending: 2 });
    p.write('../environments/prod.json', JSON.stringify({ ...prod, budgets: {} }));
    const approved = await run(['--json', 'promote', '--yes', '--allow-destructive', '3']);
    expect(approved.code, approved.stderr).toBe(0);
    // before the run: the estimate for main, scaled from staging's measurements
    expect(approved.stderr).toMatch(
      /estimate on main from staging's measurements \(size ×[\d.]+\): ~.*blocked: .*items/,
    );
    const drop = approved.json.report.analysis.migrations.find((m: { version: string }) => m.version === '3');
    expect(drop.destructive[0].approval).toMatchObject({ version: '3', source: 'flag' });
  });

  it('a p95 regression of a workload query (its index dropped) fails test and restores the branch', async () => {
    p.write('004_drop_index.up.sql', 'DROP INDEX items_v;\n');
    p.write('004_drop_index.down.sql', 'CREATE INDEX items_v ON items (v);\n');
    p.write('../queries/by-v.sql', 'SELECT id FROM items WHERE v = $1\n');
    const checks = { reversibility: 'off', queries: [{ file: 'queries/by-v.sql', params: [5], runs: 10 }] };
    p.write('../environments/perf.json', JSON.stringify({ branch: 'perf', parent: 'main', checks }));
    const r = await run(['--json', 'test', '--branch', 'perf']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.report.failure).toMatch(/queries\/by-v\.sql: p95 .* ms \(\+\d+(\.\d+)?%, limit \+10%\)/);
    const [change] = r.json.report.analysis.latency;
    expect(change).toMatchObject({ name: 'queries/by-v.sql', regressed: true });
    // a scan of 100k rows instead of an index lookup: server time, far beyond timer noise
    expect(change.after.p95Ms).toBeGreaterThan(change.before.p95Ms * 2);
    expect(r.json.report.restore.snapshotMatches).toBe(true);
    expect(r.json.report.timings.map((t: { phase: string }) => t.phase)).toContain('latency');
    const status = await run(['--json', 'status', '--branch', 'perf']);
    expect(status.json.counts).toMatchObject({ applied: 3, pending: 1 });
  });
});
