/**
 * The built CLI (`node bin/neon-migrate.js`) on the local engine: output shapes, exit codes, and
 * two processes mutating one engine at once. Run after `npm run build` (`npm test` does).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ids, sql } from './helpers.js';

const exec = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');
const bin = path.join(repo, 'bin', 'neon-migrate.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI; never throws on a non-zero exit. */
async function cli(dir: string, ...args: string[]): Promise<Run> {
  const env = { ...process.env };
  delete env.NEON_API_KEY;
  delete env.NEON_PROJECT_ID;
  try {
    const r = await exec(process.execPath, [bin, '-C', dir, ...args], { env, timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('CLI on the local engine', () => {
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(path.join(repo, 'dist', 'cli', 'main.js')))
      await exec('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repo });
    // mode 700, like a home directory: the engine must keep clusters where its OS user can reach them
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'nm-cli-')));
  });
  afterAll(async () => {
    if (!dir) return;
    await cli(dir, 'local', 'stop');
    const state = path.join(dir, '.neon-migrate', 'local', 'state.json');
    const root = existsSync(state)
      ? (JSON.parse(readFileSync(state, 'utf8')) as { project: { clusterRoot: string } }).project.clusterRoot
      : undefined;
    if (root && !root.startsWith(dir)) rmSync(root, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('branches list --json creates the project on first use and lists main', async () => {
    const r = await cli(dir, '--json', 'branches', 'list');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { branches: { name: string; default: boolean }[] };
    expect(doc.branches).toEqual([expect.objectContaining({ name: 'main', default: true })]);
  });

  it('branches create, then connection-string prints a working URI alone on stdout', async () => {
    const main = (await cli(dir, 'connection-string')).stdout.trim();
    await sql(main, 'CREATE TABLE t (id int); INSERT INTO t VALUES (1)');
    const created = await cli(dir, '--json', 'branches', 'create', 'dev');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).branch.name).toBe('dev');
    const r = await cli(dir, 'connection-string', 'dev', '--pooled');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^postgresql:\/\/neondb_owner:[^@]+@127\.0\.0\.1:\d+\/neondb\n$/);
    expect(await ids(r.stdout.trim(), 't')).toEqual([1]);
  });

  it('errors are one line on stderr with the right exit code', async () => {
    const dup = await cli(dir, 'branches', 'create', 'dev');
    expect(dup.code).toBe(4);
    expect(dup.stderr.trim().split('\n')).toHaveLength(1);
    expect(dup.stderr).toMatch(/already exists/);
    const unknown = await cli(dir, 'connection-string', 'nope');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toMatch(/branch "nope" not found.*main/);
    const badLsn = await cli(dir, 'branches', 'create', 'x', '--lsn', 'zz');
    expect(badLsn.code).toBe(2);
    const badTs = await cli(dir, 'restore', '--branch', 'main', '--timestamp', 'noon', '--yes');
    expect(badTs.code).toBe(2);
    expect(badTs.stderr).toMatch(/not an RFC 3339 timestamp/);
    expect(`${dup.stderr}${unknown.stderr}`).not.toMatch(/neondb_owner:[^*]/);
  });

  it('restore asks for confirmation, then keeps the URI and the old state under a backup name', async () => {
    const devUri = (await cli(dir, 'connection-string', 'dev')).stdout.trim();
    await sql(devUri, 'INSERT INTO t VALUES (2)');
    const refused = await cli(dir, 'restore', '--branch', 'dev', '--from-branch', 'main');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect(await ids(devUri, 't')).toEqual([1, 2]);
    const r = await cli(dir, '--json', '--yes', 'restore', '--branch', 'dev', '--from-branch', 'main');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { backup: { name: string } };
    expect(doc.backup.name).toMatch(/^dev_old_\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect((await cli(dir, 'connection-string', 'dev')).stdout.trim()).toBe(devUri);
    expect(await ids(devUri, 't')).toEqual([1]);
    expect(await ids((await cli(dir, 'connection-string', doc.backup.name)).stdout.trim(), 't')).toEqual([1, 2]);
  });

  it('two processes creating branches at once both succeed and the state stays valid', async () => {
    const [a, b] = await Promise.all([
      cli(dir, 'branches', 'create', 'para-a'),
      cli(dir, 'branches', 'create', 'para-b'),
    ]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const list = JSON.parse((await cli(dir, '--json', 'branches', 'list')).stdout) as { branches: { name: string }[] };
    expect(list.branches.map((x) => x.name)).toEqual(expect.arrayContaining(['main', 'dev', 'para-a', 'para-b']));
  });

  it('local stop stops the computes and local status shows it; the next use starts them again', async () => {
    const stop = await cli(dir, '--json', 'local', 'stop');
    expect(JSON.parse(stop.stdout).stopped).toEqual(expect.arrayContaining(['main', 'dev']));
    const status = JSON.parse((await cli(dir, '--json', 'local', 'status')).stdout) as {
      computes: { name: string; compute: string }[];
    };
    expect(status.computes.find((c) => c.name === 'main')?.compute).toBe('stopped');
    expect(status.computes.find((c) => c.name === 'para-a')?.compute).toBe('pointer');
    const start = await cli(dir, 'local', 'start', 'main');
    expect(start.code).toBe(0);
    expect(await ids((await cli(dir, 'connection-string')).stdout.trim(), 't')).toEqual([1]);
  });
});
