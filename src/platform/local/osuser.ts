/**
 * PostgreSQL refuses to run as root, so as root the engine runs every cluster process (initdb,
 * pg_ctl, postgres, and the cp of data directories) as an unprivileged system user.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdirSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../errors.js';

export const PG_OS_USER = 'nmpg';

/** Who cluster processes run as: undefined = the current (non-root) user. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** As root: the uid/gid of `nmpg`, created with useradd if missing. Otherwise undefined. */
export function resolveRunAs(): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = (): RunAs | undefined => {
    try {
      const uid = Number(
        execFileSync('id', ['-u', PG_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
      );
      const gid = Number(
        execFileSync('id', ['-g', PG_OS_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
      );
      return { uid, gid };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_OS_USER], {
      stdio: 'ignore',
    });
  } catch (err) {
    // A concurrent process may have created it meanwhile.
    const again = lookup();
    if (again) return again;
    throw new PlatformError(
      `cannot create the system user "${PG_OS_USER}" that runs PostgreSQL (PostgreSQL refuses to run as root)`,
      {
        hint: `create it with \`useradd --system ${PG_OS_USER}\`, or run neon-migrate as a non-root user`,
        code: 'PG_USER',
        ...{ cause: err },
      },
    );
  }
  const created = lookup();
  if (!created) throw new PlatformError(`system user "${PG_OS_USER}" not found after useradd`, { code: 'PG_USER' });
  return created;
}

/** mkdir -p, then hand the directory to the cluster user. */
export function mkdirFor(runAs: RunAs | undefined, dir: string, mode = 0o700): void {
  mkdirSync(dir, { recursive: true, mode });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
}

/** True when the cluster user can traverse every ancestor of dir (so postgres can reach it). */
export function canTraverse(runAs: RunAs | undefined, dir: string): boolean {
  if (!runAs) return true;
  let current = path.resolve(dir);
  for (;;) {
    let st: Stats;
    try {
      st = statSync(current);
    } catch {
      return false;
    }
    const bits = st.uid === runAs.uid ? 0o100 : st.gid === runAs.gid ? 0o010 : 0o001;
    if ((st.mode & bits) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a program (optionally as the cluster user) and collect its output; never throws on exit codes. */
export function run(
  runAs: RunAs | undefined,
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd ?? '/',
      env: options.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
