/**
 * Commands that replace a branch's contents respect its run lock, through the built CLI: while
 * another session holds the lock, `rollback`, `restore`, `branches reset` and `test --fresh` exit 5
 * with one line and change nothing (no backup branch, same data); with `--wait` they block until the
 * lock is released, then complete. `test --wait` waits too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRunSession, type RunSession } from '../../src/run/run-lock.js';
import {
  appliedVersions,
  branchNames,
  branchUri,
  cli,
  type CliRun,
  contentDigest,
  copyExampleProject,
  removeProject,
  sql,
} from './helpers.js';

let project: string;

beforeAll(async () => {
  project = copyExampleProject();
  const created = await cli(project, ['branches', 'create', 'dev', '--parent', 'main'], {
    NEON_MIGRATE_SEED_TASKS: '300',
  });
  if (created.exitCode !== 0) throw new Error(`setup: branches create dev: ${created.stderr}`);
  // Every migration applied (test then has nothing to do), in one run with a checkpoint for rollback to undo.
  const up = await cli(project, ['up', '--branch', 'dev']);
  if (up.exitCode !== 0) throw new Error(`setup: up --branch dev: ${up.stderr}`);
});
afterAll(async () => {
  if (project) await removeProject(project);
});

/** Another run: a session holding dev's run lock. */
async function holdLock(): Promise<RunSession> {
  return openRunSession(await branchUri(project, 'dev'), { branch: 'dev' });
}

async function devData() {
  return { applied: await appliedVersions(project, 'dev'), data: await contentDigest(project, 'dev') };
}

/** Wait until a session on dev is queued for an advisory lock (the --wait command is blocked on it). */
async function untilSomeoneWaits(): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const [row] = await sql<{ n: number }>(
      project,
      'dev',
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
    );
    if (row!.n > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('no session ever waited for the run lock');
}

function expectLocked(r: CliRun): void {
  expect(r.exitCode, r.stderr).toBe(5);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: another neon-migrate run holds the lock on branch "dev".*--wait/);
}

/**
 * Refused while locked with nothing changed; with --wait, blocked until the lock is released, then
 * done: its --json output and the branches it added.
 */
async function refusedThenWaits(args: string[]): Promise<{ done: CliRun; added: string[] }> {
  const holder = await holdLock();
  try {
    const [before, names] = [await devData(), await branchNames(project)];
    expectLocked(await cli(project, ['--yes', ...args]));
    expect(await branchNames(project)).toEqual(names);
    expect(await devData()).toEqual(before);
    const waiting = cli(project, ['--yes', '--json', ...args, '--wait']);
    await untilSomeoneWaits();
    expect(await devData()).toEqual(before);
    await holder.close();
    const done = await waiting;
    expect(done.exitCode, done.stderr).toBe(0);
    return { done, added: (await branchNames(project)).filter((n) => !names.includes(n)) };
  } finally {
    await holder.close();
  }
}

describe('commands that replace a branch take its run lock', () => {
  it('test --fresh: exit 5 and no refresh while locked; test --wait runs once the lock is free', async () => {
    const holder = await holdLock();
    try {
      const [before, names] = [await devData(), await branchNames(project)];
      expectLocked(await cli(project, ['test', '--branch', 'dev', '--fresh']));
      expect(await branchNames(project)).toEqual(names);
      expect(await devData()).toEqual(before);
      const waiting = cli(project, ['--json', 'test', '--branch', 'dev', '--wait']);
      await untilSomeoneWaits();
      await holder.close();
      const done = await waiting;
      expect(done.exitCode, done.stderr).toBe(0);
      expect(done.json.report.outcome).toBe('nothing-to-do');
    } finally {
      await holder.close();
    }
  });

  it('rollback: exit 5 and nothing changed while locked; --wait rolls back once the lock is free', async () => {
    expect(await appliedVersions(project, 'dev')).toHaveLength(11);
    const { added } = await refusedThenWaits(['rollback', '--branch', 'dev']);
    expect(await appliedVersions(project, 'dev')).toHaveLength(2);
    expect(added).toEqual([expect.stringMatching(/^dev_old_/)]);
  });

  it('restore --from-checkpoint: exit 5 and nothing changed while locked; --wait restores once the lock is free', async () => {
    await sql(project, 'dev', 'CREATE TABLE IF NOT EXISTS lock_probe (id int)');
    const { done, added } = await refusedThenWaits(['restore', '--branch', 'dev', '--from-checkpoint', 'latest']);
    expect(done.json).toMatchObject({ restored: true, source: expect.stringMatching(/^checkpoint\/dev\//) });
    expect(Object.keys(await contentDigest(project, 'dev'))).not.toContain('public.lock_probe');
    expect(added).toEqual([done.json.backup.name]);
  });

  it('branches reset: exit 5 and nothing changed while locked; --wait resets once the lock is free', async () => {
    await sql(project, 'dev', 'CREATE TABLE IF NOT EXISTS lock_probe (id int)');
    const { done, added } = await refusedThenWaits(['branches', 'reset', 'dev']);
    expect(done.json).toMatchObject({ reset: true, parent: 'main' });
    expect(Object.keys(await contentDigest(project, 'dev'))).not.toContain('public.lock_probe');
    expect(added).toEqual([done.json.backup]);
  });
});
