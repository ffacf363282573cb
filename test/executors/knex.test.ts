/**
 * The knex runner end to end: the built CLI drives the real knex CLI (the repository's
 * devDependency) on a copy of examples/knex-todo on the local engine. A failing migration on
 * staging is restored (exit 1); two test runs at once, one applies (with the reversibility check)
 * and the other exits 5; promote (refused after an edit, exit 3) → rollback by down and by
 * checkpoint → restore; the tool missing is exit 2 with nothing created. (dev works as staging
 * does; one environment keeps the file fast.)
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMigrateList } from '../../src/executors/knex.js';
import { branchNames, cli, contentDigest, removeProject, sql } from '../e2e/helpers.js';
import { copyExample, REPO } from './helpers.js';

const BIN = path.join(REPO, 'node_modules/.bin/knex');
const M1 = '20260105090000_create_users_and_tasks.js';
const M2 = '20260217093000_tags_to_array.js';
const M3 = '20260301120000_add_categories.js';
let project: string;

/** The runner setting of the copy, with `extra` options. */
function setRunner(extra: Record<string, string> = {}): void {
  const file = path.join(project, 'neon-migrate.json');
  const settings = JSON.parse(readFileSync(file, 'utf8'));
  settings.runner = { knex: { migrationsDir: 'migrations', bin: BIN, ...extra } };
  writeFileSync(file, JSON.stringify(settings));
}

/** Names in knex's own table on a branch. */
async function knexApplied(branch: string): Promise<string[]> {
  return (await sql<{ name: string }>(project, branch, 'SELECT name FROM knex_migrations ORDER BY id')).map(
    (r) => r.name,
  );
}

beforeAll(() => {
  project = copyExample(path.join(REPO, 'examples/knex-todo'));
  setRunner();
});
afterAll(async () => {
  if (project) await removeProject(project);
});

describe('the knex runner', () => {
  it('reads knex migrate:list output', () => {
    expect(
      parseMigrateList(
        `Found 1 Completed Migration file/files.\n${M1}\nFound 2 Pending Migration file/files.\n${M2}\n${M3}\n`,
      ),
    ).toEqual({ completed: [M1], pending: [M2, M3] });
    expect(parseMigrateList('No Completed Migration files Found.\nNo Pending Migration files Found.\n')).toEqual({
      completed: [],
      pending: [],
    });
  });

  it('a migration failing half-way: the branch is restored, exit 1 (the timeouts reached knex first)', async () => {
    // Between M2 and M3. It checks that lock_timeout, statement_timeout and the tool's
    // application_name reached knex's session (through PGOPTIONS/PGAPPNAME), then fails half-way.
    const broken = path.join(project, 'migrations/20260220000000_broken.js');
    writeFileSync(
      broken,
      `exports.up = async (knex) => {
  const { rows } = await knex.raw("SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s, current_setting('application_name') AS a");
  if (rows[0].l !== '5s' || rows[0].s !== '15min' || !rows[0].a.startsWith('neon-migrate-tool:'))
    throw new Error('session settings not passed: ' + JSON.stringify(rows[0]));
  await knex.raw('CREATE TABLE half (id int)');
  await knex.raw('SELECT 1/0');
};
exports.down = async () => {};
`,
    );
    const r = await cli(project, ['--json', 'test', '--branch', 'staging']);
    rmSync(broken);
    expect(r.exitCode, r.stderr).toBe(1);
    const report = r.json.report;
    expect(report.migrations.map((m: { status: string }) => m.status)).toEqual(['applied', 'failed', 'not-run']);
    expect(report.failure).toMatch(/division by zero/);
    expect(report.restore).toMatchObject({ source: report.checkpoint, snapshotMatches: true });
    // staging was created from main for this run and restored: it is main's copy again.
    expect(await contentDigest(project, 'staging')).toEqual(await contentDigest(project, 'main'));
    expect(await knexApplied('staging')).toEqual([M1]);
  }, 120_000);

  it('two runs at once: one applies, the other exits 5; staging passes the reversibility check', async () => {
    const [a, b] = await Promise.all([
      cli(project, ['--json', 'test', '--branch', 'staging']),
      cli(project, ['--json', 'test', '--branch', 'staging']),
    ]);
    const codes = [a.exitCode, b.exitCode].sort();
    expect(codes, a.stderr + b.stderr).toEqual([0, 5]);
    const [won, lost] = a.exitCode === 0 ? [a, b] : [b, a];
    expect(lost.json.error.code).toBe('LOCKED');
    expect(won.json.report.reversibility).toMatchObject({ checked: true, downMatches: true, upMatches: true });
    expect(won.stderr).toMatch(/knex\| /);
    expect(await knexApplied('staging')).toEqual([M1, M2, M3]);
    const uri = (await cli(project, ['connection-string', 'staging'])).stdout;
    const password = decodeURIComponent(new URL(uri).password);
    expect(won.stdout + won.stderr).not.toContain(password);
    const status = await cli(project, ['--json', 'status', '--branch', 'staging']);
    expect(status.json.counts).toMatchObject({ applied: 3, pending: 0 });
  }, 120_000);

  it('promote (exit 3 after an edit) → rollback down and by checkpoint → restore', async () => {
    const m2 = path.join(project, 'migrations', M2);
    const original = readFileSync(m2, 'utf8');
    appendFileSync(m2, '// reviewed after staging\n');
    const refused = await cli(project, ['--json', 'promote', '--yes']);
    expect(refused.exitCode, refused.stderr).toBe(3);
    expect(await knexApplied('main')).toEqual([M1]);
    writeFileSync(m2, original);

    const promoted = await cli(project, ['--json', 'promote', '--yes']);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(await knexApplied('main')).toEqual([M1, M2, M3]);
    const promotedDigest = await contentDigest(project, 'main');

    const down = await cli(project, ['--json', 'rollback', '--branch', 'main', '--strategy', 'down', '--yes']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await knexApplied('main')).toEqual([M1]);
    const [tags] = await sql<{ t: string }>(
      project,
      'main',
      `SELECT format_type(atttypid, -1) AS t FROM pg_attribute
      WHERE attrelid = 'tasks'::regclass AND attname = 'tags'`,
    );
    expect(tags).toEqual({ t: 'text' });

    // The down run is undone from its checkpoint: main is as promoted again.
    const back = await cli(project, ['--json', 'rollback', '--branch', 'main', '--yes']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await contentDigest(project, 'main')).toEqual(promotedDigest);

    const args = ['--json', 'restore', '--branch', 'staging', '--from-branch', 'main', '--yes'];
    const restored = await cli(project, args);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(await contentDigest(project, 'staging')).toEqual(promotedDigest);
  }, 180_000);

  it('without knex it exits 2 with the install hint before creating anything; plan says what it cannot print', async () => {
    // knex reads the branch for what is applied, and has no offline SQL: the plan lists and says so.
    const plan = await cli(project, ['--json', 'plan', '--branch', 'main', '--down', '--steps', '1']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.json.migrations).toHaveLength(1);
    expect(plan.json.script).toBe('-- knex cannot print SQL without running the migrations');
    setRunner({ bin: 'node_modules/.bin/knex-missing' });
    const before = await branchNames(project);
    const r = await cli(project, ['test', '--branch', 'staging']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/knex.*not found.*npm install --save-dev knex pg/s);
    expect(await branchNames(project)).toEqual(before);
  }, 60_000);
});
