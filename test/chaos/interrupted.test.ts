/**
 * Interrupted runs, with real processes on the real engine: the built CLI is SIGKILLed at a phase
 * picked from its own stderr progress lines (not a timed sleep), then the next commands must detect
 * the half-done run (status exit 2, every run refuses with the commands that resolve it), undo it
 * the right way (rollback restores the checkpoint of the run that *started*), or continue it
 * (`--resume`), with main's rows unchanged and no leftover scratch branch.
 */
import { execa } from 'execa';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { branchNames, cli, copyExampleProject, removeProject } from '../e2e/helpers.js';
import { killAt as killSignal } from './support.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/neon-migrate.js');
const SEED = { NEON_MIGRATE_SEED_TASKS: '300' };
let project: string;

/** Kill a CLI run on the project at a stderr marker. */
const killAt = (args: string[], marker: RegExp) => killSignal(project, args, marker, SEED);

beforeAll(async () => {
  project = copyExampleProject();
  const staged = await cli(project, ['test', '--branch', 'staging'], SEED);
  if (staged.exitCode !== 0) throw new Error(`setup: test --branch staging: ${staged.stderr}`);
});
afterAll(async () => {
  if (project) await removeProject(project);
});

// A promote killed at each of its phases (flagged, blocking, undone by rollback): kill-matrix.test.ts.
describe('a test killed during the reversibility check', () => {
  it('is not taken as proven: the next test refuses, --resume verifies and records it, the scratch branch is gone', async () => {
    // dev does not exist yet: test creates it from main, which has only the baseline (promote comes later).
    const { killed } = await killAt(
      ['test', '--branch', 'dev'],
      /checking reversibility on scratch\/dev\/[\s\S]*reverting /,
    );
    expect(killed).toBe(true);
    expect((await branchNames(project)).some((b) => b.startsWith('scratch/dev/'))).toBe(true);

    const status = await cli(project, ['--json', 'status', '--branch', 'dev']);
    expect(status.exitCode).toBe(2);
    expect(status.json.unfinished[0]).toMatchObject({ command: 'test', interrupted: true, phase: 'reversibility' });

    const plain = await cli(project, ['test', '--branch', 'dev']);
    expect(plain.exitCode).toBe(2);
    expect(plain.stderr).toMatch(/interrupted during reversibility.*test --branch dev --resume/);

    const resumed = await cli(project, ['--json', 'test', '--branch', 'dev', '--resume']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.json.report.outcome).toBe('passed');
    expect(resumed.json.report.reversibility).toMatchObject({ checked: true, downMatches: true, upMatches: true });
    expect(resumed.json.report.notes.join('\n')).toMatch(/resumed interrupted run/);
    expect((await branchNames(project)).filter((b) => b.startsWith('scratch/'))).toEqual([]);

    const after = await cli(project, ['--json', 'status', '--branch', 'dev']);
    expect(after.exitCode, after.stdout).toBe(0);
    const unverified = (after.json.entries as { name: string; unverified?: boolean }[])
      .filter((e) => e.unverified)
      .map((e) => e.name);
    const tested = (resumed.json.report.migrations as { name: string }[]).map((m) => m.name);
    expect(tested.length).toBeGreaterThan(0);
    expect(unverified.filter((n) => tested.includes(n))).toEqual([]);
  });
});

describe('a restore that lands while a run is applying', () => {
  it('ends that run with exit 5 and one line, never a raw connection error, and the restore stands', async () => {
    const { scratchProject } = await import('../support/project.js');
    const p = scratchProject({
      '001_base.up.sql': 'CREATE TABLE kept (id int);\nINSERT INTO kept VALUES (1), (2);\n',
      '001_base.down.sql': 'DROP TABLE kept;\n',
      '002_slow.up.sql': 'SELECT pg_sleep(60);\nCREATE TABLE never (id int);\n',
      '002_slow.down.sql': 'DROP TABLE never;\n',
    });
    const run = (args: string[]) => execa('node', [BIN, '-C', p.dir, ...args], { reject: false, stdin: 'ignore' });
    try {
      const base = await run(['up', '--branch', 'main', '--to', '1']);
      expect(base.exitCode, base.stderr).toBe(0);
      expect((await run(['branches', 'create', 'side', '--parent', 'main'])).exitCode).toBe(0);
      // the slow migration holds dev's run lock for a minute
      const slow = run(['up', '--branch', 'main']);
      let stderr = '';
      slow.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
      while (!/applying 002_slow/.test(stderr)) await new Promise((r) => setTimeout(r, 100));
      // What a restore in the old lock window did: replace the branch under the running migration.
      const { openPlatform } = await import('../../src/platform/open.js');
      const platform = await openPlatform({ projectDir: p.dir, env: {}, settings: p.settings });
      try {
        await platform.restoreBranch('main', { source: 'side', preserveUnderName: 'main_before_race' });
        const { withBranchDb, recordFinishedRun } = await import('../../src/run/scoped.js');
        await withBranchDb(platform, 'main', (db) =>
          recordFinishedRun(db, { command: 'restore', branch: 'main' }, 'succeeded', {}),
        );
      } finally {
        await platform.close();
      }
      const ended = await slow;
      expect(ended.exitCode, ended.stderr).toBe(5);
      const lines = ended.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('error:'));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /branch "main" was replaced by another command's restore while this up run was in its apply phase/,
      );
      expect(ended.stderr).not.toMatch(/Connection terminated/);
      // main is what the restore made it: the base table, no trace of the slow run, no checkpoint of it left
      const branches = (await run(['--json', 'branches', 'list'])).stdout;
      expect(
        JSON.parse(branches).branches.filter((b: { name: string }) => b.name.startsWith('checkpoint/main/')),
      ).toHaveLength(1);
      const status = await run(['--json', 'status', '--branch', 'main']);
      expect(JSON.parse(status.stdout).counts).toMatchObject({ applied: 1, pending: 1, interrupted: 0 });
    } finally {
      await run(['local', 'stop']);
    }
  });
});
