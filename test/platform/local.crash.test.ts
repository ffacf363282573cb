/**
 * A process killed in the middle of a local restore (after the target's directory moved aside,
 * before state.json recorded the backup) loses nothing: the next open puts the target back.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { type LocalPlatform, localStateDir, openLocalPlatform } from '../../src/platform/local/index.js';
import { RESTORE_JOURNAL } from '../../src/platform/local/restore-journal.js';
import { ids, sleep, sql, tempProject } from './helpers.js';

const settings = settingsSchema.parse({ local: { historyRetentionSeconds: 3600 } });
const child = path.join(import.meta.dirname, 'support', 'restore-child.ts');

describe('local restore interrupted by a crash', () => {
  let dir: string;
  let p: LocalPlatform;

  beforeAll(async () => {
    dir = tempProject('nm-crash-');
    p = await openLocalPlatform({ projectDir: dir, env: process.env, settings });
    await sql(await p.connectionUri('main'), 'CREATE TABLE t (id int); INSERT INTO t VALUES (1), (2)');
    await p.createBranch({ name: 'src' });
    await p.createBranch({ name: 'dst' });
    await sql(await p.connectionUri('src'), 'INSERT INTO t VALUES (100)');
    await sql(await p.connectionUri('dst'), 'INSERT INTO t VALUES (7)');
  }, 180_000);
  afterAll(async () => {
    await p?.stopComputes();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is rolled back on the next open: the target keeps its data and no orphan directory is left', async () => {
    const branchesDir = path.join(localStateDir(dir), 'branches');
    const before = new Set(readdirSync(branchesDir));
    const namesBefore = (await p.listBranches()).map((b) => b.name).sort();
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, 'dst', 'src'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => (out += String(d)));
    const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
    // the moment the target's directory has moved to the (not yet recorded) backup's, kill the process
    let moved = false;
    for (let i = 0; i < 12_000 && !moved && proc.exitCode === null; i++) {
      moved = readdirSync(branchesDir).some((d) => !before.has(d));
      if (!moved) await sleep(5);
    }
    proc.kill('SIGKILL');
    await exited;
    expect(moved).toBe(true);
    expect(out).not.toContain('restored');
    const state = JSON.parse(readFileSync(path.join(localStateDir(dir), 'state.json'), 'utf8')) as {
      branches: { name: string }[];
    };
    expect(state.branches.map((b) => b.name).sort()).toEqual(namesBefore);

    const reopened = await openLocalPlatform({ projectDir: dir, env: process.env, settings });
    expect((await reopened.listBranches()).map((b) => b.name).sort()).toEqual(namesBefore);
    expect(await ids(await reopened.connectionUri('dst'), 't')).toEqual([1, 2, 7]);
    expect(new Set(readdirSync(branchesDir))).toEqual(before);
    expect(existsSync(path.join(localStateDir(dir), RESTORE_JOURNAL))).toBe(false);
    // and the engine still restores normally afterwards
    await reopened.restoreBranch('dst', { source: 'src' });
    expect(await ids(await reopened.connectionUri('dst'), 't')).toEqual([1, 2, 100]);
  }, 180_000);
});
