/**
 * Neon's own CLI (the neonctl npm binary) against `local serve`: list, create, delete and restore
 * branches, and get a connection string. Every answer it received went through the validating proxy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type NeonFixture, envWithoutNeon, startNeonFixture } from './support/fixture.js';

const NEONCTL = join(process.cwd(), 'node_modules', '.bin', 'neonctl');
let f: NeonFixture;
let home: string;

/** Run neonctl with JSON output; HOME is a fresh dir so no stored credentials or config are used. */
async function neonctl(...args: string[]): Promise<unknown> {
  const result = await execa(
    NEONCTL,
    [
      ...args,
      '--api-host',
      f.proxy.apiHost,
      '--api-key',
      f.server.token,
      '--project-id',
      f.server.projectId,
      '--output',
      'json',
      '--no-analytics',
    ],
    {
      env: { ...envWithoutNeon(), HOME: home, XDG_CONFIG_HOME: join(home, '.config'), CI: 'true', BROWSER: 'false' },
      extendEnv: false,
      cwd: home,
      timeout: 60_000,
      reject: false,
    },
  );
  if (result.exitCode !== 0) throw new Error(`neonctl ${args.join(' ')} failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout.trim().startsWith('{') || result.stdout.trim().startsWith('[')
    ? JSON.parse(result.stdout)
    : result.stdout.trim();
}

beforeAll(async () => {
  f = await startNeonFixture();
  home = mkdtempSync(join(tmpdir(), 'nm-neonctl-home-'));
});
afterEach(() => {
  expect(f.proxy.problems).toEqual([]);
});
afterAll(async () => {
  await f?.dispose();
});

describe('neonctl against local serve', () => {
  it('lists branches', async () => {
    const branches = (await neonctl('branches', 'list')) as { name: string; default: boolean }[];
    expect(branches.find((b) => b.name === 'main')?.default).toBe(true);
  });

  it('creates a branch (with a compute) and gets a working connection string', async () => {
    const created = (await neonctl('branches', 'create', '--name', 'from-neonctl')) as {
      branch: { name: string; id: string };
    };
    expect(created.branch.name).toBe('from-neonctl');
    expect((await f.local.listBranches()).map((b) => b.name)).toContain('from-neonctl');
    const uri = String(await neonctl('connection-string', 'from-neonctl', '--ssl', 'omit'));
    expect(uri).toMatch(/^postgres(ql)?:\/\//);
    const client = new pg.Client({ connectionString: uri });
    await client.connect();
    try {
      expect((await client.query('select 1 as one')).rows[0]).toEqual({ one: 1 });
    } finally {
      await client.end();
    }
  });

  it('restores a branch from another, keeping a backup', async () => {
    await neonctl('branches', 'create', '--name', 'restore-target');
    const out = await neonctl(
      'branches',
      'restore',
      'restore-target',
      'from-neonctl',
      '--preserve-under-name',
      'restore-target-old',
    );
    expect(JSON.stringify(out)).toMatch(/restore-target/);
    await expect
      .poll(async () => (await f.local.listBranches()).map((b) => b.name), { timeout: 30_000 })
      .toContain('restore-target-old');
  });

  it('deletes a branch', async () => {
    await neonctl('branches', 'create', '--name', 'to-delete');
    await neonctl('branches', 'delete', 'to-delete');
    await expect
      .poll(async () => (await f.local.listBranches()).map((b) => b.name), { timeout: 30_000 })
      .not.toContain('to-delete');
  });
});
