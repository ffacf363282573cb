/** Local-engine specifics beyond the Platform contract: laziness, root, bad environments, pruning. */
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsSchema } from '../../src/config/schema.js';
import { PlatformError } from '../../src/errors.js';
import { listBackups } from '../../src/platform/local/backup.js';
import { pruneHistory } from '../../src/platform/local/history.js';
import { type LocalPlatform, localStateDir, openLocalPlatform } from '../../src/platform/local/index.js';
import { branchPaths } from '../../src/platform/local/layout.js';
import { parseSegmentFile } from '../../src/platform/local/lsn.js';
import { scramVerifier } from '../../src/platform/local/scram.js';
import { expectError } from './conformance.js';
import { ids, sql, tempProject } from './helpers.js';

const settings = (retention = 604800) => settingsSchema.parse({ local: { historyRetentionSeconds: retention } });

describe('local engine specifics', () => {
  let dir: string;
  let p: LocalPlatform;

  beforeAll(async () => {
    dir = tempProject();
    p = await openLocalPlatform({ projectDir: dir, env: process.env, settings: settings(3600) });
  });
  afterAll(async () => {
    await p?.stopComputes();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports that this open created the project, and a second open does not', async () => {
    expect(p.created).toBe(true);
    const again = await openLocalPlatform({ projectDir: dir, env: process.env, settings: settings(3600) });
    expect(again.created).toBe(false);
    expect((await again.getProject()).id).toBe((await p.getProject()).id);
  });

  it('keeps state in .neon-migrate/local/state.json, readable by its owner only', () => {
    const file = path.join(localStateDir(dir), 'state.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).branches[0].name).toBe('main');
  });

  it('creates the owner role from a SCRAM verifier computed here, the same one Postgres computes', async () => {
    const state = JSON.parse(readFileSync(path.join(localStateDir(dir), 'state.json'), 'utf8')) as {
      project: { superuserPassword: string; ownerPassword: string };
      branches: { name: string; port: number }[];
    };
    const port = state.branches.find((b) => b.name === 'main')!.port;
    const admin = `postgres://postgres:${encodeURIComponent(state.project.superuserPassword)}@127.0.0.1:${port}/postgres`;
    await sql(admin, "CREATE ROLE scram_probe PASSWORD 'probe-Secret_1'");
    try {
      const stored = async (role: string) =>
        (await sql<{ v: string }>(admin, 'SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1', [role]))[0]!.v;
      // Postgres hashed the probe's password itself: recomputing it with the same salt must give the same verifier
      const probe = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(await stored('scram_probe'))!;
      expect(scramVerifier('probe-Secret_1', Buffer.from(probe[2]!, 'base64'), Number(probe[1]))).toBe(
        await stored('scram_probe'),
      );
      // the owner's stored verifier is a valid one for the project's password, and logging in with it works
      const owner = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(await stored('neondb_owner'))!;
      expect(scramVerifier(state.project.ownerPassword, Buffer.from(owner[2]!, 'base64'), Number(owner[1]))).toBe(
        await stored('neondb_owner'),
      );
      expect(await sql(await p.connectionUri('main'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await sql(admin, 'DROP ROLE scram_probe');
    }
  });

  it('runs clusters as an unprivileged user when started as root', async (ctx) => {
    if (process.getuid?.() !== 0) ctx.skip();
    await p.startCompute('main');
    const status = readFileSync(`/proc/${p.computePid('main')}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    expect(uid).not.toBe(0);
  });

  it('creates a branch as a pointer with no compute, materialized on first use', async () => {
    const uri = await p.connectionUri('main');
    await sql(uri, 'CREATE TABLE lazy (id int); INSERT INTO lazy VALUES (1)');
    await p.createBranch({ name: 'lazy' });
    const before = (await p.computeStatus()).find((c) => c.name === 'lazy');
    expect(before?.compute).toBe('pointer');
    expect(existsSync(path.join(p.branchDir('lazy'), 'data'))).toBe(false);
    expect(await ids(await p.connectionUri('lazy'), 'lazy')).toEqual([1]);
    expect((await p.computeStatus()).find((c) => c.name === 'lazy')?.compute).toBe('running');
  });

  it('a branch keeps working after its parent is restored (its archive is its own)', async () => {
    await p.createBranch({ name: 'orphan-safe' });
    await sql(await p.connectionUri('main'), 'INSERT INTO lazy VALUES (2)');
    await p.restoreBranch('main', { source: 'lazy', preserveUnderName: 'main-pre' });
    expect(await ids(await p.connectionUri('orphan-safe'), 'lazy')).toEqual([1]);
    expect(await ids(await p.connectionUri('main-pre'), 'lazy')).toEqual([1, 2]);
  });

  it('uses the history window from settings and names it in errors', async () => {
    expect((await p.getProject()).historyRetentionSeconds).toBe(3600);
    const twoHoursAgo = new Date(Date.now() - 7200_000).toISOString();
    await expectError(p.createBranch({ name: 'old', at: { timestamp: twoHoursAgo } }), {
      exitCode: 2,
      message: /1 hour/,
    });
  });

  it('refuses to start a compute whose port another process holds, and recovers once it is free', async () => {
    await p.createBranch({ name: 'porty' });
    const port = (await p.computeStatus()).find((c) => c.name === 'porty')?.port ?? 0;
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen({ host: '127.0.0.1', port }, r));
    try {
      await expectError(p.connectionUri('porty'), {
        type: PlatformError,
        exitCode: 4,
        message: new RegExp(`port ${port} is in use by another process`),
      });
      expect((await p.computeStatus()).find((c) => c.name === 'porty')?.compute).toBe('pointer');
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    expect(await p.connectionUri('porty')).toContain(`:${port}/`);
  });

  it('prunes base backups and WAL that fall out of the history window', async () => {
    await p.backupNow('main');
    await sql(await p.connectionUri('main'), 'INSERT INTO lazy VALUES (3)');
    await p.backupNow('main');
    const paths = branchPaths(path.dirname(path.dirname(p.branchDir('main'))), (await p.getBranch('main')).id);
    const backups = listBackups(paths.base);
    expect(backups.length).toBeGreaterThanOrEqual(2);
    const newest = backups[backups.length - 1];
    const later = new Date(Date.now() + 2 * 3600_000);
    const removed = pruneHistory(paths, 3600, 4 * 1024 * 1024, later);
    expect(removed.backups).toBe(backups.length - 1);
    expect(listBackups(paths.base).map((b) => b.label)).toEqual([newest.label]);
    const segs = readdirSync(paths.wal)
      .map((f) => parseSegmentFile(f, 4 * 1024 * 1024))
      .filter((s) => s !== undefined);
    expect(removed.segments).toBeGreaterThan(0);
    expect(segs.length).toBeGreaterThan(0);
    // the branch still works and can still be branched from
    await p.createBranch({ name: 'after-prune' });
    expect(await ids(await p.connectionUri('after-prune'), 'lazy')).toEqual([1, 3]);
  });
});

describe('local engine: bad environments change nothing', () => {
  it('a missing binary gives a platform error naming NEON_MIGRATE_PG_BIN, and creates nothing', async () => {
    const dir = tempProject();
    const env = { ...process.env, NEON_MIGRATE_PG_BIN: path.join(dir, 'no-such-bin') };
    const e = await expectError(openLocalPlatform({ projectDir: dir, env, settings: settings() }), {
      type: PlatformError,
      exitCode: 4,
      message: /initdb/,
    });
    expect(e.code).toBe('PG_BINARIES_MISSING');
    expect(e.hint).toContain('NEON_MIGRATE_PG_BIN');
    expect(existsSync(path.join(dir, '.neon-migrate'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a corrupted state file is reported with how to recover, and never overwritten', async () => {
    const dir = tempProject();
    const stateDir = localStateDir(dir);
    const first = await openLocalPlatform({ projectDir: dir, env: process.env, settings: settings() });
    await first.stopComputes();
    const file = path.join(stateDir, 'state.json');
    writeFileSync(file, '{"version": 1, "project": {');
    const e = await expectError(openLocalPlatform({ projectDir: dir, env: process.env, settings: settings() }), {
      type: PlatformError,
      exitCode: 4,
      message: /corrupted/,
    });
    expect(e.message).toContain(file);
    expect(e.hint).toMatch(/move it aside/);
    expect(readFileSync(file, 'utf8')).toBe('{"version": 1, "project": {');
    rmSync(dir, { recursive: true, force: true });
  });
});
