/** One branch's PostgreSQL cluster: initdb, its config file, pg_ctl start/stop, liveness. */
import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync, readFileSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { portIsFree } from './ports.js';
import { PlatformError } from '../../errors.js';
import type { PgBinaries } from './binaries.js';
import { type BranchPaths, confQuote, shellQuote } from './layout.js';
import { type RunAs, run } from './osuser.js';
import { ensureServerCert, type TlsFiles } from './tls.js';

/** Our settings live in their own include file, rewritten before every start (copies carry the parent's). */
export const BRANCH_CONF = 'neon_migrate.conf';

export interface RecoveryTarget {
  lsn?: string;
  timestamp?: string;
}

/** Everything needed to operate one cluster. */
export interface ClusterHandle {
  bins: PgBinaries;
  runAs: RunAs | undefined;
  paths: BranchPaths;
  port: number;
  superuserPassword: string;
  /** The project's server certificate, served by every branch. */
  tls: TlsFiles;
}

/** Write a file into a cluster directory, owned by the cluster user. */
export function writeOwned(runAs: RunAs | undefined, file: string, text: string, mode = 0o600): void {
  writeFileSync(file, text, { mode });
  if (runAs) chownSync(file, runAs.uid, runAs.gid);
}

/** initdb a fresh cluster with the superuser `postgres` (scram, UTF8, no locale). */
export async function initCluster(c: ClusterHandle, walSegmentMb: number): Promise<void> {
  const pwfile = path.join(c.paths.root, 'initdb.pw');
  writeOwned(c.runAs, pwfile, `${c.superuserPassword}\n`);
  try {
    const r = await run(c.runAs, c.bins.initdb, [
      '-D',
      c.paths.data,
      '-U',
      'postgres',
      `--pwfile=${pwfile}`,
      '-A',
      'scram-sha-256',
      '-E',
      'UTF8',
      '--no-locale',
      `--wal-segsize=${walSegmentMb}`,
      '--no-instructions',
    ]);
    if (r.code !== 0) {
      throw new PlatformError(`initdb failed: ${lastLine(r.stderr || r.stdout)}`, {
        hint: `see ${c.paths.root}`,
        code: 'INITDB_FAILED',
      });
    }
  } finally {
    rmSync(pwfile, { force: true });
  }
  writeOwned(
    c.runAs,
    path.join(c.paths.data, 'pg_hba.conf'),
    // `host` matches TLS and plain connections: TLS is offered (like Neon), plain still works
    '# neon-migrate local engine: password auth over loopback only\nhost all all 127.0.0.1/32 scram-sha-256\n',
  );
  const conf = path.join(c.paths.data, 'postgresql.conf');
  writeOwned(c.runAs, conf, `${readFileSync(conf, 'utf8')}\ninclude_if_exists = '${BRANCH_CONF}'\n`);
}

/**
 * (Re)write the branch's own settings: port, loopback only, TLS with the project's certificate
 * (pg_hba's `host` lines accept TLS and plain connections alike), its WAL archive, and an optional
 * recovery target.
 */
export function writeBranchConf(c: ClusterHandle, target?: RecoveryTarget): void {
  const wal = c.paths.wal;
  const lines = [
    '# written by neon-migrate before every start; edits are overwritten',
    `listen_addresses = '127.0.0.1'`,
    `port = ${c.port}`,
    `unix_socket_directories = ''`,
    `password_encryption = 'scram-sha-256'`,
    `ssl = on`,
    `ssl_cert_file = ${confQuote(c.tls.cert)}`,
    `ssl_key_file = ${confQuote(c.tls.key)}`,
    `wal_level = replica`,
    `archive_mode = on`,
    `archive_timeout = 0`,
    `archive_command = ${confQuote(`test ! -f ${shellQuote(wal)}/%f && cp %p ${shellQuote(wal)}/%f`)}`,
    `restore_command = ${confQuote(`cp ${shellQuote(wal)}/%f %p`)}`,
    `max_wal_size = '512MB'`,
    `shared_buffers = '64MB'`,
    `max_connections = 50`,
    `log_min_messages = warning`,
    `log_checkpoints = off`,
  ];
  if (target?.lsn || target?.timestamp) {
    if (target.lsn) lines.push(`recovery_target_lsn = '${target.lsn}'`, `recovery_target_inclusive = off`);
    else
      lines.push(
        `recovery_target_time = ${confQuote(pgTimestamp(target.timestamp ?? ''))}`,
        `recovery_target_inclusive = on`,
      );
    lines.push(`recovery_target_timeline = 'latest'`, `recovery_target_action = 'promote'`);
  }
  writeOwned(c.runAs, path.join(c.paths.data, BRANCH_CONF), `${lines.join('\n')}\n`);
}

/** recovery_target_time rejects ISO 8601's T/Z; give it "YYYY-MM-DD HH:MM:SS.ffffff+00". */
function pgTimestamp(iso: string): string {
  return `${new Date(iso).toISOString().replace('T', ' ').replace('Z', '')}+00`;
}

/** The postmaster pid from postmaster.pid when that process is alive, else undefined. */
export function runningPid(paths: BranchPaths): number | undefined {
  const pidFile = path.join(paths.data, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0], 10);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  if (existsSync('/proc/self/stat')) {
    try {
      // a zombie has an empty cmdline; a reused pid runs something else
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres')) return undefined;
    } catch {
      return undefined;
    }
  }
  return pid;
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portAcceptsConnections(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  return lines[lines.length - 1] ?? 'unknown error';
}

/** The last FATAL/PANIC/ERROR line of the server log (why a start failed). */
export function logReason(paths: BranchPaths): string {
  try {
    const lines = readFileSync(paths.log, 'utf8').trim().split('\n');
    for (let i = lines.length - 1; i >= Math.max(0, lines.length - 50); i--) {
      if (/FATAL|PANIC/.test(lines[i])) return lines[i].replace(/^.*?(FATAL|PANIC)/, '$1');
    }
    return lastLine(lines.join('\n'));
  } catch {
    return 'no server log';
  }
}

/** Wait up to ~5 s for the port to be bindable: after a crash the old server's children may still hold it briefly. */
async function portFreesUp(port: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if (await portIsFree(port)) return true;
    await sleep(100);
  }
  return false;
}

/** Start the cluster with pg_ctl (detached, so it outlives this process); refuses a port held by another process. */
export async function startCluster(c: ClusterHandle, target?: RecoveryTarget): Promise<void> {
  if (!(await portFreesUp(c.port))) {
    throw new PlatformError(`port ${c.port} is in use by another process`, {
      hint: `stop whatever listens on 127.0.0.1:${c.port} (\`ss -ltnp 'sport = :${c.port}'\` shows it) and retry; the branch keeps this port so its connection string never changes`,
      code: 'PORT_IN_USE',
    });
  }
  // a project created before TLS gets its certificate on its next start
  ensureServerCert(c.runAs, c.tls);
  writeBranchConf(c, target);
  // a postmaster killed abruptly leaves postmaster.pid behind; Postgres may take its pid for alive
  // (e.g. an unreaped zombie), so drop the file once we know that process is gone
  const pidFile = path.join(c.paths.data, 'postmaster.pid');
  if (existsSync(pidFile) && runningPid(c.paths) === undefined) rmSync(pidFile, { force: true });
  for (let attempt = 0; ; attempt++) {
    const r = await run(c.runAs, c.bins.pgCtl, ['-D', c.paths.data, '-l', c.paths.log, '-w', '-t', '3600', 'start'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    });
    if (r.code === 0) return;
    const reason = logReason(c.paths);
    // after a crash the old server's children exit only once they notice; give them time
    if (attempt < 20 && /pre-existing shared memory block|lock file .* already exists/.test(reason)) {
      if (existsSync(pidFile) && runningPid(c.paths) === undefined) rmSync(pidFile, { force: true });
      await sleep(500);
      continue;
    }
    throw new PlatformError(`PostgreSQL failed to start: ${reason}`, {
      hint: `see ${c.paths.log}`,
      code: 'START_FAILED',
    });
  }
}

/** Stop the cluster (fast shutdown); a no-op when it is not running. */
export async function stopCluster(c: Pick<ClusterHandle, 'bins' | 'runAs' | 'paths'>): Promise<void> {
  if (runningPid(c.paths) === undefined) return;
  const r = await run(c.runAs, c.bins.pgCtl, ['-D', c.paths.data, '-w', '-t', '120', '-m', 'fast', 'stop']);
  if (r.code !== 0 && runningPid(c.paths) !== undefined) {
    throw new PlatformError(`PostgreSQL failed to stop: ${lastLine(r.stderr || r.stdout)}`, {
      hint: `see ${c.paths.log}`,
      code: 'STOP_FAILED',
    });
  }
}

/** A superuser connection to the cluster's `postgres` database (admin SQL only). */
export async function adminClient(
  c: Pick<ClusterHandle, 'port' | 'superuserPassword'>,
  database = 'postgres',
): Promise<pg.Client> {
  const client = new pg.Client({
    host: '127.0.0.1',
    port: c.port,
    user: 'postgres',
    password: c.superuserPassword,
    database,
  });
  client.on('error', () => undefined); // a server shutdown while idle must not crash the process
  await client.connect();
  return client;
}

/** Run one admin query and close. */
export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(
  c: Pick<ClusterHandle, 'port' | 'superuserPassword'>,
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  const client = await adminClient(c);
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}
