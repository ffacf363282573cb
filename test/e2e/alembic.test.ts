/**
 * The Alembic example end to end through the built CLI: `test --branch dev` wraps the real
 * `alembic upgrade` with checkpoint, verification and the reversibility check; a downgrade that is
 * wrong on real data is caught on dev (restored, exit 1); a missing alembic is exit 2 with nothing
 * created; the one-off `-- <command>` form runs inside the same guarded run; the README's
 * walkthrough (test dev, test staging, promote, a disaster on main, restore with a dry run first)
 * runs as written.
 */
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchNames, cli, contentDigest, removeProject, sql } from './helpers.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(REPO, 'bin', 'neon-migrate.js');
const EXAMPLE = path.join(REPO, 'examples/alembic-todo');
const HEAD = '8c6faec0b199';
let project: string;

/** The shell commands of the example README's "Walkthrough" section, one per line, as written. */
function walkthroughCommands(): string[] {
  const readme = readFileSync(path.join(EXAMPLE, 'README.md'), 'utf8');
  const section = /^## Walkthrough\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
    m[1]!.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')),
  );
}

/** A copy of the example (its venv linked), as a fresh clone would have it after the README's install. */
function copyAlembicExample(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nm-e2e-alembic-'));
  chmodSync(dir, 0o755);
  cpSync(EXAMPLE, dir, { recursive: true, filter: (src) => !/[/\\](\.venv|\.neon-migrate|__pycache__)$/.test(src) });
  symlinkSync(path.join(EXAMPLE, '.venv'), path.join(dir, '.venv'));
  return dir;
}

beforeAll(() => {
  project = copyAlembicExample();
});
afterAll(async () => {
  if (project) await removeProject(project);
});

describe('examples/alembic-todo through neon-migrate', () => {
  it('test --branch dev runs alembic upgrade under the full protection and passes', async () => {
    const r = await cli(project, ['--json', 'test', '--branch', 'dev']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json.report;
    expect(report.outcome).toBe('passed');
    // main was seeded at the baseline revision 1b7e3a5c4d22; dev got the seven after it.
    expect(report.migrations.map((m: { version: string }) => m.version)).toEqual([
      '2c9d4e6f5a33',
      '3d1a5f7b6c44',
      '4e2b6a8c7d55',
      '5f3c7b9d8e66',
      '6a4d8cae9f77',
      '7b5e9dbfa088',
      HEAD,
    ]);
    expect(report.checkpoint).toMatch(/^checkpoint\/dev\//);
    expect(report.reversibility).toMatchObject({ checked: true, downMatches: true, upMatches: true });
    expect(r.stderr).toMatch(
      /alembic\| INFO {2}\[alembic.runtime.migration\] Running upgrade 7b5e9dbfa088 -> 8c6faec0b199/,
    );
    // The priority backfill ran batched (app/backfill.py), filling every seeded task.
    const batched = /alembic\| backfill tasks: (\d+) rows in [\d.]+s/.exec(r.stderr);
    const [seeded] = await sql<{ n: number }>(project, 'main', 'SELECT count(*)::int AS n FROM tasks');
    expect(Number(batched?.[1])).toBe(seeded!.n);
    expect(await sql(project, 'dev', 'SELECT version_num FROM alembic_version')).toEqual([{ version_num: HEAD }]);
    expect(await sql(project, 'main', 'SELECT version_num FROM alembic_version')).toEqual([
      { version_num: '1b7e3a5c4d22' },
    ]);
    const [tags] = await sql<{ n: number }>(
      project,
      'dev',
      `SELECT count(*)::int AS n FROM tasks WHERE tags IS NOT NULL AND cardinality(tags) > 0`,
    );
    expect(tags!.n).toBeGreaterThan(0);
    const password = decodeURIComponent(
      new URL((await cli(project, ['connection-string', 'dev'])).stdout.trim()).password,
    );
    expect(r.stderr + r.stdout).not.toContain(password);
    // Assertion files gated on an Alembic revision (`-- neon-migrate:after 3d1a5f7b6c44`) ran.
    const ran = new Set((report.verification.assertions as { file: string }[]).map((a) => a.file));
    for (const f of ['legacy-import.sql', 'priorities.sql', 'subtask-counts.sql', 'tags.sql']) {
      expect(
        [...ran].some((file) => file.endsWith(f)),
        `${f} ran`,
      ).toBe(true);
    }
    // status reads the tool's own history: dev has every revision, main only the seeded baseline.
    const dev = await cli(project, ['--json', 'status', '--branch', 'dev']);
    expect(dev.exitCode, dev.stderr).toBe(0);
    expect(dev.json.counts).toMatchObject({ applied: 9, pending: 0 });
    const main = await cli(project, ['--json', 'status', '--branch', 'main']);
    expect(main.json.counts).toMatchObject({ applied: 2, pending: 7 });
    // plan --sql: the pending revisions as alembic reads main's history, and the SQL `alembic upgrade --sql` prints
    const plan = await cli(project, ['--json', 'plan', '--branch', 'main', '--sql']);
    expect(plan.exitCode, plan.stderr).toBe(0);
    expect(plan.json.migrations.map((m: { version: string }) => m.version).at(-1)).toBe(HEAD);
    expect(plan.json.script).toMatch(/-- Running upgrade 7b5e9dbfa088 -> 8c6faec0b199/);
    expect(plan.json.script).toMatch(/UPDATE alembic_version SET version_num='8c6faec0b199'/);
  }, 600_000);

  it('a downgrade that is wrong on real data is caught by the reversibility check on dev: restored, exit 1', async () => {
    // Fine on an empty database (how it was written), wrong on production-shaped rows: the
    // re-added column is NOT NULL without a default.
    writeFileSync(
      path.join(project, 'alembic/versions/9d7a0b1c2e3f_task_status.py'),
      `"""task status\n\nRevision ID: 9d7a0b1c2e3f\nRevises: ${HEAD}\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n` +
        `revision = "9d7a0b1c2e3f"\ndown_revision = "${HEAD}"\nbranch_labels = None\ndepends_on = None\n\n\n` +
        `def upgrade() -> None:\n    op.add_column("tasks", sa.Column("status", sa.Text(), nullable=False, server_default="open"))\n` +
        `    op.execute("UPDATE tasks SET status = CASE WHEN completed THEN 'done' ELSE 'open' END")\n    op.drop_column("tasks", "completed")\n\n\n` +
        `def downgrade() -> None:\n    op.add_column("tasks", sa.Column("completed", sa.Boolean(), nullable=False))\n` +
        `    op.execute("UPDATE tasks SET completed = (status = 'done')")\n    op.drop_column("tasks", "status")\n`,
    );
    const before = await contentDigest(project, 'dev');
    const r = await cli(project, ['--json', 'test', '--branch', 'dev']);
    expect(r.exitCode, r.stderr).toBe(1);
    const report = r.json.report;
    expect(report.failure).toMatch(
      /^reversibility: down of task status failed on the scratch branch: .*completed.*null values/,
    );
    expect(report.restore).toMatchObject({ source: report.checkpoint, snapshotMatches: true });
    expect(await contentDigest(project, 'dev')).toEqual(before);
    expect(await sql(project, 'dev', 'SELECT version_num FROM alembic_version')).toEqual([{ version_num: HEAD }]);
    rmSync(path.join(project, 'alembic/versions/9d7a0b1c2e3f_task_status.py'));
  }, 600_000);

  it('runs a one-off command after -- inside the guarded run', async () => {
    const r = await cli(project, [
      '--json',
      'test',
      '--branch',
      'dev',
      '--',
      'psql',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      'CREATE TABLE one_off_note (body text)',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.json.report.outcome).toBe('passed');
    expect(r.json.report.checkpoint).toMatch(/^checkpoint\/dev\//);
    expect(await sql(project, 'dev', `SELECT to_regclass('one_off_note')::text AS t`)).toEqual([{ t: 'one_off_note' }]);
    const stray = await cli(project, ['test', '--branch', 'dev', 'psql']);
    expect(stray.exitCode).toBe(2);
  }, 600_000);

  it("the README's walkthrough runs as written: test dev, staging, promote, a disaster on main, restore", async () => {
    const commands = walkthroughCommands();
    expect(commands[0]).toBe('cd examples/alembic-todo');
    const rest = commands.slice(1);
    const at = (re: RegExp) => {
      const i = rest.findIndex((l) => re.test(l));
      expect(i, String(re)).toBeGreaterThanOrEqual(0);
      return i;
    };
    const promote = at(/^npx neon-migrate promote /);
    const disaster = at(/DELETE FROM tasks/);
    // The test's own lines: an edit after the staging pass makes promote exit 3 with main untouched
    // (README: "Edit a revision after the staging pass and promote exits 3"), and main's row count
    // before the disaster, to compare with after the restore.
    const revision = 'alembic/versions/3d1a5f7b6c44_tags_to_array.py';
    const checks = {
      beforePromote: [
        `cp ${revision} revision.orig && echo '# reviewed' >> ${revision}`,
        'set +e; npx neon-migrate promote --yes; code=$?; set -e',
        '[ "$code" = 3 ] || { echo "promote after an edit exited $code" >&2; exit 1; }',
        'main=$(psql -Atc "SELECT version_num FROM alembic_version" "$(npx neon-migrate connection-string main)")',
        '[ "$main" = 1b7e3a5c4d22 ] || { echo "main changed by a refused promote: $main" >&2; exit 1; }',
        `mv revision.orig ${revision}`,
      ],
      beforeDisaster: [
        'psql -Atc "SELECT count(*) FROM tasks" "$(npx neon-migrate connection-string main)" > tasks-before.txt',
      ],
    };
    const script = [
      'set -euo pipefail',
      // `npx neon-migrate` is this repository's built CLI (as npx finds it in a checkout of the repository).
      `npx() { if [ "$1" = neon-migrate ]; then shift; node ${JSON.stringify(CLI)} "$@"; else command npx "$@"; fi; }`,
      ...rest.slice(0, promote),
      ...checks.beforePromote,
      ...rest.slice(promote, disaster),
      ...checks.beforeDisaster,
      ...rest.slice(disaster),
    ].join('\n');
    const r = await execa('bash', ['-c', script], { cwd: project, reject: false, stdin: 'ignore', all: true });
    expect(r.exitCode, r.all).toBe(0);
    // The dry run showed what the restore would bring back, and changed nothing; the restore did it.
    expect(r.all).toMatch(/dry run: restoring main from its own history at .* would change:/);
    expect(r.all).toMatch(/public\.tasks\s+\d+ → \d+\s+\+\d+ rows/);
    expect(r.all).toMatch(/restored branch main from main at .*; previous state kept as branch main_old_/);
    const before = Number(readFileSync(path.join(project, 'tasks-before.txt'), 'utf8').trim());
    const [after] = await sql<{ n: number }>(project, 'main', 'SELECT count(*)::int AS n FROM tasks');
    expect(after!.n).toBe(before);
    expect(await sql(project, 'main', 'SELECT version_num FROM alembic_version')).toEqual([{ version_num: HEAD }]);
    expect((await branchNames(project)).some((b) => b.startsWith('main_old_'))).toBe(true);
  }, 600_000);

  it('without alembic it exits 2 with the install hint before creating anything', async () => {
    const settingsFile = path.join(project, 'neon-migrate.json');
    const settings = JSON.parse(readFileSync(settingsFile, 'utf8'));
    settings.runner = { alembic: { config: 'alembic.ini', bin: '.venv-missing/bin/alembic' } };
    writeFileSync(settingsFile, JSON.stringify(settings));
    const branchesBefore = await branchNames(project);
    const r = await cli(project, ['test', '--branch', 'staging']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/alembic not found.*pip install alembic/s);
    expect(await branchNames(project)).toEqual(branchesBefore);
  }, 300_000);
});
