/**
 * The drizzle runner end to end: the built CLI drives the real `drizzle-kit migrate` (the
 * repository's devDependency) on a copy of examples/drizzle-todo on the local engine. A failing
 * migration on staging is restored (exit 1); test staging (the reversibility check says why it is
 * skipped) → promote (refused after an edit, exit 3) → rollback --strategy down refused in one line
 * (exit 2) → rollback by checkpoint → restore; the tool missing is exit 2 with nothing created.
 * (dev works as staging does; one environment keeps the file fast.)
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drizzleFailure } from '../../src/executors/drizzle.js';
import { branchNames, cli, contentDigest, removeProject, sql } from '../e2e/helpers.js';
import { copyExample, REPO } from './helpers.js';

const BIN = path.join(REPO, 'node_modules/.bin/drizzle-kit');
const M0 = '0000_create_users_and_tasks';
const M1 = '0001_tags_to_array';
const M2 = '0002_add_categories';
const WHEN = { [M0]: '1767603600000', [M1]: '1771320600000', [M2]: '1772355600000' };
let project: string;
let journal: string;

/** The runner setting of the copy, with `extra` options. */
function setRunner(extra: Record<string, string> = {}): void {
  const file = path.join(project, 'neon-migrate.json');
  const settings = JSON.parse(readFileSync(file, 'utf8'));
  settings.runner = { drizzle: { config: 'drizzle.config.ts', migrationsDir: 'drizzle', bin: BIN, ...extra } };
  writeFileSync(file, JSON.stringify(settings));
}

/** The `when` of each row in drizzle's history on a branch. */
async function drizzleApplied(branch: string): Promise<string[]> {
  const rows = await sql<{ w: string }>(
    project,
    branch,
    `SELECT created_at::text AS w FROM drizzle.__drizzle_migrations ORDER BY created_at`,
  );
  return rows.map((r) => r.w);
}

beforeAll(() => {
  project = copyExample(path.join(REPO, 'examples/drizzle-todo'));
  setRunner();
  journal = readFileSync(path.join(project, 'drizzle/meta/_journal.json'), 'utf8');
});
afterAll(async () => {
  if (project) await removeProject(project);
});

describe('the drizzle runner', () => {
  it('takes the database error from drizzle-kit output', () => {
    const output =
      'DrizzleQueryError: Failed query: SELECT 1/0;\nparams:\n    at x\n  cause: error: division by zero\n';
    expect(drizzleFailure(output)).toBe('division by zero');
  });

  it('a migration failing half-way: the branch is restored, exit 1 (the timeouts reached drizzle-kit first)', async () => {
    // After M1 in the journal: checks that lock_timeout and the tool's application_name reached
    // drizzle-kit's session (PGOPTIONS/PGAPPNAME), then fails after a first statement.
    writeFileSync(
      path.join(project, 'drizzle/0002_broken.sql'),
      `DO $$ BEGIN IF current_setting('lock_timeout') <> '5s' OR current_setting('application_name') NOT LIKE 'neon-migrate-tool:%' THEN RAISE EXCEPTION 'session settings not passed'; END IF; END $$;
--> statement-breakpoint
CREATE TABLE "half" ("id" integer);
--> statement-breakpoint
SELECT 1/0;
`,
    );
    const j = JSON.parse(journal);
    j.entries.splice(2, 0, { idx: 2, version: '7', when: 1772000000000, tag: '0002_broken', breakpoints: true });
    j.entries[3].idx = 3;
    writeFileSync(path.join(project, 'drizzle/meta/_journal.json'), JSON.stringify(j));
    const r = await cli(project, ['--json', 'test', '--branch', 'staging']);
    writeFileSync(path.join(project, 'drizzle/meta/_journal.json'), journal);
    rmSync(path.join(project, 'drizzle/0002_broken.sql'));
    expect(r.exitCode, r.stderr).toBe(1);
    const report = r.json.report;
    expect(report.migrations.map((m: { status: string }) => m.status)).toEqual(['applied', 'failed', 'not-run']);
    expect(report.failure).toMatch(/division by zero/);
    expect(report.restore).toMatchObject({ source: report.checkpoint, snapshotMatches: true });
    expect(await contentDigest(project, 'staging')).toEqual(await contentDigest(project, 'main'));
    expect(await drizzleApplied('staging')).toEqual([WHEN[M0]]);
  }, 120_000);

  it('test staging, promote (exit 3 after an edit), rollback, restore', async () => {
    const staged = await cli(project, ['--json', 'test', '--branch', 'staging']);
    expect(staged.exitCode, staged.stderr).toBe(0);
    const skipped = { checked: false, skippedReason: expect.stringMatching(/drizzle-kit has no down/) };
    expect(staged.json.report.reversibility).toMatchObject(skipped);
    expect(staged.stderr).toMatch(/drizzle-kit\| .*\[✓\] migrations applied successfully!/);
    expect(await drizzleApplied('staging')).toEqual([WHEN[M0], WHEN[M1], WHEN[M2]]);
    const uri = (await cli(project, ['connection-string', 'staging'])).stdout;
    expect(staged.stdout + staged.stderr).not.toContain(decodeURIComponent(new URL(uri).password));
    const status = await cli(project, ['--json', 'status', '--branch', 'main']);
    expect(status.json.counts).toMatchObject({ applied: 1, pending: 2 });

    const m1 = path.join(project, 'drizzle', `${M1}.sql`);
    const original = readFileSync(m1, 'utf8');
    appendFileSync(m1, '-- reviewed after staging\n');
    const refused = await cli(project, ['--json', 'promote', '--yes']);
    expect(refused.exitCode, refused.stderr).toBe(3);
    expect(await drizzleApplied('main')).toEqual([WHEN[M0]]);
    writeFileSync(m1, original);
    const promoted = await cli(project, ['--json', 'promote', '--yes']);
    expect(promoted.exitCode, promoted.stderr).toBe(0);
    expect(await drizzleApplied('main')).toEqual([WHEN[M0], WHEN[M1], WHEN[M2]]);

    const down = await cli(project, ['rollback', '--branch', 'main', '--strategy', 'down', '--yes']);
    expect(down.exitCode).toBe(2);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(/drizzle-kit has no down migrations.*rollback --branch main/);
    const back = await cli(project, ['--json', 'rollback', '--branch', 'main', '--yes']);
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await drizzleApplied('main')).toEqual([WHEN[M0]]);

    const args = ['--json', 'restore', '--branch', 'main', '--from-branch', 'staging', '--yes'];
    const restored = await cli(project, args);
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(await contentDigest(project, 'main')).toEqual(await contentDigest(project, 'staging'));
  }, 180_000);

  it('without drizzle-kit it exits 2 with the install hint before creating anything', async () => {
    setRunner({ bin: 'node_modules/.bin/drizzle-kit-missing' });
    const before = await branchNames(project);
    const r = await cli(project, ['test', '--branch', 'staging']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/drizzle-kit.*not found.*npm install --save-dev drizzle-kit/s);
    expect(await branchNames(project)).toEqual(before);
  }, 60_000);
});
