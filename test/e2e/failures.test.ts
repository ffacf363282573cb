/**
 * Failing runs and bad input through the built CLI: a verification failure restores the branch to
 * an identical state (exit 1); promote refuses an edited migration (exit 3); bad input is a clear
 * one-line error with exit 2 and nothing changed.
 */
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedVersions, branchNames, cli, contentDigest, copyExampleProject, removeProject, sql } from './helpers.js';

let project: string;
const BAD = '20260401T000000_break_subtask_counts';

beforeAll(async () => {
  project = copyExampleProject();
  const first = await cli(project, ['test', '--branch', 'dev']);
  if (first.exitCode !== 0) throw new Error(`setup: test --branch dev failed: ${first.stderr}`);
}, 240_000);
afterAll(async () => {
  if (project) await removeProject(project);
});

describe('a migration that fails verification', () => {
  it('restores the branch to a state identical to before the run and exits 1', async () => {
    writeFileSync(
      path.join(project, 'migrations', `${BAD}.up.sql`),
      `UPDATE tasks SET subtask_count = subtask_count + 1 WHERE completed;\n`,
    );
    writeFileSync(
      path.join(project, 'migrations', `${BAD}.down.sql`),
      `UPDATE tasks SET subtask_count = subtask_count - 1 WHERE completed;\n`,
    );
    const before = await contentDigest(project, 'dev');
    const appliedBefore = await appliedVersions(project, 'dev');
    const r = await cli(project, ['--json', 'test', '--branch', 'dev']);
    expect(r.exitCode).toBe(1);
    const report = r.json.report;
    expect(report.outcome).toBe('failed');
    expect(report.failure).toMatch(/assertion failed: every tasks.subtask_count equals the real number of subtasks/);
    expect(report.restore).toMatchObject({ source: report.checkpoint, snapshotMatches: true });
    expect(await contentDigest(project, 'dev')).toEqual(before);
    expect(await appliedVersions(project, 'dev')).toEqual(appliedBefore);
    const runs = await sql<{ status: string }>(
      project,
      'dev',
      `SELECT status FROM neon_migrate.runs WHERE id = '${report.runId}'`,
    );
    expect(runs).toEqual([{ status: 'rolled_back' }]);
    // The failed state is kept for inspection.
    expect(await branchNames(project)).toContain(report.restore.backup);
  });

  it('a table no migration touched must stay identical', async () => {
    writeFileSync(
      path.join(project, 'migrations', `${BAD}.up.sql`),
      `ALTER TABLE tasks ADD COLUMN archived boolean NOT NULL DEFAULT false;\nDO $$ BEGIN PERFORM 1; END $$;\n`,
    );
    writeFileSync(path.join(project, 'migrations', `${BAD}.down.sql`), `ALTER TABLE tasks DROP COLUMN archived;\n`);
    const ok = await cli(project, ['--json', 'test', '--branch', 'dev']);
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(ok.json.report.verification.untouchedSkipped).toMatch(/DO block/);
    await cli(project, ['--yes', 'rollback', '--branch', 'dev']);
    // A trigger on tasks quietly rewrites priorities, a table the migration never names.
    await sql(
      project,
      'dev',
      `CREATE FUNCTION sneaky() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE priorities SET rank = rank + 1; RETURN NULL; END $$;
      CREATE TRIGGER sneaky AFTER UPDATE ON tasks FOR EACH STATEMENT EXECUTE FUNCTION sneaky();`,
    );
    writeFileSync(path.join(project, 'migrations', `${BAD}.up.sql`), `UPDATE tasks SET title = title WHERE false;\n`);
    writeFileSync(path.join(project, 'migrations', `${BAD}.down.sql`), `SELECT 1;\n`);
    const r = await cli(project, ['--json', 'test', '--branch', 'dev']);
    expect(r.exitCode).toBe(1);
    expect(r.json.report.failure).toMatch(/table public.priorities changed .* but no migration touched it/);
    expect(r.json.report.restore.snapshotMatches).toBe(true);
    await sql(project, 'dev', `DROP TRIGGER sneaky ON tasks; DROP FUNCTION sneaky()`);
    rmSync(path.join(project, 'migrations', `${BAD}.up.sql`));
    rmSync(path.join(project, 'migrations', `${BAD}.down.sql`));
  });
});

describe('the promote gate', () => {
  it('refuses (exit 3) a migration edited after it passed staging, touching nothing', async () => {
    const staging = await cli(project, ['test', '--branch', 'staging']);
    expect(staging.exitCode, staging.stderr).toBe(0);
    appendFileSync(
      path.join(project, 'migrations', '20260316T150000_add_categories.up.sql'),
      `\nCREATE INDEX categories_name_idx ON categories (name);\n`,
    );
    const before = await contentDigest(project, 'main');
    const branchesBefore = await branchNames(project);
    const r = await cli(project, ['promote', '--yes']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(
      /20260316T150000_add_categories.up.sql changed after it passed test on staging \(checksum differs\)/,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await contentDigest(project, 'main')).toEqual(before);
    expect(await appliedVersions(project, 'main')).toHaveLength(2);
    expect(await branchNames(project)).toEqual(branchesBefore);
  });
});

describe('back to a checkpoint, then a fresh staging unblocks the promote', () => {
  it('restore --from-checkpoint latest: the dry run names the migrations it un-applies, the restore does it', async () => {
    const dry = await cli(project, [
      '--json',
      'restore',
      '--branch',
      'staging',
      '--from-checkpoint',
      'latest',
      '--dry-run',
    ]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.json.source).toMatch(/^checkpoint\/staging\//);
    expect(dry.json.unapplied).toHaveLength(9);
    expect(dry.json.deltas.map((d: { table: string }) => d.table)).toContain('public.legacy_task_map');
    expect(await appliedVersions(project, 'staging')).toHaveLength(11);

    const real = await cli(project, [
      '--json',
      '--yes',
      'restore',
      '--branch',
      'staging',
      '--from-checkpoint',
      'latest',
    ]);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(await appliedVersions(project, 'staging')).toHaveLength(2);
    expect(await contentDigest(project, 'staging')).toEqual(await contentDigest(project, 'main'));
  });

  it('test --fresh re-tests the edited migration on a refreshed staging; then promote passes', async () => {
    const t = await cli(project, ['--json', 'test', '--branch', 'staging', '--fresh']);
    expect(t.exitCode, t.stderr).toBe(0);
    expect(t.json.refresh.backup).toMatch(/^staging_old_/);
    expect(t.json.report.notes.join(' ')).toMatch(/refreshed staging from main; previous state kept as staging_old_/);
    const p = await cli(project, ['--json', '--yes', 'promote']);
    expect(p.exitCode, p.stderr).toBe(0);
    expect(p.json.report.outcome).toBe('passed');
    expect(await appliedVersions(project, 'main')).toHaveLength(11);
  });
});

describe('bad input: clear error, exit 2, nothing changed', () => {
  it('unknown environment', async () => {
    const r = await cli(project, ['test', '--branch', 'qa']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown environment "qa" \(known environments: dev, prod, staging/);
  });

  it('an environment file with bad keys reports all of them with file and key', async () => {
    writeFileSync(
      path.join(project, 'environments', 'qa.json'),
      JSON.stringify({ branch: 'qa', parnet: 'main', confirm: 'yes', checks: { asserts: [] } }),
    );
    const r = await cli(project, ['test', '--branch', 'qa']);
    rmSync(path.join(project, 'environments', 'qa.json'));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('environments/qa.json: parnet: unknown key');
    expect(r.stderr).toContain('environments/qa.json: confirm:');
    expect(r.stderr).toContain('environments/qa.json: checks.asserts: unknown key');
    expect(await branchNames(project)).not.toContain('qa');
  });

  it('--run with a command that does not exist', async () => {
    const branchesBefore = await branchNames(project);
    const r = await cli(project, ['test', '--branch', 'dev', '--run', 'no-such-checker --all']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--run command not found: "no-such-checker"/);
    expect(await branchNames(project)).toEqual(branchesBefore);
  });

  it('restore to a timestamp outside the history window, and an unknown checkpoint id', async () => {
    const before = await contentDigest(project, 'main');
    const old = await cli(project, ['--yes', 'restore', '--branch', 'main', '--timestamp', '2020-01-01T00:00:00Z']);
    expect(old.exitCode).toBe(2);
    expect(old.stderr).toMatch(/before the history window/);
    const unknown = await cli(project, [
      '--yes',
      'restore',
      '--branch',
      'dev',
      '--from-checkpoint',
      '20990101T000000Z',
    ]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/no checkpoint "20990101T000000Z" of branch "dev" \(newest checkpoints: /);
    expect(await contentDigest(project, 'main')).toEqual(before);
  });

  it('a restore without --yes in a non-TTY session', async () => {
    const r = await cli(project, ['restore', '--branch', 'dev', '--from-checkpoint', 'latest']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/confirmation needed: .*pass --yes/);
  });
});
