import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DbClient } from '../../src/db/connect.js';
import { LockedError, MigrationFileError, UsageError } from '../../src/errors.js';
import { listRuns, readApplied } from '../../src/history/store.js';
import { migrationStatus } from '../../src/workflow/inspect.js';
import { acceptMigration } from '../../src/workflow/accept.js';
import { migrate } from '../../src/workflow/migrate.js';
import { openRunSession } from '../../src/run/run-lock.js';
import { openTestEngine, type TestEngine } from '../support/engine.js';
import { scratchProject, type ScratchProject } from '../support/project.js';

let engine: TestEngine;
/** The sessions and branch computes of the current test, released after it (keeps memory flat). */
let current: { db: DbClient; branch: string } | undefined;
beforeAll(async () => {
  engine = await openTestEngine();
});
afterEach(async () => {
  if (!current) return;
  await current.db.close();
  await engine.platform.stopComputes(current.branch);
  current = undefined;
});
afterAll(async () => {
  await engine?.close();
});

const AB = {
  '1_a.up.sql': 'CREATE TABLE a (id int PRIMARY KEY);',
  '1_a.down.sql': 'DROP TABLE a;',
  '2_b.up.sql': 'CREATE TABLE b (id int REFERENCES a (id));',
  '2_b.down.sql': 'DROP TABLE b;',
};

/** A fresh branch (database) and project. */
async function fresh(branch: string, files: Record<string, string>) {
  const uri = await engine.branch(branch);
  const db = await connect(uri);
  current = { db, branch };
  const p: ScratchProject = scratchProject(files);
  const platform = engine.platform;
  const project = { projectDir: p.dir, settings: p.settings, platform };
  const tables = async () =>
    (
      await db.query<{ t: string }>(
        `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      )
    ).rows.map((r) => r.t);
  const applied = async () => (await readApplied(db)).map((a) => a.version);
  return {
    db,
    uri,
    p,
    project,
    platform,
    tables,
    applied,
    up: (o = {}) => migrate(project, { direction: 'up', branch, ...o }),
    down: (o = {}) => migrate(project, { direction: 'down', branch, ...o }),
  };
}

describe('migrate up/down', () => {
  it('applies in version order behind a checkpoint, records the run, and reverts one step by default', async () => {
    const t = await fresh('run_basic', AB);
    const report = await t.up();
    expect(report.outcome).toBe('succeeded');
    expect(report.results.map((r) => [r.name, r.status])).toEqual([
      ['1_a', 'applied'],
      ['2_b', 'applied'],
    ]);
    expect(report.checkpoint).toMatch(/^checkpoint\/run_basic\/\d{8}T\d{6}Z$/);
    expect(await engine.branchNames()).toContain(report.checkpoint);
    expect(await t.tables()).toEqual(['a', 'b']);
    expect(await t.applied()).toEqual(['1', '2']);
    const [run] = await listRuns(t.db);
    expect(run).toMatchObject({ id: report.runId, command: 'up', status: 'succeeded', checkpoint: report.checkpoint });
    expect((run!.report as { results: unknown[] }).results).toHaveLength(2);

    const down = await t.down();
    expect(down.results.map((r) => [r.name, r.status])).toEqual([['2_b', 'reverted']]);
    expect(await t.tables()).toEqual(['a']);
    expect((await t.up()).results.map((r) => r.name)).toEqual(['2_b']);
    expect(await t.up()).toMatchObject({ outcome: 'nothing-to-do', checkpoint: null, runId: null });
  });

  it('honours --to and --steps in both directions', async () => {
    const t = await fresh('run_select', { ...AB, '3_c.up.sql': 'CREATE TABLE c ();', '3_c.down.sql': 'DROP TABLE c;' });
    expect((await t.up({ to: '1' })).results.map((r) => r.name)).toEqual(['1_a']);
    expect((await t.up({ steps: 1 })).results.map((r) => r.name)).toEqual(['2_b']);
    await t.up();
    expect((await t.down({ steps: 2 })).results.map((r) => r.name)).toEqual(['3_c', '2_b']);
    await t.up();
    expect((await t.down({ to: '1' })).results.map((r) => r.name)).toEqual(['3_c', '2_b']);
    expect(await t.applied()).toEqual(['1']);
  });

  it('a failing statement mid-file (transaction): earlier migrations stay, the failed one is rolled back, the rest do not run', async () => {
    const t = await fresh('run_fail_tx', {
      ...AB,
      '3_bad.up.sql':
        'CREATE TABLE c (x int);\nINSERT INTO c VALUES (1);\nINSERT INTO nowhere VALUES (1);\nCREATE TABLE d ();',
      '4_later.up.sql': 'CREATE TABLE e ();',
    });
    const r = await t.up();
    expect(r.outcome).toBe('failed');
    expect(r.results.map((x) => x.status)).toEqual(['applied', 'applied', 'failed', 'not-run']);
    expect(r.results[2]!.error).toMatchObject({
      statementIndex: 2,
      location: 'migrations/3_bad.up.sql:3:1',
      sqlState: '42P01',
    });
    expect(r.results[2]!.error!.message).toContain('relation "nowhere" does not exist');
    expect(await t.tables()).toEqual(['a', 'b']);
    expect(await t.applied()).toEqual(['1', '2']);
    expect((await listRuns(t.db))[0]).toMatchObject({ status: 'failed' });
  });

  it('a failure in the 55th of 60 plain SQL migrations (past the first shared query) is located; each one before it committed with its history row', async () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 60; i++) {
      files[`${i}_t${i}.up.sql`] =
        i === 55
          ? 'CREATE TABLE t55 (x int);\n-- a comment line\nINSERT INTO nowhere VALUES (1);'
          : `CREATE TABLE t${i} (x int);\nINSERT INTO t${i} VALUES (${i});`;
    }
    const t = await fresh('run_chunks', files);
    const r = await t.up();
    expect(r.outcome).toBe('failed');
    const statuses = r.results.map((x) => x.status);
    expect(statuses.slice(0, 54).every((s) => s === 'applied')).toBe(true);
    expect(statuses.slice(54)).toEqual(['failed', 'not-run', 'not-run', 'not-run', 'not-run', 'not-run']);
    // 54 > one chunk of 50: the failure sits in the second chunk, located to its file and line
    expect(r.results[54]!.error).toMatchObject({
      statementIndex: 1,
      location: 'migrations/55_t55.up.sql:3:1',
      sqlState: '42P01',
    });
    expect(await t.applied()).toEqual(Array.from({ length: 54 }, (_, i) => String(i + 1)));
    expect((await t.tables()).length).toBe(54);
    const rows = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM t54 WHERE x = 54`);
    expect(rows.rows[0]!.n).toBe(1);
  });

  it('a failing statement mid-file (no transaction) is partial, naming the statement it stopped at', async () => {
    const t = await fresh('run_fail_notx', {
      ...AB,
      '3_idx.up.sql':
        '-- neon-migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE TABLE c ();\nCREATE INDEX CONCURRENTLY bad ON nowhere (x);\nCREATE TABLE d ();',
    });
    const r = await t.up();
    expect(r.outcome).toBe('partial');
    expect(r.results[2]).toMatchObject({ status: 'partial', transactional: false, statementsDone: 2 });
    expect(r.results[2]!.error).toMatchObject({ statementIndex: 2, location: 'migrations/3_idx.up.sql:4:1' });
    // The statements before the failure took effect; the one after did not run; it is not recorded as applied.
    expect(await t.tables()).toEqual(['a', 'b', 'c']);
    expect(await t.applied()).toEqual(['1', '2']);
  });

  it('a partial migration blocks every run until resumed: --resume skips what took effect, refuses edits to it', async () => {
    const file = '3_idx.up.sql';
    const ran = '-- neon-migrate:no-transaction\nCREATE INDEX CONCURRENTLY a_id ON a (id);\nCREATE TABLE c ();\n';
    const t = await fresh('run_resume', {
      ...AB,
      [file]: `${ran}CREATE INDEX CONCURRENTLY bad ON nowhere (x);\nCREATE TABLE d ();`,
    });
    expect((await t.up()).outcome).toBe('partial');
    const status = await migrationStatus(t.project, { branch: 'run_resume' });
    expect(status.counts.partial).toBe(1);
    expect(status.entries[2]!.partial).toMatchObject({ direction: 'up', statementsDone: 2 });

    // A plain run would repeat the two statements that took effect: refused before any checkpoint.
    const branchesBefore = await engine.branchNames();
    await expect(t.up()).rejects.toMatchObject({ code: 'PARTIAL', exitCode: 2 });
    await expect(t.down()).rejects.toMatchObject({ code: 'PARTIAL', exitCode: 2 });
    expect(await engine.branchNames()).toEqual(branchesBefore);

    // Editing a statement that already ran makes the resume unsafe.
    t.p.write(
      file,
      `${ran.replace('CREATE TABLE c ()', 'CREATE TABLE c (x int)')}CREATE INDEX CONCURRENTLY ok ON b (id);\nCREATE TABLE d ();`,
    );
    await expect(t.up({ resume: true })).rejects.toMatchObject({ code: 'RESUME_EDITED', exitCode: 2 });

    // Fixing the failing statement and resuming runs only the rest (CREATE TABLE c again would fail).
    t.p.write(file, `${ran}CREATE INDEX CONCURRENTLY ok ON b (id);\nCREATE TABLE d ();`);
    const r = await t.up({ resume: true });
    expect(r.outcome).toBe('succeeded');
    expect(r.results[0]).toMatchObject({ name: '3_idx', status: 'applied', statementsDone: 4 });
    expect(await t.tables()).toEqual(['a', 'b', 'c', 'd']);
    expect(await t.applied()).toEqual(['1', '2', '3']);
    expect((await migrationStatus(t.project, { branch: 'run_resume' })).counts.partial).toBe(0);
    await expect(t.up({ resume: true })).rejects.toMatchObject({ code: 'NOTHING_TO_RESUME', exitCode: 2 });
  });

  it('a TypeScript migration that throws is rolled back and reported', async () => {
    const t = await fresh('run_ts_throw', {
      '1_ts.ts': `export async function up({ client }) { await client.query('CREATE TABLE t ()'); throw new Error('data check failed'); }`,
    });
    const r = await t.up();
    expect(r.results[0]).toMatchObject({
      status: 'failed',
      error: { message: 'data check failed', location: 'migrations/1_ts.ts' },
    });
    expect(await t.tables()).toEqual([]);
    expect(await t.applied()).toEqual([]);
  });

  it('drift and missing files are reported by status and block up and down until accepted or restored', async () => {
    const t = await fresh('run_drift', AB);
    await t.up();
    t.p.write('1_a.up.sql', 'CREATE TABLE a (id bigint PRIMARY KEY);');
    const status = await migrationStatus(t.project, { branch: 'run_drift' });
    expect(status.entries.map((e) => e.state)).toEqual(['drifted', 'applied']);
    await expect(t.up()).rejects.toMatchObject({ code: 'DRIFT', exitCode: 2 });
    await expect(t.down()).rejects.toMatchObject({ code: 'DRIFT' });
    const accepted = await acceptMigration(t.project, { branch: 'run_drift', version: '1' });
    expect(accepted.previousChecksum).not.toBe(accepted.checksum);
    expect((await listRuns(t.db, { command: 'accept' }))[0]).toMatchObject({ status: 'succeeded' });
    expect((await migrationStatus(t.project, { branch: 'run_drift' })).counts.drifted).toBe(0);

    t.p.remove('2_b.up.sql');
    t.p.remove('2_b.down.sql');
    const s2 = await migrationStatus(t.project, { branch: 'run_drift' });
    expect(s2.missing.map((m) => m.name)).toEqual(['2_b']);
    await expect(t.up()).rejects.toMatchObject({ code: 'MISSING_FILE', exitCode: 2 });
    expect(await t.applied()).toEqual(['1', '2']);
  });

  it('a second run on the branch fails fast with exit 5, or waits with --wait', async () => {
    const t = await fresh('run_lock', AB);
    const holder = await openRunSession(t.uri, { branch: 'run_lock' });
    try {
      const err = await t.up().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockedError);
      expect((err as LockedError).exitCode).toBe(5);
      expect(await t.applied()).toEqual([]);
      const waiting = t.up({ wait: true });
      let settled = false;
      void waiting.finally(() => (settled = true));
      await new Promise((r) => setTimeout(r, 300));
      expect(settled).toBe(false);
      await holder.close();
      expect((await waiting).outcome).toBe('succeeded');
    } finally {
      await holder.close();
    }
  });
});

describe('timeouts from settings', () => {
  it('statement_timeout stops a long statement; lock_timeout stops a statement waiting on a lock', async () => {
    const t = await fresh('run_timeouts', { '1_a.up.sql': 'CREATE TABLE a (id int);' });
    await t.up();
    const settings = { ...t.p.settings, timeouts: { lockTimeout: '200ms', statementTimeout: '300ms' } };
    t.p.write('2_slow.up.sql', 'SELECT pg_sleep(30);');
    const slow = await migrate({ ...t.project, settings }, { direction: 'up', branch: 'run_timeouts' });
    expect(slow.results[0]).toMatchObject({ status: 'failed', error: { sqlState: '57014' } });
    t.p.remove('2_slow.up.sql');
    t.p.write('2_lock.up.sql', 'ALTER TABLE a ADD COLUMN x int;');
    const other = await connect(t.uri);
    try {
      await other.query('BEGIN; LOCK TABLE a IN ACCESS EXCLUSIVE MODE');
      const locked = await migrate({ ...t.project, settings }, { direction: 'up', branch: 'run_timeouts' });
      expect(locked.results[0]).toMatchObject({
        status: 'failed',
        error: { sqlState: '55P03', location: 'migrations/2_lock.up.sql:1:1' },
      });
    } finally {
      await other.query('ROLLBACK');
      await other.close();
    }
    expect(await t.applied()).toEqual(['1']);
  });
});

describe('bad input: clear error, right exit code, nothing applied', () => {
  it.each([
    ['--steps 0', { steps: 0 }, 'BAD_STEPS'],
    ['--steps -1', { steps: -1 }, 'BAD_STEPS'],
    ['--to unknown', { to: '99' }, 'UNKNOWN_VERSION'],
    ['--to garbage', { to: 'abc' }, 'BAD_VERSION'],
    ['--to with --steps', { to: '1', steps: 1 }, 'USAGE'],
  ])('%s', async (_label, sel, code) => {
    const t = await fresh(`bad_${code.toLowerCase()}_${String(Object.values(sel).join('_')).replace(/\W/g, 'x')}`, AB);
    const err = await t.up(sel).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code, exitCode: 2 });
    expect(await t.tables()).toEqual([]);
    expect((await engine.branchNames()).filter((b) => b.startsWith('checkpoint/bad_'))).toEqual([]);
  });

  it('file errors (syntax, duplicates, CONCURRENTLY without directive, TS without up) stop the run before anything is applied', async () => {
    const bads: Record<string, string>[] = [
      { '3_bad.up.sql': 'CREATE TABLE c (x int);\nCREATE TABL d ();' },
      { '0002_dup.up.sql': 'SELECT 1' },
      { '3_idx.up.sql': 'CREATE INDEX CONCURRENTLY x ON a (id);' },
      { '3_ts.ts': 'export const nothing = 1;' },
    ];
    for (const [i, bad] of bads.entries()) {
      const t = await fresh(`bad_file_${i}`, { ...AB, ...bad });
      const err = await t.up().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MigrationFileError);
      expect((err as MigrationFileError).exitCode).toBe(2);
      expect(await t.tables()).toEqual([]);
    }
  });

  it('down of a migration without a down file is refused before anything runs', async () => {
    const t = await fresh('bad_nodown', {
      '1_a.up.sql': 'CREATE TABLE a ();',
      '1_a.down.sql': 'DROP TABLE a;',
      '2_b.up.sql': 'CREATE TABLE b ();',
    });
    await t.up();
    await expect(t.down({ steps: 2 })).rejects.toMatchObject({
      code: 'NO_DOWN',
      exitCode: 2,
      message: expect.stringContaining('2_b.up.sql has no down migration'),
    });
    expect(await t.tables()).toEqual(['a', 'b']);
    const status = await migrationStatus(t.project, { branch: 'bad_nodown' });
    expect(status.entries.map((e) => e.reversible)).toEqual([true, false]);
  });
});
