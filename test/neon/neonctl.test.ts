/**
 * Neon's own CLI (the neonctl npm binary) against `local serve`: list, create, delete and restore
 * branches (with --expires-at and --schema-only), and get a connection string (plain, and as Neon prints it: with TLS and channel binding). Every answer it received went through the validating proxy.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/db/connect.js';
import { hasPsql, psqlQuery } from '../support/psql.js';
import { type NeonFixture, envWithoutNeon, startNeonFixture } from './support/fixture.js';

const NEONCTL = join(process.cwd(), 'node_modules', '.bin', 'neonctl');
const SSL_IN_USE = 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()';
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

  it('prints a connection string with sslmode=require&channel_binding=require that connects with TLS', async () => {
    const uri = String(await neonctl('connection-string', 'from-neonctl'));
    expect(new URL(uri).search).toBe('?sslmode=require&channel_binding=require');
    const db = await connect(uri);
    try {
      expect((await db.query<{ ssl: boolean }>(SSL_IN_USE)).rows[0]!.ssl).toBe(true);
    } finally {
      await db.close();
    }
    if (hasPsql()) {
      // libpq itself: sslmode=require encrypts, channel_binding=require refuses SCRAM without -PLUS
      expect(psqlQuery(uri, SSL_IN_USE)).toBe('t');
    }
  });

  it("the local API's connection_uri connects as printed (plain), and with Neon's TLS parameters added", async () => {
    const uri = await f.neon().connectionUri('main');
    for (const [variant, ssl] of [
      [uri, false],
      [`${uri}?sslmode=require&channel_binding=require`, true],
    ] as const) {
      const db = await connect(variant);
      try {
        expect((await db.query<{ ssl: boolean }>(SSL_IN_USE)).rows[0]!.ssl).toBe(ssl);
      } finally {
        await db.close();
      }
    }
  });

  it('branches create --expires-at and --schema-only: the TTL is kept, and the schema-only branch has no rows', async () => {
    const db = await connect(await f.local.connectionUri('main'));
    try {
      await db.query(
        'CREATE TABLE IF NOT EXISTS neonctl_rows (id int PRIMARY KEY); INSERT INTO neonctl_rows VALUES (1), (2)',
      );
    } finally {
      await db.close();
    }
    const expiresAt = new Date(Date.now() + 2 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const expiring = (await neonctl('branches', 'create', '--name', 'ctl-ttl', '--expires-at', expiresAt)) as {
      branch: { expires_at?: string };
    };
    expect(new Date(expiring.branch.expires_at ?? 0).toISOString()).toBe(new Date(expiresAt).toISOString());
    const listed = (await f.local.listBranches()).find((b) => b.name === 'ctl-ttl');
    expect(listed?.expiresAt && new Date(listed.expiresAt).toISOString()).toBe(new Date(expiresAt).toISOString());

    const schemaOnly = (await neonctl('branches', 'create', '--name', 'ctl-schema', '--schema-only')) as {
      branch: { name: string };
    };
    expect(schemaOnly.branch.name).toBe('ctl-schema');
    const copy = await connect(await f.local.connectionUri('ctl-schema'));
    try {
      const rows = await copy.query<{ n: number }>('SELECT count(*)::int AS n FROM neonctl_rows');
      expect(rows.rows[0]!.n).toBe(0);
    } finally {
      await copy.close();
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
