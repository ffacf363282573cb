/**
 * The README walkthrough through the built CLI, in order: test dev, a refused promote, test
 * staging, promote, a disaster on main, restore to a timestamp with --dry-run first.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appliedVersions, branchNames, cli, contentDigest, copyExampleProject, removeProject, sql } from './helpers.js';

const ALL = 11;
let project: string;

beforeAll(() => {
  project = copyExampleProject();
});
afterAll(async () => {
  if (project) await removeProject(project);
});

describe('walkthrough', () => {
  it('test --branch dev seeds main, creates dev, applies, verifies and proves reversibility', async () => {
    const r = await cli(project, ['--json', 'test', '--branch', 'dev']);
    expect(r.exitCode, r.stderr).toBe(0);
    const report = r.json.report;
    expect(report.outcome).toBe('passed');
    expect(report.migrations.map((m: { status: string }) => m.status)).toEqual(Array(9).fill('applied'));
    expect(report.checkpoint).toMatch(/^checkpoint\/dev\/\d{8}T\d{6}Z$/);
    // off a terminal, each batched backfill shows progress lines, then its figures
    expect(r.stderr).toMatch(/20260302T113000_priorities_backfill: backfill tasks: \d+\/\d+ rows \(\d+%\)/);
    expect(r.stderr).toMatch(/20260302T113000_priorities_backfill: backfill tasks: \d+ rows in \d+ batches/);
    expect(report.verification.failures).toEqual([]);
    expect(report.verification.assertions.length).toBeGreaterThanOrEqual(6);
    expect(report.reversibility).toMatchObject({ checked: true, downMatches: true, upMatches: true });
    expect(report.integrity.before.tables['public.tasks'].rows).toBe(1000);
    expect(report.integrity.after.tables['public.subtasks']).toEqual(report.integrity.before.tables['public.subtasks']);
    expect(JSON.parse(readFileSync(path.join(project, r.json.reportFile), 'utf8')).runId).toBe(report.runId);
    expect(await appliedVersions(project, 'dev')).toHaveLength(ALL);
    expect(await appliedVersions(project, 'main')).toHaveLength(2);
    const names = await branchNames(project);
    expect(names.filter((n) => n.startsWith('scratch/'))).toEqual([]);
  });

  it('promote before staging passed: exit 3 and main untouched', async () => {
    const before = await contentDigest(project, 'main');
    const branchesBefore = await branchNames(project);
    const r = await cli(project, ['promote', '--yes']);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toMatch(/promote to main refused: .*staging/);
    expect(await contentDigest(project, 'main')).toEqual(before);
    expect(await appliedVersions(project, 'main')).toHaveLength(2);
    expect(await branchNames(project)).toEqual(branchesBefore);
  });

  it('test staging, then promote: without --yes in a non-TTY nothing happens; with it main gets everything', async () => {
    const staging = await cli(project, ['test', '--branch', 'staging']);
    expect(staging.exitCode, staging.stderr).toBe(0);
    expect(staging.stdout).toMatch(/neon-migrate test on branch staging: PASSED/);

    const noYes = await cli(project, ['promote']);
    expect(noYes.exitCode).toBe(2);
    expect(noYes.stderr).toMatch(/confirmation needed.*--yes/);
    expect(await appliedVersions(project, 'main')).toHaveLength(2);

    const summary = path.join(project, 'step-summary.md');
    writeFileSync(summary, '');
    const promote = await cli(project, ['promote', '--yes', '--format', 'markdown'], { GITHUB_STEP_SUMMARY: summary });
    expect(promote.exitCode, promote.stderr).toBe(0);
    expect(promote.stdout).toMatch(/^### ✅ neon-migrate promote on branch main/);
    expect(readFileSync(summary, 'utf8')).toContain('| `20260323T120000_import_legacy_tasks` | up | applied |');
    expect(await appliedVersions(project, 'main')).toHaveLength(ALL);
    const [{ n }] = await sql<{ n: string }>(project, 'main', `SELECT count(*) AS n FROM legacy_task_map`);
    expect(Number(n)).toBe(340);
  });

  it('disaster on main: the dry run predicts exactly what the timestamp restore brings back', async () => {
    const healthy = await contentDigest(project, 'main');
    await new Promise((r) => setTimeout(r, 1100));
    const [{ t }] = await sql<{ t: string }>(
      project,
      'main',
      `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS t`,
    );
    await new Promise((r) => setTimeout(r, 1100));
    // As the walkthrough does it: the demo SQL helper with DATABASE_URL from `connection-string`.
    const uri = (await cli(project, ['connection-string', 'main'])).stdout.trim();
    const del = await execa('node', [path.resolve('scripts/demo/sql.mjs'), 'DELETE FROM tasks WHERE completed'], {
      env: { DATABASE_URL: uri },
      reject: false,
    });
    expect(del.stdout, del.stderr).toMatch(/DELETE \d+/);
    const broken = await contentDigest(project, 'main');
    expect(broken['public.tasks']).not.toBe(healthy['public.tasks']);

    const dry = await cli(project, ['--json', 'restore', '--branch', 'main', '--timestamp', t, '--dry-run']);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(await contentDigest(project, 'main')).toEqual(broken); // the dry run changed nothing
    expect(dry.json.unapplied).toEqual([]);
    const predicted = Object.fromEntries(
      dry.json.deltas.map((d: { table: string; rowsAfter: number }) => [d.table, d.rowsAfter]),
    );
    expect(Object.keys(predicted).sort()).toEqual([
      'public.legacy_task_map',
      'public.subtasks',
      'public.tag_conversion_audit',
      'public.tasks',
    ]);

    const real = await cli(project, ['--json', '--yes', 'restore', '--branch', 'main', '--timestamp', t]);
    expect(real.exitCode, real.stderr).toBe(0);
    expect(real.json.backup.name).toMatch(/^main_old_/);
    const restored = await contentDigest(project, 'main');
    expect(restored).toEqual(healthy);
    for (const [table, rows] of Object.entries(predicted)) expect(Number(restored[table]!.split(':')[0])).toBe(rows);
    // The broken state is kept under the backup name.
    expect(await contentDigest(project, real.json.backup.name)).toEqual(broken);
  });

  it('report shows the latest run again, in markdown too', async () => {
    const r = await cli(project, ['report', 'latest', '--format', 'markdown']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/neon-migrate promote on branch main/);
  });
});
