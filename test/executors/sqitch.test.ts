/**
 * The sqitch runner end to end: the built CLI drives the real sqitch (Debian package `sqitch` with
 * `libdbd-pg-perl`, installed by .ci/run; the file is skipped where it is absent) on a copy of
 * examples/sqitch-todo on the local engine. A failing change on staging is restored (exit 1); test
 * staging (with the reversibility check through `sqitch revert`) → promote (refused after an edit,
 * exit 3) → rollback by `sqitch revert` and by checkpoint; sqitch missing is exit 2, nothing created.
 * (dev works as staging does; one environment keeps the file fast.)
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath } from '../../src/executors/locate.js';
import { parsePlan, sqitchFailure } from '../../src/executors/sqitch.js';
import { branchNames, cli, contentDigest, removeProject, sql } from '../e2e/helpers.js';
import { copyExample, REPO } from './helpers.js';

const HAS_SQITCH = Boolean(onPath('sqitch', process.env));
const CHANGES = ['create_users_and_tasks', 'tags_to_array', 'add_categories'];
let project: string;
let plan: string;

/** Changes in sqitch's registry on a branch, in deploy order. */
async function deployed(branch: string): Promise<string[]> {
  const rows = await sql<{ change: string }>(
    project,
    branch,
    'SELECT change FROM sqitch.changes ORDER BY committed_at',
  );
  return rows.map((r) => r.change);
}

describe('sqitch output', () => {
  it('reads the plan and the database error', () => {
    expect(parsePlan(readFileSync(path.join(REPO, 'examples/sqitch-todo/sqitch.plan'), 'utf8'))).toEqual({
      project: 'todo',
      changes: CHANGES,
    });
    const reworked = ['%project=p', 'a 2026-01-01T00:00:00Z x <x@y>', '@v1 2026-01-01T00:00:00Z x <x@y>', 'a [a@v1] x'];
    expect(() => parsePlan(reworked.join('\n'))).toThrow(/reworked/);
    const output = '  + broken .. not ok\npsql:deploy/broken.sql:3: ERROR:  division by zero\nDeploy failed';
    expect(sqitchFailure(output)).toBe('division by zero (deploy/broken.sql:3)');
  });
});

describe.skipIf(!HAS_SQITCH)('the sqitch runner', () => {
  beforeAll(() => {
    project = copyExample(path.join(REPO, 'examples/sqitch-todo'));
    plan = readFileSync(path.join(project, 'sqitch.plan'), 'utf8');
  });
  afterAll(async () => {
    if (project) await removeProject(project);
  });

  it('a change failing half-way: the branch is restored, exit 1 (the timeouts reached psql first)', async () => {
    // Between tags_to_array and add_categories: checks that lock_timeout and the tool's
    // application_name reached sqitch's psql (PGOPTIONS/PGAPPNAME), then fails after a first statement.
    writeFileSync(
      path.join(project, 'deploy/broken.sql'),
      `DO $$ BEGIN
  IF current_setting('lock_timeout') <> '5s' OR current_setting('application_name') NOT LIKE 'neon-migrate-tool:%'
  THEN RAISE EXCEPTION 'session settings not passed'; END IF;
END $$;
CREATE TABLE half (id int);
SELECT 1/0;
`,
    );
    writeFileSync(
      path.join(project, 'sqitch.plan'),
      plan.replace(
        /^add_categories/m,
        'broken 2026-02-20T00:00:00Z Ada Lovelace <ada@example.com> # fails\nadd_categories',
      ),
    );
    const r = await cli(project, ['--json', 'test', '--branch', 'staging']);
    writeFileSync(path.join(project, 'sqitch.plan'), plan);
    rmSync(path.join(project, 'deploy/broken.sql'));
    expect(r.exitCode, r.stderr).toBe(1);
    const report = r.json.report;
    expect(report.migrations.map((m: { status: string }) => m.status)).toEqual(['applied', 'failed', 'not-run']);
    expect(report.failure).toMatch(/division by zero \(deploy\/broken\.sql:6\)/);
    expect(report.restore).toMatchObject({ source: report.checkpoint, snapshotMatches: true });
    expect(await contentDigest(project, 'staging')).toEqual(await contentDigest(project, 'main'));
    expect(await deployed('staging')).toEqual(CHANGES.slice(0, 1));
  }, 120_000);

  it('test staging, promote (exit 3 after an edit), rollback by revert and by checkpoint', async () => {
    const staged = await cli(project, ['--json', 'test', '--branch', 'staging']);
    expect(staged.exitCode, staged.stderr).toBe(0);
    expect(staged.json.report.reversibility).toMatchObject({ checked: true, downMatches: true, upMatches: true });
    expect(staged.stderr).toMatch(/sqitch\| {3}\+ add_categories \.+ ok/);
    expect(await deployed('staging')).toEqual(CHANGES);
    const uri = (await cli(project, ['connection-string', 'staging'])).stdout;
    expect(staged.stdout + staged.stderr).not.toContain(decodeURIComponent(new URL(uri).password));

    const script = path.join(project, 'deploy/tags_to_array.sql');
    const original = readFileSync(script, 'utf8');
    appendFileSync(script, '-- reviewed after staging\n');
    const refused = await cli(project, ['--json', 'promote', '--yes']);
    expect(refused.exitCode, refused.stderr).toBe(3);
    expect(await deployed('main')).toEqual(CHANGES.slice(0, 1));
    writeFileSync(script, original);
    const promoted = await cli(project, ['--json', 'promote', '--yes']);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(await deployed('main')).toEqual(CHANGES);
    const promotedDigest = await contentDigest(project, 'main');

    const down = await cli(project, ['--json', 'rollback', '--branch', 'main', '--strategy', 'down', '--yes']);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await deployed('main')).toEqual(CHANGES.slice(0, 1));
    const back = await cli(project, ['--json', 'rollback', '--branch', 'main', '--yes']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await contentDigest(project, 'main')).toEqual(promotedDigest);
  }, 240_000);

  it('without sqitch it exits 2 with the install hint before creating anything', async () => {
    const file = path.join(project, 'neon-migrate.json');
    const settings = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...settings, runner: { sqitch: { bin: 'no-such-dir/sqitch' } } }));
    const before = await branchNames(project);
    const r = await cli(project, ['test', '--branch', 'staging']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/sqitch not found.*apt-get install sqitch libdbd-pg-perl/s);
    expect(await branchNames(project)).toEqual(before);
  }, 60_000);
});
